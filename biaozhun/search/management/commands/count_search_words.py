"""`biaozhun count_search_words [--if-stale]`: recount the documents holding each word.

PostgreSQL chooses each text search's plan from these counts (`search_lexeme`); a rebuild
counts them too, and `biaozhun serve` runs this hourly with `--if-stale`. Nothing to do on
SQLite, whose index knows its own counts.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from biaozhun.search.services import count_words, word_counts_stale


class Command(BaseCommand):
    help = "重新统计各词出现的标准数（PostgreSQL 据此选择检索方式）。"

    def add_arguments(self, parser):
        parser.add_argument("--if-stale", action="store_true",
                            help="仅当标准数量与上次统计相差超过 10% 时统计")

    def handle(self, *args, if_stale: bool = False, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite 的全文索引自带词频，无需统计。")
            return
        if if_stale and not word_counts_stale():
            self.stdout.write("词频统计仍然有效，未重新统计。")
            return
        started = time.perf_counter()
        count_words()
        self.stdout.write(self.style.SUCCESS(
            f"词频已重新统计：{time.perf_counter() - started:.1f} 秒。"))
