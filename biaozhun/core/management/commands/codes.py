"""``manage.py codes normalize|extract``: standard numbers from the command line.

A thin wrapper: all logic lives in ``biaozhun.codes.cli`` (plain Python, tested there).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from biaozhun.codes.cli import run_extract, run_normalize


class Command(BaseCommand):
    help = "Normalise standard numbers (one per line on stdin) or extract them from a text."
    stealth_options = ("stdin",)
    _options_stdin = None

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("normalize", help="read one reference per line on stdin, write JSON lines")
        ext = sub.add_parser("extract", help="find references in a UTF-8 text file, write JSON")
        ext.add_argument("file", nargs="?", default="-", help="a UTF-8 file, or - for stdin")

    def handle(self, *args, **options):
        if options["action"] == "normalize":
            run_normalize(self._stdin(), self.stdout)
            return
        path = options["file"]
        if path == "-":
            text = self._stdin().read()
        else:
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError) as e:
                raise CommandError(f"cannot read {path}: {e}") from e
        run_extract(text, self.stdout)

    def _stdin(self):
        # call_command(..., stdin=...) passes a stream in options; otherwise the real stdin.
        return self._options_stdin or sys.stdin

    def execute(self, *args, **options):
        self._options_stdin = options.get("stdin")
        return super().execute(*args, **options)
