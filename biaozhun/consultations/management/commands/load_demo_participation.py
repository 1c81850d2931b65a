"""`biaozhun load_demo_participation`: demo comments and a public proposal (make run)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from biaozhun.consultations.demo import ensure_demo_participation


class Command(BaseCommand):
    help = "为演示项目创建示例意见和立项建议（可重复运行；仅在 DEBUG=1 时）。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            self.stdout.write("未创建演示意见（仅在 DEBUG=1 时创建）。")
            return
        try:
            comments, proposal = ensure_demo_participation()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"演示意见 {comments} 条；演示立项建议 {1 if proposal else 0} 条。")
