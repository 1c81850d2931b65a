"""Mail about deadlines: reminders before they fall due (sent by the daily run)."""

from datetime import date

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Q

from biaozhun.accounts.models import Membership
from biaozhun.core import workdays
from biaozhun.projects.models import Deadline


def reminder_horizon(today: date) -> date:
    """Deadlines due on or before this day get a reminder today."""
    return workdays.due(today, "reminder_lead").on


def send_reminders(*, today: date) -> int:
    """One mail per open, not yet reminded deadline due within the lead time, to the active
    members of the responsible organisation (or the lead administration). Idempotent."""
    horizon = reminder_horizon(today)
    due = list(Deadline.objects.filter(
        met_at__isnull=True, reminded_on__isnull=True, due_on__gte=today, due_on__lte=horizon,
    ).select_related("project", "responsible"))
    if not due:
        return 0
    org_ids = {d.responsible_id or d.project.administration_id for d in due}
    recipients: dict[int, list[str]] = {}
    for org_id, email in Membership.objects.filter(
            Q(organization_id__in=org_ids), is_active=True, user__is_active=True,
    ).exclude(user__email="").values_list("organization_id", "user__email"):
        recipients.setdefault(org_id, []).append(email)
    messages = []
    for d in due:
        to = sorted(set(recipients.get(d.responsible_id or d.project.administration_id, [])))
        if not to:
            continue
        subject = f"【期限提醒】{d.project.title}：{d.get_kind_display()} {d.due_on.isoformat()}"
        body = (f"项目：{d.project.reference} {d.project.title}\n"
                f"期限：{d.get_kind_display()}，截止 {d.due_on.isoformat()}"
                f"{'（暂定：该年度节假日安排尚未录入）' if d.provisional else ''}\n"
                f"计算依据：{d.basis}\n\n"
                f"请登录平台查看：{settings.SITE_URL}{d.project.get_absolute_url()}\n")
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, to))
    if messages:
        send_mass_mail(messages, fail_silently=False)
    Deadline.objects.filter(pk__in=[d.pk for d in due]).update(reminded_on=today)
    return len(messages)
