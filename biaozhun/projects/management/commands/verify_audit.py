"""Check every event chain: `biaozhun verify_audit [--project ID ...]`.

The projects' chains, then every chain registered in `biaozhun.core.audit` by apps this one
may not import (the consultations without a project). With `--project`, only those projects.
"""

from django.core.management.base import BaseCommand, CommandError

from biaozhun.core.audit import registered_verifiers
from biaozhun.projects.audit import verify_all


class Command(BaseCommand):
    help = ("Verify the hash chains of project events and of every other registered trail "
            "(consultations without a project); report the first broken link of each.")

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, action="append", dest="projects",
                            help="only this project's chain (repeatable; skips other trails)")

    def handle(self, *args, projects=None, **options):
        read, broken = verify_all(projects)
        broken = list(broken)
        if projects is None:
            for _name, verify in registered_verifiers():
                more, links = verify()
                read += more
                broken.extend(links)
        for link in broken:
            self.stderr.write(f"BROKEN {link}")
        if broken:
            raise CommandError(f"{len(broken)} 条事件链已损坏（共读取 {read} 条事件）。")
        self.stdout.write(f"OK: {read} 条事件，所有事件链完整。")
