"""`biaozhun import PATH [--skip-invalid]`: load a catalogue or reference list file."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from biaozhun.catalog.importing import FileError, ImportFailed
from biaozhun.catalog.importing.dispatch import KINDS, import_path
from biaozhun.core.progress import ProgressBar


class Command(BaseCommand):
    help = ("导入标准目录文件（CSV/XLSX/JSON，英文或门户网站列名），或参考数据"
            "（ICS、CCS、GB/T 2260 行政区划、行业标准代号、ISO/IEC 目录及关系）。")

    def add_arguments(self, parser):
        parser.add_argument("path", help="要导入的文件")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="导入有效行，无效行写入 rejects 文件（默认：有错误则全部不导入）")
        parser.add_argument("--kind", choices=["auto", *KINDS], default="auto",
                            help="文件类型（默认按列名自动识别）")
        parser.add_argument("--rejects", help="无效行文件的路径（默认：<文件名>.rejects.csv）")
        parser.add_argument("--sample", action="store_true", help="标记为示例数据")

    def handle(self, *args, **options):
        path = Path(options["path"])
        progress = ProgressBar(sys.stderr, sys.stderr.isatty())
        started = time.perf_counter()
        try:
            report = import_path(
                path, kind=options["kind"], skip_invalid=options["skip_invalid"],
                progress=progress, sample=options["sample"],
                rejects_path=Path(options["rejects"]) if options["rejects"] else None)
        except FileError as exc:
            raise CommandError(str(exc)) from None
        except ImportFailed as exc:
            for error in exc.errors[:50]:
                self.stderr.write(str(error))
            if len(exc.errors) > 50:
                self.stderr.write(f"……另有 {len(exc.errors) - 50} 处错误")
            raise CommandError(f"{path.name}：{len(exc.errors)} 处错误，未导入任何数据。"
                               "修正后重试，或使用 --skip-invalid 只导入有效行。") from None
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"{report.source}：共 {report.total_rows} 行，导入 {report.imported} 行"
            f"（新增 {report.created}，更新 {report.updated}），拒绝 {report.rejected_rows} 行，"
            f"用时 {elapsed:.1f} 秒。"))
        for line in report.notes:
            self.stdout.write(line)
        if report.dangling:
            self.stdout.write(
                f"未解析的关联标准 {len(report.dangling)} 个（已保留，导入后自动关联）：")
            for source, kind, target in report.dangling[:20]:
                self.stdout.write(f"  {source} → {kind} → {target}")
        if report.unknown_columns:
            self.stdout.write("已忽略未知列：" + "、".join(report.unknown_columns))
        if report.errors:
            for error in report.errors[:20]:
                self.stderr.write(str(error))
            if report.rejects_path:
                self.stdout.write(f"无效行已写入 {report.rejects_path}")
