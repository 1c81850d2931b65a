"""`biaozhun generate --count N`: synthetic editions for scale tests (flagged synthetic)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from biaozhun.catalog.models import Standard
from biaozhun.catalog.synthetic import generate
from biaozhun.core.progress import ProgressBar


class Command(BaseCommand):
    help = "生成合成标准数据用于规模测试（均标记为合成数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="生成的版本数")
        parser.add_argument("--seed", type=int, default=20261124)
        parser.add_argument("--delete", action="store_true", help="先删除已有的合成数据")

    def handle(self, *args, count, seed, delete, **options):
        if count <= 0:
            raise CommandError("--count 必须是正整数")
        if delete:
            deleted, _ = Standard.objects.filter(is_synthetic=True).delete()
            self.stdout.write(f"已删除合成数据 {deleted} 行")
        made = generate(count, seed=seed, progress=ProgressBar(sys.stderr, sys.stderr.isatty()))
        self.stdout.write(self.style.SUCCESS(f"已生成 {made} 个合成标准版本。"))
