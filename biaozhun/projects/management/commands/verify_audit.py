"""Check every project's event chain: `biaozhun verify_audit [--project ID ...]`."""

from django.core.management.base import BaseCommand, CommandError

from biaozhun.projects.audit import verify_all


class Command(BaseCommand):
    help = "Verify the hash chain of project events and report the first broken link of each."

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, action="append", dest="projects",
                            help="only this project (repeatable)")

    def handle(self, *args, projects=None, **options):
        read, broken = verify_all(projects)
        for link in broken:
            self.stderr.write(f"BROKEN {link}")
        if broken:
            raise CommandError(f"{len(broken)} 条事件链已损坏（共读取 {read} 条事件）。")
        self.stdout.write(f"OK: {read} 条事件，所有事件链完整。")
