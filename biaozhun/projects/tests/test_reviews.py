"""复审: due dates, campaigns, conclusions and their effect on the catalogue, and the pages.

The catalogue (fixture `local`) as of 2025-09-01, city = 长沙市 (430100 → DB4301/T, DB4301):

    DB4301/T 8-2020   issued 2020-07-01 (no effective date)   due 2025-07-01  overdue
    DB4301 3-2020     effective 2020-10-01                    due 2025-10-01
    DB4301/T 1-2021   effective 2021-03-01                    due 2026-03-01  window opens today
    DB4301/T 2-2021   effective 2021-06-15                    due 2026-06-15  window not open
    DB4301/T 4-2019   effective 2019-05-01, reviewed 2024-05-10 → due 2029-05-10
    DB4301/T 5-2018   superseded;  DB4301/T 6-2017 abolished
    DB43/T 10-2020    province (430000), due 2025-09-01
    DB4302/T 11-2020  株洲市;  GB/T 12-2020 national
"""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from biaozhun.catalog.models import ReviewConclusion, Standard, Status
from biaozhun.catalog.tests.factories import make_standard
from biaozhun.projects import reviews
from biaozhun.projects.models import (
    EventKind,
    Project,
    ReviewCampaign,
    StandardReview,
)
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_cast

pytestmark = pytest.mark.django_db

D = date
AS_OF = D(2025, 9, 1)
REFUSED = ["anonymous", "outsider", "drafter", "department", "expert", "partner_admin"]


@pytest.fixture
def cast():
    return make_cast()


@pytest.fixture
def local(cast):
    s = {}

    def add(code, **fields):
        s[code] = make_standard(code, **fields)
        return s[code]

    add("DB4301/T 1-2021", issued_on=D(2021, 1, 20), effective_on=D(2021, 3, 1),
        title_zh="湘菜 剁椒鱼头烹饪技术规范", scope="规定了剁椒鱼头的原料和工艺。")
    add("DB4301/T 2-2021", issued_on=D(2021, 5, 1), effective_on=D(2021, 6, 15))
    add("DB4301 3-2020", issued_on=D(2020, 8, 1), effective_on=D(2020, 10, 1))
    add("DB4301/T 4-2019", issued_on=D(2019, 3, 1), effective_on=D(2019, 5, 1),
        reviewed_on=D(2024, 5, 10), review_conclusion=ReviewConclusion.CONFIRM)
    add("DB4301/T 5-2018", issued_on=D(2018, 1, 1), effective_on=D(2018, 1, 1),
        status=Status.SUPERSEDED)
    add("DB4301/T 6-2017", issued_on=D(2017, 1, 1), effective_on=D(2017, 1, 1),
        abolished_on=D(2022, 1, 1), status=Status.ABOLISHED)
    add("DB4301/T 8-2020", issued_on=D(2020, 7, 1))
    add("DB43/T 10-2020", issued_on=D(2020, 7, 1), effective_on=D(2020, 9, 1))
    add("DB4302/T 11-2020", issued_on=D(2020, 7, 1), effective_on=D(2020, 9, 1))
    add("GB/T 12-2020", issued_on=D(2020, 7, 1), effective_on=D(2020, 9, 1))
    return s


def persona(cast, name):
    return cast.personas()[name]


def due_codes(administration, as_of):
    return [d.standard.code for d in reviews.standards_due_for_review(administration,
                                                                        as_of=as_of)]


def start(cast, **overrides):
    values = {"by": cast.admin, "administration": cast.administration,
              "title": "2025年长沙市地方标准复审", "as_of": AS_OF, "closes_on": D(2025, 12, 31)}
    values.update(overrides)
    return reviews.start_review_campaign(**values)


def review_of(campaign, code) -> StandardReview:
    return campaign.reviews.get(standard__code=code)


def snapshot(standard: Standard) -> tuple:
    standard.refresh_from_db()
    return (standard.reviewed_on, standard.review_conclusion, standard.abolished_on,
            standard.status)


# --- due dates -----------------------------------------------------------------------------


def test_due_date_is_five_years_after_implementation_and_window_six_months_before(local):
    standard = local["DB4301/T 1-2021"]
    assert reviews.review_due_on(standard) == D(2026, 3, 1)
    assert reviews.window_opens_on(standard) == D(2025, 9, 1)


def test_a_review_resets_the_due_date(local):
    standard = local["DB4301/T 4-2019"]
    assert reviews.review_due_on(standard) == D(2029, 5, 10)
    assert reviews.window_opens_on(standard) == D(2028, 11, 10)


def test_issue_date_counts_when_there_is_no_implementation_date(local):
    assert reviews.review_due_on(local["DB4301/T 8-2020"]) == D(2025, 7, 1)


def test_undated_edition_has_no_due_date(cast):
    standard = make_standard("DB4301/T 99-2020")
    with pytest.raises(ValueError):
        reviews.review_due_on(standard)


def test_due_standards_of_a_city_in_due_order(cast, local):
    due = reviews.standards_due_for_review(cast.administration, as_of=AS_OF)
    assert [(d.standard.code, d.due_on, d.window_opens_on, d.overdue) for d in due] == [
        ("DB4301/T 8-2020", D(2025, 7, 1), D(2025, 1, 1), True),
        ("DB4301 3-2020", D(2025, 10, 1), D(2025, 4, 1), False),
        ("DB4301/T 1-2021", D(2026, 3, 1), D(2025, 9, 1), False),
    ]


def test_window_not_yet_open_the_day_before(cast, local):
    assert due_codes(cast.administration, D(2025, 8, 31)) == ["DB4301/T 8-2020",
                                                              "DB4301 3-2020"]


def test_later_as_of_brings_later_standards_in(cast, local):
    assert due_codes(cast.administration, D(2025, 12, 15)) == [
        "DB4301/T 8-2020", "DB4301 3-2020", "DB4301/T 1-2021", "DB4301/T 2-2021"]


def test_overdue_only_after_the_due_date(cast, local):
    on_the_day = reviews.standards_due_for_review(cast.administration, as_of=D(2025, 10, 1))
    assert [(d.standard.code, d.overdue) for d in on_the_day][:2] == [
        ("DB4301/T 8-2020", True), ("DB4301 3-2020", False)]
    after = reviews.standards_due_for_review(cast.administration, as_of=D(2025, 10, 2))
    assert [d.overdue for d in after][:2] == [True, True]


def test_province_sees_only_its_own_prefix(cast, local):
    make_standard("DB43 13-2019", issued_on=D(2019, 7, 1), effective_on=D(2019, 9, 1))
    assert cast.province.local_issuer_code == "43"
    assert due_codes(cast.province, AS_OF) == ["DB43 13-2019", "DB43/T 10-2020"]
    due = reviews.standards_due_for_review(cast.province, as_of=AS_OF)
    assert [(d.due_on, d.overdue) for d in due] == [(D(2024, 9, 1), True),
                                                    (D(2025, 9, 1), False)]


def test_other_administrations_standards_are_excluded(cast, local):
    assert due_codes(cast.partner, AS_OF) == ["DB4302/T 11-2020"]


def test_superseded_and_abolished_editions_are_excluded(cast, local):
    codes = due_codes(cast.administration, D(2030, 1, 1))
    assert "DB4301/T 5-2018" not in codes
    assert "DB4301/T 6-2017" not in codes
    assert codes == ["DB4301/T 8-2020", "DB4301 3-2020", "DB4301/T 1-2021",
                     "DB4301/T 2-2021", "DB4301/T 4-2019"]


def test_month_end_clamping_is_decided_exactly(cast):
    # 2021-08-31 + 5 years = 2026-08-31; 6 months before = 2026-02-28 (clamped).
    make_standard("DB4301/T 20-2021", issued_on=D(2021, 8, 1), effective_on=D(2021, 8, 31))
    assert due_codes(cast.administration, D(2026, 2, 27)) == []
    due = reviews.standards_due_for_review(cast.administration, as_of=D(2026, 2, 28))
    assert [(d.standard.code, d.due_on, d.window_opens_on) for d in due] == [
        ("DB4301/T 20-2021", D(2026, 8, 31), D(2026, 2, 28))]


def test_administration_without_region_has_nothing_due(cast, local):
    assert reviews.standards_due_for_review(cast.department, as_of=AS_OF) == []


def test_due_selector_is_one_query(cast, local, django_assert_num_queries):
    for n in range(30):
        make_standard(f"DB4301/T {100 + n}-2019", issued_on=D(2019, 1, 1),
                      effective_on=D(2019, 3, 1))
    with django_assert_num_queries(1):
        due = reviews.standards_due_for_review(cast.administration, as_of=AS_OF)
    assert len(due) == 33


# --- campaigns -----------------------------------------------------------------------------


def test_administrator_starts_a_campaign_with_exactly_the_due_standards(cast, local):
    campaign = start(cast)
    assert (campaign.title, campaign.administration, campaign.as_of, campaign.closes_on,
            campaign.created_by) == ("2025年长沙市地方标准复审", cast.administration, AS_OF,
                                     D(2025, 12, 31), cast.admin)
    assert list(campaign.reviews.order_by("due_on").values_list(
        "standard__code", "due_on", "conclusion", "decided_on")) == [
        ("DB4301/T 8-2020", D(2025, 7, 1), "", None),
        ("DB4301 3-2020", D(2025, 10, 1), "", None),
        ("DB4301/T 1-2021", D(2026, 3, 1), "", None),
    ]


def test_superuser_may_start_a_campaign_for_any_administration(cast, local):
    campaign = start(cast, by=cast.superuser, administration=cast.province)
    assert list(campaign.reviews.values_list("standard__code", flat=True)) == [
        "DB43/T 10-2020"]


@pytest.mark.parametrize("name", REFUSED)
def test_others_cannot_start_a_campaign(cast, local, name):
    with pytest.raises(PermissionDenied):
        start(cast, by=persona(cast, name))
    assert ReviewCampaign.objects.count() == 0
    assert StandardReview.objects.count() == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "  "}, "title"),
    ({"closes_on": D(2025, 8, 31)}, "closes_on"),
])
def test_invalid_campaign_is_refused(cast, local, overrides, field):
    with pytest.raises(ValidationError) as refused:
        start(cast, **overrides)
    assert list(refused.value.message_dict) == [field]
    assert ReviewCampaign.objects.count() == 0


def test_campaign_with_nothing_due_is_refused(cast, local):
    with pytest.raises(ValidationError) as refused:
        start(cast, as_of=D(2024, 12, 31), closes_on=None)
    assert refused.value.messages == ["截至 2024-12-31 没有需要复审的标准（或均已在复审中）。"]
    assert ReviewCampaign.objects.count() == 0


def test_standards_under_review_are_not_taken_twice(cast, local):
    first = start(cast)
    second = start(cast, title="补充复审", as_of=D(2025, 12, 15), closes_on=None)
    assert list(second.reviews.values_list("standard__code", flat=True)) == ["DB4301/T 2-2021"]
    due = reviews.standards_due_for_review(cast.administration, as_of=D(2025, 12, 15))
    assert [(d.standard.code, d.open_campaign_id) for d in due] == [
        ("DB4301/T 8-2020", first.pk), ("DB4301 3-2020", first.pk),
        ("DB4301/T 1-2021", first.pk), ("DB4301/T 2-2021", second.pk)]
    with pytest.raises(ValidationError):
        start(cast, title="再次复审")
    assert ReviewCampaign.objects.count() == 2


def test_campaign_summary_counts(cast, local):
    campaign = start(cast)
    reviews.record_review_conclusion(review_of(campaign, "DB4301/T 8-2020"), by=cast.admin,
                                     conclusion=ReviewConclusion.CONFIRM,
                                     decided_on=D(2025, 10, 20))
    assert reviews.campaign_summary(campaign) == reviews.CampaignSummary(
        total=3, undecided=2, confirm=1, revise=0, abolish=0)


# --- conclusions ---------------------------------------------------------------------------


def test_confirm_records_the_review_on_the_catalogue_edition(cast, local):
    campaign = start(cast)
    review = reviews.record_review_conclusion(
        review_of(campaign, "DB4301/T 1-2021"), by=cast.admin,
        conclusion=ReviewConclusion.CONFIRM, note="技术内容仍适用", decided_on=D(2025, 10, 20))
    review.refresh_from_db()
    assert (review.conclusion, review.decided_on, review.decided_by, review.note,
            review.revision_project) == ("confirm", D(2025, 10, 20), cast.admin,
                                         "技术内容仍适用", None)
    standard = local["DB4301/T 1-2021"]
    assert snapshot(standard) == (D(2025, 10, 20), "confirm", None, Status.CURRENT)
    assert reviews.review_due_on(standard) == D(2030, 10, 20)
    assert Project.objects.count() == 0


def test_revise_proposes_a_revision_project(cast, local):
    campaign = start(cast)
    review = reviews.record_review_conclusion(
        review_of(campaign, "DB4301/T 1-2021"), by=cast.admin,
        conclusion=ReviewConclusion.REVISE, note="原料要求需更新。", decided_on=D(2025, 10, 20))
    standard = local["DB4301/T 1-2021"]
    assert snapshot(standard) == (D(2025, 10, 20), "revise", None, Status.CURRENT)
    project = review.revision_project
    assert (project.kind, project.stage, project.revises, project.administration,
            project.title, project.scope, project.nature, project.reasons,
            project.proposer) == (
        Project.Kind.REVISION, Stage.PROPOSED, standard, cast.administration,
        "湘菜 剁椒鱼头烹饪技术规范", "规定了剁椒鱼头的原料和工艺。", "recommended",
        "复审结论：修订。原料要求需更新。", cast.admin)
    first = project.events.order_by("seq").first()
    assert (first.seq, first.kind, first.actor, first.to_stage) == (
        1, EventKind.PROPOSED, cast.admin, Stage.PROPOSED)
    assert StandardReview.objects.get(pk=review.pk).revision_project == project


def test_abolish_shows_the_edition_abolished_with_its_date(cast, local):
    campaign = start(cast)
    reviews.record_review_conclusion(review_of(campaign, "DB4301 3-2020"), by=cast.admin,
                                     conclusion=ReviewConclusion.ABOLISH,
                                     decided_on=D(2025, 10, 20))
    standard = local["DB4301 3-2020"]
    assert snapshot(standard) == (D(2025, 10, 20), "abolish", D(2025, 10, 20),
                                  Status.ABOLISHED)
    assert due_codes(cast.administration, D(2026, 1, 1)) == [
        "DB4301/T 8-2020", "DB4301/T 1-2021", "DB4301/T 2-2021"]


def test_decided_on_defaults_to_today(cast, local):
    campaign = start(cast)
    review = reviews.record_review_conclusion(review_of(campaign, "DB4301/T 8-2020"),
                                              by=cast.admin,
                                              conclusion=ReviewConclusion.CONFIRM)
    assert review.decided_on == timezone.localdate()
    assert snapshot(local["DB4301/T 8-2020"])[0] == timezone.localdate()


def test_second_decision_is_refused_and_changes_nothing(cast, local):
    campaign = start(cast)
    review = review_of(campaign, "DB4301/T 1-2021")
    reviews.record_review_conclusion(review, by=cast.admin, conclusion=ReviewConclusion.CONFIRM,
                                     decided_on=D(2025, 10, 20))
    before = snapshot(local["DB4301/T 1-2021"])
    with pytest.raises(ValidationError) as refused:
        reviews.record_review_conclusion(review, by=cast.admin,
                                         conclusion=ReviewConclusion.ABOLISH)
    assert refused.value.messages == ["已有结论（继续有效），不能再次决定。"]
    assert snapshot(local["DB4301/T 1-2021"]) == before
    assert StandardReview.objects.get(pk=review.pk).conclusion == "confirm"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"conclusion": "keep"}, "conclusion"),
    ({"conclusion": "confirm", "decided_on": D(2099, 1, 1)}, "decided_on"),
    ({"conclusion": "confirm", "decided_on": D(2021, 2, 28)}, "decided_on"),
])
def test_invalid_conclusion_is_refused(cast, local, kwargs, field):
    campaign = start(cast)
    review = review_of(campaign, "DB4301/T 1-2021")
    with pytest.raises(ValidationError) as refused:
        reviews.record_review_conclusion(review, by=cast.admin, **kwargs)
    assert list(refused.value.message_dict) == [field]
    assert snapshot(local["DB4301/T 1-2021"]) == (None, "", None, Status.CURRENT)
    assert StandardReview.objects.get(pk=review.pk).conclusion == ""


def test_edition_superseded_meanwhile_cannot_be_concluded(cast, local):
    campaign = start(cast)
    Standard.objects.filter(code="DB4301/T 1-2021").update(status=Status.SUPERSEDED)
    with pytest.raises(ValidationError) as refused:
        reviews.record_review_conclusion(review_of(campaign, "DB4301/T 1-2021"),
                                         by=cast.admin, conclusion=ReviewConclusion.CONFIRM)
    assert refused.value.messages == ["该标准已被代替或废止，不能再作复审结论。"]


@pytest.mark.parametrize("name", REFUSED)
def test_others_cannot_record_a_conclusion(cast, local, name):
    campaign = start(cast)
    review = review_of(campaign, "DB4301/T 1-2021")
    with pytest.raises(PermissionDenied):
        reviews.record_review_conclusion(review, by=persona(cast, name),
                                         conclusion=ReviewConclusion.REVISE)
    assert snapshot(local["DB4301/T 1-2021"]) == (None, "", None, Status.CURRENT)
    assert StandardReview.objects.get(pk=review.pk).conclusion == ""
    assert Project.objects.count() == 0


def test_superuser_may_record_a_conclusion(cast, local):
    campaign = start(cast)
    review = reviews.record_review_conclusion(review_of(campaign, "DB4301/T 8-2020"),
                                              by=cast.superuser,
                                              conclusion=ReviewConclusion.CONFIRM,
                                              decided_on=D(2025, 10, 20))
    assert review.decided_by == cast.superuser


# --- pages ---------------------------------------------------------------------------------


def codes_on(response) -> list[str]:
    return re.findall(r'<td class="code"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_due_page_is_public_without_start_button(client, cast, local):
    response = client.get(reverse("projects:reviews_due"),
                          {"administration": cast.administration.pk, "as_of": "2025-09-01"})
    assert response.status_code == 200
    assert codes_on(response) == ["DB4301/T 8—2020", "DB4301 3—2020", "DB4301/T 1—2021"]
    html = response.content.decode()
    assert "截至 2025-09-01，应复审的标准共 3 项，其中已超过应复审日期 1 项。" in html
    assert "长沙市市场监督管理局（DB4301/T、DB4301）" in html
    assert f'href="{reverse("catalog:standard_detail", args=["DB4301/T 1-2021"])}"' in html
    assert reverse("projects:review_start") not in html


def test_due_page_defaults_to_the_users_administration(client, cast, local):
    client.force_login(cast.admin)
    response = client.get(reverse("projects:reviews_due"), {"as_of": "2025-09-01"})
    assert response.status_code == 200
    assert codes_on(response) == ["DB4301/T 8—2020", "DB4301 3—2020", "DB4301/T 1—2021"]
    assert (f'href="{reverse("projects:review_start")}?administration='
            f'{cast.administration.pk}&amp;as_of=2025-09-01"') in response.content.decode()


def test_due_page_shows_the_campaign_a_standard_is_in(client, cast, local):
    campaign = start(cast)
    response = client.get(reverse("projects:reviews_due"),
                          {"administration": cast.administration.pk, "as_of": "2025-09-01"})
    html = response.content.decode()
    assert html.count(f'href="{reverse("projects:review_campaign", args=[campaign.pk])}"') == 3
    client.force_login(cast.admin)
    response = client.get(reverse("projects:reviews_due"), {"as_of": "2025-09-01"})
    # Everything due is already under review: nothing to start.
    assert reverse("projects:review_start") not in response.content.decode()


def test_due_page_for_another_administration_has_no_start_button(client, cast, local):
    client.force_login(cast.partner_admin)
    response = client.get(reverse("projects:reviews_due"),
                          {"administration": cast.administration.pk, "as_of": "2025-09-01"})
    assert response.status_code == 200
    assert reverse("projects:review_start") not in response.content.decode()


def test_due_page_without_administration_asks_for_one(client, cast, local):
    response = client.get(reverse("projects:reviews_due"))
    assert response.status_code == 200
    assert codes_on(response) == []
    assert "请选择标准化行政主管部门。" in response.content.decode()


def test_due_page_bad_inputs(client, cast, local):
    url = reverse("projects:reviews_due")
    assert client.get(url, {"administration": "abc"}).status_code == 404
    assert client.get(url, {"administration": cast.department.pk}).status_code == 404
    response = client.get(url, {"administration": cast.administration.pk, "as_of": "2025-13-01"})
    assert response.status_code == 400
    assert "基准日期格式应为 YYYY-MM-DD。" in response.content.decode()
    assert 'aria-describedby="due-as-of_error"' in response.content.decode()


def test_campaign_list_shows_counts(client, cast, local):
    campaign = start(cast)
    reviews.record_review_conclusion(review_of(campaign, "DB4301 3-2020"), by=cast.admin,
                                     conclusion=ReviewConclusion.ABOLISH,
                                     decided_on=D(2025, 10, 20))
    response = client.get(reverse("projects:reviews"))
    assert response.status_code == 200
    html = response.content.decode()
    assert (f'<a href="{reverse("projects:review_campaign", args=[campaign.pk])}">'
            "2025年长沙市地方标准复审</a>") in html
    assert "共 3 项：继续有效 0，修订 0，废止 1，待定 2" in html
    assert reverse("projects:review_start") not in html
    client.force_login(cast.admin)
    assert reverse("projects:review_start") in client.get(reverse("projects:reviews")) \
        .content.decode()


def test_start_page_access(client, cast, local):
    url = reverse("projects:review_start")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 403
    client.force_login(cast.admin)
    response = client.get(url, {"administration": cast.administration.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', html) == [
        (str(cast.administration.pk), "长沙市市场监督管理局")]
    assert 'aria-describedby="id_as_of_helptext"' in html
    response = client.get(url, {"administration": cast.administration.pk,
                                "as_of": "2025-12-15"})
    assert 'name="as_of" value="2025-12-15"' in response.content.decode()


def test_start_page_creates_the_campaign(client, cast, local):
    client.force_login(cast.admin)
    response = client.post(reverse("projects:review_start"), {
        "administration": cast.administration.pk, "title": "2025年复审",
        "as_of": "2025-09-01", "closes_on": ""})
    campaign = ReviewCampaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:review_campaign", args=[campaign.pk])
    assert campaign.reviews.count() == 3


@pytest.mark.parametrize("name", REFUSED)
def test_start_post_refused_creates_nothing(client, cast, local, name):
    client_for(client, persona(cast, name))
    response = client.post(reverse("projects:review_start"), {
        "administration": cast.administration.pk, "title": "2025年复审",
        "as_of": "2025-09-01"})
    assert response.status_code == 403
    assert ReviewCampaign.objects.count() == 0
    assert StandardReview.objects.count() == 0


def test_start_post_invalid_shows_the_errors(client, cast, local):
    client.force_login(cast.admin)
    response = client.post(reverse("projects:review_start"), {
        "administration": cast.administration.pk, "title": "  ", "as_of": "2025-09-01"})
    assert response.status_code == 422
    assert ('<div class="notice" id="id_title_error"><p>这个字段是必填项。</p></div>'
            in response.content.decode())
    response = client.post(reverse("projects:review_start"), {
        "administration": cast.administration.pk, "title": "复审", "as_of": "2025-09-01",
        "closes_on": "2025-08-01"})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<div class="notice" id="id_closes_on_error"><p>完成期限不能早于基准日期。</p></div>' \
        in html
    assert 'aria-invalid="true" aria-describedby="id_closes_on_error"' in html
    assert ReviewCampaign.objects.count() == 0
    response = client.post(reverse("projects:review_start"), {
        "administration": cast.administration.pk, "title": "复审", "as_of": "2024-12-31"})
    assert response.status_code == 422
    assert "截至 2024-12-31 没有需要复审的标准（或均已在复审中）。" in response.content.decode()
    assert ReviewCampaign.objects.count() == 0


def test_campaign_page_for_the_public(client, cast, local):
    campaign = start(cast)
    reviews.record_review_conclusion(review_of(campaign, "DB4301/T 1-2021"), by=cast.admin,
                                     conclusion=ReviewConclusion.REVISE, note="需更新",
                                     decided_on=D(2025, 10, 20))
    project = Project.objects.get()
    response = client.get(reverse("projects:review_campaign", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert codes_on(response) == ["DB4301/T 8—2020", "DB4301 3—2020", "DB4301/T 1—2021"]
    assert "记录结论" not in html
    row = html[html.index(f'id="review-{review_of(campaign, "DB4301/T 1-2021").pk}"'):]
    row = row[:row.index("</tr>")]
    assert "湘菜 剁椒鱼头烹饪技术规范" in row
    assert '<td class="date">2021-03-01</td>' in row
    assert '<td class="date">2026-03-01</td>' in row
    assert "<strong>修订</strong><br>需更新" in row
    assert 'guanli<br><span class="date">2025-10-20</span>' in row
    assert f'<a href="{project.get_absolute_url()}">{project.reference}</a>' in row
    assert '<span class="n">3</span>' in html


def test_campaign_page_shows_forms_only_for_undecided_rows_to_its_administrators(
        client, cast, local):
    campaign = start(cast)
    reviews.record_review_conclusion(review_of(campaign, "DB4301/T 8-2020"), by=cast.admin,
                                     conclusion=ReviewConclusion.CONFIRM,
                                     decided_on=D(2025, 10, 20))
    url = reverse("projects:review_campaign", args=[campaign.pk])
    client.force_login(cast.partner_admin)
    assert "记录结论" not in client.get(url).content.decode()
    client.force_login(cast.admin)
    html = client.get(url).content.decode()
    assert html.count("记录结论") == 2
    undecided = review_of(campaign, "DB4301 3-2020")
    assert f'action="{reverse("projects:review_conclude", args=[undecided.pk])}"' in html
    assert f'<label for="id_r{undecided.pk}-conclusion">复审结论</label>' in html


def test_campaign_page_queries_do_not_grow_with_rows(client, cast, local,
                                                     django_assert_max_num_queries):
    campaign = start(cast)
    with django_assert_max_num_queries(4):
        client.get(reverse("projects:review_campaign", args=[campaign.pk]))


def test_conclude_post_records_and_redirects(client, cast, local):
    campaign = start(cast)
    review = review_of(campaign, "DB4301 3-2020")
    client.force_login(cast.admin)
    response = client.post(reverse("projects:review_conclude", args=[review.pk]), {
        f"r{review.pk}-conclusion": "abolish", f"r{review.pk}-decided_on": "2025-10-20",
        f"r{review.pk}-note": "已被国家标准覆盖"})
    assert response.status_code == 302
    assert response["Location"] == (reverse("projects:review_campaign", args=[campaign.pk])
                                    + f"#review-{review.pk}")
    assert snapshot(local["DB4301 3-2020"]) == (D(2025, 10, 20), "abolish", D(2025, 10, 20),
                                                Status.ABOLISHED)


@pytest.mark.parametrize("name", REFUSED)
def test_conclude_post_refused_changes_nothing(client, cast, local, name):
    campaign = start(cast)
    review = review_of(campaign, "DB4301/T 1-2021")
    client_for(client, persona(cast, name))
    response = client.post(reverse("projects:review_conclude", args=[review.pk]), {
        f"r{review.pk}-conclusion": "revise", f"r{review.pk}-decided_on": "2025-10-20"})
    assert response.status_code == 403
    assert snapshot(local["DB4301/T 1-2021"]) == (None, "", None, Status.CURRENT)
    assert StandardReview.objects.get(pk=review.pk).conclusion == ""
    assert Project.objects.count() == 0


def test_conclude_post_second_decision_is_refused(client, cast, local):
    campaign = start(cast)
    review = review_of(campaign, "DB4301/T 1-2021")
    reviews.record_review_conclusion(review, by=cast.admin, conclusion=ReviewConclusion.CONFIRM,
                                     decided_on=D(2025, 10, 20))
    client.force_login(cast.admin)
    response = client.post(reverse("projects:review_conclude", args=[review.pk]), {
        f"r{review.pk}-conclusion": "abolish", f"r{review.pk}-decided_on": "2025-10-21"})
    assert response.status_code == 422
    assert ('<div class="notice" role="alert" id="review-errors"><p>'
            "已有结论（继续有效），不能再次决定。</p></div>") in response.content.decode()
    assert snapshot(local["DB4301/T 1-2021"]) == (D(2025, 10, 20), "confirm", None,
                                                  Status.CURRENT)


def test_conclude_post_invalid_date_shows_the_error_in_its_row(client, cast, local):
    campaign = start(cast)
    review = review_of(campaign, "DB4301/T 1-2021")
    client.force_login(cast.admin)
    response = client.post(reverse("projects:review_conclude", args=[review.pk]), {
        f"r{review.pk}-conclusion": "confirm", f"r{review.pk}-decided_on": "2099-01-01"})
    assert response.status_code == 422
    html = response.content.decode()
    field = f"id_r{review.pk}-decided_on"
    assert f'<div class="notice" id="{field}_error"><p>结论日期不能晚于今天。</p></div>' in html
    assert f'<a href="#review-{review.pk}">复审结论未能记录，请查看该标准所在行的提示。</a>' in html
    assert f'aria-invalid="true" aria-describedby="{field}_error" id="{field}"' in html
    assert snapshot(local["DB4301/T 1-2021"]) == (None, "", None, Status.CURRENT)


def test_conclude_needs_post(client, cast, local):
    campaign = start(cast)
    review = review_of(campaign, "DB4301/T 1-2021")
    client.force_login(cast.admin)
    assert client.get(reverse("projects:review_conclude", args=[review.pk])).status_code == 405
    assert client.post(reverse("projects:review_conclude", args=[999999])).status_code == 404
