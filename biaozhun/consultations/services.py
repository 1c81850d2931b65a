"""Every write of public participation. Views, API, admin and commands call these.

Keyword-only, `by=` the actor (None: the system, or a guest where guests may act). Refusals:
`PermissionDenied`, `ValidationError` with field errors, `ConsultationClosed` (→ 409; also
`projects.stages.InvalidTransition` once a project has moved past comment resolution),
`abuse.RateLimited` (→ 429), `ImportRejected` (row / column / reason). A refused call changes
nothing in the database. Mail leaves after commit. Locks are taken in one order — project,
consultation, comment — so that concurrent services cannot deadlock.

Answers: a draft consultation's comments may be answered (again: the last answer counts)
while its project is in public comment or comment resolution; a technical review sent back
reopens that. Other kinds may be answered at any time; their answers are published when the
consultation closes.

Audit: a project's consultation is recorded in the project's event chain; one without a project
(plan, review, targeted) in its own (`consultations.audit`): opened, closed, each answer,
grouping and moderation, in the same transaction as the change.

Guests: a comment is numbered when submitted (an address never verified leaves a gap in the
numbers) and counts once verified; the link may be used for CONSULTATION_VERIFY_HOURS, also
after the period closed, but not once a draft's project has left comment resolution.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from biaozhun.accounts.models import Membership, Organization
from biaozhun.accounts.permissions import is_signed_in as _signed_in
from biaozhun.consultations import audit
from biaozhun.consultations import permissions as perms
from biaozhun.consultations.abuse import RateLimited, check_challenge, check_rate
from biaozhun.consultations.importing import (
    ImportRejected,
    RowError,
    comment_template,
    read_comments,
)
from biaozhun.consultations.models import (
    Comment,
    CommentAttachment,
    Consultation,
    ConsultationEvent,
    ModerationAction,
    PublicProposal,
    Subscription,
    new_token,
)
from biaozhun.consultations.notifications import (
    announce,
    queue_comment_mail,
    queue_import_mail,
    queue_proposal_mail,
    queue_subscription_mail,
)
from biaozhun.consultations.selectors import visible_comments
from biaozhun.core import workdays
from biaozhun.projects import services as project_services
from biaozhun.projects.audit import record_event
from biaozhun.projects.documents import CheckedFile
from biaozhun.projects.documents import sniff as sniff_office
from biaozhun.projects.models import EventKind, Project
from biaozhun.projects.stages import InvalidTransition, Stage

__all__ = [
    "CommentData", "ConsultationClosed", "ImportRejected", "ProposalData", "RateLimited",
    "RowError", "accept_proposal", "answer_comment", "check_attachment",
    "close_due_consultations", "comment_template", "confirm_subscription", "decline_proposal",
    "group_duplicates", "hide_comment", "import_comments", "open_consultation",
    "restore_comment", "submit_comment", "submit_proposal", "subscribe", "unsubscribe",
    "verification_token", "verify_comment",
]

VERIFY_SALT = "consultations.verify"
# Stages of a project in which its comments may be answered, grouped and re-answered.
ANSWERING_STAGES = (Stage.PUBLIC_COMMENT, Stage.COMMENT_RESOLUTION)


class ConsultationClosed(Exception):
    """The consultation is not open (not yet, or no longer); views answer 409."""

    def __init__(self, consultation: Consultation, state: str):
        self.consultation = consultation
        self.state = state
        if state == Consultation.State.SCHEDULED:
            message = f"征求意见将于 {consultation.opens_on.isoformat()} 开始。"
        else:
            message = "征求意见已结束，不再接受意见。"
        super().__init__(message)


@dataclass
class CommentData:
    """The IEC comment form, and who comments (guests must give name, organisation and
    e-mail; for a signed-in user they default from the account)."""

    text: str
    clause: str = ""
    paragraph: str = ""
    type: str = Comment.Type.GENERAL
    proposed_change: str = ""
    reason: str = ""
    name: str = ""
    organization: str = ""
    email: str = ""
    commenter_type: str = Comment.CommenterType.INDIVIDUAL
    show_name: bool = False


@dataclass
class ProposalData:
    """A proposal for a new local standard from the public (公开征集立项建议)."""

    title: str
    scope: str
    reasons: str
    administration: Organization
    name: str = ""
    organization: str = ""
    email: str = ""



def _limit() -> int:
    return settings.CONSULTATION_MAX_COMMENT_CHARS


def _fresh(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_related("project").get(pk=consultation.pk)


def _lock(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _recount(consultation: Consultation) -> None:
    """`comment_count` is the number of comments that count: verified and not hidden."""
    Consultation.objects.filter(pk=consultation.pk).update(
        comment_count=visible_comments(consultation).count())


def _next_number(consultation: Consultation) -> int:
    # Called with the consultation row locked, so two comments cannot take one number.
    return (Comment.objects.filter(consultation_id=consultation.pk)
            .aggregate(n=Max("number"))["n"] or 0) + 1


def _require_open(consultation: Consultation) -> None:
    state = consultation.state_on(timezone.localdate())
    if state == Consultation.State.OPEN and consultation.kind == Consultation.Kind.DRAFT \
            and consultation.project_id is not None:
        stage = Project.objects.filter(pk=consultation.project_id).values_list(
            "stage", flat=True).first()
        if stage != Stage.PUBLIC_COMMENT:
            state = Consultation.State.CLOSED  # e.g. the project was terminated
    if state != Consultation.State.OPEN:
        raise ConsultationClosed(consultation, state)


def _first_organization(user) -> Organization | None:
    membership = (Membership.objects.filter(user=user, is_active=True)
                  .select_related("organization").order_by("pk").first())
    return membership.organization if membership else None


def _check_length(errors: dict, field: str, value: str, most: int) -> None:
    if len(value) > most and field not in errors:
        errors[field] = f"不超过 {most} 字（现有 {len(value)} 字）。"


def _check_email(errors: dict, field: str, email: str) -> None:
    if email and field not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors[field] = "电子邮箱格式不正确。"


def _challenge_parts(challenge) -> tuple:
    """`challenge` is (token, answer), or a mapping with "token" and "answer"."""
    if challenge is None:
        return None, None
    if isinstance(challenge, Mapping):
        return challenge.get("token"), challenge.get("answer")
    token, answer = challenge
    return token, answer


def _check_guest_challenge(errors: dict, challenge) -> None:
    try:
        check_challenge(*_challenge_parts(challenge))
    except ValidationError as exc:
        errors.update(exc.message_dict)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- opening and closing ---------------------------------------------------------------------


@transaction.atomic
def open_consultation(*, by, kind, administration, title, opens_on: date, closes_on: date,
                      description="", plan_year=None, campaign=None, invited_organizations=(),
                      invited_users=()) -> Consultation:
    """Open a plan (公示), review-conclusion or targeted (定向) consultation for at least the
    public comment minimum; a project's draft opens through its stage instead."""
    if administration is None or not (perms.can_open_consultation(by) and
                                      perms.administers_organization(by, administration.pk)):
        raise PermissionDenied
    invited_organizations, invited_users = list(invited_organizations), list(invited_users)
    errors: dict[str, str] = {}
    if kind == Consultation.Kind.DRAFT:
        errors["kind"] = "标准征求意见稿随项目进入征求意见阶段自动发布，不能在此发起。"
    elif kind not in Consultation.Kind.values:
        errors["kind"] = "类型无效。"
    if administration.kind != Organization.Kind.ADMINISTRATION:
        errors["administration"] = "须为标准化行政主管部门。"
    title = (title or "").strip()
    if not title:
        errors["title"] = "请填写标题。"
    _check_length(errors, "title", title, 300)
    description = (description or "").strip()
    _check_length(errors, "description", description, 20_000)
    today = timezone.localdate()
    if opens_on < today:
        errors["opens_on"] = "开始日期不能早于今天。"
    minimum = workdays.due(opens_on, "public_comment_min")
    if closes_on < minimum.on:
        errors["closes_on"] = (f"征求意见期不少于{minimum.basis}，截止日期最早为 "
                               f"{minimum.on.isoformat()}。")
    if kind == Consultation.Kind.PLAN:
        try:
            plan_year = int(plan_year)
        except (TypeError, ValueError):
            plan_year = None
        if plan_year is None or not 2000 <= plan_year <= 2100:
            errors["plan_year"] = "请填写计划年度。"
    if campaign is not None and (kind != Consultation.Kind.REVIEW or
                                 campaign.administration_id != administration.pk):
        errors["campaign"] = "复审工作须属于本主管部门，且仅用于复审结论公示。"
    if kind == Consultation.Kind.TARGETED:
        if not invited_organizations and not invited_users:
            errors["invited_organizations"] = "定向征求意见须至少邀请一个单位或一位专家。"
    elif invited_organizations or invited_users:
        errors["invited_organizations"] = "只有定向征求意见才邀请单位和专家。"
    _raise(errors)
    consultation = Consultation.objects.create(
        kind=kind, title=title, description=description, administration=administration,
        campaign=campaign, plan_year=plan_year if kind == Consultation.Kind.PLAN else None,
        opens_on=opens_on, closes_on=closes_on,
        is_public=kind != Consultation.Kind.TARGETED, created_by=by)
    consultation.invited_organizations.set(invited_organizations)
    consultation.invited_users.set(invited_users)
    audit.record_event(consultation, kind=ConsultationEvent.Kind.OPENED, by=by, payload={
        "kind": kind, "title": title, "administration": administration.pk,
        "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat(),
        "plan_year": consultation.plan_year, "campaign": campaign.pk if campaign else None,
        "invited_organizations": sorted(o.pk for o in invited_organizations),
        "invited_users": sorted(u.pk for u in invited_users)})
    announce(consultation)
    return consultation


def _close_directly(pk: int) -> bool:
    """Close one consultation as the system (a draft's project events too). True if closed
    now."""
    consultation = Consultation.objects.get(pk=pk)
    with transaction.atomic():
        project = project_services.lock(consultation.project) if consultation.project_id \
            else None
        now = timezone.now()
        if not Consultation.objects.filter(pk=pk, closed_at__isnull=True).update(
                closed_at=now, updated_at=now):
            return False
        consultation.refresh_from_db()
        if project is not None:
            record_event(project, kind=EventKind.CONSULTATION_CLOSED, by=None, payload={
                "consultation": pk, "comments": consultation.comment_count})
        else:
            audit.record_event(consultation, kind=ConsultationEvent.Kind.CLOSED, by=None,
                               payload={"comments": consultation.comment_count})
    return True


def close_due_consultations(*, today: date | None = None) -> list[int]:
    """Close every consultation whose last day is before `today`, as the system; a draft's
    through its project (comment resolution). Idempotent; returns the ids closed now."""
    today = today or timezone.localdate()
    closed = []
    due = Consultation.objects.filter(closed_at__isnull=True, closes_on__lt=today).order_by(
        "closes_on", "pk").values_list("pk", "kind", "project_id", "project__stage")
    for pk, kind, project_id, stage in due:
        if kind == Consultation.Kind.DRAFT and stage == Stage.PUBLIC_COMMENT:
            try:
                project_services.close_public_comment(Project(pk=project_id), by=None)
            except InvalidTransition:
                continue  # the project moved meanwhile, or its own dates say not yet
            if Consultation.objects.filter(pk=pk, closed_at__isnull=False).exists():
                closed.append(pk)
        elif _close_directly(pk):
            closed.append(pk)
    return closed


# --- comments --------------------------------------------------------------------------------

ATTACHMENT_LABELS = {"pdf": "PDF", "docx": "Word（.docx）", "xlsx": "Excel（.xlsx）",
                     "png": "PNG 图片", "jpeg": "JPEG 图片"}


def check_attachment(upload) -> CheckedFile:
    """Size and type (by content) of one attachment; ValidationError saying why not."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    size = upload.size
    limit = settings.CONSULTATION_MAX_ATTACHMENT_BYTES
    if not size:
        raise ValidationError(f"“{name}”是空文件。", code="empty")
    if size > limit:
        raise ValidationError(f"“{name}”大小 {filesizeformat(size)}，超过上限 "
                              f"{filesizeformat(limit)}。", code="too_big")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        actual = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        actual = "jpeg"
    else:
        actual = sniff_office(head, upload)
    allowed = settings.CONSULTATION_ATTACHMENT_TYPES
    wanted = "、".join(ATTACHMENT_LABELS.get(t, t) for t in allowed)
    if actual not in allowed:
        raise ValidationError(f"“{name}”的格式不能上传，附件只接受 {wanted}。",
                              code="wrong_type")
    declared = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    declared = {"jpg": "jpeg", "jpe": "jpeg"}.get(declared, declared)
    if declared and declared != actual:
        raise ValidationError(f"“{name}”的扩展名与内容（{ATTACHMENT_LABELS[actual]}）不符。",
                              code="mismatch")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(extension=actual, size=size, sha256=digest.hexdigest(), name=name[:255])


def _check_attachments(attachments, errors: dict) -> list[CheckedFile]:
    attachments = list(attachments)
    most = settings.CONSULTATION_MAX_ATTACHMENTS
    if len(attachments) > most:
        errors["attachments"] = [f"最多上传 {most} 个附件。"]
        return []
    checked, problems = [], []
    for upload in attachments:
        try:
            checked.append(check_attachment(upload))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        errors["attachments"] = problems
    return checked


def _comment_fields(data: CommentData, user) -> tuple[dict, dict]:
    errors: dict = {}
    values = {f: (getattr(data, f) or "").strip() for f in (
        "text", "clause", "paragraph", "proposed_change", "reason", "name", "organization",
        "email")}
    if not values["text"]:
        errors["text"] = "请填写意见。"
    for field in ("text", "proposed_change", "reason"):
        _check_length(errors, field, values[field], _limit())
    for field in ("clause", "paragraph"):
        _check_length(errors, field, values[field], 60)
    if data.type not in Comment.Type.values:
        errors["type"] = "意见类型应为一般性、技术性或编辑性。"
    if data.commenter_type not in Comment.CommenterType.values:
        errors["commenter_type"] = "提出方类型无效。"
    if user is not None:
        values["name"] = values["name"] or user.display_name or user.get_username()
        if not values["organization"]:
            organization = _first_organization(user)
            values["organization"] = organization.name if organization else ""
        values["email"] = values["email"] or user.email
    else:
        if not values["name"]:
            errors["name"] = "请填写姓名。"
        if not values["organization"]:
            errors["organization"] = "请填写单位。"
        if not values["email"]:
            errors["email"] = "请填写电子邮箱，用于确认意见。"
    _check_length(errors, "name", values["name"], 100)
    _check_length(errors, "organization", values["organization"], 200)
    _check_length(errors, "email", values["email"], 254)
    _check_email(errors, "email", values["email"])
    values.update(type=data.type, commenter_type=data.commenter_type,
                  show_name=bool(data.show_name))
    return values, errors


def verification_token(comment: Comment) -> str:
    """The signed link token that verifies a guest's e-mail (CONSULTATION_VERIFY_HOURS)."""
    return signing.dumps(comment.pk, salt=VERIFY_SALT)


@transaction.atomic
def submit_comment(consultation: Consultation, *, by, data: CommentData, attachments=(),
                   client_ip=None, challenge=None) -> Comment:
    """Add a comment while the consultation is open. A signed-in user's counts at once; a
    guest's (name, organisation, e-mail, `challenge` = (token, answer)) after
    `verify_comment`. The commenter is mailed the follow link (a guest: with the verify
    link)."""
    user = by if _signed_in(by) else None
    consultation = _fresh(consultation)
    if not perms.can_comment(user, consultation):
        raise PermissionDenied
    _require_open(consultation)
    check_rate(kind="comment", client_ip=client_ip, user=user)
    values, errors = _comment_fields(data, user)
    attachments = list(attachments)
    checked = _check_attachments(attachments, errors)
    if user is None:
        _check_guest_challenge(errors, challenge)
    _raise(errors)
    locked = _lock(consultation)
    _require_open(locked)  # it may have closed while we checked
    now = timezone.now()
    comment = Comment.objects.create(
        consultation=locked, number=_next_number(locked), author=user, submitted_at=now,
        verified_at=now if user is not None else None, client_ip=client_ip or None, **values)
    for upload, info in zip(attachments, checked, strict=True):
        attachment = CommentAttachment(comment=comment, original_name=info.name,
                                       extension=info.extension, size=info.size,
                                       sha256=info.sha256)
        attachment.file.save(f"{info.sha256[:16]}.{info.extension}", upload, save=False)
        attachment.save()
    _recount(locked)
    queue_comment_mail(comment.pk,
                       verify_token=verification_token(comment) if user is None else None)
    return comment


@transaction.atomic
def verify_comment(token: str) -> Comment:
    """Confirm a guest's e-mail address: the comment counts from now. Idempotent."""
    hours = settings.CONSULTATION_VERIFY_HOURS
    try:
        pk = signing.loads(token, salt=VERIFY_SALT, max_age=timedelta(hours=hours))
    except signing.SignatureExpired as exc:
        raise ValidationError({"token": f"确认链接已过期（有效期 {hours} 小时）。"}) from exc
    except signing.BadSignature as exc:
        raise ValidationError({"token": "确认链接无效。"}) from exc
    comment = Comment.objects.filter(pk=pk).select_related("consultation").first()
    if comment is None:
        raise ValidationError({"token": "确认链接无效。"})
    if comment.verified_at is not None:
        return comment
    consultation = comment.consultation
    if consultation.kind == Consultation.Kind.DRAFT and consultation.project_id:
        # Locked: the guard of technical review must not miss a comment verified meanwhile.
        project = project_services.lock(Project(pk=consultation.project_id))
        if project.stage not in ANSWERING_STAGES:
            raise ValidationError({"token": "该征求意见的意见处理已经结束，无法再确认。"})
    locked = _lock(consultation)
    Comment.objects.filter(pk=pk, verified_at__isnull=True).update(verified_at=timezone.now())
    _recount(locked)
    comment.refresh_from_db()
    return comment


_COMMENTER_TYPES = {
    Organization.Kind.ADMINISTRATION: Comment.CommenterType.GOVERNMENT,
    Organization.Kind.DEPARTMENT: Comment.CommenterType.GOVERNMENT,
    Organization.Kind.ENTERPRISE: Comment.CommenterType.ENTERPRISE,
    Organization.Kind.SOCIAL: Comment.CommenterType.ASSOCIATION,
    Organization.Kind.DRAFTING: Comment.CommenterType.INSTITUTION,
    Organization.Kind.COMMITTEE: Comment.CommenterType.EXPERT,
}


@transaction.atomic
def import_comments(consultation: Consultation, *, by, upload, client_ip=None) -> list[Comment]:
    """Add every row of an uploaded comment template (`comment_template`), all or nothing;
    the commenter is the signed-in uploader and their first organisation. Counts as one
    submission for the rate limits."""
    consultation = _fresh(consultation)
    if not perms.can_import_comments(by, consultation):
        raise PermissionDenied
    _require_open(consultation)
    check_rate(kind="comment", client_ip=client_ip, user=by)
    rows = read_comments(upload)
    organization = _first_organization(by)
    commenter_type = (_COMMENTER_TYPES.get(organization.kind, Comment.CommenterType.INDIVIDUAL)
                      if organization else Comment.CommenterType.INDIVIDUAL)
    locked = _lock(consultation)
    _require_open(locked)
    first = _next_number(locked)
    now = timezone.now()
    Comment.objects.bulk_create([
        Comment(consultation=locked, number=first + i, author=by,
                name=(by.display_name or by.get_username())[:100],
                organization=organization.name if organization else "", email=by.email,
                commenter_type=commenter_type, clause=row.clause, paragraph=row.paragraph,
                type=row.type, text=row.text, proposed_change=row.proposed_change,
                reason=row.reason, submitted_at=now, verified_at=now,
                client_ip=client_ip or None, receipt=new_token())
        for i, row in enumerate(rows)], batch_size=500)
    comments = list(Comment.objects.filter(
        consultation=locked, number__gte=first, number__lt=first + len(rows)).order_by("number"))
    _recount(locked)
    if by.email:
        queue_import_mail([c.pk for c in comments])
    return comments


# --- dispositions ----------------------------------------------------------------------------


def _answering(comment: Comment, by) -> tuple[Consultation, Project | None]:
    """The consultation and (locked) project of `comment` once `by` may answer it now;
    without a project the consultation row is locked instead (its own event chain)."""
    consultation = Consultation.objects.select_related("project").get(pk=comment.consultation_id)
    if not perms.can_answer(by, consultation):
        raise PermissionDenied
    project = None
    if consultation.project_id is not None:
        project = project_services.lock(consultation.project)
        if consultation.kind == Consultation.Kind.DRAFT and project.stage not in ANSWERING_STAGES:
            raise InvalidTransition(project.stage, project.stage,
                                    ["项目已不在意见处理阶段，意见处理结果不能再修改"])
    else:
        _lock(consultation)
    return consultation, project


def _visible(comment: Comment) -> bool:
    return comment.verified_at is not None and comment.hidden_at is None


@transaction.atomic
def answer_comment(comment: Comment, *, by, decision: str, reason: str = "") -> Comment:
    """Answer a visible comment: accepted, partly accepted or not accepted, with a reason
    (required unless accepted). Answering again replaces the answer; each is on record."""
    consultation, project = _answering(comment, by)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not _visible(comment):
        errors["comment"] = "该意见尚未确认或已被屏蔽，不能处理。"
    elif comment.duplicate_of_id is not None:
        leader = Comment.objects.values_list("number", flat=True).get(pk=comment.duplicate_of_id)
        errors["comment"] = f"该意见已归入第 {leader} 条，请处理第 {leader} 条。"
    if decision not in Comment.Decision.values:
        errors["decision"] = "请选择处理意见：采纳、部分采纳或不采纳。"
    elif decision != Comment.Decision.ACCEPTED and not reason:
        errors["reason"] = "部分采纳或不采纳时须说明理由。"
    _check_length(errors, "reason", reason, _limit())
    _raise(errors)
    previous = comment.decision
    comment.decision, comment.decision_reason = decision, reason
    comment.answered_by, comment.answered_at = by, timezone.now()
    comment.save(update_fields=["decision", "decision_reason", "answered_by", "answered_at"])
    if project is not None and consultation.kind == Consultation.Kind.DRAFT:
        record_event(project, kind=EventKind.COMMENT_ANSWERED, by=by, note=reason, payload={
            "consultation": consultation.pk, "comment": comment.pk, "number": comment.number,
            "decision": decision, "previous": previous})
    elif project is None:
        audit.record_event(consultation, kind=ConsultationEvent.Kind.COMMENT_ANSWERED, by=by,
                           note=reason, payload={"comment": comment.pk,
                                                 "number": comment.number,
                                                 "decision": decision, "previous": previous})
    return comment


@transaction.atomic
def group_duplicates(leader: Comment, *, by, duplicates) -> list[Comment]:
    """Group comments that say the same as `leader`: they take its answer ("同第 N 条").
    All in one consultation; no comment under itself, no groups of groups."""
    consultation, project = _answering(leader, by)
    leader = Comment.objects.select_for_update().get(pk=leader.pk)
    ids = list(dict.fromkeys(d.pk for d in duplicates))
    rows = list(Comment.objects.select_for_update().filter(pk__in=ids).order_by("number"))
    errors: dict[str, str] = {}
    if not _visible(leader):
        errors["leader"] = "该意见尚未确认或已被屏蔽。"
    elif leader.duplicate_of_id is not None:
        errors["leader"] = f"第 {leader.number} 条本身已归入其他意见，不能作为同类意见的代表。"
    if not ids:
        errors["duplicates"] = "请选择同类意见。"
    elif len(rows) != len(ids) or any(r.consultation_id != leader.consultation_id
                                      for r in rows):
        errors["duplicates"] = "同类意见须为同一征求意见中的意见。"
    elif leader.pk in ids:
        errors["duplicates"] = "不能将意见归入其自身。"
    elif any(not _visible(r) for r in rows):
        errors["duplicates"] = "所选意见中有尚未确认或已被屏蔽的意见。"
    else:
        leading = sorted(set(Comment.objects.filter(duplicate_of__in=rows).exclude(
            pk__in=ids).values_list("duplicate_of__number", flat=True)))
        if leading:
            errors["duplicates"] = (f"第 {'、'.join(map(str, leading))} 条已有其他意见归入，"
                                    "不能再归入其他意见。")
    _raise(errors)
    cleared = {str(r.number): r.decision for r in rows if r.decision}
    for row in rows:
        row.duplicate_of = leader
        # The group's answer is the leader's: a duplicate's own earlier answer no longer counts.
        row.decision, row.decision_reason, row.answered_by, row.answered_at = "", "", None, None
        row.save(update_fields=["duplicate_of", "decision", "decision_reason", "answered_by",
                                "answered_at"])
    numbers = [r.number for r in rows]
    note = f"第 {'、'.join(map(str, numbers))} 条同第 {leader.number} 条"
    if project is not None and consultation.kind == Consultation.Kind.DRAFT:
        record_event(project, kind=EventKind.COMMENT_ANSWERED, by=by, note=note,
                     payload={"consultation": consultation.pk, "grouped_under": leader.number,
                              "numbers": numbers})
    elif project is None:
        # The duplicates' own answers were cleared: keep what they were on record.
        audit.record_event(consultation, kind=ConsultationEvent.Kind.DUPLICATES_GROUPED,
                           by=by, note=note, payload={
                               "leader": leader.pk, "grouped_under": leader.number,
                               "comments": [r.pk for r in rows], "numbers": numbers,
                               "cleared": cleared})
    return rows


# --- moderation ------------------------------------------------------------------------------


def _moderate(comment: Comment, *, by, reason: str, hide: bool) -> Comment:
    consultation = Consultation.objects.select_related("project").get(pk=comment.consultation_id)
    if not perms.can_moderate(by, consultation):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请说明理由。"})
    if len(reason) > 300:
        raise ValidationError({"reason": f"不超过 300 字（现有 {len(reason)} 字）。"})
    project = project_services.lock(consultation.project) if consultation.project_id else None
    locked = _lock(consultation)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if hide and comment.hidden_at is not None:
        raise ValidationError({"comment": "该意见已被屏蔽。"})
    if not hide and comment.hidden_at is None:
        raise ValidationError({"comment": "该意见未被屏蔽。"})
    if hide:
        comment.hidden_at, comment.hidden_reason, comment.hidden_by = timezone.now(), reason, by
    else:
        comment.hidden_at, comment.hidden_reason, comment.hidden_by = None, "", None
    comment.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    ModerationAction.objects.create(
        comment=comment, by=by, reason=reason,
        action=ModerationAction.Action.HIDDEN if hide else ModerationAction.Action.RESTORED)
    _recount(locked)
    if project is not None:
        record_event(project, kind=EventKind.COMMENT_HIDDEN if hide else
                     EventKind.COMMENT_RESTORED, by=by, note=reason, payload={
                         "consultation": consultation.pk, "comment": comment.pk,
                         "number": comment.number})
    else:
        audit.record_event(locked, kind=ConsultationEvent.Kind.COMMENT_HIDDEN if hide else
                           ConsultationEvent.Kind.COMMENT_RESTORED, by=by, note=reason,
                           payload={"comment": comment.pk, "number": comment.number})
    return comment


@transaction.atomic
def hide_comment(comment: Comment, *, by, reason: str) -> Comment:
    """Hide a comment (never deleted) with the reason on record; it no longer counts, is
    never shown publicly and does not hold up technical review."""
    return _moderate(comment, by=by, reason=reason, hide=True)


@transaction.atomic
def restore_comment(comment: Comment, *, by, reason: str) -> Comment:
    """Show a hidden comment again, with the reason on record."""
    return _moderate(comment, by=by, reason=reason, hide=False)


# --- subscriptions ---------------------------------------------------------------------------


@transaction.atomic
def subscribe(*, email: str, category: str) -> Subscription:
    """Ask for notices of a category: mails a confirmation link (double opt-in). An active
    subscription is returned as it is; an unsubscribed one starts over with a new token."""
    email = (email or "").strip().lower()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "请填写电子邮箱。"
    _check_length(errors, "email", email, 254)
    _check_email(errors, "email", email)
    if category not in Subscription.Category.values:
        errors["category"] = "订阅类别无效。"
    _raise(errors)
    subscription, created = Subscription.objects.select_for_update().get_or_create(
        email=email, category=category)
    if not created and subscription.is_active:
        return subscription
    if subscription.unsubscribed_at is not None:
        subscription.token = new_token()
        subscription.confirmed_at = subscription.unsubscribed_at = None
        subscription.confirmation_sent_at = None
        subscription.save(update_fields=["token", "confirmed_at", "unsubscribed_at",
                                          "confirmation_sent_at"])
    now = timezone.now()
    quiet = timedelta(minutes=settings.SUBSCRIPTION_RESEND_MINUTES)
    if subscription.confirmation_sent_at and now - subscription.confirmation_sent_at < quiet:
        return subscription  # asked again too soon: same answer, no second mail
    subscription.confirmation_sent_at = now
    subscription.save(update_fields=["confirmation_sent_at"])
    queue_subscription_mail(subscription.pk)
    return subscription


def _subscription(token: str) -> Subscription:
    subscription = Subscription.objects.select_for_update().filter(token=token or "").first()
    if subscription is None:
        raise ValidationError({"token": "链接无效。"})
    return subscription


@transaction.atomic
def confirm_subscription(token: str) -> Subscription:
    """The second step of the opt-in. Idempotent; refused after unsubscribing."""
    subscription = _subscription(token)
    if subscription.unsubscribed_at is not None:
        raise ValidationError({"token": "该订阅已退订，如需继续接收通知请重新订阅。"})
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


@transaction.atomic
def unsubscribe(token: str) -> Subscription:
    """One click, no sign-in. Idempotent."""
    subscription = _subscription(token)
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
    return subscription


# --- proposals from the public ---------------------------------------------------------------


def _novelty(title: str, scope: str) -> list[dict]:
    try:
        from biaozhun.search.similar import similar_standards, similar_to_dicts
    except ImportError:  # the novelty helper is optional in a partial install
        return []
    return similar_to_dicts(similar_standards(title, scope))


def submit_proposal(*, by, data: ProposalData, client_ip=None, challenge=None) -> PublicProposal:
    """A proposal for a new local standard from anyone (guests answer the challenge), with
    the novelty check stored and shown; the proposer is mailed the follow link."""
    user = by if _signed_in(by) else None
    check_rate(kind="proposal", client_ip=client_ip, user=user)
    values = {f: (getattr(data, f) or "").strip() for f in (
        "title", "scope", "reasons", "name", "organization", "email")}
    errors: dict = {}
    for field, label in (("title", "建议的标准名称"), ("scope", "范围和主要技术内容"),
                         ("reasons", "理由和依据")):
        if not values[field]:
            errors[field] = f"请填写{label}。"
    _check_length(errors, "title", values["title"], 300)
    for field in ("scope", "reasons"):
        _check_length(errors, field, values[field], _limit())
    administration = data.administration
    if administration is None or administration.kind != Organization.Kind.ADMINISTRATION:
        errors["administration"] = "请选择标准化行政主管部门。"
    if user is not None:
        values["name"] = values["name"] or user.display_name or user.get_username()
        if not values["organization"]:
            organization = _first_organization(user)
            values["organization"] = organization.name if organization else ""
        values["email"] = values["email"] or user.email
    elif not values["name"]:
        errors["name"] = "请填写建议人姓名。"
    if not values["email"]:
        errors["email"] = "请填写电子邮箱，用于告知处理结果。"
    _check_length(errors, "name", values["name"], 100)
    _check_length(errors, "organization", values["organization"], 200)
    _check_length(errors, "email", values["email"], 254)
    _check_email(errors, "email", values["email"])
    if user is None:
        _check_guest_challenge(errors, challenge)
    _raise(errors)
    novelty = _novelty(values["title"], values["scope"])
    with transaction.atomic():
        proposal = PublicProposal.objects.create(
            title=values["title"], scope=values["scope"], reasons=values["reasons"],
            administration=administration, proposer_name=values["name"],
            proposer_organization=values["organization"], email=values["email"], author=user,
            novelty=novelty, client_ip=client_ip or None)
        queue_proposal_mail(proposal.pk)
    return proposal


def _deciding(proposal: PublicProposal, by) -> PublicProposal:
    proposal = PublicProposal.objects.select_for_update().get(pk=proposal.pk)
    if not perms.can_decide_proposal(by, proposal):
        raise PermissionDenied
    if proposal.state != PublicProposal.State.RECEIVED:
        raise ValidationError({"state": "该建议已经处理。"})
    return proposal


@transaction.atomic
def accept_proposal(proposal: PublicProposal, *, by) -> Project:
    """Turn a proposal into a project (立项申请, stage proposed) filed by the administrator,
    the proposer named in its reasons; the proposer is told."""
    proposal = _deciding(proposal, by)
    proposer = proposal.proposer_name + (f"（{proposal.proposer_organization}）"
                                         if proposal.proposer_organization else "")
    project = project_services.propose(project_services.ProposalData(
        title=proposal.title, administration=proposal.administration, scope=proposal.scope,
        reasons=f"{proposal.reasons}\n\n（来自公开征集立项建议，建议人：{proposer}）"), by=by)
    proposal.state, proposal.project = PublicProposal.State.ACCEPTED, project
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["state", "project", "decided_by", "decided_at", "updated_at"])
    queue_proposal_mail(proposal.pk)
    return project


@transaction.atomic
def decline_proposal(proposal: PublicProposal, *, by, reason: str) -> PublicProposal:
    """Decline with a reason the proposer sees on the receipt page and in the mail."""
    proposal = _deciding(proposal, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请说明不予采纳的理由。"})
    if len(reason) > _limit():
        raise ValidationError({"reason": f"不超过 {_limit()} 字。"})
    proposal.state, proposal.decision_reason = PublicProposal.State.DECLINED, reason
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["state", "decision_reason", "decided_by", "decided_at",
                                 "updated_at"])
    queue_proposal_mail(proposal.pk)
    return proposal
