from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "biaozhun.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from biaozhun.core import workdays
        from biaozhun.core.models import WorkCalendarDay, WorkCalendarYear

        # A malformed BIAOZHUN_PERIOD_* environment variable stops every process at start-up,
        # like the other env-driven settings, rather than at the first deadline computed.
        workdays.validate_periods()
        for signal in (post_save, post_delete):
            signal.connect(workdays.day_changed, sender=WorkCalendarDay,
                           dispatch_uid=f"core.workdays.day_changed.{signal is post_save}")
            signal.connect(workdays.year_changed, sender=WorkCalendarYear,
                           dispatch_uid=f"core.workdays.year_changed.{signal is post_save}")
