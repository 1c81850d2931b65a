"""Reads for project pages, the API and the dashboard, in a bounded number of queries."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biaozhun.accounts.selectors import organization_ids
from biaozhun.projects import permissions as perms
from biaozhun.projects.guards import reasons_against
from biaozhun.projects.models import (
    Deadline,
    EventKind,
    ExtensionRequest,
    Jurisdiction,
    Project,
    ProjectEvent,
)
from biaozhun.projects.stages import ALLOWED, MAIN_LINE, Stage


@dataclass(frozen=True)
class ProjectFilters:
    q: str = ""
    stage: str = ""
    administration: int | None = None
    year: int | None = None
    mine: bool = False
    overdue: bool = False


def list_queryset() -> QuerySet[Project]:
    return Project.objects.select_related("administration").only(
        "pk", "reference", "title", "stage", "stage_code", "kind", "created_at", "updated_at",
        "plan_year", "code", "administration__name", "administration__short_name")


def filter_projects(filters: ProjectFilters, user=None) -> QuerySet[Project]:
    qs = list_queryset()
    if filters.q:
        q = filters.q.replace("\x00", "").strip()
        qs = qs.filter(Q(title__icontains=q) | Q(reference__iexact=q) | Q(code__iexact=q))
    if filters.stage in Stage.values:
        qs = qs.filter(stage=filters.stage)
    if filters.administration and not 0 < filters.administration < 2**63:
        return qs.none()
    if filters.administration:
        qs = qs.filter(pk__in=Jurisdiction.objects.filter(
            administration_id=filters.administration).values("project_id"))
    if filters.year:
        qs = qs.filter(plan_year=filters.year)
    if filters.mine and user is not None:
        qs = qs.filter(involving(user))
    if filters.overdue:
        qs = qs.filter(pk__in=Deadline.objects.filter(
            met_at__isnull=True, overdue_since__isnull=False).values("project_id"))
    return qs.order_by("-updated_at", "-id")


def involving(user) -> Q:
    """Projects a user takes part in: proposer, reviewer, or member of a participant.

    Written as `pk IN (subquery)` alternatives rather than joins, so that no row is repeated
    and no DISTINCT is needed (a join over four to-many tables sorted thousands of rows).
    """
    if not (user and user.is_authenticated):
        return Q(pk__in=[])
    orgs = list(organization_ids(user))
    q = Q(proposer=user) | Q(pk__in=Project.reviewers.through.objects.filter(
        user_id=user.pk).values("project_id"))
    if orgs:
        q |= (Q(competent_department__in=orgs) | Q(proposing_unit__in=orgs)
              | Q(committee__in=orgs)
              | Q(pk__in=Project.drafting_orgs.through.objects.filter(
                  organization_id__in=orgs).values("project_id"))
              | Q(pk__in=Jurisdiction.objects.filter(
                  administration_id__in=orgs).values("project_id")))
    return q


def detail_queryset() -> QuerySet[Project]:
    return Project.objects.select_related(
        "administration", "proposer", "proposing_unit", "competent_department", "committee",
        "revises", "standard",
    ).prefetch_related(
        Prefetch("jurisdictions", queryset=Jurisdiction.objects.select_related(
            "administration", "approved_by")),
        "drafting_orgs", "reviewers",
    )


# --- what a user may do now -------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    to_stage: str = ""
    blocked_by: tuple[str, ...] = ()

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_by)


# action name → (label, stages it starts from, target stage, permission)
ACTIONS: dict[str, tuple[str, tuple[str, ...], str, object]] = {
    "evaluate": (_("立项评估"), (Stage.PROPOSED,), Stage.EVALUATED, perms.can_evaluate),
    "reject": (_("不予立项"), (Stage.PROPOSED, Stage.EVALUATED), Stage.REJECTED,
               perms.can_reject),
    "plan": (_("列入计划"), (Stage.EVALUATED,), Stage.PLANNED, perms.can_plan),
    "start_drafting": (_("开始起草"), (Stage.PLANNED,), Stage.DRAFTING, perms.can_start_drafting),
    "request_extension": (_("申请延期"), (Stage.PLANNED, Stage.DRAFTING, Stage.EXTENDED), "",
                          perms.can_request_extension),
    "open_public_comment": (_("发布征求意见稿"), (Stage.DRAFTING, Stage.EXTENDED,
                                        Stage.COMMENT_RESOLUTION),
                            Stage.PUBLIC_COMMENT, perms.can_open_public_comment),
    "close_public_comment": (_("结束征求意见"), (Stage.PUBLIC_COMMENT,), Stage.COMMENT_RESOLUTION,
                             perms.can_close_public_comment),
    "set_reviewers": (_("组建审查专家组"), (Stage.COMMENT_RESOLUTION, Stage.TECHNICAL_REVIEW), "",
                      perms.can_set_reviewers),
    "send_to_technical_review": (_("提交技术审查"), (Stage.COMMENT_RESOLUTION,),
                                 Stage.TECHNICAL_REVIEW, perms.can_send_to_technical_review),
    "vote": (_("表决"), (Stage.TECHNICAL_REVIEW,), "", perms.can_vote),
    "submit_for_approval": (_("报批"), (Stage.TECHNICAL_REVIEW,), Stage.SUBMITTED,
                            perms.can_submit_for_approval),
    "return_for_rework": (_("退回修改"), (Stage.TECHNICAL_REVIEW, Stage.SUBMITTED), "",
                          perms.can_return_for_rework),
    "approve": (_("批准"), (Stage.SUBMITTED,), "", perms.can_approve),
    "publish": (_("发布"), (Stage.APPROVED,), Stage.PUBLISHED, perms.can_publish),
    "file": (_("备案"), (Stage.PUBLISHED,), Stage.FILED, perms.can_file),
    "terminate": (_("终止项目"), tuple(s for s, exits in ALLOWED.items()
                                if Stage.TERMINATED in exits), Stage.TERMINATED,
                  perms.can_terminate),
}


def available_actions(user, project: Project) -> list[Action]:
    """The actions this user may take on `project` now; guarded moves carry their reasons."""
    out = []
    for name, (label, stages, to_stage, allowed) in ACTIONS.items():
        if project.stage not in stages or not allowed(user, project):
            continue
        if name == "approve" and _already_approved(user, project):
            continue
        blocked: tuple[str, ...] = ()
        if to_stage and name not in ("reject", "terminate", "evaluate"):
            blocked = tuple(reasons_against(project, to_stage))
        out.append(Action(name, str(label), to_stage, blocked))
    return out


def my_work_candidates(user, *, limit: int) -> list[Project]:
    """The `limit` most recently updated open projects the user takes part in, with what
    `available_actions` reads prefetched (documents' kinds, jurisdictions, participants)."""
    from biaozhun.accounts.models import Organization, User
    from biaozhun.projects.models import ProjectDocument
    from biaozhun.projects.stages import TERMINAL

    ids = list(Project.objects.filter(involving(user)).exclude(stage__in=TERMINAL)
               .order_by("-updated_at", "-id").values_list("pk", flat=True)[:limit])
    # Only what the permission rules and the page read: no related rows beyond ids.
    projects = {p.pk: p for p in Project.objects.filter(pk__in=ids).only(
        "pk", "reference", "title", "stage", "stage_code", "proposer_id", "administration_id",
        "competent_department_id", "proposing_unit_id", "committee_id", "review_round",
        "comment_closes_on", "numbering", "nature",
    ).prefetch_related(
        Prefetch("jurisdictions", queryset=Jurisdiction.objects.only(
            "pk", "project_id", "administration_id", "approved_at", "is_lead")),
        Prefetch("drafting_orgs", queryset=Organization.objects.only("pk")),
        Prefetch("reviewers", queryset=User.objects.only("pk")),
    )}
    kinds: dict[int, set[str]] = defaultdict(set)
    for pid, kind in ProjectDocument.objects.filter(project_id__in=ids).values_list(
            "project_id", "kind").order_by().distinct():
        kinds[pid].add(kind)
    for pid, project in projects.items():
        project.document_kinds = kinds[pid]  # read by guards.missing_documents
    return [projects[pk] for pk in ids if pk in projects]


def _already_approved(user, project: Project) -> bool:
    mine = [j for j in project.jurisdiction_list
            if user.is_superuser or j.administration_id in organization_ids(user)]
    return all(j.approved_at is not None for j in mine)


# --- deadlines and "my work" ---------------------------------------------------------------


def week_bounds(today: date) -> tuple[date, date]:
    start = today - timedelta(days=today.weekday())
    return start, start + timedelta(days=6)


def open_deadlines(*, org_ids=None, until: date | None = None) -> QuerySet[Deadline]:
    qs = Deadline.objects.filter(met_at__isnull=True).select_related(
        "project", "responsible").only(
        "pk", "kind", "due_on", "provisional", "basis", "overdue_since", "project__id",
        "project__title", "project__reference", "project__stage", "responsible__name")
    if org_ids is not None:
        qs = qs.filter(Q(responsible_id__in=list(org_ids)) | Q(
            responsible__isnull=True, project__administration_id__in=list(org_ids)))
    if until is not None:
        qs = qs.filter(due_on__lte=until)
    return qs.order_by("due_on", "pk")


def due_this_week_for_user(user, today: date | None = None, *,
                           limit: int = 50) -> list[Deadline]:
    """Open deadlines of the user's organisations due by the end of this week (and overdue)."""
    today = today or timezone.localdate()
    _, end = week_bounds(today)
    return list(open_deadlines(org_ids=organization_ids(user), until=end)[:limit])


def count_due_this_week_for_user(user, today: date | None = None) -> int:
    today = today or timezone.localdate()
    _, end = week_bounds(today)
    return open_deadlines(org_ids=organization_ids(user), until=end).count()


def due_this_week_by_organization(today: date | None = None) -> list[tuple[str, int, int]]:
    """(organisation, due this week, overdue) for every organisation with open deadlines."""
    today = today or timezone.localdate()
    start, end = week_bounds(today)
    rows = Deadline.objects.filter(met_at__isnull=True, due_on__lte=end).values(
        "responsible__name").annotate(
        week=Count("pk", filter=Q(due_on__gte=min(start, today))),
        overdue=Count("pk", filter=Q(due_on__lt=today)))
    return sorted(((r["responsible__name"] or "—", r["week"], r["overdue"]) for r in rows),
                  key=lambda r: (-r[2], -r[1], r[0]))


def pending_extension_requests(user) -> list[ExtensionRequest]:
    if not perms.is_administrator(user):
        return []
    qs = ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING).select_related(
        "project", "requested_by")
    if not user.is_superuser:
        qs = qs.filter(project__administration_id__in=list(organization_ids(user)))
    return list(qs[:100])


# --- dashboard -----------------------------------------------------------------------------


@dataclass
class Dashboard:
    by_stage: list[tuple[str, str, int]]
    total: int
    overdue: list[Deadline]
    overdue_count: int
    stage_days: list[tuple[str, str, float | None, int]]  # stage, label, median days, n
    cycle_days: float | None
    cycle_count: int
    published_by_year: list[tuple[int, int]] = field(default_factory=list)
    # Transparency and timeliness (the plans ask for both): (label, on time / done, total).
    openness: list[tuple[str, int, int]] = field(default_factory=list)


def dashboard(*, today: date | None = None, cycle_sample: int = 5000) -> Dashboard:
    """Projects by stage, overdue items and cycle times, in a fixed number of queries.

    Cycle times come from stage-change events: days spent in each stage (median over the
    projects that left it) and proposal → publication (median over published projects);
    at most the newest `cycle_sample` published projects are read, and the result is kept
    for CYCLE_CACHE_SECONDS (publication forgets it).
    """
    today = today or timezone.localdate()
    counts = dict(Project.objects.values_list("stage").annotate(n=Count("pk")))
    by_stage = [(s.value, s.label, counts.get(s.value, 0)) for s in Stage]
    overdue_qs = Deadline.objects.filter(met_at__isnull=True, due_on__lt=today)
    overdue_count = overdue_qs.count()
    overdue = list(open_deadlines().filter(due_on__lt=today)[:20])

    stage_days, cycle_days, cycle_count = cache.get_or_set(
        CYCLE_CACHE_KEY, lambda: _cycle_times(cycle_sample), CYCLE_CACHE_SECONDS)
    years = dict(Project.objects.filter(issued_on__isnull=False).order_by()
                 .values_list("issued_on__year").annotate(n=Count("pk")))
    return Dashboard(
        by_stage=by_stage, total=sum(counts.values()), overdue=overdue,
        overdue_count=overdue_count, stage_days=stage_days, cycle_days=cycle_days,
        cycle_count=cycle_count, published_by_year=sorted(years.items()),
        openness=_openness())


def _openness() -> list[tuple[str, int, int]]:
    """How open and timely the work is, from the deadlines that have come due or been met:
    drafts published for comment for the full legal period, free texts and filings on time
    (one aggregate query)."""
    on_time = Q(met_at__isnull=False, met_at__date__lte=F("due_on"))
    settled = Q(met_at__isnull=False) | Q(overdue_since__isnull=False)
    rows = Deadline.objects.filter(kind__in=[
        Deadline.Kind.PUBLIC_TEXT, Deadline.Kind.FILING, Deadline.Kind.EVALUATION,
        Deadline.Kind.DRAFTING]).order_by().values("kind").annotate(
        done=Count("pk", filter=on_time), total=Count("pk", filter=settled))
    found = {r["kind"]: (r["done"], r["total"]) for r in rows}
    labels = [(Deadline.Kind.PUBLIC_TEXT, _("标准文本按期免费公开")),
              (Deadline.Kind.FILING, _("按期备案")),
              (Deadline.Kind.EVALUATION, _("按期完成立项评估")),
              (Deadline.Kind.DRAFTING, _("按计划期限完成起草"))]
    return [(str(label), *found.get(kind, (0, 0))) for kind, label in labels]


# Cycle times read every stage change of the newest published projects (tens of thousands of
# rows at 10,000 projects): they are computed at most every few minutes, not per request.
CYCLE_CACHE_KEY = "projects:dashboard:cycle-times"
CYCLE_CACHE_SECONDS = 300


def _cycle_times(cycle_sample: int):
    """(median days per main-line stage, median proposal→publication days, n)."""
    recent = list(Project.objects.filter(issued_on__isnull=False).order_by("-issued_on")
                  .values_list("pk", flat=True)[:cycle_sample])
    changes = ProjectEvent.objects.filter(kind__in=[EventKind.STAGE_CHANGED, EventKind.PROPOSED])
    changes = changes.filter(project_id__in=recent) if recent else changes.none()
    durations: dict[str, list[float]] = defaultdict(list)
    cycles: list[float] = []
    last: dict[int, tuple[str, object]] = {}
    proposed_at: dict[int, object] = {}
    for pid, kind, to_stage, at in changes.order_by("project_id", "seq").values_list(
            "project_id", "kind", "to_stage", "at").iterator(chunk_size=5000):
        if kind == EventKind.PROPOSED:
            proposed_at[pid] = at
            last[pid] = (Stage.PROPOSED, at)
            continue
        if pid in last:
            stage, since = last[pid]
            durations[stage].append((at - since).total_seconds() / 86400)
        last[pid] = (to_stage, at)
        if to_stage == Stage.PUBLISHED and pid in proposed_at:
            cycles.append((at - proposed_at[pid]).total_seconds() / 86400)
    stage_days = [(s, str(Stage(s).label),
                   round(statistics.median(durations[s]), 1) if durations[s] else None,
                   len(durations[s])) for s in MAIN_LINE if s not in (Stage.PUBLISHED,
                                                                    Stage.FILED)]
    return (stage_days, round(statistics.median(cycles), 1) if cycles else None, len(cycles))


def forget_dashboard_figures() -> None:
    cache.delete(CYCLE_CACHE_KEY)
