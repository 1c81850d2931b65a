"""`biaozhun load_demo_projects`: demo local standard projects for a trial (make run)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from biaozhun.projects.demo import ensure_demo_projects


class Command(BaseCommand):
    help = "创建演示用的地方标准项目（处于不同阶段；可重复运行；仅在 DEBUG=1 时）。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            self.stdout.write("未创建演示项目（仅在 DEBUG=1 时创建）。")
            return
        try:
            made = ensure_demo_projects()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        for project in made:
            self.stdout.write(f"演示项目 {project.reference} {project.title}："
                              f"{project.get_stage_display()}")
        if not made:
            self.stdout.write("演示项目已存在。")
