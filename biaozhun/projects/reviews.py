"""复审: which local standards are due for review, review campaigns and their conclusions.

A local standard is reviewed at most `review_interval` (5 years) after it took effect, or
after its last review; proposals are gathered in the `review_window` (6 months) before that
day. An administration reviews the standards it issued (`DB{code}/T`, `DB{code}`) in
campaigns; each standard's conclusion — confirm, revise (a new revision project) or abolish —
is written back to its catalogue edition in the same transaction. Services here follow the
house rules of `services.py`: keyword-only, `by=` actor, PermissionDenied / ValidationError.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from biaozhun.accounts.models import Organization
from biaozhun.accounts.selectors import organization_ids
from biaozhun.catalog.models import Nature, ReviewConclusion, Standard, Status
from biaozhun.catalog.services import refresh_status
from biaozhun.core import workdays
from biaozhun.projects.models import Project, ReviewCampaign, StandardReview
from biaozhun.projects.permissions import can_run_reviews
from biaozhun.projects.services import ProposalData, propose

# Editions still in force; superseded and abolished ones are not reviewed any more.
REVIEWABLE_STATUSES = (Status.CURRENT, Status.UPCOMING)

# The SQL pre-filter inverts "window opens ≤ as_of" by shifting `as_of`; month-end clamping
# (31 Aug → 28 Feb) can make the exact limit a few days later, so read a little beyond it and
# decide exactly in Python.
_BOUND_SLACK = timedelta(days=31)


# --- dates ---------------------------------------------------------------------------------


def review_base_date(standard: Standard) -> date | None:
    """The day the review interval runs from: last review, else implementation, else issue."""
    return standard.reviewed_on or standard.effective_on or standard.issued_on


def _due_on(base: date, calendar: workdays.WorkCalendar) -> date:
    return calendar.due(base, "review_interval").on


def _window_opens_on(due_on: date, calendar: workdays.WorkCalendar) -> date:
    return calendar.due(due_on, "review_window", before=True).on


def review_due_on(standard: Standard) -> date:
    """The latest day `standard` must be reviewed by. ValueError for an undated edition."""
    base = review_base_date(standard)
    if base is None:
        raise ValueError(f"{standard.code} has no implementation, issue or review date")
    return _due_on(base, workdays.WorkCalendar())


def window_opens_on(standard: Standard) -> date:
    """The first day review proposals are gathered: `review_window` before the due date."""
    calendar = workdays.WorkCalendar()
    return _window_opens_on(review_due_on(standard), calendar)


def review_periods() -> tuple[str, str]:
    """The review interval and window in words for pages, e.g. ("5 年", "6 个月")."""
    reference = date(2000, 1, 1)
    return (workdays.due(reference, "review_interval").basis,
            workdays.due(reference, "review_window").basis)


# --- selectors -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DueStandard:
    """A local standard whose review window has opened, as of a given day."""

    standard: Standard
    due_on: date
    window_opens_on: date
    overdue: bool
    # The campaign in which the standard is already under review, undecided (if any).
    open_campaign_id: int | None = None


def local_prefixes(administration: Organization) -> tuple[str, ...]:
    """The catalogue prefixes of the standards `administration` issues: DB43/T and DB43."""
    code = administration.local_issuer_code
    return (f"DB{code}/T", f"DB{code}") if code else ()


def standards_due_for_review(administration: Organization, *, as_of: date) -> list[DueStandard]:
    """The administration's current or upcoming local standards whose review window has
    opened by `as_of`, ordered by due date. One query."""
    prefixes = local_prefixes(administration)
    if not prefixes:
        return []
    calendar = workdays.WorkCalendar()
    # Latest base date whose window could have opened by `as_of` (approximate, see slack).
    bound = calendar.due(calendar.due(as_of, "review_window").on, "review_interval",
                         before=True).on + _BOUND_SLACK
    open_review = StandardReview.objects.filter(
        standard=OuterRef("pk"), conclusion="").order_by("pk").values("campaign_id")[:1]
    rows = (Standard.objects
            .filter(prefix__in=prefixes, status__in=REVIEWABLE_STATUSES)
            .alias(review_base=Coalesce("reviewed_on", "effective_on", "issued_on"))
            .filter(review_base__lte=bound)
            .annotate(open_campaign_id=Subquery(open_review))
            .defer("scope", "search_text"))
    due: list[DueStandard] = []
    for standard in rows:
        due_on = _due_on(review_base_date(standard), calendar)
        opens_on = _window_opens_on(due_on, calendar)
        if opens_on <= as_of:
            due.append(DueStandard(standard=standard, due_on=due_on, window_opens_on=opens_on,
                                   overdue=due_on < as_of,
                                   open_campaign_id=standard.open_campaign_id))
    due.sort(key=lambda d: (d.due_on, d.standard.code))
    return due


@dataclass(frozen=True)
class CampaignSummary:
    """How many standards of a campaign received each conclusion, and how many wait."""

    total: int
    undecided: int
    confirm: int
    revise: int
    abolish: int


def _count_expressions(prefix: str = "") -> dict:
    return {
        "total": Count(f"{prefix}pk"),
        "undecided": Count(f"{prefix}pk", filter=Q(**{f"{prefix}conclusion": ""})),
        **{value: Count(f"{prefix}pk", filter=Q(**{f"{prefix}conclusion": value}))
           for value in ReviewConclusion.values},
    }


def campaign_summary(campaign: ReviewCampaign) -> CampaignSummary:
    """Counts by conclusion and undecided, in one query."""
    counts = StandardReview.objects.filter(campaign=campaign).aggregate(**_count_expressions())
    return CampaignSummary(**counts)


def campaigns_with_counts() -> QuerySet[ReviewCampaign]:
    """Every campaign with its administration and the counts of `CampaignSummary` annotated
    as `n_total`, `n_undecided`, `n_confirm`, `n_revise`, `n_abolish`."""
    counts = {f"n_{name}": expression
              for name, expression in _count_expressions("reviews__").items()}
    return (ReviewCampaign.objects.select_related("administration").annotate(**counts)
            .order_by("-as_of", "-id"))


def campaign_reviews(campaign: ReviewCampaign) -> QuerySet[StandardReview]:
    """The standards of a campaign with what their rows show, by due date then code."""
    return (StandardReview.objects.filter(campaign=campaign)
            .select_related("standard", "decided_by", "revision_project")
            .defer("standard__scope", "standard__search_text")
            .order_by("due_on", "standard__code"))


def administrations_of(user) -> QuerySet[Organization]:
    """The administrations (with a region code) `user` is an active member of."""
    return (Organization.objects.filter(kind=Organization.Kind.ADMINISTRATION,
                                        pk__in=organization_ids(user))
            .exclude(region_code="").order_by("name"))


def reviewing_administrations() -> QuerySet[Organization]:
    """Every administration that issues local standards (has a region code)."""
    return (Organization.objects.filter(kind=Organization.Kind.ADMINISTRATION)
            .exclude(region_code="").order_by("region_code", "name"))


# --- permission ----------------------------------------------------------------------------


def can_run_reviews_for(user, administration: Organization) -> bool:
    """Administrators who are members of `administration`, and superusers."""
    if not can_run_reviews(user):
        return False
    return user.is_superuser or administration.pk in organization_ids(user)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- writes --------------------------------------------------------------------------------


@transaction.atomic
def start_review_campaign(*, by, administration: Organization, title: str, as_of: date,
                          closes_on: date | None = None) -> ReviewCampaign:
    """Open a campaign holding every standard of `administration` due for review on `as_of`
    and not already under review in another campaign."""
    _require(can_run_reviews_for(by, administration))
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写复审工作名称。")
    elif len(title) > 200:
        errors["title"] = _("名称不超过 200 字。")
    if closes_on is not None and closes_on < as_of:
        errors["closes_on"] = _("完成期限不能早于基准日期。")
    if (administration.kind != Organization.Kind.ADMINISTRATION
            or not administration.local_issuer_code):
        errors["administration"] = _("须为设置了行政区划代码的标准化行政主管部门。")
    if errors:
        raise ValidationError(errors)
    # One campaign at a time per administration: two concurrent starts must not both take
    # the same standards.
    Organization.objects.select_for_update().filter(pk=administration.pk).first()
    due = [d for d in standards_due_for_review(administration, as_of=as_of)
           if d.open_campaign_id is None]
    if not due:
        raise ValidationError(_("截至 %(date)s 没有需要复审的标准（或均已在复审中）。")
                              % {"date": as_of.isoformat()})
    campaign = ReviewCampaign.objects.create(title=title, administration=administration,
                                             as_of=as_of, closes_on=closes_on, created_by=by)
    StandardReview.objects.bulk_create([
        StandardReview(campaign=campaign, standard=d.standard, due_on=d.due_on) for d in due])
    return campaign


@transaction.atomic
def record_review_conclusion(review: StandardReview, *, by, conclusion: str, note: str = "",
                             decided_on: date | None = None) -> StandardReview:
    """Decide one standard of a campaign, once, and apply the conclusion to the catalogue:
    confirm (reviewed again now), revise (a revision project is proposed) or abolish."""
    review = (StandardReview.objects.select_for_update()
              .select_related("campaign__administration").get(pk=review.pk))
    campaign = review.campaign
    _require(can_run_reviews_for(by, campaign.administration))
    if review.conclusion:
        raise ValidationError(_("已有结论（%(conclusion)s），不能再次决定。")
                              % {"conclusion": review.get_conclusion_display()})
    standard = Standard.objects.select_for_update().get(pk=review.standard_id)
    today = timezone.localdate()
    decided_on = decided_on or today
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if conclusion not in ReviewConclusion.values:
        errors["conclusion"] = _("请选择复审结论。")
    base = review_base_date(standard)
    if decided_on > today:
        errors["decided_on"] = _("结论日期不能晚于今天。")
    elif base is not None and decided_on < base:
        errors["decided_on"] = _("结论日期不能早于 %(date)s（实施日期或上次复审日期）。") % {
            "date": base.isoformat()}
    if standard.status not in REVIEWABLE_STATUSES:
        errors[NON_FIELD_ERRORS] = _("该标准已被代替或废止，不能再作复审结论。")
    if errors:
        raise ValidationError(errors)

    # Claim the decision with a conditional write: SQLite ignores the row lock above, and
    # two reviewers submitting at once must not both apply a conclusion.
    claimed = StandardReview.objects.filter(pk=review.pk, conclusion="").update(
        conclusion=conclusion, decided_on=decided_on, decided_by=by, note=note)
    if not claimed:
        raise ValidationError(_("已有结论，不能再次决定。"))
    review.conclusion, review.decided_on, review.decided_by = conclusion, decided_on, by
    review.note = note

    standard.reviewed_on, standard.review_conclusion = decided_on, conclusion
    fields = ["reviewed_on", "review_conclusion", "updated_at"]
    if conclusion == ReviewConclusion.ABOLISH:
        standard.abolished_on = decided_on
        fields.append("abolished_on")
    standard.save(update_fields=fields)
    if conclusion == ReviewConclusion.REVISE:
        # Stored text, not UI: the same words whatever the reviewer's language.
        review.revision_project = propose(ProposalData(
            title=standard.title_zh or standard.title or standard.code, scope=standard.scope,
            kind=Project.Kind.REVISION, revises=standard, administration=campaign.administration,
            nature=standard.nature or Nature.RECOMMENDED,
            reasons=f"复审结论：修订。{note}"), by=by)
        review.save(update_fields=["revision_project"])
    elif conclusion == ReviewConclusion.ABOLISH:
        # The catalogue shows 废止 with the date from now on.
        refresh_status(ids=[standard.pk])
    return review
