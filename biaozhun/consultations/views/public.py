"""Public pages of public participation (/participation/): the transparency page, the
consultations and their documents, commenting (members, guests, XLSX import), receipts,
proposals from the public and subscriptions.

Every write calls `consultations.services`. Refusals: `ValidationError` → 400 with the
field errors on the re-rendered form, `ConsultationClosed` → 409, `RateLimited` → 429 with
Retry-After, `PermissionDenied` → 403, anything unknown or not visible → 404; never a 500.
Public pages show comments only through `selectors.public_comments` and names only through
`Comment.public_name`: never an e-mail, an address or a hidden comment.
"""

import logging
import mimetypes
from dataclasses import fields
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, DateField, F, IntegerField, Q, When
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from biaozhun.accounts.forms import client_ip
from biaozhun.accounts.permissions import is_signed_in as _signed_in
from biaozhun.consultations import permissions, selectors, services
from biaozhun.consultations.abuse import RateLimited
from biaozhun.consultations.forms import (
    CommentForm,
    ConsultationFilterForm,
    ImportForm,
    ProposalFilterForm,
    ProposalForm,
    SubscribeForm,
)
from biaozhun.consultations.models import Comment, Consultation, PublicProposal, Subscription
from biaozhun.projects.stages import Stage
from biaozhun.search.similar import Similar

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
COMMENTS_PAGE_SIZE = 100  # published comments per page of a closed consultation
DOCUMENTS = {"draft": gettext_lazy("征求意见稿"), "explanation": gettext_lazy("编制说明")}
DOCX_CACHE_SECONDS = 24 * 3600
DOCX_MAX_BLOCKS = 5_000  # paragraphs and tables shown in the page; the file has the rest



def _consultation_or_404(request, pk) -> Consultation:
    consultation = (Consultation.objects.select_related(
        "administration", "project", "draft", "explanation").filter(pk=pk).first())
    if consultation is None or not permissions.can_view_consultation(request.user,
                                                                     consultation):
        raise Http404(_("没有这项征求意见"))
    return consultation


def _state(consultation: Consultation) -> str:
    """The state by the dates, except that a draft whose project has left public comment
    (e.g. terminated) takes no more comments even before the system closes it."""
    state = consultation.state
    if (state == Consultation.State.OPEN and consultation.kind == Consultation.Kind.DRAFT
            and consultation.project is not None
            and consultation.project.stage != Stage.PUBLIC_COMMENT):
        return Consultation.State.CLOSED
    return state


def _refused(request, status: int, message: str, *, title: str = "",
             consultation: Consultation | None = None, retry_after: int | None = None):
    titles = {400: _("无法处理"), 403: _("无权操作"), 404: _("页面不存在"),
              409: _("征求意见未在进行中"), 429: _("提交过于频繁")}
    response = render(request, "consultations/refused.html", {
        "title": title or titles.get(status, _("无法处理")), "message": message,
        "consultation": consultation, "status": status, "retry_after": retry_after,
        "retry_at": (timezone.localtime() + timedelta(seconds=retry_after)
                     if retry_after else None),
    }, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _rate_limited(request, error: RateLimited, consultation=None):
    return _refused(request, 429, str(error), consultation=consultation,
                    retry_after=error.retry_after_seconds)


def _add_service_errors(form, error: ValidationError, aliases: dict[str, str]) -> None:
    """Put a service's field errors on the form's fields (renamed by `aliases`); the rest
    become errors of the whole form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        name = aliases.get(field, field)
        if name in form.fields:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)


CHALLENGE_ALIASES = {"challenge": "challenge_answer", "token": "challenge_answer"}


# --- transparency and lists ------------------------------------------------------------------


@require_safe
def transparency(request):
    """What is proposed, planned, drafted and open for comment, with links to follow it."""
    data = selectors.transparency()
    return render(request, "consultations/transparency.html", {
        "data": data, "plan": sorted(data.plan.items(), reverse=True),
        "stage_counts": [row for row in data.stage_counts if row[2]],
        "subscribe_form": SubscribeForm(auto_id="tp_%s"),
    })


def _ordered(qs, today):
    """Open first (soonest deadline first), then scheduled (soonest start), then closed
    (most recently ended first)."""
    is_closed = Q(closed_at__isnull=False) | Q(closes_on__lt=today)
    return qs.annotate(
        state_rank=Case(When(is_closed, then=2), When(opens_on__gt=today, then=1), default=0,
                        output_field=IntegerField()),
        state_day=Case(When(is_closed, then=None), When(opens_on__gt=today, then=F("opens_on")),
                       default=F("closes_on"), output_field=DateField()),
    ).order_by("state_rank", "state_day", "-closes_on", "-pk")


def _state_filter(qs, state: str, today):
    is_closed = Q(closed_at__isnull=False) | Q(closes_on__lt=today)
    if state == Consultation.State.CLOSED:
        return qs.filter(is_closed)
    if state == Consultation.State.SCHEDULED:
        return qs.exclude(is_closed).filter(opens_on__gt=today)
    if state == Consultation.State.OPEN:
        return qs.exclude(is_closed).filter(opens_on__lte=today)
    return qs


def _visible_to(user):
    """Public consultations, and the targeted ones `user` may see (few: checked one by
    one with the permission predicate)."""
    visible = Q(is_public=True)
    if _signed_in(user):
        private = [c.pk for c in Consultation.objects.filter(is_public=False)
                   .select_related("project")
                   if permissions.can_view_consultation(user, c)]
        if private:
            visible |= Q(pk__in=private)
    return visible


@require_safe
def consultation_list(request):
    today = timezone.localdate()
    filters = ConsultationFilterForm(request.GET or None)
    values = filters.values()
    qs = Consultation.objects.filter(_visible_to(request.user)).select_related(
        "administration").only(
        "pk", "kind", "title", "opens_on", "closes_on", "closed_at", "is_public",
        "comment_count", "administration__name")
    if values["kind"]:
        qs = qs.filter(kind=values["kind"])
    qs = _ordered(_state_filter(qs, values["state"], today), today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in values.items() if v})
    return render(request, "consultations/list.html", {
        "page": page, "filters": filters, "values": values, "query": query,
    })


# --- one consultation ------------------------------------------------------------------------


def _docx_blocks(document) -> list[dict] | None:
    """The text of a DOCX in reading order (headings, paragraphs, tables), cached by the
    file's hash; None when the file cannot be read."""
    key = f"consultations:docx:{document.sha256}"
    blocks = cache.get(key)
    if blocks is not None:
        return blocks
    import docx
    from docx.table import Table

    try:
        with document.file.open("rb") as handle:
            parsed = docx.Document(handle)
        blocks = []
        for item in parsed.iter_inner_content():
            if len(blocks) >= DOCX_MAX_BLOCKS:
                blocks.append({"kind": "more"})
                break
            if isinstance(item, Table):
                # A merged cell repeats in every row and column it spans; `alive` keeps
                # the elements so that their ids stay unique while we compare them.
                rows, seen, alive = [], set(), []
                for row in item.rows:
                    cells = []
                    for cell in row.cells:
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        alive.append(cell._tc)
                        cells.append(cell.text)
                    rows.append(cells)
                blocks.append({"kind": "table", "rows": rows})
                continue
            text = item.text.strip()
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            level = 0
            if style.lower().startswith(("heading", "标题")) and style[-1:].isdigit():
                level = int(style[-1])
            elif style.lower() == "title":
                level = 1
            blocks.append({"kind": "heading" if level else "p", "level": min(level, 3) + 2,
                           "text": text})
    except Exception:  # an uploaded file of any shape: never a 500, offer the download
        logger.warning("DOCX %s could not be read for display", document.pk, exc_info=True)
        return None
    cache.set(key, blocks, DOCX_CACHE_SECONDS)
    return blocks


def _documents(consultation: Consultation) -> list[dict]:
    shown = []
    for which, label in DOCUMENTS.items():
        document = getattr(consultation, which)
        if document is None:
            continue
        url = reverse("consultations:document", args=[consultation.pk, which])
        item = {"which": which, "label": label, "document": document, "url": url,
                "download_url": url + "?download=1", "is_pdf": document.extension == "pdf"}
        if document.extension == "docx":
            item["blocks"] = _docx_blocks(document)
        shown.append(item)
    return shown


def _summary(consultation: Consultation) -> dict:
    """Counts of the published comments by (effective) decision and by commenter type."""
    summary = selectors.disposition_summary(consultation)
    by_decision = [(str(label), summary.by_decision[key])
                   for key, label in selectors.DECISION_LABELS.items()
                   if key != selectors.UNANSWERED or summary.by_decision[key]]
    return {"total": summary.total, "by_decision": by_decision,
            "by_type": [item for item in summary.commenter_type_items() if item[1]]}


def _comment_form(request, consultation: Consultation, form=None) -> dict:
    guest = not _signed_in(request.user)
    return {
        "form": form or CommentForm(guest=guest),
        "guest": guest,
        "can_comment": permissions.can_comment(request.user, consultation),
        "can_import": permissions.can_import_comments(request.user, consultation),
        "login_url": reverse("accounts:login") + "?" + urlencode(
            {"next": reverse("consultations:detail", args=[consultation.pk])}),
    }


@require_safe
def consultation_detail(request, pk):
    consultation = _consultation_or_404(request, pk)
    state = _state(consultation)
    context = {"consultation": consultation, "state": state,
               "documents": _documents(consultation)}
    if state == Consultation.State.OPEN:
        context.update(_comment_form(request, consultation))
        context["import_form"] = ImportForm()
    elif consultation.is_closed and consultation.is_public:
        page = Paginator(selectors.public_comments(consultation), COMMENTS_PAGE_SIZE).get_page(
            request.GET.get("page"))
        context.update(page=page, comments=page.object_list, summary=_summary(consultation),
                       query="")
    return render(request, "consultations/detail.html", context)


@require_safe
def consultation_document(request, pk, which: str):
    """The draft or the drafting explanation, inline (PDF) or `?download=1` as attachment."""
    if which not in DOCUMENTS:
        raise Http404
    consultation = _consultation_or_404(request, pk)
    document = getattr(consultation, which)
    if document is None:
        raise Http404(_("没有该文件"))
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("文件缺失")) from error
    subject = consultation.project.title if consultation.project_id else consultation.title
    filename = f"{subject}-{DOCUMENTS[which]}.{document.extension}".replace("/", "_")
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    inline = document.extension == "pdf" and request.GET.get("download") != "1"
    return FileResponse(handle, content_type=content_type, as_attachment=not inline,
                        filename=filename)


# --- commenting --------------------------------------------------------------------------------


def _comment_data(form: CommentForm) -> services.CommentData:
    data = form.cleaned_data
    return services.CommentData(
        text=data["text"], clause=data["clause"], paragraph=data["paragraph"],
        type=data["type"], proposed_change=data["proposed_change"], reason=data["reason"],
        name=data.get("name", ""), organization=data.get("organization", ""),
        email=data.get("email", ""), commenter_type=data["commenter_type"],
        show_name=data["show_name"])


@require_http_methods(["GET", "HEAD", "POST"])
def submit_comment(request, pk):
    """The comment form (GET) and a new comment (POST): a member's goes to its receipt, a
    guest is asked to confirm their e-mail address."""
    consultation = _consultation_or_404(request, pk)
    if not permissions.can_comment(request.user, consultation):
        return _refused(request, 403, _("这项征求意见只接受受邀单位和专家的意见。"),
                        consultation=consultation)
    guest = not _signed_in(request.user)
    if request.method != "POST":
        if _state(consultation) != Consultation.State.OPEN:
            error = services.ConsultationClosed(consultation, _state(consultation))
            return _refused(request, 409, str(error), consultation=consultation)
        return render(request, "consultations/comment.html", {
            "consultation": consultation, **_comment_form(request, consultation)})
    form = CommentForm(request.POST, request.FILES, guest=guest)
    if form.is_valid():
        try:
            comment = services.submit_comment(
                consultation, by=request.user if not guest else None,
                data=_comment_data(form), attachments=form.cleaned_data["attachments"],
                client_ip=client_ip(request),
                challenge=form.challenge_pair if guest else None)
        except services.ConsultationClosed as error:
            return _refused(request, 409, str(error), consultation=consultation)
        except RateLimited as error:
            return _rate_limited(request, error, consultation)
        except PermissionDenied:
            return _refused(request, 403, _("这项征求意见只接受受邀单位和专家的意见。"),
                            consultation=consultation)
        except ValidationError as error:
            _add_service_errors(form, error, CHALLENGE_ALIASES)
        else:
            if guest:
                return render(request, "consultations/comment_sent.html", {
                    "consultation": consultation, "comment": comment,
                    "verify_hours": settings.CONSULTATION_VERIFY_HOURS})
            return redirect(comment.get_receipt_url())
    if guest:
        form.new_challenge()
    return render(request, "consultations/comment.html", {
        "consultation": consultation, **_comment_form(request, consultation, form)},
        status=400)


@require_safe
def verify_comment(request, token: str):
    """The link from a guest's mail: the comment counts from now; then its receipt."""
    try:
        comment = services.verify_comment(token)
    except ValidationError as error:
        return _refused(request, 400, " ".join(error.messages), title=_("无法确认邮箱"))
    return redirect(comment.get_receipt_url() + "?verified=1")


def _answer_of(comment: Comment) -> Comment | None:
    """The comment whose answer stands for this one (itself, or the one it was grouped
    with), if answered."""
    if comment.duplicate_of_id:
        return comment.duplicate_of if comment.duplicate_of.decision else None
    return comment if comment.decision else None


@require_safe
def receipt(request, token: str):
    """The commenter's own view of their comment; the link is the key (never indexed)."""
    comment = selectors.comment_by_receipt(token)
    if comment is None:
        raise Http404(_("回执链接无效"))
    consultation = comment.consultation
    answer = _answer_of(comment) if consultation.is_closed else None
    if not comment.is_verified:
        status = "unverified"
    elif comment.is_hidden:
        status = "hidden"
    elif answer is not None:
        status = "answered"
    else:
        status = "pending"
    response = render(request, "consultations/receipt.html", {
        "comment": comment, "consultation": consultation, "answer": answer,
        "status": status, "attachments": list(comment.attachments.all()),
        "verified_now": request.GET.get("verified") == "1" and comment.is_verified,
    })
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def comment_template(request, pk):
    consultation = _consultation_or_404(request, pk)
    response = HttpResponse(
        services.comment_template(consultation),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = _("意见表模板")
    response["Content-Disposition"] = (
        f"attachment; filename=\"comments-{consultation.pk}.xlsx\"; "
        f"filename*=UTF-8''{quote(f'{name}-{consultation.pk}.xlsx')}")
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def import_comments(request, pk):
    """An organisation's filled-in XLSX template: all rows or none, each error listed."""
    consultation = _consultation_or_404(request, pk)
    if not _signed_in(request.user):
        if request.method == "POST":
            return _refused(request, 403, _("批量提交意见需要先登录。"),
                            consultation=consultation)
        return redirect_to_login(request.get_full_path())
    if not permissions.can_import_comments(request.user, consultation):
        return _refused(request, 403, _("这项征求意见只接受受邀单位和专家的意见。"),
                        consultation=consultation)
    context = {"consultation": consultation, "errors": None, "comments": None}
    if request.method != "POST":
        if _state(consultation) != Consultation.State.OPEN:
            error = services.ConsultationClosed(consultation, _state(consultation))
            return _refused(request, 409, str(error), consultation=consultation)
        return render(request, "consultations/import.html",
                      {**context, "form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            context["comments"] = services.import_comments(
                consultation, by=request.user, upload=form.cleaned_data["upload"],
                client_ip=client_ip(request))
            status = 200
        except services.ImportRejected as error:
            context["errors"] = error.errors
            context["rejected"] = str(error)
        except services.ConsultationClosed as error:
            return _refused(request, 409, str(error), consultation=consultation)
        except RateLimited as error:
            return _rate_limited(request, error, consultation)
        except PermissionDenied:
            return _refused(request, 403, _("这项征求意见只接受受邀单位和专家的意见。"),
                            consultation=consultation)
        except ValidationError as error:
            _add_service_errors(form, error, {})
    return render(request, "consultations/import.html",
                  {**context, "form": ImportForm() if status == 200 else form}, status=status)


# --- proposals from the public -----------------------------------------------------------------


@require_safe
def proposal_list(request):
    """Proposals received, their state and, when declined, the reason; administrators of the
    receiving administration also see the forms to decide."""
    filters = ProposalFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    qs = PublicProposal.objects.select_related("administration", "project").only(
        "pk", "title", "scope", "state", "created_at", "decided_at", "decision_reason",
        "administration_id", "administration__name", "project__reference", "project__id",
        "project__title").order_by("-created_at", "-pk")
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    proposals = list(page.object_list)
    for proposal in proposals:
        proposal.can_decide = (proposal.state == PublicProposal.State.RECEIVED
                               and permissions.can_decide_proposal(request.user, proposal))
    return render(request, "consultations/proposals.html", {
        "page": page, "proposals": proposals, "filters": filters, "state": state,
        "query": urlencode({"state": state}) if state else "",
    })


@require_http_methods(["GET", "HEAD", "POST"])
def submit_proposal(request):
    guest = not _signed_in(request.user)
    if request.method != "POST":
        return render(request, "consultations/propose.html",
                      {"form": ProposalForm(guest=guest), "guest": guest})
    form = ProposalForm(request.POST, guest=guest)
    if form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.submit_proposal(
                by=None if guest else request.user,
                data=services.ProposalData(
                    title=data["title"], scope=data["scope"], reasons=data["reasons"],
                    administration=data["administration"], name=data["name"],
                    organization=data["organization"], email=data["email"]),
                client_ip=client_ip(request),
                challenge=form.challenge_pair if guest else None)
        except RateLimited as error:
            return _rate_limited(request, error)
        except PermissionDenied:
            return _refused(request, 403, _("无权提交。"))
        except ValidationError as error:
            _add_service_errors(form, error, CHALLENGE_ALIASES)
        else:
            return redirect(proposal.get_receipt_url() + "?new=1")
    if guest:
        form.new_challenge()
    return render(request, "consultations/propose.html", {"form": form, "guest": guest},
                  status=400)


def _similar(novelty: list) -> list[Similar]:
    """The stored novelty check as `Similar` items for search/_similar.html."""
    names = {f.name for f in fields(Similar)}
    items = []
    for entry in novelty or []:
        if isinstance(entry, dict) and {"id", "code", "title_zh", "score"} <= set(entry):
            items.append(Similar(**{k: v for k, v in entry.items() if k in names}))
    return items


@require_safe
def proposal_receipt(request, token: str):
    proposal = selectors.proposal_by_receipt(token)
    if proposal is None:
        raise Http404(_("回执链接无效"))
    response = render(request, "consultations/proposal_receipt.html", {
        "proposal": proposal, "similar": _similar(proposal.novelty),
        "new": request.GET.get("new") == "1",
    })
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- subscriptions -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """Double opt-in: the same answer whether or not the address is already subscribed."""
    if request.method != "POST":
        initial = {}
        if request.GET.get("category") in Subscription.Category.values:
            initial["category"] = request.GET["category"]
        return render(request, "consultations/subscribe.html",
                      {"form": SubscribeForm(initial=initial)})
    form = SubscribeForm(request.POST)
    if form.is_valid():
        try:
            services.subscribe(email=form.cleaned_data["email"],
                               category=form.cleaned_data["category"])
        except ValidationError as error:
            _add_service_errors(form, error, {})
        else:
            return render(request, "consultations/subscribe_sent.html", {
                "email": form.cleaned_data["email"]})
    return render(request, "consultations/subscribe.html", {"form": form}, status=400)


@require_safe
def confirm_subscription(request, token: str):
    try:
        subscription = services.confirm_subscription(token)
    except ValidationError as error:
        return _refused(request, 400, " ".join(error.messages), title=_("无法确认订阅"))
    response = render(request, "consultations/subscription_confirmed.html",
                      {"subscription": subscription})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _csrf_refusal(request):
    """The CSRF check this view's exemption skipped (only one-click unsubscribing is
    exempt)."""
    return CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET asks to confirm; POST unsubscribes. A mail client's RFC 8058 one-click POST
    (body `List-Unsubscribe=One-Click`) carries no CSRF token and needs none: it only ever
    unsubscribes the address the secret link belongs to. Every other POST is checked."""
    subscription = Subscription.objects.filter(token=token or "").first()
    if subscription is None:
        raise Http404(_("退订链接无效"))
    if request.method != "POST":
        response = render(request, "consultations/unsubscribe.html",
                          {"subscription": subscription})
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    if not one_click:
        refusal = _csrf_refusal(request)
        if refusal is not None:
            return refusal
    try:
        subscription = services.unsubscribe(token)
    except ValidationError:
        raise Http404(_("退订链接无效")) from None
    if one_click:
        return HttpResponse(_("已退订。"), content_type="text/plain; charset=utf-8")
    return render(request, "consultations/unsubscribed.html", {"subscription": subscription})

