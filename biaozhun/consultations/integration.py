"""How consultations plug into the project lifecycle (registered in AppConfig.ready).

- A project entering public comment opens its draft consultation with the project's dates and
  the newest 征求意见稿 and 编制说明; entering comment resolution closes it.
- Technical review is refused while any visible, verified comment of the project is
  unanswered.
"""

from django.utils import timezone

from biaozhun.projects.audit import record_event
from biaozhun.projects.guards import register_guard
from biaozhun.projects.hooks import register_stage_hook
from biaozhun.projects.models import DocumentKind, EventKind
from biaozhun.projects.stages import Stage


def _newest(project, kind):
    return project.documents.filter(kind=kind).order_by("-version").first()


def open_for_project(project, *, event, by) -> None:
    from biaozhun.consultations.models import Consultation

    consultation = Consultation.objects.create(
        kind=Consultation.Kind.DRAFT, title=f"《{project.title}》（征求意见稿）",
        administration=project.administration, project=project,
        draft=_newest(project, DocumentKind.COMMENT_DRAFT),
        explanation=_newest(project, DocumentKind.EXPLANATION),
        opens_on=project.comment_opens_on, closes_on=project.comment_closes_on,
        created_by=by)
    record_event(project, kind=EventKind.CONSULTATION_OPENED, by=by, payload={
        "consultation": consultation.pk, "opens_on": consultation.opens_on.isoformat(),
        "closes_on": consultation.closes_on.isoformat()})
    from biaozhun.consultations.notifications import announce

    announce(consultation)


def close_for_project(project, *, event, by) -> None:
    from biaozhun.consultations.models import Consultation

    for consultation in Consultation.objects.select_for_update().filter(
            project=project, closed_at__isnull=True):
        consultation.closed_at = timezone.now()
        consultation.save(update_fields=["closed_at", "updated_at"])
        record_event(project, kind=EventKind.CONSULTATION_CLOSED, by=by, payload={
            "consultation": consultation.pk, "comments": consultation.comment_count})


def unanswered_comments(project) -> list[str]:
    from biaozhun.consultations.selectors import unanswered_count

    count = unanswered_count(project)
    return [f"尚有 {count} 条意见未处理"] if count else []


def connect() -> None:
    register_stage_hook(Stage.PUBLIC_COMMENT, open_for_project)
    register_stage_hook(Stage.COMMENT_RESOLUTION, close_for_project)
    register_guard(Stage.TECHNICAL_REVIEW, unanswered_comments)
