"""Pages of validity checking: the form, the report and its downloads, kept reports, watch
lists and notifications. Every write calls a service; refusals are 403 / 404 / 409 / 422."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from biaozhun.validity import reports, services
from biaozhun.validity.forms import CheckForm, WatchListForm
from biaozhun.validity.models import ValidityCheck, WatchList
from biaozhun.validity.permissions import (
    can_delete_check,
    get_check_for,
    get_watch_list_for,
    notifications_for,
)


def _check_or_404(request, pk) -> ValidityCheck:
    try:
        return get_check_for(request.user, pk)
    except ValidityCheck.DoesNotExist:
        raise Http404 from None


def _watch_list_or_404(request, pk) -> WatchList:
    try:
        return get_watch_list_for(request.user, pk)
    except WatchList.DoesNotExist:
        raise Http404 from None


def check(request):
    """The form (GET) and a new check (POST): small inputs answer at once, large ones queue."""
    form = CheckForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.start_check(text=data["text"] or "", upload=data["file"],
                                              as_of=data["as_of"], by=request.user)
            except services.CheckRejected as exc:
                form.add_error(None if exc.field == "__all__" else exc.field, exc.message)
            else:
                return redirect(result)
        status = 422
    recent = (ValidityCheck.objects.filter(owner=request.user).only(
        "pk", "source_name", "as_of", "state", "reference_count", "problem_count",
        "created_at")[:5] if request.user.is_authenticated else [])
    return render(request, "validity/check.html", {"form": form, "recent": recent},
                  status=status)


@require_safe
def report(request, pk):
    result = _check_or_404(request, pk)
    if not result.is_finished:
        return render(request, "validity/progress.html", {"check": result})
    by_status = request.GET.get("sort") == "status"
    problems_only = request.GET.get("problems") == "1"
    references = reports.sorted_references(result.report, by_status=by_status,
                                           problems_only=problems_only)
    return render(request, "validity/report.html", {
        "check": result, "report": result.report, "references": references,
        "by_status": by_status, "problems_only": problems_only,
        "chart": reports.summary_svg(result.report) if result.report else "",
        "summary": reports.summary_rows(result.report) if result.report else [],
        "can_delete": can_delete_check(request.user, result),
        "watch_form": WatchListForm(initial={"name": result.source_name}),
    })


@require_safe
def progress(request, pk):
    """The progress block, polled by htmx; once the job is done the page reloads."""
    result = _check_or_404(request, pk)
    response = render(request, "validity/_progress.html", {"check": result})
    if result.is_finished:
        response["HX-Refresh"] = "true"
    return response


@require_safe
def download(request, pk, fmt: str):
    result = _check_or_404(request, pk)
    if fmt not in ("json", "xlsx", "pdf"):
        raise Http404
    if result.state != ValidityCheck.State.SUCCEEDED:
        return HttpResponse(_("报告尚未完成。"), status=409, content_type="text/plain")
    content_type = reports.FORMATS[fmt][0]
    response = HttpResponse(reports.render(result.report, fmt, result.source_name),
                            content_type=content_type)
    name = f"validity-{result.as_of.isoformat()}-{str(result.pk)[:8]}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def delete(request, pk):
    result = _check_or_404(request, pk)
    try:
        services.delete_check(result, by=request.user)
    except PermissionDenied:
        return HttpResponse(_("只有报告的所有者可以删除。"), status=403,
                            content_type="text/plain")
    return redirect("validity:my_reports")


@login_required
@require_POST
def watch(request, pk):
    result = _check_or_404(request, pk)
    form = WatchListForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    try:
        watch_list = services.save_watch_list(result, by=request.user, name=name)
    except services.NotReady as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    return redirect(watch_list)


@login_required
@require_safe
def my_reports(request):
    checks = ValidityCheck.objects.filter(owner=request.user).only(
        "pk", "source_name", "as_of", "state", "reference_count", "problem_count",
        "created_at")[:200]
    return render(request, "validity/my_reports.html", {"checks": checks})


@login_required
@require_safe
def watch_lists(request):
    from django.db.models import Count

    lists = WatchList.objects.filter(owner=request.user).annotate(size=Count("references"))
    return render(request, "validity/watch_lists.html", {"watch_lists": lists})


@login_required
@require_safe
def watch_list(request, pk):
    item = _watch_list_or_404(request, pk)
    return render(request, "validity/watch_list.html", {
        "watch_list": item, "references": list(item.references.all())})


@login_required
@require_POST
def watch_list_delete(request, pk):
    item = _watch_list_or_404(request, pk)
    services.delete_watch_list(item, by=request.user)
    return redirect("validity:watch_lists")


@login_required
@require_safe
def notifications(request):
    items = notifications_for(request.user)[:200]
    return render(request, "validity/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_read(request):
    services.mark_notifications_read(by=request.user)
    return redirect("validity:notifications")
