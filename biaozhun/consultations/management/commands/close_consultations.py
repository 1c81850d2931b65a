"""`biaozhun close_consultations [--date YYYY-MM-DD]`: close consultations whose last day has
passed, the system as actor (a draft's through its project: comment resolution). Idempotent:
run it as often as you like (`biaozhun serve` runs it hourly)."""

from django.core.management.base import BaseCommand

from biaozhun.consultations.models import Consultation
from biaozhun.consultations.services import close_due_consultations
from biaozhun.core.cli import iso_date


class Command(BaseCommand):
    help = "Close consultations whose comment period has ended."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=iso_date,
                            help="act as if today were this day (YYYY-MM-DD)")

    def handle(self, *args, date=None, **options):
        closed = close_due_consultations(today=date)
        self.stdout.write(f"结束征求意见 {len(closed)} 个。")
        for pk, title in Consultation.objects.filter(pk__in=closed).order_by("pk") \
                .values_list("pk", "title"):
            self.stdout.write(f"  #{pk} {title}")
