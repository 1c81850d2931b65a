"""The lifecycle dashboard (administrators and leadership) and the number sequences page
(administrators): reads from selectors, adjustments through `numbering.adjust`."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from biaozhun.projects import numbering, selectors
from biaozhun.projects import permissions as perms
from biaozhun.projects.forms import NumberAdjustForm
from biaozhun.projects.models import NumberAdjustment, NumberSequence
from biaozhun.projects.stages import STAGE_CODES, Stage
from biaozhun.projects.views.projects import add_errors, refused


def dashboard(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not perms.can_see_dashboard(request.user):
        return refused(request, _("统计看板仅向标准化管理员和领导开放。"))
    data = selectors.dashboard()
    by_stage = [{"stage": s, "label": label, "code": STAGE_CODES[s], "n": n}
                for s, label, n in data.by_stage]
    stage_days = [{"stage": s, "label": label, "code": STAGE_CODES[s], "days": days, "n": n}
                  for s, label, days, n in data.stage_days]
    return render(request, "projects/dashboard.html", {
        "data": data, "by_stage": by_stage, "stage_days": stage_days,
        "stage_chart": [(f"{r['label']} {r['code']}", r["n"]) for r in by_stage],
        "days_chart": [(f"{r['label']} {r['code']}", r["days"]) for r in stage_days]
        + [(_("立项至发布"), data.cycle_days)],
        "year_chart": [(str(year), n) for year, n in data.published_by_year],
        "open_stages": sum(r["n"] for r in by_stage if r["stage"] not in (
            Stage.PUBLISHED, Stage.FILED, Stage.REJECTED, Stage.TERMINATED)),
    })


def number_sequences(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not perms.can_adjust_numbers(request.user):
        return refused(request, _("编号管理仅向标准化管理员开放。"))
    form = NumberAdjustForm(request.POST or None,
                            initial={"issuer": request.GET.get("issuer", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                adjustment = numbering.adjust(d["issuer"], last_sequence=d["last_sequence"],
                                              by=request.user, reason=d["reason"])
            except PermissionDenied:
                return refused(request, _("编号管理仅向标准化管理员开放。"))
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                text = _("%(issuer)s 的已用最大顺序号由 %(old)d 调整为 %(new)d。")
                messages.success(request, text % {"issuer": d["issuer"],
                                                   "old": adjustment.from_value,
                                                   "new": adjustment.to_value})
                return redirect("projects:numbers")
        status = 422
    sequences = [{"row": row, "next": numbering.preview(row.issuer)}
                 for row in NumberSequence.objects.all()]
    adjustments = NumberAdjustment.objects.select_related("sequence", "by")[:100]
    return render(request, "projects/numbers.html", {
        "form": form, "sequences": sequences, "adjustments": adjustments}, status=status)
