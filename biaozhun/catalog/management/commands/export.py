"""`biaozhun export`: write a filtered list of editions in the import columns."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from biaozhun.catalog.exporting import FORMATS, export_standards
from biaozhun.catalog.models import Level, Standard, Status


class Command(BaseCommand):
    help = "按条件导出标准目录（CSV/XLSX/JSON，与导入格式相同，可再次导入）。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="输出文件（默认标准输出；XLSX 必须指定）")
        parser.add_argument("--level", choices=Level.values)
        parser.add_argument("--status", choices=Status.values)
        parser.add_argument("--prefix", help="标准代号，如 GB/T、DB43/T")
        parser.add_argument("--chinese-headers", action="store_true", help="使用门户网站中文列名")
        parser.add_argument("--include-synthetic", action="store_true")

    def handle(self, *args, **options):
        queryset = Standard.objects.all()
        if not options["include_synthetic"]:
            queryset = queryset.filter(is_synthetic=False)
        for field in ("level", "status", "prefix"):
            if options[field]:
                queryset = queryset.filter(**{field: options[field]})
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("XLSX 导出需要用 -o 指定输出文件。")
        data = export_standards(queryset, options["format"],
                                chinese=options["chinese_headers"])
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"已导出 {queryset.count()} 条到 {options['output']}")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
