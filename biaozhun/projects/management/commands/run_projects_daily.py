"""The daily run of the lifecycle: `biaozhun run_projects_daily [--date YYYY-MM-DD]`.

Closes comment periods that ended, marks missed deadlines overdue (an event on the project's
record, the system as actor), mails reminders before deadlines, and recomputes provisional
deadlines once the holidays of their year have been entered. Idempotent: run it as
often as you like.
"""

from django.core.management.base import BaseCommand

from biaozhun.core.cli import iso_date
from biaozhun.projects.services import run_daily


class Command(BaseCommand):
    help = "Close finished comment periods, mark overdue deadlines and send reminders."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=iso_date,
                            help="act as if today were this day (YYYY-MM-DD)")

    def handle(self, *args, date=None, **options):
        report = run_daily(today=date)
        self.stdout.write(
            f"征求意见结束 {len(report.closed_comment_periods)} 个项目；"
            f"新增逾期 {report.overdue} 项；发送提醒 {report.reminded} 封；"
            f"暂定期限重新计算后确定 {report.recomputed} 项。")
