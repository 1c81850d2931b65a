"""`biaozhun close_consultations [--date YYYY-MM-DD]`: close consultations whose last day has
passed, the system as actor (a draft's through its project: comment resolution). Idempotent:
run it as often as you like (`biaozhun serve` runs it hourly)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from biaozhun.consultations.models import Consultation
from biaozhun.consultations.services import close_due_consultations


class Command(BaseCommand):
    help = "Close consultations whose comment period has ended."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="act as if today were this day (YYYY-MM-DD)")

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = _parse(date)
            except ValueError as exc:
                raise CommandError(f"--date {date!r}: 日期格式应为 YYYY-MM-DD") from exc
        closed = close_due_consultations(today=today)
        self.stdout.write(f"结束征求意见 {len(closed)} 个。")
        for pk, title in Consultation.objects.filter(pk__in=closed).order_by("pk") \
                .values_list("pk", "title"):
            self.stdout.write(f"  #{pk} {title}")


def _parse(text: str) -> date:
    return date.fromisoformat(text)
