"""Pages of the local standard lifecycle: list, proposal, project page, actions, documents,
extension decisions, "my work" and the help page.

Every write calls a service. Refusals map to distinct answers and never to a 500:
PermissionDenied → 403, InvalidTransition → 409 (the project page with the reasons),
ValidationError → 422 (the page again with the errors beside the fields).
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from biaozhun.core import workdays
from biaozhun.projects import guards, selectors, services
from biaozhun.projects import permissions as perms
from biaozhun.projects.forms import (
    ACTION_FORMS,
    ExtensionDecisionForm,
    ProjectFilterForm,
    ProposalForm,
    UploadForm,
)
from biaozhun.projects.models import (
    DocumentKind,
    ExtensionRequest,
    Project,
    ProjectDocument,
    ProjectEvent,
)
from biaozhun.projects.numbering import NumberingError
from biaozhun.projects.stages import (
    ALLOWED,
    MAIN_LINE,
    STAGE_CODES,
    TERMINAL,
    InvalidTransition,
    Stage,
)

# Published for comment (征求意见稿, 编制说明): readable by anyone once the comment period opened.
PUBLIC_KINDS = frozenset({DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION})
EVENT_LIMIT = 300
MY_WORK_LIMIT = 50
# The most urgent deadlines shown on "my work"; the rest are one click away.
DEADLINES_SHOWN = 25
# At most this many projects with something to do: the most recently updated first.
TODO_SHOWN = 25
# Organisations in the administrator's table: those with the most overdue items first.
ORGANIZATIONS_SHOWN = 20


def refused(request, message: str = "", status: int = 403):
    return render(request, "projects/refused.html", {
        "message": message or _("您没有执行此操作的权限。"), "status": status}, status=status)


def add_errors(form, exc: ValidationError, *, rename: dict | None = None,
               default: str | None = None) -> None:
    """Put a service's ValidationError on the form: each field's message beside the field."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = rename.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(default if default in form.fields else None, exc.messages)


def form_errors(form) -> list[str]:
    """Every error of a bound form as "label：message", for the summary atop the page."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = "；".join(errors)
        out.append(f"{label}：{text}" if label else text)
    return out


def _project_or_404(pk: int) -> Project:
    return get_object_or_404(selectors.detail_queryset(), pk=pk)


# --- list -------------------------------------------------------------------------------------


def _chips(form: ProjectFilterForm, data: dict) -> list[dict]:
    """One removable chip per active filter: label, shown value, the URL without it."""
    active = {}
    for name in ("q", "stage", "administration", "year", "mine", "overdue"):
        value = data.get(name)
        if name in form.fields and value not in (None, "", False):
            active[name] = value
    raw = {name: ("1" if value is True else getattr(value, "pk", value))
           for name, value in active.items()}
    chips = []
    for name, value in active.items():
        if name == "stage":
            shown = f"{Stage(value).label}（{STAGE_CODES[value]}）"
        elif value is True:
            shown = _("是")
        else:
            shown = str(value)
        rest = {k: v for k, v in raw.items() if k != name}
        chips.append({"label": form.fields[name].label, "value": shown,
                      "remove": "?" + urlencode(rest) if rest else "?"})
    return chips


@require_safe
def project_list(request):
    signed_in = request.user.is_authenticated
    form = ProjectFilterForm(request.GET or None, signed_in=signed_in)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    administration = data.get("administration")
    filters = selectors.ProjectFilters(
        q=data.get("q") or "", stage=data.get("stage") or "",
        administration=administration.pk if administration else None,
        year=data.get("year"), mine=bool(data.get("mine")), overdue=bool(data.get("overdue")))
    queryset = selectors.filter_projects(filters, user=request.user)
    if filters.mine:
        # involving() joins several to-many relations: one project may match more than once.
        queryset = queryset.distinct()
    page = Paginator(queryset, settings.PROJECT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/list.html", {
        "form": form, "page": page, "projects": page.object_list,
        "chips": _chips(form, data)})


# --- proposal ---------------------------------------------------------------------------------


@login_required
def propose(request):
    form = ProposalForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            data = services.ProposalData(
                title=d["title"], administration=d["administration"], scope=d["scope"],
                reasons=d["reasons"], kind=d["kind"], nature=d["nature"],
                revises=d["revises"] if d["kind"] == Project.Kind.REVISION else None,
                proposing_unit=d["proposing_unit"],
                competent_department=d["competent_department"],
                drafting_orgs=tuple(d["drafting_orgs"]), partners=tuple(d["partners"]),
                numbering=d["numbering"], committee=d["committee"])
            try:
                project = services.propose(data, by=request.user,
                                           proposal_form=d["proposal_form"])
            except PermissionDenied:
                return refused(request)
            except ValidationError as exc:
                add_errors(form, exc, rename={"revises": "revises_code"},
                           default="proposal_form")
            else:
                messages.success(request, _("立项申请已提交，项目编号 %(ref)s。") % {
                    "ref": project.reference})
                return redirect(project)
        status = 422
    return render(request, "projects/propose.html", {"form": form}, status=status)


# --- the project page -------------------------------------------------------------------------


def _document_access(user, project: Project) -> tuple[bool, bool]:
    """(may read every document, may read the documents published for comment)."""
    opened = project.comment_opens_on
    published = opened is not None and opened <= timezone.localdate()
    if perms.is_administrator(user):
        return True, True
    if user.is_authenticated and Project.objects.filter(pk=project.pk).filter(
            selectors.involving(user)).exists():
        return True, True
    return False, published


def _may_read(access: tuple[bool, bool], document: ProjectDocument) -> bool:
    everything, published = access
    return everything or (published and document.kind in PUBLIC_KINDS)


def _progress(project: Project, events: list[ProjectEvent]) -> dict:
    """Where the project stands on the main line (side stages shown beside it)."""
    stage = project.stage
    anchor = stage
    if stage == Stage.EXTENDED:
        anchor = Stage.DRAFTING
    elif stage not in MAIN_LINE:
        # Rejected or terminated: stopped where it left the main line.
        left = next((e.from_stage for e in events if e.to_stage == stage and e.from_stage),
                    Stage.PROPOSED)
        anchor = left if left in MAIN_LINE else Stage.DRAFTING
    index = MAIN_LINE.index(anchor)
    steps = []
    for i, s in enumerate(MAIN_LINE):
        state = "done" if i < index else ("current" if i == index else "todo")
        if i == index and stage in TERMINAL and stage not in MAIN_LINE:
            state = "stopped"
        if stage == Stage.FILED and i == index:
            state = "done"
        steps.append({"stage": s, "label": Stage(s).label, "code": STAGE_CODES[s],
                      "state": state})
    return {"steps": steps, "side": stage if stage not in MAIN_LINE else ""}


def _action_form(name: str, project: Project, user, data=None):
    form_class = ACTION_FORMS[name]
    kwargs = {"project": project, "user": user}
    if name == "open_public_comment":
        from biaozhun.projects.templatetags.projects_extras import period_text

        kwargs["minimum"] = period_text(workdays.period("public_comment_min"))
    return form_class(data, **kwargs)


def _detail_context(request, project: Project, *, bound: dict | None = None,
                    problem: dict | None = None) -> dict:
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    events = list(ProjectEvent.objects.filter(project_id=project.pk).order_by("-seq").only(
        "pk", "project_id", "seq", "kind", "actor_label", "at", "from_stage", "to_stage",
        "note", "payload")[:EVENT_LIMIT])
    actions = []
    for action in selectors.available_actions(user, project):
        form = bound["form"] if bound.get("action") == action.name else \
            _action_form(action.name, project, user)
        actions.append({"action": action, "form": form})

    access = _document_access(user, project)
    documents = list(ProjectDocument.objects.filter(project_id=project.pk)
                     .select_related("uploaded_by").order_by("kind", "-version"))
    by_kind: dict[str, list] = {}
    for document in documents:
        document.readable = _may_read(access, document)
        by_kind.setdefault(document.kind, []).append(document)
    document_groups = [{"kind": kind, "label": label, "versions": by_kind[kind]}
                       for kind, label in DocumentKind.choices if kind in by_kind]
    present = set(by_kind)
    requirements = []
    for to in sorted(ALLOWED[project.stage], key=list(Stage.values).index):
        wanted = guards.required_documents(to)
        if wanted:
            requirements.append({"stage": to, "label": Stage(to).label,
                                 "code": STAGE_CODES[to],
                                 "kinds": [{"kind": k, "label": DocumentKind(k).label,
                                            "present": k in present} for k in wanted]})

    deadlines = sorted(project.deadlines.select_related("responsible"),
                       key=lambda d: (d.met_at is not None, d.due_on if d.met_at is None
                                      else -d.due_on.toordinal(), d.pk))
    for deadline in deadlines:
        deadline.is_overdue = deadline.met_at is None and (
            deadline.overdue_since is not None or deadline.due_on < today)

    can_decide = perms.can_decide_extension(user, project)
    pending = list(ExtensionRequest.objects.filter(
        project_id=project.pk, state=ExtensionRequest.State.PENDING).select_related(
        "requested_by"))
    extension_forms = bound.get("extensions", {})
    for item in pending:
        item.form = extension_forms.get(item.pk) or ExtensionDecisionForm(request_pk=item.pk) \
            if can_decide else None

    numbers, numbers_problem = [], ""
    if project.stage in (Stage.SUBMITTED, Stage.APPROVED):
        try:
            numbers = services.preview_numbers(project)
        except NumberingError as exc:
            numbers_problem = str(exc)

    kinds = perms.uploadable_kinds(user, project)
    upload_form = bound.get("upload") or (UploadForm(kinds=kinds) if kinds else None)
    names = {j.administration_id: j.administration.name for j in project.jurisdiction_list}
    names.update({o.pk: o.name for o in project.drafting_orgs.all()})
    if project.committee_id:
        names[project.committee_id] = project.committee.name
    return {
        "project": project, "today": today, "progress": _progress(project, events),
        "similar": _similar(project.novelty),
        "actions": actions, "problem": problem, "document_groups": document_groups,
        "requirements": requirements, "deadlines": deadlines, "pending": pending,
        "can_decide": can_decide, "numbers": numbers, "numbers_problem": numbers_problem,
        "vote": guards.vote_outcome(project) if project.stage == Stage.TECHNICAL_REVIEW
        else None,
        "upload_form": upload_form, "events": events, "events_capped": len(events) ==
        EVENT_LIMIT, "names": names, "public_kinds": PUBLIC_KINDS,
    }


def _similar(novelty) -> list:
    """The stored novelty check as `search.similar.Similar` rows for `search/_similar.html`."""
    from biaozhun.search.similar import Similar

    rows = []
    for item in novelty or []:
        try:
            rows.append(Similar.from_dict(item))
        except (TypeError, KeyError):
            continue  # a row stored by an older version of the check
    return rows


def _render_detail(request, project: Project, *, status: int = 200, **kwargs):
    return render(request, "projects/detail.html",
                  _detail_context(request, project, **kwargs), status=status)


@require_safe
def project_detail(request, pk: int):
    return _render_detail(request, _project_or_404(pk))


def _conflict(request, project: Project, exc: Exception, label: str):
    reasons = getattr(exc, "reasons", None) or [str(exc)]
    problem = {"title": _("无法执行“%(action)s”") % {"action": label}, "reasons": reasons}
    return _render_detail(request, _project_or_404(project.pk), status=409, problem=problem)


# --- actions ----------------------------------------------------------------------------------


def _run(name: str, project: Project, user, d: dict):
    """Call the service of action `name` with the form's cleaned data."""
    calls = {
        "evaluate": lambda: services.evaluate(project, by=user, accept=d["accept"],
                                              opinion=d["opinion"]),
        "reject": lambda: services.reject(project, by=user, reason=d["reason"]),
        "plan": lambda: services.include_in_plan(project, by=user, plan_year=d["plan_year"],
                                                 drafting_due_on=d["drafting_due_on"]),
        "start_drafting": lambda: services.start_drafting(project, by=user),
        "request_extension": lambda: services.request_extension(
            project, by=user, requested_due_on=d["requested_due_on"], reason=d["reason"]),
        "open_public_comment": lambda: services.open_public_comment(
            project, by=user, closes_on=d["closes_on"], opens_on=d["opens_on"]),
        "close_public_comment": lambda: services.close_public_comment(project, by=user),
        "set_reviewers": lambda: services.set_reviewers(project, by=user,
                                                        reviewers=list(d["reviewers"])),
        "send_to_technical_review": lambda: services.send_to_technical_review(project, by=user),
        "vote": lambda: services.cast_vote(project, by=user, choice=d["choice"],
                                           opinion=d["opinion"]),
        "submit_for_approval": lambda: services.submit_for_approval(project, by=user),
        "return_for_rework": lambda: services.return_for_rework(project, by=user,
                                                                reason=d["reason"]),
        "approve": lambda: services.approve(project, by=user),
        "publish": lambda: services.publish(project, by=user, issued_on=d["issued_on"],
                                            effective_on=d["effective_on"]),
        "file": lambda: services.file_standard(project, by=user, filed_on=d["filed_on"],
                                               filing_number=d["filing_number"]),
        "terminate": lambda: services.terminate(project, by=user, reason=d["reason"]),
    }
    return calls[name]()


def _sign_in_first(view):
    """Anonymous posts go to the login page, which then leads back to the project page
    (not to the POST-only address, which would answer 405)."""

    @wraps(view)
    def wrapper(request, pk: int, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("projects:detail", args=[pk]))
        return view(request, pk, *args, **kwargs)

    return wrapper


@require_POST
@_sign_in_first
def project_action(request, pk: int, action: str):
    if action not in selectors.ACTIONS or action not in ACTION_FORMS:
        raise Http404
    label, stages, _to, allowed = selectors.ACTIONS[action]
    project = _project_or_404(pk)
    if not allowed(request.user, project):
        return refused(request, _("您无权对该项目执行“%(action)s”。") % {"action": label})
    if project.stage not in stages:
        exc = InvalidTransition(project.stage, _to or project.stage, [
            _("项目处于“%(stage)s”阶段，不能执行此操作") % {"stage": project.get_stage_display()}])
        return _conflict(request, project, exc, label)
    form = _action_form(action, project, request.user, request.POST)
    if form.is_valid():
        try:
            _run(action, project, request.user, form.cleaned_data)
        except PermissionDenied:
            return refused(request, _("您无权对该项目执行“%(action)s”。") % {"action": label})
        except (InvalidTransition, NumberingError) as exc:
            return _conflict(request, project, exc, label)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已完成：%(action)s。") % {"action": label})
            return redirect(project)
    problem = {"title": _("“%(action)s”未完成，请修改下列内容。") % {"action": label},
               "reasons": form_errors(form), "anchor": f"action-{action}"}
    return _render_detail(request, _project_or_404(pk), status=422, problem=problem,
                          bound={"action": action, "form": form})


# --- documents --------------------------------------------------------------------------------


@require_POST
@_sign_in_first
def upload_document(request, pk: int):
    project = _project_or_404(pk)
    kinds = perms.uploadable_kinds(request.user, project)
    if not kinds:
        return refused(request, _("您不能为该项目上传材料。"))
    form = UploadForm(request.POST, request.FILES, kinds=kinds)
    if form.is_valid():
        d = form.cleaned_data
        try:
            document = services.upload_document(project, by=request.user, kind=d["kind"],
                                                upload=d["upload"], note=d["note"])
        except PermissionDenied:
            return refused(request, _("您不能上传此类材料。"))
        except ValidationError as exc:
            add_errors(form, exc, default="upload")
        else:
            messages.success(request, _("已上传：%(doc)s。") % {"doc": document})
            return redirect(project)
    problem = {"title": _("材料未上传，请修改下列内容。"), "reasons": form_errors(form),
               "anchor": "upload"}
    return _render_detail(request, project, status=422, problem=problem,
                          bound={"upload": form})


@require_safe
def download_document(request, pk: int, document_pk: int):
    """Participants and administrators read every document; the comment draft and its
    explanation are public once the comment period opened. Anything else is a 404."""
    project = get_object_or_404(Project.objects.only("pk", "comment_opens_on"), pk=pk)
    document = get_object_or_404(ProjectDocument, pk=document_pk, project_id=project.pk)
    if not _may_read(_document_access(request.user, project), document):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name)


@require_POST
@_sign_in_first
def decide_extension(request, pk: int, request_pk: int):
    project = _project_or_404(pk)
    item = get_object_or_404(ExtensionRequest, pk=request_pk, project_id=project.pk)
    if not perms.can_decide_extension(request.user, project):
        return refused(request, _("只有牵头主管部门可以决定延期申请。"))
    form = ExtensionDecisionForm(request.POST, request_pk=item.pk)
    if form.is_valid():
        try:
            services.decide_extension(item, by=request.user, grant=form.cleaned_data["decision"],
                                      note=form.cleaned_data["note"])
        except PermissionDenied:
            return refused(request, _("只有牵头主管部门可以决定延期申请。"))
        except InvalidTransition as exc:
            return _conflict(request, project, exc, _("决定延期申请"))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已决定延期申请。"))
            return redirect(project)
    problem = {"title": _("延期申请未决定，请修改下列内容。"), "reasons": form_errors(form),
               "anchor": f"extension-{item.pk}"}
    return _render_detail(request, project, status=422, problem=problem,
                          bound={"extensions": {item.pk: form}})


# --- my work ----------------------------------------------------------------------------------


@login_required
@require_safe
def my_work(request):
    user = request.user
    candidates = selectors.my_work_candidates(user, limit=MY_WORK_LIMIT)
    todo = []
    for project in candidates:
        actions = selectors.available_actions(user, project)
        if actions:
            todo.append({"project": project, "actions": actions,
                         "url": reverse("projects:detail", args=[project.pk])})
        if len(todo) == TODO_SHOWN:
            break
    is_admin = perms.is_administrator(user)
    deadlines = selectors.due_this_week_for_user(user, limit=DEADLINES_SHOWN)
    by_organization = selectors.due_this_week_by_organization() if is_admin else []
    return render(request, "projects/my_work.html", {
        "todo": todo, "limit": MY_WORK_LIMIT,
        "capped": len(candidates) == MY_WORK_LIMIT or len(todo) == TODO_SHOWN,
        "deadlines": deadlines,
        "deadline_total": (selectors.count_due_this_week_for_user(user)
                           if len(deadlines) == DEADLINES_SHOWN else len(deadlines)),
        "today": timezone.localdate(),
        "week_end": selectors.week_bounds(timezone.localdate())[1],
        "extensions": selectors.pending_extension_requests(user),
        "by_organization": by_organization[:ORGANIZATIONS_SHOWN] if is_admin else None,
        "organization_total": len(by_organization),
    })


# --- help -------------------------------------------------------------------------------------

WHAT_HAPPENS = {
    Stage.PROPOSED: gettext_lazy("任何单位或个人均可提出立项申请；系统自动查新，与现行标准比对；"
                          "行业主管部门初审。"),
    Stage.EVALUATED: gettext_lazy("专家评估必要性和可行性：不得与国家标准、行业标准重复，"
                           "不得低于强制性国家标准；拟立项目公示。"),
    Stage.PLANNED: gettext_lazy("列入年度地方标准制修订计划并下达，起草期限开始计算。"),
    Stage.DRAFTING: gettext_lazy("组建起草组，按 GB/T 1.1 起草征求意见稿和编制说明。"),
    Stage.EXTENDED: gettext_lazy("在计划期限届满前申请并获准延期后，继续起草。"),
    Stage.PUBLIC_COMMENT: gettext_lazy(
        "公开征求意见稿和编制说明，向社会公众、专家和有关部门征求意见。"),
    Stage.COMMENT_RESOLUTION: gettext_lazy("逐条处理意见并说明理由，形成意见汇总处理表和送审稿；"
                                    "草案有重大修改时再次征求意见。"),
    Stage.TECHNICAL_REVIEW: gettext_lazy("技术委员会或专家组召开审查会，形成会议纪要并表决；"
                                  "起草单位人员不参加表决。"),
    Stage.SUBMITTED: gettext_lazy(
        "报送报批稿、编制说明、意见汇总处理表、审查会议纪要和报批申请表。"),
    Stage.APPROVED: gettext_lazy("各参与地区的主管部门分别批准；最后一方批准时分配标准编号。"),
    Stage.PUBLISHED: gettext_lazy("发布公告，标准进入标准目录；在规定期限内免费公开标准文本。"),
    Stage.FILED: gettext_lazy("向国务院标准化行政主管部门备案。"),
    Stage.REJECTED: gettext_lazy("评估后不予立项，并说明理由。"),
    Stage.TERMINATED: gettext_lazy("因情况变化终止制修订，并说明理由。"),
}

WHO = {
    perms.can_evaluate: gettext_lazy("参与地区主管部门的标准化管理员"),
    perms.can_reject: gettext_lazy("参与地区主管部门的标准化管理员"),
    perms.can_approve: gettext_lazy("参与地区主管部门的标准化管理员（各方分别批准）"),
    perms.can_close_public_comment: gettext_lazy(
        "参与地区主管部门的标准化管理员（到期后系统自动结束）"),
    perms.can_plan: gettext_lazy("牵头主管部门的标准化管理员"),
    perms.can_terminate: gettext_lazy("牵头主管部门的标准化管理员"),
    perms.can_publish: gettext_lazy("牵头主管部门的标准化管理员"),
    perms.can_file: gettext_lazy("牵头主管部门的标准化管理员"),
    perms.can_start_drafting: gettext_lazy("主管部门管理员、行业主管部门或提出单位、起草单位"),
    perms.can_open_public_comment: gettext_lazy("主管部门管理员、行业主管部门或提出单位、起草单位"),
    perms.can_send_to_technical_review: gettext_lazy("起草单位、行业主管部门或提出单位"),
    perms.can_submit_for_approval: gettext_lazy("起草单位、行业主管部门或提出单位"),
    perms.can_request_extension: gettext_lazy("起草单位、行业主管部门或提出单位"),
    perms.can_set_reviewers: gettext_lazy("主管部门管理员、归口技术委员会"),
    perms.can_return_for_rework: gettext_lazy("主管部门管理员、归口技术委员会"),
    perms.can_vote: gettext_lazy("审查专家（起草单位人员除外）"),
}

PERIODS = {
    Stage.PROPOSED: [("evaluation", gettext_lazy("立项评估"))],
    Stage.PLANNED: [("drafting", gettext_lazy("完成起草（计划期限）"))],
    Stage.DRAFTING: [("drafting", gettext_lazy("完成起草（计划期限）"))],
    Stage.PUBLIC_COMMENT: [("public_comment_min", gettext_lazy("征求意见期（不少于）"))],
    Stage.SUBMITTED: [("approval", gettext_lazy("批准决定"))],
    Stage.PUBLISHED: [("filing", gettext_lazy("备案（自发布之日起）")),
                      ("public_text", gettext_lazy("免费公开文本（自发布之日起）"))],
}


@require_safe
def workflow_help(request):
    order = list(MAIN_LINE) + [s for s in Stage if s not in MAIN_LINE]
    rows = []
    for stage in order:
        acts = [{"name": name, "label": label, "who": WHO.get(allowed, allowed.__name__),
                 "to": to}
                for name, (label, stages, to, allowed) in selectors.ACTIONS.items()
                if stage in stages]
        rows.append({
            "stage": stage, "label": Stage(stage).label, "code": STAGE_CODES[stage],
            "what": WHAT_HAPPENS.get(stage, ""), "actions": acts,
            "documents": [DocumentKind(k).label for k in guards.required_documents(stage)],
            "periods": [{"label": label, "period": workdays.period(name)}
                        for name, label in PERIODS.get(stage, [])],
            "exits": sorted(ALLOWED[stage], key=order.index),
        })
    return render(request, "projects/help.html", {"rows": rows})
