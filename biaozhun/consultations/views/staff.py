"""The drafting group's and the administration's pages of public participation: opening a
consultation, answering comments (dispositions), grouping duplicates, moderation, the
disposition table (page, XLSX, DOCX) and deciding proposals from the public.

Every write calls `consultations.services`. Refusals: not signed in → the sign-in page (GET)
or 403 (POST); `PermissionDenied` → 403 with nothing changed; `ValidationError` → 400 with
the messages on the re-rendered page; `ConsultationClosed` or `InvalidTransition` (the project
has left comment resolution) → 409. Never a 500.
"""

import re
from urllib.parse import quote, urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from biaozhun.accounts.models import Organization
from biaozhun.consultations import permissions, selectors, services, tables
from biaozhun.consultations.models import (
    Comment,
    Consultation,
    ConsultationEvent,
    PublicProposal,
)
from biaozhun.projects.models import ReviewCampaign
from biaozhun.projects.stages import InvalidTransition

TEMPLATES = "consultations/staff/"
PAGE_SIZE = 50  # comments per page of the working view (each carries its forms)
TABLE_PAGE_SIZE = 100  # rows per page of the table page
TRAIL_LIMIT = 100  # newest events of the audit trail shown on the working view


# The consultation (or its project) is past the point where this may change: 409.
CONFLICTS = (services.ConsultationClosed, InvalidTransition)


def conflict_message(error: Exception) -> str:
    if isinstance(error, InvalidTransition) and error.reasons:
        return "；".join(str(r) for r in error.reasons)
    return str(error)


# --- forms ---------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _lines(value: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in re.split(r"[\n,，、;；]+", value or "")
                              if line.strip()))


class OpenConsultationForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"), widget=forms.RadioSelect,
        choices=[(k.value, k.label) for k in Consultation.Kind if k != Consultation.Kind.DRAFT],
        help_text=gettext_lazy("标准征求意见稿的征求意见由项目进入征求意见阶段时自动开始。"))
    administration = forms.ModelChoiceField(
        label=gettext_lazy("标准化行政主管部门"), queryset=Organization.objects.none(),
        empty_label=None)
    title = forms.CharField(label=gettext_lazy("标题"), max_length=300)
    description = forms.CharField(label=gettext_lazy("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    opens_on = forms.DateField(label=gettext_lazy("开始日期"), widget=DateInput())
    closes_on = forms.DateField(label=gettext_lazy("截止日期"), widget=DateInput())
    plan_year = forms.IntegerField(label=gettext_lazy("计划年度"), required=False,
                                   min_value=2000, max_value=2100,
                                   help_text=gettext_lazy("立项计划公示必填。"))
    campaign = forms.ModelChoiceField(label=gettext_lazy("复审工作"), required=False,
                                      queryset=ReviewCampaign.objects.none(),
                                      help_text=gettext_lazy("复审结论公示必填。"))
    invited_organizations = forms.CharField(
        label=gettext_lazy("受邀单位"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("定向征求意见：单位全称，每行一个。"))
    invited_users = forms.CharField(
        label=gettext_lazy("受邀专家"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("定向征求意见：用户名，每行一个。"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Any administration is accepted here so that a wrong one is refused by the service
        # (403), not hidden behind "invalid choice"; the select lists only the user's own.
        administrations = Organization.objects.filter(
            kind=Organization.Kind.ADMINISTRATION).order_by("name")
        self.fields["administration"].queryset = administrations
        self.fields["campaign"].queryset = ReviewCampaign.objects.select_related(
            "administration").order_by("-as_of", "-id")
        if user is not None and not user.is_superuser:
            from biaozhun.accounts.selectors import organization_ids

            self.shown_administrations = administrations.filter(pk__in=organization_ids(user))
        else:
            self.shown_administrations = administrations

    def limit_choices(self) -> None:
        self.fields["administration"].queryset = self.shown_administrations
        self.fields["campaign"].queryset = self.fields["campaign"].queryset.filter(
            administration__in=self.shown_administrations)

    def clean_invited_organizations(self) -> list[Organization]:
        names = _lines(self.cleaned_data["invited_organizations"])
        found = {o.name: o for o in Organization.objects.filter(name__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            raise ValidationError(_("没有这些单位：%(names)s") % {"names": "、".join(missing)})
        return [found[n] for n in names]

    def clean_invited_users(self) -> list:
        names = _lines(self.cleaned_data["invited_users"])
        found = {u.username: u for u in get_user_model().objects.filter(
            username__in=names, is_active=True)}
        missing = [n for n in names if n not in found]
        if missing:
            raise ValidationError(_("没有这些用户：%(names)s") % {"names": "、".join(missing)})
        return [found[n] for n in names]


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("处理意见"), widget=forms.RadioSelect,
                                 choices=Comment.Decision.choices)
    reason = forms.CharField(label=gettext_lazy("处理理由"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=gettext_lazy("不采纳或部分采纳时必填。"))


class GroupForm(forms.Form):
    leader = forms.IntegerField(label=gettext_lazy("主意见序号"), min_value=1,
                                help_text=gettext_lazy("同类意见按此条的处理意见处理。"))
    duplicates = forms.CharField(
        label=gettext_lazy("同类意见序号"), max_length=2000,
        help_text=gettext_lazy("多个序号用逗号或空格分隔，如 12, 15, 18。"))

    def clean_duplicates(self) -> list[int]:
        parts = [p for p in re.split(r"[\s,，、;；]+", self.cleaned_data["duplicates"]) if p]
        if not parts or not all(p.isdigit() for p in parts):
            raise ValidationError(_("请填写意见序号（数字），用逗号或空格分隔。"))
        return list(dict.fromkeys(int(p) for p in parts))


class ModerationForm(forms.Form):
    action = forms.ChoiceField(choices=[("hide", "hide"), ("restore", "restore")],
                               widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("不予采纳的理由"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("建议人将看到这一理由。"))


# --- helpers -------------------------------------------------------------------------------


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _refused(request, message: str = "", *, status: int = 403):
    return render(request, TEMPLATES + "refused.html", {
        "message": message or _("您没有权限进行此操作。"), "status": status}, status=status)


def _consultation(pk: int) -> Consultation:
    return get_object_or_404(
        Consultation.objects.select_related("project", "administration"), pk=pk)


def _viewable(request, consultation: Consultation) -> None:
    """A targeted consultation does not exist for those not invited to it."""
    if not permissions.can_view_consultation(request.user, consultation):
        raise Http404


def _state_label(consultation: Consultation) -> str:
    return str(Consultation.State(consultation.state).label)


def _comment(consultation: Consultation, comment_pk: int) -> Comment:
    return get_object_or_404(Comment.objects.select_related("consultation", "duplicate_of"),
                             pk=comment_pk, consultation=consultation)


# --- opening a consultation ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def open_consultation(request):
    """The form (GET) and a new plan / review / targeted consultation (POST)."""
    if not request.user.is_authenticated and request.method != "POST":
        return redirect_to_login(request.get_full_path())
    if not permissions.can_open_consultation(request.user):
        return _refused(request, _("只有标准化行政主管部门的工作人员可以发起征求意见。"))
    status = 200
    if request.method == "POST":
        form = OpenConsultationForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                consultation = services.open_consultation(
                    by=request.user, kind=data["kind"], administration=data["administration"],
                    title=data["title"], description=data["description"],
                    opens_on=data["opens_on"], closes_on=data["closes_on"],
                    plan_year=data["plan_year"], campaign=data["campaign"],
                    invited_organizations=data["invited_organizations"],
                    invited_users=data["invited_users"])
            except PermissionDenied:
                return _refused(request, _("只能为您所在的主管部门发起征求意见。"))
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                return redirect("consultations:dispositions", pk=consultation.pk)
        status = 400
    else:
        form = OpenConsultationForm(user=request.user, initial={"kind": "plan"})
        if form.shown_administrations.count() == 1:
            form.initial["administration"] = form.shown_administrations.first()
    form.limit_choices()
    return render(request, TEMPLATES + "open.html", {
        "form": form, "has_administration": form.shown_administrations.exists()},
        status=status)


# --- dispositions (the working view) -------------------------------------------------------


def _counts(consultation: Consultation) -> dict[str, int]:
    verified = Q(verified_at__isnull=False)
    visible = verified & Q(hidden_at__isnull=True)
    counts = consultation.comments.aggregate(
        visible=Count("pk", filter=visible),
        hidden=Count("pk", filter=verified & Q(hidden_at__isnull=False)),
        unverified=Count("pk", filter=Q(verified_at__isnull=True)),
    )
    counts["unanswered"] = selectors.unanswered(
        selectors.visible_comments(consultation)).count()
    counts["answered"] = counts["visible"] - counts["unanswered"]
    return counts


def _filters(data) -> dict[str, str]:
    """The list filters carried through forms: `unanswered` and `page`."""
    out = {}
    if data.get("unanswered") == "1":
        out["unanswered"] = "1"
    page = str(data.get("page", ""))
    if page.isdigit():
        out["page"] = page
    return out


def _dispositions_url(consultation: Consultation, filters: dict, anchor: str = "") -> str:
    url = reverse("consultations:dispositions", args=[consultation.pk])
    query = urlencode(filters)
    return f"{url}{'?' + query if query else ''}{'#' + anchor if anchor else ''}"


def _decision_label(value: str) -> str:
    return str(Comment.Decision(value).label) if value in Comment.Decision.values else value


def _event_summary(event: ConsultationEvent) -> str:
    """What an event changed, in a few words (the note, e.g. a reason, is shown beside it)."""
    payload, kind = event.payload or {}, event.kind
    if kind == ConsultationEvent.Kind.OPENED:
        text = _("征求意见 %(opens)s 至 %(closes)s") % {
            "opens": payload.get("opens_on", ""), "closes": payload.get("closes_on", "")}
        invited = len(payload.get("invited_organizations", ())) + len(
            payload.get("invited_users", ()))
        if invited:
            text += _("；定向邀请 %(n)d 个单位或专家") % {"n": invited}
        return text
    if kind == ConsultationEvent.Kind.CLOSED:
        return _("收到意见 %(n)s 条") % {"n": payload.get("comments", 0)}
    if kind == ConsultationEvent.Kind.COMMENT_ANSWERED:
        text = _("第 %(n)s 条：%(decision)s") % {
            "n": payload.get("number", ""),
            "decision": _decision_label(payload.get("decision", ""))}
        if payload.get("previous"):
            text += _("（原为%(previous)s）") % {
                "previous": _decision_label(payload["previous"])}
        return text
    if kind == ConsultationEvent.Kind.DUPLICATES_GROUPED:
        cleared = payload.get("cleared") or {}
        if cleared:
            return _("原处理意见已清除：%(items)s") % {"items": "、".join(
                _("第 %(n)s 条（%(decision)s）") % {"n": n, "decision": _decision_label(d)}
                for n, d in cleared.items())}
        return ""
    if kind in (ConsultationEvent.Kind.COMMENT_HIDDEN, ConsultationEvent.Kind.COMMENT_RESTORED):
        return _("第 %(n)s 条") % {"n": payload.get("number", "")}
    return ""


def _trail(consultation: Consultation) -> dict:
    """The newest events of a consultation without a project (one query); a project's
    consultation is on the project's own record."""
    if consultation.project_id is not None:
        return {"trail": None}
    events = list(consultation.events.order_by("-seq")[:TRAIL_LIMIT])
    total = consultation.event_count
    return {"trail": [{"event": e, "summary": _event_summary(e)} for e in events],
            "trail_total": total, "trail_capped": total > len(events)}


def _dispositions_page(request, consultation: Consultation, *, filters: dict,
                       bound: tuple[int, forms.Form] | None = None,
                       group_form: GroupForm | None = None, message: str = "",
                       status: int = 200):
    can_answer = permissions.can_answer(request.user, consultation)
    can_moderate = permissions.can_moderate(request.user, consultation)
    comments = consultation.comments.filter(verified_at__isnull=False).select_related(
        "duplicate_of").order_by("number")
    if filters.get("unanswered"):
        comments = selectors.unanswered(comments.filter(hidden_at__isnull=True))
    page = Paginator(comments, PAGE_SIZE).get_page(filters.get("page"))
    rows, bound_shown = [], False
    for comment in page:
        form = moderation = None
        if bound is not None and bound[0] == comment.pk:
            bound_shown = True
            if isinstance(bound[1], AnswerForm):
                form = bound[1]
            else:
                moderation = bound[1]
        if can_answer and form is None and not comment.is_hidden \
                and comment.duplicate_of_id is None:
            form = AnswerForm(prefix=f"a{comment.pk}", initial={
                "decision": comment.decision, "reason": comment.decision_reason})
        if can_moderate and moderation is None:
            moderation = ModerationForm(prefix=f"m{comment.pk}", initial={
                "action": "restore" if comment.is_hidden else "hide"})
        rows.append({"comment": comment, "form": form, "moderation": moderation})
    top_errors, error_link = [], None
    if bound is not None:
        # Named above the list too: the page reloads at its top after a refused answer.
        top_errors = [m for messages in bound[1].errors.values() for m in messages]
        if bound_shown:
            error_link = Comment.objects.values_list("number", flat=True).get(pk=bound[0])
    if message:
        top_errors.append(message)
    page_query = {k: v for k, v in filters.items() if k != "page"}
    return render(request, TEMPLATES + "dispositions.html", {
        "consultation": consultation, "state_label": _state_label(consultation),
        "counts": _counts(consultation), "page": page,
        "rows": rows, "filters": filters, "page_query": urlencode(page_query),
        "can_answer": can_answer, "can_moderate": can_moderate,
        "group_form": group_form or (GroupForm() if can_answer else None),
        "top_errors": top_errors, "error_link": error_link,
        **_trail(consultation),
    }, status=status)


def _may_work(request, consultation: Consultation):
    """None when the user may see the working view, else the refusal to return."""
    if not permissions.can_see_disposition_work(request.user, consultation):
        _viewable(request, consultation)
        return _refused(request, _("只有起草单位和标准化行政主管部门可以处理意见。"))
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def dispositions(request, pk):
    """Every comment with its answer form (GET); grouping duplicates (POST)."""
    consultation = _consultation(pk)
    if not request.user.is_authenticated and request.method != "POST":
        _viewable(request, consultation)
        return redirect_to_login(request.get_full_path())
    refusal = _may_work(request, consultation)
    if refusal is not None:
        return refusal
    if request.method != "POST":
        return _dispositions_page(request, consultation, filters=_filters(request.GET))

    filters = _filters(request.POST)
    if not permissions.can_answer(request.user, consultation):
        return _refused(request, _("只有负责答复的单位可以合并同类意见。"))
    form = GroupForm(request.POST)
    if form.is_valid():
        numbers = [form.cleaned_data["leader"], *form.cleaned_data["duplicates"]]
        by_number = {c.number: c for c in consultation.comments.filter(number__in=numbers)}
        missing = [str(n) for n in numbers if n not in by_number]
        if missing:
            form.add_error(None, _("没有这些序号的意见：%(numbers)s") % {
                "numbers": "、".join(missing)})
        else:
            leader = by_number[form.cleaned_data["leader"]]
            try:
                services.group_duplicates(
                    leader, by=request.user,
                    duplicates=[by_number[n] for n in form.cleaned_data["duplicates"]])
            except PermissionDenied:
                return _refused(request)
            except CONFLICTS as error:
                return _dispositions_page(request, consultation, filters=filters,
                                          group_form=form, message=conflict_message(error),
                                          status=409)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                return redirect(_dispositions_url(consultation, filters, f"c-{leader.number}"))
    return _dispositions_page(request, consultation, filters=filters, group_form=form,
                              status=400)


@require_POST
def answer(request, pk, comment_pk):
    """Answer one comment: accepted / partly accepted / not accepted, with a reason."""
    consultation = _consultation(pk)
    _viewable(request, consultation)
    comment = _comment(consultation, comment_pk)
    if not permissions.can_answer(request.user, consultation):
        return _refused(request, _("只有负责答复的单位可以处理意见。"))
    filters = _filters(request.POST)
    form = AnswerForm(request.POST, prefix=f"a{comment.pk}")
    status = 400
    if form.is_valid():
        try:
            services.answer_comment(comment, by=request.user,
                                    decision=form.cleaned_data["decision"],
                                    reason=form.cleaned_data["reason"])
        except PermissionDenied:
            return _refused(request, _("只有负责答复的单位可以处理意见。"))
        except CONFLICTS as error:
            form.add_error(None, conflict_message(error))
            status = 409
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return redirect(_dispositions_url(consultation, filters, f"c-{comment.number}"))
    return _dispositions_page(request, consultation, filters=filters,
                              bound=(comment.pk, form), status=status)


@require_POST
def moderate(request, pk, comment_pk):
    """Hide a comment, or show it again, with the reason on record (never deleted)."""
    consultation = _consultation(pk)
    _viewable(request, consultation)
    comment = _comment(consultation, comment_pk)
    if not permissions.can_moderate(request.user, consultation):
        return _refused(request, _("您不能屏蔽或恢复这条意见。"))
    filters = _filters(request.POST)
    form = ModerationForm(request.POST, prefix=f"m{comment.pk}")
    status = 400
    if form.is_valid():
        act = (services.hide_comment if form.cleaned_data["action"] == "hide"
               else services.restore_comment)
        try:
            act(comment, by=request.user, reason=form.cleaned_data["reason"])
        except PermissionDenied:
            return _refused(request, _("您不能屏蔽或恢复这条意见。"))
        except CONFLICTS as error:
            form.add_error(None, conflict_message(error))
            status = 409
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return redirect(_dispositions_url(consultation, filters, f"c-{comment.number}"))
    return _dispositions_page(request, consultation, filters=filters,
                              bound=(comment.pk, form), status=status)


# --- the disposition table -------------------------------------------------------------------


def _table_audience(request, consultation: Consultation) -> bool | None:
    """False: the drafting group's copy (names and organisations); True: the public copy
    (names only where allowed; only after the period closed); None: not yet published."""
    if permissions.can_see_disposition_work(request.user, consultation):
        return False
    _viewable(request, consultation)
    if consultation.is_public and consultation.is_closed:
        return True
    return None


@require_safe
def disposition_table(request, pk):
    """意见汇总处理表 as a page, with its summary and the downloads."""
    consultation = _consultation(pk)
    public = _table_audience(request, consultation)
    if public is None:
        return _refused(request, _("意见及其处理情况将在征求意见结束后公开。"))
    # Only the rows of this page become table rows (names, cleaning); see tables.table_rows.
    page = Paginator(selectors.disposition_rows(consultation), TABLE_PAGE_SIZE).get_page(
        request.GET.get("page"))
    page.object_list = [tables.to_table_row(row, public=public) for row in page.object_list]
    title, details = tables.heading(consultation)
    return render(request, TEMPLATES + "table.html", {
        "consultation": consultation, "page": page, "title": title, "details": details,
        "summary": tables.table_summary(consultation), "headers": tables.headers(),
        "public": public,
        "can_work": permissions.can_see_disposition_work(request.user, consultation),
    })


def content_disposition(name: str, fallback: str) -> str:
    """attachment; filename="<ASCII fallback>"; filename*=UTF-8''<name> (RFC 6266 / 5987):
    browsers that read `filename*` save under the Chinese name."""
    return (f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")


@require_safe
def disposition_table_file(request, pk, fmt):
    """The table as XLSX or DOCX (`fmt`), for the same audiences as the page."""
    if fmt not in tables.FORMATS:
        raise Http404
    consultation = _consultation(pk)
    public = _table_audience(request, consultation)
    if public is None:
        return _refused(request, _("意见及其处理情况将在征求意见结束后公开。"))
    content_type, render_file = tables.FORMATS[fmt]
    response = HttpResponse(render_file(consultation, public=public),
                            content_type=content_type)
    response["Content-Disposition"] = content_disposition(
        tables.filename(consultation, fmt), f"disposition-table-{consultation.pk}.{fmt}")
    # The drafting group's copy names commenters: never kept by shared caches.
    response["Cache-Control"] = "private, no-store" if not public else "private, max-age=0"
    return response


# --- proposals from the public ---------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def decide_proposal(request, pk):
    """Accept a proposal into a project (→ the project page) or decline it with a reason."""
    proposal = get_object_or_404(PublicProposal.objects.select_related("administration"),
                                 pk=pk)
    if not request.user.is_authenticated and request.method != "POST":
        return redirect_to_login(request.get_full_path())
    if not permissions.can_decide_proposal(request.user, proposal):
        return _refused(request, _("只有受理该建议的标准化行政主管部门可以作出决定。"))
    decline_form, message, status = DeclineForm(), "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                project = services.accept_proposal(proposal, by=request.user)
                return redirect(project.get_absolute_url())
            if action == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    services.decline_proposal(proposal, by=request.user,
                                              reason=decline_form.cleaned_data["reason"])
                    return redirect("consultations:decide_proposal", pk=proposal.pk)
            else:
                message = _("请选择“转为立项申请”或“不予采纳”。")
            status = 400
        except PermissionDenied:
            return _refused(request, _("只有受理该建议的标准化行政主管部门可以作出决定。"))
        except CONFLICTS as error:
            message, status = conflict_message(error), 409
        except ValidationError as error:
            if decline_form.is_bound:
                _add_service_errors(decline_form, error)
            else:  # accepting: no form to show the error on
                message = "；".join(error.messages)
            status = 400
        proposal.refresh_from_db()
    return render(request, TEMPLATES + "decide_proposal.html", {
        "proposal": proposal, "decline_form": decline_form, "message": message,
        "decided": proposal.state != PublicProposal.State.RECEIVED}, status=status)
