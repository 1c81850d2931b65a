"""The dashboard (administrators and leadership) and the number sequences page
(administrators)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from biaozhun.accounts import roles
from biaozhun.accounts.models import User
from biaozhun.projects.models import Deadline, NumberAdjustment, NumberSequence
from biaozhun.projects.stages import STAGE_CODES, Stage
from biaozhun.projects.tests.factories import _advance, make_project

pytestmark = pytest.mark.django_db

PATH = (Stage.EVALUATED, Stage.PLANNED, Stage.DRAFTING, Stage.PUBLIC_COMMENT,
        Stage.COMMENT_RESOLUTION, Stage.TECHNICAL_REVIEW, Stage.SUBMITTED, Stage.APPROVED,
        Stage.PUBLISHED)


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def leader(db):
    user = User.objects.create_user("lingdao", "lingdao@example.com", "pw-lingdao")
    user.groups.add(Group.objects.get_or_create(name=roles.LEADERSHIP)[0])
    return user


def published_slowly(cast, clock, *, days: int = 10, title: str = "慢慢发布 规范"):
    """A project that spends `days` in every stage from proposal to publication."""
    project = make_project(cast, title=title)
    for step in PATH:
        clock.advance(days)
        _advance(cast, project, step)
        project.refresh_from_db()
    return project


# --- dashboard ------------------------------------------------------------------------------


def test_the_dashboard_needs_signing_in(client, cast):
    response = client.get(reverse("projects:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["outsider", "drafter", "department", "expert"])
def test_the_dashboard_is_refused_to_other_users(client, cast, persona):
    client.force_login(cast.personas()[persona])
    response = client.get(reverse("projects:dashboard"))
    assert response.status_code == 403
    assert "统计看板仅向标准化管理员和领导开放。" in page(response)


def test_leadership_and_administrators_read_the_dashboard(client, cast, leader):
    for user in (leader, cast.admin, cast.superuser):
        client.force_login(user)
        response = client.get(reverse("projects:dashboard"))
        assert response.status_code == 200
        assert "<h1>地方标准制修订统计</h1>" in page(response)


def test_the_dashboard_shows_stages_overdue_items_cycle_times_and_years(client, cast, clock,
                                                                       leader):
    published = published_slowly(cast, clock)
    late = make_project(cast, stage=Stage.PLANNED, title="逾期 规范")
    make_project(cast, title="新申请 规范")
    Deadline.objects.filter(project=late, kind=Deadline.Kind.DRAFTING).update(
        due_on=clock.today - timedelta(days=2))
    client.force_login(leader)
    html = page(client.get(reverse("projects:dashboard")))

    assert '<li><span class="n">3</span> 项目总数</li>' in html
    assert '<li><span class="n">2</span> 在办项目</li>' in html
    assert '<li><span class="n warn">1</span> 逾期事项</li>' in html
    assert '<li><span class="n">90.0</span> 立项至发布（中位数，天）</li>' in html

    stages = html[html.index('id="h-by-stage"'):html.index('id="h-overdue"')]
    for stage, n in ((Stage.PROPOSED, 1), (Stage.PLANNED, 1), (Stage.PUBLISHED, 1),
                     (Stage.DRAFTING, 0)):
        assert (f'<a href="/projects/?stage={stage.value}">{stage.label}</a></th>'
                f'<td class="stage-code">') in stages
        assert f"{stage.label} {STAGE_CODES[stage]}：{n}" in stages
    assert '<svg class="chart" role="img" aria-labelledby="chart-stages-title ' \
           'chart-stages-desc"' in stages
    assert '<title id="chart-stages-title">各阶段项目数</title>' in stages
    assert "<tfoot><tr><th scope=\"row\" colspan=\"2\">合计</th><td>3</td></tr></tfoot>" in stages

    overdue = html[html.index('id="h-overdue"'):html.index('id="h-cycle"')]
    assert "逾期事项（1 项）" in overdue
    assert f'<a href="/projects/{late.pk}/">逾期 规范</a>' in overdue
    assert "完成起草（计划期限）" in overdue
    assert f"{(clock.today - timedelta(days=2)).isoformat()}" in overdue

    cycle = html[html.index('id="h-cycle"'):html.index('id="h-years"')]
    assert '<th scope="row">立项申请 <span class="stage-code">10.00</span></th><td>10.0</td>' \
           '<td>1</td>' in cycle
    assert '<th scope="row">批准编号 <span class="stage-code">50.99</span></th><td>10.0</td>' \
           '<td>1</td>' in cycle
    assert '<tfoot><tr><th scope="row">立项至发布</th><td>90.0</td><td>1</td></tr></tfoot>' \
        in cycle
    assert "立项至发布：90天" in cycle  # the chart's description

    years = html[html.index('id="h-years"'):]
    assert f'<tr><th scope="row">{published.issued_on.year}</th><td>1</td></tr>' in years
    assert '<title id="chart-years-title">各年发布的地方标准数</title>' in years


def test_without_publications_the_dashboard_says_so(client, cast, clock):
    make_project(cast)
    client.force_login(cast.admin)
    html = page(client.get(reverse("projects:dashboard")))
    assert "尚无已发布的项目，暂不能计算办理周期。" in html
    assert "尚无发布的标准。" in html
    assert "没有逾期事项。" in html


@pytest.mark.parametrize("count", [2, 8])
def test_the_dashboard_reads_a_fixed_number_of_queries(client, cast, clock, leader, count,
                                                       django_assert_max_num_queries):
    for i in range(count):
        project = make_project(cast, stage=Stage.PUBLISHED, title=f"项目{i} 规范")
        Deadline.objects.filter(project=project, met_at__isnull=True).update(
            due_on=clock.today - timedelta(days=1))
    client.force_login(leader)
    # session, user, role checks (administrator, leadership — twice: page and navigation),
    # stage counts, overdue count, overdue list, published ids, their events, years.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projects:dashboard"))
    assert f"逾期事项（{2 * count} 项）" in page(response)


# --- number sequences -----------------------------------------------------------------------


def test_the_numbers_page_needs_signing_in(client, cast):
    response = client.get(reverse("projects:numbers"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["outsider", "drafter", "expert", "leader"])
def test_only_administrators_manage_numbers(client, cast, leader, persona):
    user = leader if persona == "leader" else cast.personas()[persona]
    client.force_login(user)
    response = client.post(reverse("projects:numbers"), {
        "issuer": "DB4301/T", "last_sequence": 5, "reason": "补录"})
    assert response.status_code == 403
    assert (NumberSequence.objects.count(), NumberAdjustment.objects.count()) == (0, 0)


def test_sequences_show_the_last_and_next_number(client, cast, clock):
    make_project(cast, stage=Stage.APPROVED)
    client.force_login(cast.admin)
    html = page(client.get(reverse("projects:numbers")))
    assert ('<tr><th scope="row" class="code">DB4301/T</th><td>1</td><td>2</td>') in html
    assert '<a href="?issuer=DB4301/T#adjust">调整 DB4301/T</a>' in html
    prefilled = page(client.get(reverse("projects:numbers"), {"issuer": "DB4301/T"}))
    assert 'name="issuer" value="DB4301/T"' in prefilled


def test_an_adjustment_is_kept_with_its_reason(client, cast, clock):
    make_project(cast, stage=Stage.APPROVED)
    client.force_login(cast.admin)
    response = client.post(reverse("projects:numbers"), {
        "issuer": "DB4301/T", "last_sequence": 40, "reason": "补录平台上线前发布的 40 项"})
    assert response.status_code == 302
    row = NumberSequence.objects.get(issuer="DB4301/T")
    adjustment = NumberAdjustment.objects.get()
    assert (row.last_sequence, adjustment.from_value, adjustment.to_value, adjustment.by) == (
        40, 1, 40, cast.admin)
    html = page(client.get(response["Location"]))
    assert "DB4301/T 的已用最大顺序号由 1 调整为 40。" in html
    assert "<td>1</td><td>40</td><td>guanli</td><td>补录平台上线前发布的 40 项</td>" in html
    assert '<td>40</td><td>41</td>' in html


def test_a_bad_adjustment_is_an_error_on_the_form(client, cast, clock):
    client.force_login(cast.admin)
    response = client.post(reverse("projects:numbers"), {
        "issuer": "GB/T", "last_sequence": -1, "reason": ""})
    assert response.status_code == 422
    html = page(response)
    assert ('<div class="field-error" id="id_issuer_errors"><p>形如 DB43/T、DB4301/T 或 DB43。'
            '</p></div>') in html
    assert 'id="id_last_sequence_errors"' in html and 'id="id_reason_errors"' in html
    assert (NumberSequence.objects.count(), NumberAdjustment.objects.count()) == (0, 0)
