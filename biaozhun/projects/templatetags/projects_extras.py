"""Template helpers of the project pages: stage labels and codes, accessible form fields,
timeline summaries and legal periods in words."""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from biaozhun.core.workdays import Period, Unit
from biaozhun.projects.models import Deadline, DocumentKind, EventKind, ReviewVote
from biaozhun.projects.stages import STAGE_CODES, Stage

register = template.Library()

_STAGES = dict(Stage.choices)
_DOCUMENTS = dict(DocumentKind.choices)
_DEADLINES = dict(Deadline.Kind.choices)
_VOTES = dict(ReviewVote.Choice.choices)


@register.filter
def stage_label(stage: str) -> str:
    return str(_STAGES.get(stage, stage or ""))


@register.filter
def stage_code(stage: str) -> str:
    return STAGE_CODES.get(stage, "")


@register.filter
def document_label(kind: str) -> str:
    return str(_DOCUMENTS.get(kind, kind))




@register.filter
def period_text(period: Period) -> str:
    n = period.count
    if period.unit is Unit.WORKING:
        text = ngettext("%(n)s 个工作日", "%(n)s 个工作日", n)
    elif period.unit is Unit.CALENDAR:
        text = ngettext("%(n)s 日（自然日）", "%(n)s 日（自然日）", n)
    elif period.unit is Unit.MONTHS:
        text = ngettext("%(n)s 个月", "%(n)s 个月", n)
    else:
        text = ngettext("%(n)s 年", "%(n)s 年", n)
    return text % {"n": n}


@register.simple_tag
def field_input(field, extra_described_by: str = ""):
    """The widget with aria-describedby naming its errors, help text (and any extra id)."""
    described_by = [extra_described_by] if extra_described_by else []
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    attrs = {"aria-describedby": " ".join(described_by)} if described_by else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


def _join(parts) -> str:
    return "；".join(p for p in parts if p)


@register.filter
def event_summary(event, names=None) -> str:
    """The payload of a timeline event in a few words (documents, deadlines, numbers…)."""
    payload = event.payload or {}
    names = names or {}
    kind = event.kind
    if kind == EventKind.DOCUMENT_UPLOADED:
        size = filesizeformat(payload["size"]) if "size" in payload else ""
        return _join([
            f"{document_label(payload.get('kind', ''))} v{payload.get('version', '')}",
            payload.get("name", ""), size,
            f"SHA-256 {payload['sha256'][:12]}…" if payload.get("sha256") else ""])
    if kind in (EventKind.DEADLINE_SET, EventKind.DEADLINE_MISSED):
        label = str(_DEADLINES.get(payload.get("deadline", ""), payload.get("deadline", "")))
        due = payload.get("due_on", "")
        text = _("%(deadline)s：%(due)s") % {"deadline": label, "due": due}
        if payload.get("provisional"):
            text += _("（暂定）")
        return _join([text, payload.get("basis", "")])
    if kind == EventKind.NUMBER_ALLOCATED:
        return _("%(issuer)s 顺序号 %(sequence)s（%(administration)s）") % {
            "issuer": payload.get("issuer", ""), "sequence": payload.get("sequence", ""),
            "administration": names.get(payload.get("administration"), "")}
    if kind == EventKind.PUBLISHED:
        return payload.get("code", "")
    if kind == EventKind.VOTE_CAST:
        return _("第 %(round)s 轮：%(choice)s") % {
            "round": payload.get("round", ""),
            "choice": _VOTES.get(payload.get("choice", ""), "")}
    if kind == EventKind.EXTENSION_REQUESTED:
        return _("%(from)s → %(to)s") % {"from": payload.get("from", ""),
                                          "to": payload.get("to", "")}
    if kind in (EventKind.EXTENSION_GRANTED, EventKind.EXTENSION_REFUSED):
        return _("申请延至 %(to)s") % {"to": payload.get("to", "")}
    if kind == EventKind.JURISDICTION_APPROVED:
        return names.get(payload.get("administration"), "")
    if kind == EventKind.EVALUATED:
        return _("同意立项") if payload.get("accept") else _("不予立项")
    if kind == EventKind.PARTICIPANTS_CHANGED:
        parts = []
        if "reviewers" in payload:
            parts.append(_("审查专家 %(n)d 名") % {"n": len(payload["reviewers"])})
        if "drafting_orgs" in payload:
            parts.append(_("起草单位 %(n)d 个") % {"n": len(payload["drafting_orgs"])})
        if "committee" in payload:
            parts.append(_("归口技术委员会：%(name)s") % {
                "name": names.get(payload["committee"], "")})
        return _join(parts)
    if kind == EventKind.PROPOSED:
        parts = []
        if payload.get("partners"):
            parts.append(_("联合制定方 %(n)d 个") % {"n": len(payload["partners"])})
        if "novelty" in payload:
            parts.append(_("查新相似标准 %(n)d 项") % {"n": payload["novelty"]})
        return _join(parts)
    if kind == EventKind.CONSULTATION_OPENED:
        return _("征求意见 %(opens)s 至 %(closes)s") % {
            "opens": payload.get("opens_on", ""), "closes": payload.get("closes_on", "")}
    if kind == EventKind.CONSULTATION_CLOSED and "comments" in payload:
        return _("收到意见 %(n)s 条") % {"n": payload["comments"]}
    if kind == EventKind.STAGE_CHANGED:
        parts = []
        if "plan_year" in payload:
            parts.append(_("计划年度 %(year)s") % {"year": payload["plan_year"]})
        if "closes_on" in payload:
            parts.append(_("征求意见 %(opens)s 至 %(closes)s") % {
                "opens": payload.get("opens_on", ""), "closes": payload["closes_on"]})
        if "code" in payload:
            parts.append(_("%(code)s，%(issued)s 发布，%(effective)s 实施") % {
                "code": payload["code"], "issued": payload.get("issued_on", ""),
                "effective": payload.get("effective_on", "")})
        if "filed_on" in payload:
            parts.append(_("备案日期 %(day)s") % {"day": payload["filed_on"]})
            if payload.get("filing_number"):
                parts.append(_("备案号 %(number)s") % {"number": payload["filing_number"]})
        return _join(parts)
    return ""



@register.simple_tag(takes_context=True)
def project_nav(context) -> dict:
    """Which project pages the current user may open (for the section navigation)."""
    from biaozhun.projects import permissions as perms

    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {"signed_in": signed_in,
            "numbers": signed_in and perms.can_adjust_numbers(user),
            "dashboard": signed_in and perms.can_see_dashboard(user)}
