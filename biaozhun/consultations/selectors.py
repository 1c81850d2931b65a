"""Reads of consultations and comments. Public surfaces only ever use `public_comments`."""

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, QuerySet, When

from biaozhun.consultations.models import Comment, Consultation, PublicProposal
from biaozhun.projects.models import Project
from biaozhun.projects.stages import Stage


def visible_comments(consultation: Consultation) -> QuerySet[Comment]:
    """Comments that count: e-mail verified (or from a signed-in user) and not hidden."""
    return consultation.comments.filter(verified_at__isnull=False, hidden_at__isnull=True)


def unanswered(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    # A duplicate takes the answer of the comment it was grouped with.
    return qs.filter(decision="").filter(
        Q(duplicate_of__isnull=True) | Q(duplicate_of__decision=""))


def unanswered_count(project) -> int:
    """Visible comments of the project's consultations that have no answer yet."""
    return unanswered(Comment.objects.filter(
        consultation__project=project, verified_at__isnull=False,
        hidden_at__isnull=True)).count()


def public_comments(consultation: Consultation) -> QuerySet[Comment]:
    """What the public may see of a consultation's comments: nothing until it closes, then
    the visible comments with their answers. Callers must render names through
    `Comment.public_name` and never show e-mail, IP or hidden comments."""
    if not consultation.is_closed or not consultation.is_public:
        return Comment.objects.none()
    return visible_comments(consultation).select_related("duplicate_of").only(
        "pk", "number", "consultation_id", "name", "organization", "commenter_type",
        "show_name", "clause", "paragraph", "type", "text", "proposed_change", "reason",
        "submitted_at", "decision", "decision_reason", "answered_at", "duplicate_of__number",
        "duplicate_of__decision", "duplicate_of__decision_reason",
    ).order_by("number")


def open_consultations(today=None) -> list[Consultation]:
    return _open_consultations(today, None)


def _open_consultations(today, limit: int | None) -> list[Consultation]:
    from django.utils import timezone

    today = today or timezone.localdate()
    qs = Consultation.objects.filter(
        is_public=True, closed_at__isnull=True, opens_on__lte=today, closes_on__gte=today,
    ).exclude(project__stage="terminated").select_related("project").order_by("closes_on", "pk")
    return list(qs if limit is None else qs[:limit])


# --- dispositions (意见汇总处理表) -------------------------------------------------------------

UNANSWERED = "unanswered"
DECISION_LABELS = {**dict(Comment.Decision.choices), UNANSWERED: "未处理"}


@dataclass(frozen=True)
class DispositionRow:
    """One visible comment with its effective answer: a duplicate shows its leader's
    decision and "同第 N 条" before the leader's reason."""

    pk: int
    number: int
    clause: str
    paragraph: str
    type: str
    type_label: str
    text: str
    proposed_change: str
    reason: str
    commenter: str  # name and organisation, for the drafting group and the administration
    public_name: str  # what the public may see (Comment.public_name)
    commenter_type: str
    commenter_type_label: str
    decision: str  # "" while unanswered
    decision_label: str
    decision_reason: str
    duplicate_of: int | None  # the leader's number

    @property
    def is_answered(self) -> bool:
        return bool(self.decision)


def _public_name(comment: Comment, type_labels: dict[str, str]) -> str:
    """`Comment.public_name` with the type labels already translated."""
    if comment.show_name:
        return (f"{comment.name}（{comment.organization}）" if comment.organization
                else comment.name)
    return type_labels.get(comment.commenter_type, comment.commenter_type)


def disposition_rows(consultation: Consultation) -> list[DispositionRow]:
    """Every visible comment of `consultation` in number order, with its effective answer
    (one query)."""
    # Labels are lazy translations: resolve each once, not once per row (5,000 rows).
    types = {k: str(v) for k, v in Comment.Type.choices}
    commenter_types = {k: str(v) for k, v in Comment.CommenterType.choices}
    decisions = {k: str(v) for k, v in DECISION_LABELS.items()}
    public_types = dict(commenter_types)
    rows = []
    for c in visible_comments(consultation).select_related("duplicate_of").only(
            "pk", "number", "consultation_id", "clause", "paragraph", "type", "text",
            "proposed_change", "reason", "name", "organization", "commenter_type",
            "show_name", "decision", "decision_reason", "duplicate_of__number",
            "duplicate_of__decision", "duplicate_of__decision_reason").order_by("number"):
        leader = c.duplicate_of
        if leader is not None:
            decision = leader.decision
            reason = f"同第 {leader.number} 条" + (f"：{leader.decision_reason}"
                                                  if leader.decision_reason else "")
        else:
            decision, reason = c.decision, c.decision_reason
        rows.append(DispositionRow(
            pk=c.pk, number=c.number, clause=c.clause, paragraph=c.paragraph, type=c.type,
            type_label=types.get(c.type, c.type), text=c.text,
            proposed_change=c.proposed_change, reason=c.reason,
            commenter=f"{c.name}（{c.organization}）" if c.organization else c.name,
            public_name=_public_name(c, public_types), commenter_type=c.commenter_type,
            commenter_type_label=commenter_types.get(c.commenter_type, c.commenter_type),
            decision=decision,
            decision_label=decisions[decision or UNANSWERED],
            decision_reason=reason, duplicate_of=leader.number if leader else None))
    return rows


@dataclass(frozen=True)
class DispositionSummary:
    """Counts of visible comments by effective decision (every key of DECISION_LABELS, in
    that order, "unanswered" last) and by commenter type (every CommenterType value)."""

    total: int
    by_decision: dict[str, int]
    by_commenter_type: dict[str, int]

    def decision_items(self) -> list[tuple[str, int]]:
        return [(str(DECISION_LABELS[k]), n) for k, n in self.by_decision.items()]

    def commenter_type_items(self) -> list[tuple[str, int]]:
        labels = dict(Comment.CommenterType.choices)
        return [(str(labels[k]), n) for k, n in self.by_commenter_type.items()]


def disposition_summary(consultation: Consultation) -> DispositionSummary:
    """The summary lines of the disposition table (two aggregate queries)."""
    visible = visible_comments(consultation).order_by()
    effective = Case(When(duplicate_of__isnull=False, then=F("duplicate_of__decision")),
                     default=F("decision"), output_field=CharField())
    decisions = dict(visible.annotate(effective=effective).values("effective")
                     .annotate(n=Count("pk")).values_list("effective", "n"))
    by_decision = {k: decisions.get(k, 0) for k in Comment.Decision.values}
    by_decision[UNANSWERED] = decisions.get("", 0) + decisions.get(None, 0)
    types = dict(visible.values("commenter_type").annotate(n=Count("pk"))
                 .values_list("commenter_type", "n"))
    by_type = {k: types.get(k, 0) for k in Comment.CommenterType.values}
    return DispositionSummary(total=sum(by_decision.values()), by_decision=by_decision,
                              by_commenter_type=by_type)


# --- receipts and proposals --------------------------------------------------------------------


def comment_by_receipt(token: str) -> Comment | None:
    """The comment a follow link points at (its author's view: unverified or hidden too)."""
    if not token:
        return None
    return Comment.objects.select_related("consultation", "duplicate_of").filter(
        receipt=token).first()


def proposal_by_receipt(token: str) -> PublicProposal | None:
    """The proposal a follow link points at, with its decision and reason."""
    if not token:
        return None
    return PublicProposal.objects.select_related("administration", "project").filter(
        receipt=token).first()


_PUBLIC_PROPOSAL_FIELDS = ("pk", "title", "state", "created_at", "decided_at",
                           "decision_reason", "administration__name", "project__reference",
                           "project__id")


def received_proposals(*, limit: int = 50) -> list[PublicProposal]:
    """Newest proposals from the public, without the proposers' names or contact details."""
    return list(PublicProposal.objects.select_related("administration", "project")
                .only(*_PUBLIC_PROPOSAL_FIELDS).order_by("-created_at", "-pk")[:limit])


# --- transparency page ---------------------------------------------------------------------------

# Stages of a project "in the plan": listed in a plan year and not yet published or ended.
PLAN_STAGES = (Stage.PLANNED, Stage.DRAFTING, Stage.EXTENDED, Stage.PUBLIC_COMMENT,
               Stage.COMMENT_RESOLUTION, Stage.TECHNICAL_REVIEW, Stage.SUBMITTED,
               Stage.APPROVED)


@dataclass(frozen=True)
class Transparency:
    proposals: list[PublicProposal]  # newest proposals from the public (no names)
    proposals_total: int
    proposed_projects: list[Project]  # 立项申请 under evaluation
    plan: dict[int, list[Project]]  # plan year (newest first) → projects still being made
    stage_counts: list[tuple[str, str, int]]  # (stage, label, projects) in Stage order
    open_consultations: list[Consultation]  # soonest closing first; see .days_left


def transparency(today=None, *, limit: int = 50) -> Transparency:
    """What is proposed, planned and drafted, and what is open for comment (six queries,
    each bounded by `limit` or by the number of stages)."""
    project_fields = ("pk", "reference", "title", "stage", "plan_year", "created_at",
                      "administration__name")
    proposed = list(Project.objects.filter(stage__in=(Stage.PROPOSED, Stage.EVALUATED))
                    .select_related("administration").only(*project_fields)
                    .order_by("-created_at", "-pk")[:limit])
    plan: dict[int, list[Project]] = {}
    for project in (Project.objects.filter(stage__in=PLAN_STAGES, plan_year__isnull=False)
                    .select_related("administration").only(*project_fields)
                    .order_by("-plan_year", "reference", "pk")[:limit * 4]):
        plan.setdefault(project.plan_year, []).append(project)
    counts = dict(Project.objects.order_by().values("stage").annotate(n=Count("pk"))
                  .values_list("stage", "n"))
    return Transparency(
        proposals=received_proposals(limit=limit),
        proposals_total=PublicProposal.objects.count(),
        proposed_projects=proposed, plan=plan,
        stage_counts=[(s, str(label), counts.get(s, 0)) for s, label in Stage.choices],
        open_consultations=_open_consultations(today, limit))
