"""Forms of the project pages: the list filters, the proposal, one form per action, uploads,
extension decisions and number adjustments. Forms only shape input; services decide."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biaozhun import codes
from biaozhun.accounts.models import Membership, Organization, User
from biaozhun.catalog.models import Nature, Standard
from biaozhun.catalog.selectors import canonical_code
from biaozhun.projects.documents import LABELS as TYPE_LABELS
from biaozhun.projects.documents import allowed_types
from biaozhun.projects.models import DocumentKind, Project, ReviewVote
from biaozhun.projects.stages import STAGE_CODES, Stage

Kind = Organization.Kind
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _orgs(*kinds: str):
    return Organization.objects.filter(kind__in=kinds).only("pk", "name").order_by("name")


def _text(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


# --- the list ------------------------------------------------------------------------------


def stage_choices(blank: bool = True):
    choices = [(s.value, f"{s.label}（{STAGE_CODES[s.value]}）") for s in Stage]
    return [("", _("全部阶段")), *choices] if blank else choices


class ProjectFilterForm(forms.Form):
    """The GET filters of the project list (values read by `selectors.ProjectFilters`)."""

    q = forms.CharField(label=_("关键词、项目编号或标准号"), required=False, max_length=200)
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=stage_choices)
    administration = forms.ModelChoiceField(
        label=_("主管部门"), required=False, empty_label=_("全部"),
        queryset=_orgs(Kind.ADMINISTRATION))
    year = forms.IntegerField(label=_("计划年度"), required=False, min_value=2000,
                              max_value=2100)
    mine = forms.BooleanField(label=_("只看我的"), required=False)
    overdue = forms.BooleanField(label=_("逾期"), required=False,
                                 help_text=_("有逾期未完成期限的项目"))

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not signed_in:
            del self.fields["mine"]


# --- the proposal --------------------------------------------------------------------------


def _types_help(kind: str) -> str:
    wanted = "、".join(TYPE_LABELS.get(t, t) for t in allowed_types(kind))
    return _("接受 %(types)s，不超过 %(size)s。") % {
        "types": wanted, "size": filesizeformat(settings.PROJECT_DOCUMENT_MAX_BYTES)}


class ProposalForm(forms.Form):
    """立项申请. The revised standard is typed as a number and resolved in the catalogue."""

    title = forms.CharField(label=_("标准名称"), max_length=500)
    scope = forms.CharField(label=_("范围和主要技术内容"), required=False, widget=_text(5))
    reasons = forms.CharField(label=_("立项理由"), required=False, widget=_text(5),
                              help_text=_("必要性、可行性，与现行法律法规和强制性标准的关系"))
    kind = forms.ChoiceField(label=_("制修订"), choices=Project.Kind.choices,
                             initial=Project.Kind.NEW, widget=forms.RadioSelect)
    revises_code = forms.CharField(
        label=_("被修订标准编号"), required=False, max_length=120,
        help_text=_("修订项目填写，如 DB43/T 1234—2020"))
    nature = forms.ChoiceField(
        label=_("标准性质"), widget=forms.RadioSelect, initial=Nature.RECOMMENDED,
        choices=[(Nature.RECOMMENDED, Nature.RECOMMENDED.label),
                 (Nature.MANDATORY, Nature.MANDATORY.label)],
        help_text=_("强制性地方标准仅限法律或国务院决定规定的情形"))
    administration = forms.ModelChoiceField(
        label=_("标准化行政主管部门（牵头）"), queryset=_orgs(Kind.ADMINISTRATION),
        empty_label=_("（请选择）"))
    partners = forms.ModelMultipleChoiceField(
        label=_("联合制定方"), required=False, queryset=_orgs(Kind.ADMINISTRATION),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("区域联合地方标准的其他标准化行政主管部门；各方均须批准"))
    numbering = forms.ChoiceField(label=_("联合标准编号方式"), widget=forms.RadioSelect,
                                  choices=Project.Numbering.choices,
                                  initial=Project.Numbering.SHARED)
    proposing_unit = forms.ModelChoiceField(
        label=_("提出单位"), required=False, empty_label=_("（未定）"),
        queryset=_orgs(Kind.DEPARTMENT, Kind.DRAFTING, Kind.COMMITTEE, Kind.SOCIAL,
                       Kind.ENTERPRISE))
    competent_department = forms.ModelChoiceField(
        label=_("行业主管部门"), required=False, empty_label=_("（未定）"),
        queryset=_orgs(Kind.DEPARTMENT, Kind.ADMINISTRATION))
    drafting_orgs = forms.ModelMultipleChoiceField(
        label=_("起草单位"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=_orgs(Kind.DRAFTING, Kind.SOCIAL, Kind.ENTERPRISE))
    committee = forms.ModelChoiceField(label=_("归口技术委员会"), required=False,
                                       empty_label=_("（未定）"), queryset=_orgs(Kind.COMMITTEE))
    proposal_form = forms.FileField(label=_("立项申请书"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal_form"].help_text = _types_help(DocumentKind.PROPOSAL_FORM)

    def clean(self):
        data = super().clean()
        data["revises"] = None
        text = (data.get("revises_code") or "").strip()
        if data.get("kind") == Project.Kind.REVISION and text:
            try:
                found = canonical_code(text)
            except codes.CodeError:
                self.add_error("revises_code", _("“%(code)s”不是有效的标准号。") % {"code": text})
            else:
                standard = Standard.objects.filter(code=found).first() if found else None
                if standard is None:
                    self.add_error("revises_code",
                                   _("标准目录中没有“%(code)s”，请核对编号。") % {"code": text})
                data["revises"] = standard
        return data


# --- actions ----------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """A form of one action on one project; ids are unique among the forms of a page."""

    action = ""

    def __init__(self, *args, project: Project, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)
        self.project, self.user = project, user


class ConfirmForm(ActionForm):
    """Actions without input: a single button."""


class EvaluateForm(ActionForm):
    action = "evaluate"
    accept = forms.TypedChoiceField(
        label=_("评估结论"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("同意立项")), ("no", _("不予立项"))])
    opinion = forms.CharField(label=_("评估意见"), widget=_text())


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("理由"), widget=_text())


class RejectForm(ReasonForm):
    action = "reject"


class ReworkForm(ReasonForm):
    action = "return_for_rework"


class TerminateForm(ReasonForm):
    action = "terminate"


class PlanForm(ActionForm):
    action = "plan"
    plan_year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100)
    drafting_due_on = forms.DateField(label=_("起草完成期限"), required=False, widget=DATE,
                                      help_text=_("留空则自计划下达之日起按规定期限计算"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_year"].initial = timezone.localdate().year


class ExtensionRequestForm(ActionForm):
    action = "request_extension"
    requested_due_on = forms.DateField(label=_("申请延至"), widget=DATE)
    reason = forms.CharField(label=_("延期理由"), widget=_text())


class PublicCommentForm(ActionForm):
    action = "open_public_comment"
    closes_on = forms.DateField(label=_("征求意见截止日期"), widget=DATE)
    opens_on = forms.DateField(label=_("开始日期"), required=False, widget=DATE,
                               help_text=_("留空为今天"))

    def __init__(self, *args, minimum: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if minimum:
            self.fields["closes_on"].help_text = _("征求意见期不少于%(period)s") % {
                "period": minimum}


def reviewer_candidates(project: Project):
    """Members of committees (expert organisations), never members of a drafting org."""
    drafting = [o.pk for o in project.drafting_orgs.all()]
    drafters = Membership.objects.filter(organization_id__in=drafting, is_active=True) \
        .values("user_id")
    current = [u.pk for u in project.reviewers.all()]
    committee_members = Q(memberships__organization__kind=Kind.COMMITTEE,
                          memberships__is_active=True)
    return (User.objects.filter(committee_members | Q(pk__in=current), is_active=True)
            .exclude(pk__in=drafters).distinct().order_by("username"))


class ReviewersForm(ActionForm):
    action = "set_reviewers"
    reviewers = forms.ModelMultipleChoiceField(
        label=_("审查专家"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("技术委员会委员或审查专家；起草单位人员不能担任"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewers"]
        field.queryset = reviewer_candidates(self.project)
        field.initial = [u.pk for u in self.project.reviewers.all()]


class VoteForm(ActionForm):
    action = "vote"
    choice = forms.ChoiceField(label=_("表决"), choices=ReviewVote.Choice.choices,
                               widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("审查意见"), required=False, widget=_text())


class PublishForm(ActionForm):
    action = "publish"
    issued_on = forms.DateField(label=_("发布日期"), widget=DATE)
    effective_on = forms.DateField(label=_("实施日期"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate()


class FileForm(ActionForm):
    action = "file"
    filed_on = forms.DateField(label=_("备案日期"), widget=DATE)
    filing_number = forms.CharField(label=_("备案号"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filed_on"].initial = timezone.localdate()


def _confirm(name: str) -> type[ConfirmForm]:
    return type(f"{name.title().replace('_', '')}Form", (ConfirmForm,), {"action": name})


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "evaluate": EvaluateForm,
    "reject": RejectForm,
    "plan": PlanForm,
    "start_drafting": _confirm("start_drafting"),
    "request_extension": ExtensionRequestForm,
    "open_public_comment": PublicCommentForm,
    "close_public_comment": _confirm("close_public_comment"),
    "set_reviewers": ReviewersForm,
    "send_to_technical_review": _confirm("send_to_technical_review"),
    "vote": VoteForm,
    "submit_for_approval": _confirm("submit_for_approval"),
    "return_for_rework": ReworkForm,
    "approve": _confirm("approve"),
    "publish": PublishForm,
    "file": FileForm,
    "terminate": TerminateForm,
}


# --- documents, extensions, numbers -----------------------------------------------------------


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"))
    upload = forms.FileField(label=_("文件"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        kwargs.setdefault("auto_id", "id_upload_%s")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["upload"].help_text = upload_help(kinds)


def upload_help(kinds: list[tuple[str, str]]) -> str:
    """The accepted formats of the kinds offered (from settings), and the size limit."""
    by_types: dict[tuple, list[str]] = {}
    for kind, label in kinds:
        by_types.setdefault(tuple(allowed_types(kind)), []).append(str(label))
    ordered = sorted(by_types.items(), key=lambda item: -len(item[1]))
    parts = []
    for i, (types, labels) in enumerate(ordered):
        wanted = "、".join(TYPE_LABELS.get(t, t) for t in types)
        parts.append(_("接受 %(types)s") % {"types": wanted} if i == 0 else
                     _("%(kinds)s接受 %(types)s") % {"kinds": "、".join(labels), "types": wanted})
    parts.append(_("不超过 %(size)s") % {
        "size": filesizeformat(settings.PROJECT_DOCUMENT_MAX_BYTES)})
    return "；".join(parts) + "。"


class ExtensionDecisionForm(forms.Form):
    decision = forms.TypedChoiceField(
        label=_("决定"), widget=forms.RadioSelect, coerce=lambda v: v == "grant",
        choices=[("grant", _("同意延期")), ("refuse", _("不同意"))])
    note = forms.CharField(label=_("说明"), required=False, widget=_text(2),
                           help_text=_("不同意时须说明理由"))

    def __init__(self, *args, request_pk: int, **kwargs):
        kwargs.setdefault("auto_id", f"id_extension{request_pk}_%s")
        super().__init__(*args, **kwargs)


class NumberAdjustForm(forms.Form):
    issuer = forms.RegexField(
        label=_("标准代号"), max_length=20, regex=r"^DB\d{2}(\d{2}){0,2}(/T)?$",
        error_messages={"invalid": _("形如 DB43/T、DB4301/T 或 DB43。")},
        help_text=_("如 DB43/T（推荐性）或 DB43（强制性）"))
    last_sequence = forms.IntegerField(label=_("已用最大顺序号"), min_value=0)
    reason = forms.CharField(label=_("调整理由"), widget=_text())
