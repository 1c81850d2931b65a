"""`biaozhun rebuild_search_index`: recompute every edition's search column, rebuild the index."""

import sys

from django.core.management.base import BaseCommand

from biaozhun.core.progress import ProgressBar
from biaozhun.search import index
from biaozhun.search.services import rebuild_search_index


class Command(BaseCommand):
    help = "重新计算所有标准的检索文本并重建全文索引（批量导入或升级后运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--no-recompute", action="store_true",
                            help="只重建索引，不重新计算检索文本")

    def handle(self, *args, no_recompute: bool = False, **options):
        progress = ProgressBar(sys.stderr, sys.stderr.isatty())
        timings = rebuild_search_index(recompute=not no_recompute, progress=progress)
        size = index.size_bytes()
        self.stdout.write(self.style.SUCCESS(
            f"检索索引已重建：计算 {timings['compute']:.1f} 秒，建索引 {timings['index']:.1f} 秒"
            + (f"，索引 {size / 2**20:.1f} MiB" if size else "") + "。"))
