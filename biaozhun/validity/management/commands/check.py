"""`biaozhun check [FILE|-] [--as-of DATE] [--format json|xlsx|pdf|html] [-o OUT]`.

Reads a file (or standard input as text), checks every standard it cites and writes the
report. Nothing is stored. Exit status 0 when the report was written, 1 on an input error.

This command takes the name of Django's system check; `biaozhun check --system`, `--deploy`,
`--tag`, `--list-tags` or `--fail-level` run Django's system check instead.
"""

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from biaozhun.core.progress import ProgressBar
from biaozhun.validity import reports
from biaozhun.validity.documents import DocumentError
from biaozhun.validity.services import check_input


class Command(BaseCommand):
    help = "核查文件或标准输入中引用的标准，输出报告（JSON、XLSX、PDF 或 HTML）。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-",
                            help="要核查的文件（.txt .docx .pdf .xlsx .csv）；- 表示标准输入")
        parser.add_argument("--as-of", dest="as_of", help="核查日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--format", choices=sorted(reports.FORMATS), default="json")
        parser.add_argument("-o", "--output", help="输出文件（默认标准输出）")
        system = parser.add_argument_group("Django 系统检查（manage.py check）")
        system.add_argument("--system", action="store_true", help="运行 Django 系统检查")
        system.add_argument("--deploy", action="store_true", help="系统检查：含部署检查")
        system.add_argument("-t", "--tag", action="append", dest="tags")
        system.add_argument("--list-tags", action="store_true")
        system.add_argument("--fail-level", default="ERROR",
                            choices=["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"])

    def handle(self, *args, file, as_of, format, output, **options):
        if options["system"] or options["deploy"] or options["tags"] \
                or options["list_tags"] or options["fail_level"] != "ERROR":
            from django.core.management.commands.check import Command as SystemCheck

            return SystemCheck(stdout=self.stdout, stderr=self.stderr).handle(
                *([] if file == "-" else [file]), deploy=options["deploy"],
                tags=options["tags"], list_tags=options["list_tags"],
                fail_level=options["fail_level"], databases=None)
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of 应为 YYYY-MM-DD，而不是 {as_of!r}") from None
        progress = ProgressBar(sys.stderr, sys.stderr.isatty())
        try:
            if file == "-":
                report = check_input(text=sys.stdin.read(), as_of=day)
                title = "stdin"
            else:
                path = Path(file)
                if not path.is_file():
                    raise CommandError(f"找不到文件：{file}")
                report = check_input(name=path.name, data=path.read_bytes(), as_of=day,
                                     progress=progress)
                title = path.name
        except DocumentError as exc:
            raise CommandError(str(exc)) from None
        content = reports.render(report, format, title)
        if output:
            Path(output).write_bytes(content)
            summary = "，".join(f"{label} {count}" for _s, label, count
                               in reports.summary_rows(report))
            self.stderr.write(f"已写入 {output}：{summary}")
        elif format in ("xlsx", "pdf"):
            raise CommandError(f"{format} 是二进制格式，请用 -o 指定输出文件")
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
