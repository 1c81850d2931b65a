"""`biaozhun refresh_status [--as-of DATE]`: recompute stored statuses (run nightly)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from biaozhun.catalog.services import refresh_status


class Command(BaseCommand):
    help = "按日期重新计算并保存所有标准的状态（每天运行一次；可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="计算状态所依据的日期，YYYY-MM-DD（默认今天）")

    def handle(self, *args, as_of=None, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} 不是有效日期（YYYY-MM-DD）") from None
        changed = refresh_status(as_of=day)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"状态已更新：{changed} 个版本发生变化。"))
