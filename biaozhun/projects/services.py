"""Every write with business meaning on a project. Views, API, admin and commands call these.

Each service checks the actor's permission and the stage, runs in one transaction with the
project row locked, appends its event to the audit chain in that transaction, and leaves mail
to `on_commit`. Refusals: `PermissionDenied`, `InvalidTransition` (stage or guard),
`ValidationError` (bad input). A refused call changes nothing.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from biaozhun.accounts.models import Organization
from biaozhun.catalog.models import Nature, Standard
from biaozhun.core import workdays
from biaozhun.projects import numbering
from biaozhun.projects import permissions as perms
from biaozhun.projects.audit import record_event
from biaozhun.projects.documents import check_upload
from biaozhun.projects.guards import reasons_against
from biaozhun.projects.hooks import run_stage_hooks
from biaozhun.projects.models import (
    Deadline,
    DocumentKind,
    EventKind,
    ExtensionRequest,
    Jurisdiction,
    Project,
    ProjectDocument,
    ProjectEvent,
    ReviewVote,
)
from biaozhun.projects.selectors import forget_dashboard_figures
from biaozhun.projects.stages import ALLOWED, STAGE_CODES, InvalidTransition, Stage

# --- the one guarded move ---------------------------------------------------------------


def lock(project: Project) -> Project:
    """Re-read `project` with its row locked for the rest of the transaction."""
    return Project.objects.select_for_update().get(pk=project.pk)


def change_stage(project: Project, *, to: str, by, note: str = "", payload: dict | None = None,
                 check_guards: bool = True) -> ProjectEvent:
    """Move a locked project to `to`; raises InvalidTransition. Callers check permission.

    Must run inside the caller's transaction, on a row from `lock()`.
    """
    _check_move(project, to)
    if check_guards:
        reasons = reasons_against(project, to)
        if reasons:
            raise InvalidTransition(project.stage, to, reasons)
    event = record_event(project, kind=EventKind.STAGE_CHANGED, by=by, note=note,
                         from_stage=project.stage, to_stage=to, payload=payload)
    project.stage = to
    project.stage_code = STAGE_CODES[to]
    project.stage_entered_at = event.at
    project.save(update_fields=["stage", "stage_code", "stage_entered_at", "updated_at"])
    run_stage_hooks(project, event=event, by=by)
    return event


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_move(project: Project, to: str) -> None:
    """Refuse early, before any write, when the transition table forbids the move."""
    if to not in ALLOWED[project.stage]:
        raise InvalidTransition(project.stage, to, ["流程不允许此操作"])


# --- deadlines ---------------------------------------------------------------------------


def _open_deadline(project: Project, *, kind: str, start: date, period: str,
                   responsible: Organization | None, by, due_on: date | None = None) -> Deadline:
    if due_on is None:
        due = workdays.due(start, period)
        due_on, provisional, basis = due.on, due.provisional, due.basis
    else:
        provisional, basis = False, "指定日期"
    deadline = Deadline.objects.create(project=project, kind=kind, due_on=due_on,
                                       provisional=provisional, basis=basis,
                                       responsible=responsible,
                                       period=period if provisional else "",
                                       starts_on=start if provisional else None)
    record_event(project, kind=EventKind.DEADLINE_SET, by=by, payload={
        "deadline": kind, "due_on": due_on.isoformat(), "provisional": provisional,
        "basis": basis})
    return deadline


def _close_deadlines(project: Project, *kinds: str) -> None:
    Deadline.objects.filter(project=project, kind__in=kinds, met_at__isnull=True).update(
        met_at=timezone.now())


def _first_drafter(project: Project) -> Organization | None:
    return project.drafting_orgs.order_by("pk").first()


# --- proposal and evaluation ---------------------------------------------------------------


def _novelty(title: str, scope: str) -> list[dict]:
    from biaozhun.search.similar import similar_standards, similar_to_dicts

    return similar_to_dicts(similar_standards(title, scope))


@dataclass
class ProposalData:
    title: str
    administration: Organization
    scope: str = ""
    reasons: str = ""
    kind: str = Project.Kind.NEW
    nature: str = Nature.RECOMMENDED
    revises: Standard | None = None
    proposing_unit: Organization | None = None
    competent_department: Organization | None = None
    drafting_orgs: tuple = ()
    partners: tuple = ()  # further administrations of a joint regional standard
    numbering: str = Project.Numbering.SHARED
    committee: Organization | None = None


def _validate_proposal(data: ProposalData) -> None:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "请填写标准名称。"
    elif len(data.title) > 500:
        errors["title"] = "标准名称不超过 500 字。"
    if data.administration.kind != Organization.Kind.ADMINISTRATION:
        errors["administration"] = "须为标准化行政主管部门。"
    elif not getattr(data.administration, "local_issuer_code", ""):
        errors["administration"] = "该主管部门未设置行政区划代码。"
    for partner in data.partners:
        if partner.kind != Organization.Kind.ADMINISTRATION or partner == data.administration:
            errors["partners"] = "联合制定方须为其他标准化行政主管部门。"
        elif not getattr(partner, "local_issuer_code", ""):
            errors["partners"] = f"{partner} 未设置行政区划代码，无法编号。"
    if data.kind == Project.Kind.REVISION and data.revises is None:
        errors["revises"] = "修订项目须指明被修订的标准。"
    if data.kind == Project.Kind.NEW and data.revises is not None:
        errors["revises"] = "制定项目不修订已有标准。"
    if data.nature not in (Nature.RECOMMENDED, Nature.MANDATORY):
        errors["nature"] = "地方标准为推荐性或强制性。"
    if data.numbering not in Project.Numbering.values:
        errors["numbering"] = "编号方式无效。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def propose(data: ProposalData, *, by, proposal_form=None) -> Project:
    """File a proposal (立项申请): the project, its jurisdictions, novelty check, deadline."""
    _require(perms.can_propose(by))
    _validate_proposal(data)
    checked = check_upload(proposal_form, DocumentKind.PROPOSAL_FORM) if proposal_form else None
    now = timezone.now()
    project = Project.objects.create(
        title=data.title.strip(), scope=data.scope.strip(), reasons=data.reasons.strip(),
        kind=data.kind, nature=data.nature, revises=data.revises,
        administration=data.administration, proposer=by, proposing_unit=data.proposing_unit,
        competent_department=data.competent_department, committee=data.committee,
        numbering=data.numbering, stage=Stage.PROPOSED, stage_code=STAGE_CODES[Stage.PROPOSED],
        stage_entered_at=now, novelty=_novelty(data.title, data.scope),
        novelty_checked_at=now)
    project.reference = f"{timezone.localdate().year}-{project.pk:05d}"
    project.save(update_fields=["reference"])
    project.drafting_orgs.set(data.drafting_orgs)
    Jurisdiction.objects.create(project=project, administration=data.administration,
                                is_lead=True)
    for partner in data.partners:
        Jurisdiction.objects.create(project=project, administration=partner)
    record_event(project, kind=EventKind.PROPOSED, by=by, to_stage=Stage.PROPOSED, payload={
        "title": project.title, "administration": data.administration.pk,
        "partners": [p.pk for p in data.partners], "novelty": len(project.novelty)})
    if checked:
        _store_document(project, kind=DocumentKind.PROPOSAL_FORM, upload=proposal_form,
                        checked=checked, by=by, note="")
    _open_deadline(project, kind=Deadline.Kind.EVALUATION, start=timezone.localdate(),
                   period="evaluation", responsible=data.administration, by=None)
    return project


@transaction.atomic
def evaluate(project: Project, *, by, accept: bool, opinion: str) -> ProjectEvent:
    """Record the expert evaluation (立项评估) with a fresh novelty check; accept or reject."""
    project = lock(project)
    _require(perms.can_evaluate(by, project))
    if not opinion.strip():
        raise ValidationError({"opinion": "请填写评估意见。"})
    to = Stage.EVALUATED if accept else Stage.REJECTED
    _check_move(project, to)
    novelty = _novelty(project.title, project.scope)
    project.novelty, project.novelty_checked_at = novelty, timezone.now()
    project.save(update_fields=["novelty", "novelty_checked_at", "updated_at"])
    reasons = reasons_against(project, to) if accept else []
    if reasons:
        raise InvalidTransition(project.stage, to, reasons)
    record_event(project, kind=EventKind.EVALUATED, by=by, note=opinion.strip(), payload={
        "accept": accept, "novelty": novelty})
    _close_deadlines(project, Deadline.Kind.EVALUATION)
    return change_stage(project, to=to, by=by, note=opinion.strip(), check_guards=False)


@transaction.atomic
def include_in_plan(project: Project, *, by, plan_year: int,
                    drafting_due_on: date | None = None) -> ProjectEvent:
    """List the project in the annual plan (列入计划); the drafting deadline starts."""
    project = lock(project)
    _require(perms.can_plan(by, project))
    _check_move(project, Stage.PLANNED)
    if not 2000 <= plan_year <= 2100:
        raise ValidationError({"plan_year": "计划年度无效。"})
    event = change_stage(project, to=Stage.PLANNED, by=by, payload={"plan_year": plan_year})
    project.plan_year = plan_year
    project.save(update_fields=["plan_year", "updated_at"])
    _open_deadline(project, kind=Deadline.Kind.DRAFTING, start=timezone.localdate(),
                   period="drafting", due_on=drafting_due_on,
                   responsible=_first_drafter(project) or project.competent_department, by=by)
    return event


@transaction.atomic
def reject(project: Project, *, by, reason: str) -> ProjectEvent:
    project = lock(project)
    _require(perms.can_reject(by, project))
    _check_move(project, Stage.REJECTED)
    if not reason.strip():
        raise ValidationError({"reason": "请说明不予立项的理由。"})
    _close_deadlines(project, Deadline.Kind.EVALUATION)
    return change_stage(project, to=Stage.REJECTED, by=by, note=reason.strip())


@transaction.atomic
def terminate(project: Project, *, by, reason: str) -> ProjectEvent:
    project = lock(project)
    _require(perms.can_terminate(by, project))
    _check_move(project, Stage.TERMINATED)
    if not reason.strip():
        raise ValidationError({"reason": "请说明终止的理由。"})
    Deadline.objects.filter(project=project, met_at__isnull=True).update(met_at=timezone.now())
    return change_stage(project, to=Stage.TERMINATED, by=by, note=reason.strip())


# --- drafting ------------------------------------------------------------------------------


@transaction.atomic
def start_drafting(project: Project, *, by) -> ProjectEvent:
    project = lock(project)
    _require(perms.can_start_drafting(by, project))
    _check_move(project, Stage.DRAFTING)
    if not project.drafting_orgs.exists():
        raise InvalidTransition(project.stage, Stage.DRAFTING, ["尚未确定起草单位"])
    return change_stage(project, to=Stage.DRAFTING, by=by)


@transaction.atomic
def change_participants(project: Project, *, by, drafting_orgs=None, committee=None,
                        competent_department=None) -> ProjectEvent:
    """Set drafting organisations, committee or competent department (lead administrator)."""
    project = lock(project)
    _require(perms.can_change_participants(by, project))
    if project.is_closed:
        raise InvalidTransition(project.stage, project.stage, ["项目已结束"])
    payload = {}
    if drafting_orgs is not None:
        project.drafting_orgs.set(drafting_orgs)
        payload["drafting_orgs"] = sorted(o.pk for o in drafting_orgs)
    fields = []
    if committee is not None:
        project.committee = committee
        fields.append("committee")
        payload["committee"] = committee.pk
    if competent_department is not None:
        project.competent_department = competent_department
        fields.append("competent_department")
        payload["competent_department"] = competent_department.pk
    if fields:
        project.save(update_fields=[*fields, "updated_at"])
    return record_event(project, kind=EventKind.PARTICIPANTS_CHANGED, by=by, payload=payload)


def _store_document(project: Project, *, kind: str, upload, checked, by,
                    note: str) -> ProjectDocument:
    version = (ProjectDocument.objects.filter(project=project, kind=kind)
               .order_by("-version").values_list("version", flat=True).first() or 0) + 1
    document = ProjectDocument(
        project=project, kind=kind, version=version, original_name=checked.name,
        extension=checked.extension, size=checked.size, sha256=checked.sha256,
        note=note[:300], uploaded_by=by)
    document.file.save(f"{kind}.{checked.extension}", upload, save=False)
    document.save()
    record_event(project, kind=EventKind.DOCUMENT_UPLOADED, by=by, note=note, payload={
        "document": document.pk, "kind": kind, "version": version, "sha256": checked.sha256,
        "name": checked.name, "size": checked.size})
    return document


@transaction.atomic
def upload_document(project: Project, *, by, kind: str, upload, note: str = "") -> ProjectDocument:
    """Add a new version of a document; type and size checked, the hash kept on record."""
    project = lock(project)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "材料类型无效。"})
    _require(perms.can_upload(by, project, kind))
    checked = check_upload(upload, kind)
    return _store_document(project, kind=kind, upload=upload, checked=checked, by=by,
                           note=note.strip())


@transaction.atomic
def request_extension(project: Project, *, by, requested_due_on: date,
                      reason: str) -> ExtensionRequest:
    """Ask to move the drafting deadline; only before it passes (and the notice period)."""
    project = lock(project)
    _require(perms.can_request_extension(by, project))
    deadline = Deadline.objects.filter(project=project, kind=Deadline.Kind.DRAFTING,
                                       met_at__isnull=True).first()
    if deadline is None or project.stage not in (Stage.PLANNED, Stage.DRAFTING,
                                                 Stage.EXTENDED):
        raise InvalidTransition(project.stage, Stage.EXTENDED, ["没有可延期的计划期限"])
    errors = {}
    latest = workdays.add_calendar_days(
        deadline.due_on, -workdays.period("extension_notice").count).on
    today = timezone.localdate()
    if today > latest:
        errors["requested_due_on"] = f"延期须在 {latest.isoformat()} 前申请，已逾期。"
    elif requested_due_on <= deadline.due_on:
        errors["requested_due_on"] = f"新期限须晚于现期限 {deadline.due_on.isoformat()}。"
    if not reason.strip():
        errors["reason"] = "请说明延期理由。"
    if ExtensionRequest.objects.filter(project=project,
                                       state=ExtensionRequest.State.PENDING).exists():
        errors["requested_due_on"] = "已有待决定的延期申请。"
    if errors:
        raise ValidationError(errors)
    request = ExtensionRequest.objects.create(
        project=project, deadline=deadline, requested_by=by, current_due_on=deadline.due_on,
        requested_due_on=requested_due_on, reason=reason.strip())
    record_event(project, kind=EventKind.EXTENSION_REQUESTED, by=by, note=reason.strip(),
                 payload={"request": request.pk, "from": deadline.due_on.isoformat(),
                          "to": requested_due_on.isoformat()})
    return request


@transaction.atomic
def decide_extension(request: ExtensionRequest, *, by, grant: bool,
                     note: str = "") -> ExtensionRequest:
    project = lock(request.project)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    _require(perms.can_decide_extension(by, project))
    if request.state != ExtensionRequest.State.PENDING:
        raise InvalidTransition(project.stage, project.stage, ["该申请已有决定"])
    if not grant and not note.strip():
        raise ValidationError({"note": "不同意延期时须说明理由。"})
    request.state = (ExtensionRequest.State.GRANTED if grant
                     else ExtensionRequest.State.REFUSED)
    request.decided_by, request.decided_at = by, timezone.now()
    request.decision_note = note.strip()
    request.save()
    record_event(project, kind=EventKind.EXTENSION_GRANTED if grant
                 else EventKind.EXTENSION_REFUSED, by=by, note=note.strip(),
                 payload={"request": request.pk, "to": request.requested_due_on.isoformat()})
    if grant:
        Deadline.objects.filter(pk=request.deadline_id).update(
            due_on=request.requested_due_on, overdue_since=None, reminded_on=None,
            basis="同意延期", provisional=False)
        if project.stage == Stage.DRAFTING:
            change_stage(project, to=Stage.EXTENDED, by=by, note=note.strip())
    return request


# --- public comment ---------------------------------------------------------------------------


@transaction.atomic
def open_public_comment(project: Project, *, by, closes_on: date,
                        opens_on: date | None = None) -> ProjectEvent:
    """Publish the draft for comment (征求意见) for at least the legal minimum period."""
    project = lock(project)
    _require(perms.can_open_public_comment(by, project))
    _check_move(project, Stage.PUBLIC_COMMENT)
    opens_on = opens_on or timezone.localdate()
    minimum = workdays.due(opens_on, "public_comment_min")
    if closes_on < minimum.on:
        raise ValidationError({"closes_on": f"征求意见期不少于{minimum.basis}，"
                                            f"截止日期最早为 {minimum.on.isoformat()}。"})
    if opens_on < timezone.localdate():
        raise ValidationError({"opens_on": "开始日期不能早于今天。"})
    project.comment_opens_on, project.comment_closes_on = opens_on, closes_on
    project.save(update_fields=["comment_opens_on", "comment_closes_on", "updated_at"])
    event = change_stage(project, to=Stage.PUBLIC_COMMENT, by=by, payload={
        "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()})
    _close_deadlines(project, Deadline.Kind.DRAFTING)
    _open_deadline(project, kind=Deadline.Kind.COMMENT_PERIOD, start=opens_on, period="",
                   due_on=closes_on, responsible=_first_drafter(project), by=by)
    return event


@transaction.atomic
def close_public_comment(project: Project, *, by=None) -> ProjectEvent:
    """End the comment period once it has run (the daily job, as the system, or an admin)."""
    project = lock(project)
    if by is not None:
        _require(perms.can_close_public_comment(by, project))
    _check_move(project, Stage.COMMENT_RESOLUTION)
    event = change_stage(project, to=Stage.COMMENT_RESOLUTION, by=by)
    _close_deadlines(project, Deadline.Kind.COMMENT_PERIOD)
    return event


def close_due_comment_periods(*, today: date | None = None) -> list[int]:
    """Close every comment period that ended before `today`; idempotent. Returns ids."""
    today = today or timezone.localdate()
    closed = []
    for pk in Project.objects.filter(stage=Stage.PUBLIC_COMMENT,
                                     comment_closes_on__lt=today).values_list("pk", flat=True):
        try:
            close_public_comment(Project(pk=pk), by=None)
        except InvalidTransition:
            continue  # moved meanwhile, or another guard says not yet
        closed.append(pk)
    return closed


# --- technical review -------------------------------------------------------------------------


@transaction.atomic
def send_to_technical_review(project: Project, *, by) -> ProjectEvent:
    """送审: documents ready and every comment answered (guards)."""
    project = lock(project)
    _require(perms.can_send_to_technical_review(by, project))
    _check_move(project, Stage.TECHNICAL_REVIEW)
    return change_stage(project, to=Stage.TECHNICAL_REVIEW, by=by)


@transaction.atomic
def set_reviewers(project: Project, *, by, reviewers) -> ProjectEvent:
    """Name the expert panel. Members of the drafting organisations cannot sit on it."""
    from biaozhun.accounts.selectors import organization_ids

    project = lock(project)
    _require(perms.can_set_reviewers(by, project))
    if project.stage not in (Stage.COMMENT_RESOLUTION, Stage.TECHNICAL_REVIEW):
        raise InvalidTransition(project.stage, project.stage, ["当前阶段不能调整审查专家"])
    drafting = set(project.drafting_orgs.values_list("pk", flat=True))
    drafters = [str(u) for u in reviewers if organization_ids(u) & drafting]
    if drafters:
        raise ValidationError({"reviewers": "起草单位人员不能担任审查专家：" + "、".join(drafters)})
    project.reviewers.set(reviewers)
    return record_event(project, kind=EventKind.PARTICIPANTS_CHANGED, by=by, payload={
        "reviewers": sorted(u.pk for u in reviewers)})


@transaction.atomic
def cast_vote(project: Project, *, by, choice: str, opinion: str = "") -> ReviewVote:
    project = lock(project)
    _require(perms.can_vote(by, project))
    if project.stage != Stage.TECHNICAL_REVIEW:
        raise InvalidTransition(project.stage, project.stage, ["不在技术审查阶段"])
    if choice not in ReviewVote.Choice.values:
        raise ValidationError({"choice": "表决选项无效。"})
    vote, _ = ReviewVote.objects.update_or_create(
        project=project, round=project.review_round, voter=by,
        defaults={"choice": choice, "opinion": opinion.strip()})
    record_event(project, kind=EventKind.VOTE_CAST, by=by, note=opinion.strip(), payload={
        "round": project.review_round, "choice": choice})
    return vote


@transaction.atomic
def submit_for_approval(project: Project, *, by) -> ProjectEvent:
    """报批: the review vote passed and the submission documents are in."""
    project = lock(project)
    _require(perms.can_submit_for_approval(by, project))
    _check_move(project, Stage.SUBMITTED)
    event = change_stage(project, to=Stage.SUBMITTED, by=by)
    _open_deadline(project, kind=Deadline.Kind.APPROVAL, start=timezone.localdate(),
                   period="approval", responsible=project.administration, by=by)
    return event


@transaction.atomic
def return_for_rework(project: Project, *, by, reason: str) -> ProjectEvent:
    """Send the draft back: from review to comment resolution, from submission to review."""
    project = lock(project)
    _require(perms.can_return_for_rework(by, project))
    back = {Stage.TECHNICAL_REVIEW: Stage.COMMENT_RESOLUTION,
            Stage.SUBMITTED: Stage.TECHNICAL_REVIEW}.get(project.stage)
    if back is None:
        raise InvalidTransition(project.stage, project.stage, ["当前阶段不能退回"])
    if not reason.strip():
        raise ValidationError({"reason": "请说明退回理由。"})
    event = change_stage(project, to=back, by=by, note=reason.strip())
    # A new review round: earlier votes stay on record but no longer count.
    project.review_round += 1
    project.save(update_fields=["review_round", "updated_at"])
    Deadline.objects.filter(project=project, kind=Deadline.Kind.APPROVAL,
                            met_at__isnull=True).update(met_at=timezone.now())
    return event


# --- approval, numbering, publication, filing ----------------------------------------------


def _compose(issuer: str, sequence: int, year: int) -> str:
    return f"{issuer} {sequence}-{year}"


def preview_numbers(project: Project) -> list[tuple[Organization, str]]:
    """What each jurisdiction's number would be if the project were numbered now."""
    year = timezone.localdate().year
    out = []
    for j in project.jurisdictions.select_related("administration"):
        if project.numbering == Project.Numbering.SHARED and not j.is_lead:
            continue
        issuer = numbering.issuer_for(j.administration, project.nature)
        sequence = j.sequence or numbering.preview(issuer)
        out.append((j.administration, _compose(issuer, sequence, year)))
    return out


@transaction.atomic
def approve(project: Project, *, by) -> ProjectEvent:
    """One jurisdiction approves; the last approval moves the project to APPROVED and takes
    its number(s) in the same transaction."""
    project = lock(project)
    _require(perms.can_approve(by, project))
    if project.stage != Stage.SUBMITTED:
        raise InvalidTransition(project.stage, Stage.APPROVED, ["未处于报批阶段"])
    from biaozhun.accounts.selectors import organization_ids

    mine = [j for j in project.jurisdictions.select_for_update().order_by("pk")
            if j.approved_at is None and (by.is_superuser or
                                          j.administration_id in organization_ids(by))]
    if not mine:
        raise InvalidTransition(project.stage, Stage.APPROVED, ["本单位已批准"])
    now = timezone.now()
    for j in mine:
        j.approved_at, j.approved_by = now, by
        j.save(update_fields=["approved_at", "approved_by"])
        event = record_event(project, kind=EventKind.JURISDICTION_APPROVED, by=by, payload={
            "administration": j.administration_id})
    if reasons_against(project, Stage.APPROVED):
        return event
    event = change_stage(project, to=Stage.APPROVED, by=by)
    _allocate_numbers(project, by=by)
    _close_deadlines(project, Deadline.Kind.APPROVAL)
    return event


def _allocate_numbers(project: Project, *, by) -> None:
    jurisdictions = list(project.jurisdictions.select_related("administration"))
    if project.numbering == Project.Numbering.SHARED:
        jurisdictions = [j for j in jurisdictions if j.is_lead]
    # Lock sequences in a fixed order so two joint approvals cannot deadlock.
    issued = sorted(((numbering.issuer_for(j.administration, project.nature), j)
                     for j in jurisdictions), key=lambda pair: pair[0])
    for issuer, j in issued:
        sequence = numbering.allocate(issuer)
        j.sequence = sequence
        j.save(update_fields=["sequence"])
        if j.is_lead:
            project.issuer, project.sequence = issuer, sequence
        record_event(project, kind=EventKind.NUMBER_ALLOCATED, by=by, payload={
            "issuer": issuer, "sequence": sequence, "administration": j.administration_id})
    project.save(update_fields=["issuer", "sequence", "updated_at"])


@transaction.atomic
def publish(project: Project, *, by, issued_on: date, effective_on: date) -> Standard:
    """发布: create (or update) the catalogue edition; it is upcoming until `effective_on`,
    and a revised edition becomes superseded on that day."""
    from biaozhun.projects.publishing import publish_to_catalog

    project = lock(project)
    _require(perms.can_publish(by, project))
    _check_move(project, Stage.PUBLISHED)
    errors = {}
    if effective_on < issued_on:
        errors["effective_on"] = "实施日期不能早于发布日期。"
    if issued_on > timezone.localdate():
        errors["issued_on"] = "发布日期不能晚于今天。"
    if errors:
        raise ValidationError(errors)
    standard = publish_to_catalog(project, issued_on=issued_on, effective_on=effective_on)
    transaction.on_commit(forget_dashboard_figures)
    project.code, project.standard = standard.code, standard
    project.issued_on, project.effective_on = issued_on, effective_on
    project.save(update_fields=["code", "standard", "issued_on", "effective_on",
                                "updated_at"])
    change_stage(project, to=Stage.PUBLISHED, by=by, payload={
        "code": standard.code, "standard": standard.pk, "issued_on": issued_on.isoformat(),
        "effective_on": effective_on.isoformat()})
    record_event(project, kind=EventKind.PUBLISHED, by=by, payload={"code": standard.code})
    _open_deadline(project, kind=Deadline.Kind.FILING, start=issued_on, period="filing",
                   responsible=project.administration, by=by)
    _open_deadline(project, kind=Deadline.Kind.PUBLIC_TEXT, start=issued_on,
                   period="public_text", responsible=project.administration, by=by)
    return standard


@transaction.atomic
def file_standard(project: Project, *, by, filed_on: date, filing_number: str = "") -> ProjectEvent:
    """备案: record that the standard was filed with the national authority."""
    project = lock(project)
    _require(perms.can_file(by, project))
    _check_move(project, Stage.FILED)
    if filed_on > timezone.localdate() or (project.issued_on and filed_on < project.issued_on):
        raise ValidationError({"filed_on": "备案日期须在发布日期与今天之间。"})
    project.filed_on = filed_on
    project.save(update_fields=["filed_on", "updated_at"])
    _close_deadlines(project, Deadline.Kind.FILING)
    return change_stage(project, to=Stage.FILED, by=by, payload={
        "filed_on": filed_on.isoformat(), "filing_number": filing_number.strip()})


@transaction.atomic
def mark_text_public(project: Project, *, by) -> None:
    """The free public text is online: closes the public-text deadline."""
    project = lock(project)
    _require(perms.can_publish(by, project))
    if project.standard_id is None:
        raise InvalidTransition(project.stage, project.stage, ["标准尚未发布"])
    Standard.objects.filter(pk=project.standard_id).update(public_text=True)
    _close_deadlines(project, Deadline.Kind.PUBLIC_TEXT)
    record_event(project, kind=EventKind.NOTE_ADDED, by=by, note="标准文本已免费公开")


# --- daily run ---------------------------------------------------------------------------------


@dataclass
class DailyReport:
    closed_comment_periods: list[int]
    overdue: int
    reminded: int
    recomputed: int = 0


def run_daily(*, today: date | None = None) -> DailyReport:
    """Recompute provisional deadlines, close finished comment periods, mark missed
    deadlines, send reminders. Idempotent."""
    from biaozhun.projects.notifications import send_reminders

    today = today or timezone.localdate()
    recomputed = recompute_provisional_deadlines()  # first: the others read the dates
    closed = close_due_comment_periods(today=today)
    overdue = 0
    for deadline in Deadline.objects.filter(met_at__isnull=True, due_on__lt=today,
                                            overdue_since__isnull=True).select_related("project"):
        with transaction.atomic():
            project = lock(deadline.project)
            updated = Deadline.objects.filter(pk=deadline.pk, overdue_since__isnull=True) \
                .update(overdue_since=today)
            if updated:
                record_event(project, kind=EventKind.DEADLINE_MISSED, by=None, payload={
                    "deadline": deadline.kind, "due_on": deadline.due_on.isoformat()})
                overdue += updated
    reminded = send_reminders(today=today)
    return DailyReport(closed_comment_periods=closed, overdue=overdue, reminded=reminded,
                       recomputed=recomputed)


def recompute_provisional_deadlines() -> int:
    """Open provisional deadlines computed again once their year's holidays are entered.

    A changed date (or the same date, now certain) is recorded on the project's trail with
    the system as actor. Returns how many deadlines became certain.
    """
    settled = 0
    for deadline in Deadline.objects.filter(met_at__isnull=True, provisional=True).exclude(
            period="").select_related("project"):
        due = workdays.due(deadline.starts_on, deadline.period)
        if due.provisional:
            continue  # that year is still missing
        with transaction.atomic():
            project = lock(deadline.project)
            if not Deadline.objects.filter(pk=deadline.pk, provisional=True).update(
                    due_on=due.on, provisional=False, basis=due.basis):
                continue
            record_event(project, kind=EventKind.DEADLINE_SET, by=None,
                         note="节假日安排已录入，期限重新计算", payload={
                             "deadline": deadline.kind, "due_on": due.on.isoformat(),
                             "was": deadline.due_on.isoformat(), "provisional": False,
                             "basis": due.basis})
            settled += 1
    return settled
