"""Pages of 复审: campaigns, the standards due for review, starting a campaign and recording
conclusions. Reads are public (published standards); writes call `projects.reviews`.
Refusals: PermissionDenied → 403, ValidationError → 422 with the message on the page."""

import contextlib

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from biaozhun.accounts.models import Organization
from biaozhun.catalog.models import ReviewConclusion
from biaozhun.projects import reviews
from biaozhun.projects.models import ReviewCampaign, StandardReview
from biaozhun.projects.permissions import can_run_reviews

TEMPLATES = "projects/reviews/"


# --- forms ---------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    administration = forms.ModelChoiceField(
        label=gettext_lazy("标准化行政主管部门"), queryset=Organization.objects.none(),
        empty_label=None)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=200,
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))
    as_of = forms.DateField(
        label=gettext_lazy("基准日期"), widget=DateInput(),
        help_text=gettext_lazy("复审窗口在此日期前已开始的标准都列入本次复审。"))
    closes_on = forms.DateField(label=gettext_lazy("完成期限"), required=False,
                                widget=DateInput())

    def __init__(self, *args, administrations=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Any administration is accepted here so that a wrong one is refused by the service
        # (403), not hidden behind "invalid choice"; the select lists only the user's own.
        self.fields["administration"].queryset = reviews.reviewing_administrations()
        self.shown_administrations = administrations

    def limit_choices(self) -> None:
        if self.shown_administrations is not None:
            self.fields["administration"].queryset = self.shown_administrations


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=gettext_lazy("复审结论"),
        choices=[("", gettext_lazy("请选择")), *ReviewConclusion.choices])
    decided_on = forms.DateField(label=gettext_lazy("结论日期"), widget=DateInput())
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "cols": 24}))


def _conclusion_form(review: StandardReview, data=None) -> ConclusionForm:
    return ConclusionForm(data, prefix=f"r{review.pk}",
                          initial={"decided_on": timezone.localdate()})


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


def _refused(request, message: str = ""):
    return render(request, TEMPLATES + "refused.html",
                  {"message": message or _("您没有权限进行此操作。")}, status=403)


# --- pages ---------------------------------------------------------------------------------


@require_safe
def campaign_list(request):
    """Every review campaign with its counts; the start button for administrators."""
    page = Paginator(reviews.campaigns_with_counts(), 50).get_page(request.GET.get("page"))
    return render(request, TEMPLATES + "campaign_list.html", {
        "page": page, "can_start": can_run_reviews(request.user),
        "periods": reviews.review_periods()})


def _administration_from(request) -> Organization | None:
    value = request.GET.get("administration")
    if value:
        try:
            return reviews.reviewing_administrations().get(pk=int(value))
        except (ValueError, Organization.DoesNotExist):
            raise Http404 from None
    if request.user.is_authenticated:
        return reviews.administrations_of(request.user).first()
    return None


@require_safe
def due_for_review(request):
    """The standards of one administration whose review window has opened (as of today, or
    `as_of`)."""
    administration = _administration_from(request)
    as_of_field = forms.DateField()
    as_of, status, error = timezone.localdate(), 200, ""
    if request.GET.get("as_of"):
        try:
            as_of = as_of_field.clean(request.GET["as_of"])
        except ValidationError:
            error, status = _("基准日期格式应为 YYYY-MM-DD。"), 400
    due = (reviews.standards_due_for_review(administration, as_of=as_of)
           if administration is not None and not error else [])
    return render(request, TEMPLATES + "due.html", {
        "administration": administration, "administrations": reviews.reviewing_administrations(),
        "as_of": as_of, "as_of_text": request.GET.get("as_of", as_of.isoformat()),
        "error": error, "due": due, "overdue": sum(d.overdue for d in due),
        "periods": reviews.review_periods(),
        "startable": any(d.open_campaign_id is None for d in due),
        "can_start": administration is not None
        and reviews.can_run_reviews_for(request.user, administration),
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def start_campaign(request):
    """The form (GET) and a new campaign (POST) holding every standard due on its date."""
    if not request.user.is_authenticated and request.method != "POST":
        return redirect_to_login(request.get_full_path())
    if not can_run_reviews(request.user):
        return _refused(request)
    shown = (reviews.reviewing_administrations() if request.user.is_superuser
             else reviews.administrations_of(request.user))
    status = 200
    if request.method == "POST":
        form = CampaignForm(request.POST, administrations=shown)
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = reviews.start_review_campaign(
                    by=request.user, administration=data["administration"],
                    title=data["title"], as_of=data["as_of"], closes_on=data["closes_on"])
            except PermissionDenied:
                return _refused(request, _("只有该主管部门的工作人员可以发起复审。"))
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                return redirect("projects:review_campaign", pk=campaign.pk)
        status = 422
    else:
        today = timezone.localdate()
        initial = {"as_of": today, "title": _("%(year)s年地方标准复审") % {"year": today.year}}
        chosen = request.GET.get("administration", "")
        if chosen.isdigit() and shown.filter(pk=int(chosen)).exists():
            initial["administration"] = int(chosen)
        with contextlib.suppress(ValidationError):  # a hand-edited link keeps today
            initial["as_of"] = forms.DateField(required=False).clean(
                request.GET.get("as_of")) or today
        form = CampaignForm(initial=initial, administrations=shown)
    form.limit_choices()
    return render(request, TEMPLATES + "start.html", {
        "form": form, "has_administration": shown.exists()}, status=status)


def _campaign_page(request, campaign: ReviewCampaign, *, bound: ConclusionForm | None = None,
                   bound_pk: int | None = None, status: int = 200):
    can_decide = reviews.can_run_reviews_for(request.user, campaign.administration)
    rows, bound_shown = [], False
    for review in reviews.campaign_reviews(campaign):
        form = None
        if can_decide and not review.conclusion:
            form = bound if review.pk == bound_pk else _conclusion_form(review)
            bound_shown = bound_shown or review.pk == bound_pk
        rows.append((review, form))
    # The errors of a form whose row shows none (decided meanwhile) go above the table.
    top_errors = ([m for messages in bound.errors.values() for m in messages]
                  if bound is not None and not bound_shown else [])
    return render(request, TEMPLATES + "campaign.html", {
        "campaign": campaign, "summary": reviews.campaign_summary(campaign), "rows": rows,
        "can_decide": can_decide, "top_errors": top_errors, "bound_pk": bound_pk,
        "bound_shown": bound_shown,
    }, status=status)


@require_safe
def campaign_detail(request, pk):
    campaign = get_object_or_404(
        ReviewCampaign.objects.select_related("administration", "created_by"), pk=pk)
    return _campaign_page(request, campaign)


@require_POST
def conclude(request, pk):
    """Record the conclusion of one standard of a campaign."""
    review = get_object_or_404(
        StandardReview.objects.select_related("campaign__administration",
                                              "campaign__created_by", "standard"), pk=pk)
    campaign = review.campaign
    if not reviews.can_run_reviews_for(request.user, campaign.administration):
        return _refused(request, _("只有该主管部门的工作人员可以作出复审结论。"))
    form = _conclusion_form(review, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            reviews.record_review_conclusion(
                review, by=request.user, conclusion=data["conclusion"], note=data["note"],
                decided_on=data["decided_on"])
        except PermissionDenied:
            return _refused(request)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            url = reverse("projects:review_campaign", args=[campaign.pk])
            return redirect(f"{url}#review-{review.pk}")
    return _campaign_page(request, campaign, bound=form, bound_pk=review.pk, status=422)
