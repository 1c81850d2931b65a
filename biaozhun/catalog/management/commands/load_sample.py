"""`biaozhun load_sample`: the bundled sample catalogue and demo accounts (used by make run)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from biaozhun.accounts.services import ensure_demo_accounts
from biaozhun.catalog.importing import FileError, ImportFailed
from biaozhun.catalog.importing.dispatch import import_path

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
# Reference lists first, so that the standards find their classifications.
FILES = [("regions.csv", "regions"), ("ics.csv", "ics"), ("ccs.csv", "ccs"),
         ("standards.csv", "standards")]


class Command(BaseCommand):
    help = "导入随项目提供的示例标准目录（可重复运行），并在 DEBUG 模式下创建演示账户。"

    def add_arguments(self, parser):
        parser.add_argument("--no-accounts", action="store_true", help="不创建演示账户")

    def handle(self, *args, no_accounts=False, **options):
        for name, kind in FILES:
            path = SAMPLE_DIR / name
            try:
                options_for_kind = {"sample": True} if kind == "standards" else {}
                report = import_path(path, kind=kind, **options_for_kind)
            except (FileError, ImportFailed) as exc:
                raise CommandError(f"示例数据 {name} 导入失败：{exc}") from None
            self.stdout.write(f"示例数据 {name}：{report.imported} 条")
        if no_accounts:
            return
        if not settings.DEBUG:
            self.stdout.write("未创建演示账户（仅在 DEBUG=1 时创建）。")
            return
        self.stdout.write(self.style.SUCCESS("演示账户（仅供本机试用）："))
        for account in ensure_demo_accounts():
            self.stdout.write(f"  {account.username:<10} 密码 {account.password:<20} "
                              f"{account.persona} · {account.role}")
        self.stdout.write("  管理后台：网站地址后加 /admin/")
