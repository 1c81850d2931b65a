"""`biaozhun notify_watch_lists`: tell users when a watched standard changed status; purge
expired anonymous reports. Periodic (hourly under `make run`) and idempotent."""

from django.core.management.base import BaseCommand

from biaozhun.validity.services import notify_watch_lists, purge_expired_checks


class Command(BaseCommand):
    help = "通知关注清单中状态变化的标准，并删除过期的匿名核查报告（可重复运行）。"

    def handle(self, *args, **options):
        sent = notify_watch_lists()
        purged = purge_expired_checks()
        self.stdout.write(f"已发送 {sent} 条通知，删除 {purged} 份过期报告。")
