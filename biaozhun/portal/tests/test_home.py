"""The home page."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from biaozhun.catalog.models import Status
from biaozhun.catalog.tests.factories import make_standard

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


@pytest.fixture
def catalogue():
    today = timezone.localdate()
    make_standard("GB/T 1.1-2020", status=Status.CURRENT, issued_on=date(2020, 3, 31))
    make_standard("GB/T 1.1-2009", status=Status.SUPERSEDED, issued_on=date(2009, 6, 17))
    make_standard("DB31/T 1-2024", status=Status.UPCOMING, issued_on=today - timedelta(days=3),
                  effective_on=today + timedelta(days=20))
    make_standard("DB31/T 2-2024", status=Status.UPCOMING, issued_on=today - timedelta(days=5),
                  effective_on=today + timedelta(days=10))
    make_standard("T/CAS 290-2017", status=Status.ABOLISHED)
    return today


def test_home_counts_by_level(client, catalogue):
    response = client.get(HOME)
    assert [(v, n) for v, _label, n in response.context["level_counts"]] == [
        ("national", 2), ("industry", 0), ("local", 2), ("group", 1), ("enterprise", 0),
        ("international", 0), ("foreign", 0)]
    assert response.context["total"] == 5
    assert '<a href="/standards/?level=local">地方标准</a> <span class="n">2</span>' in (
        response.content.decode())


def test_home_counts_by_status(client, catalogue):
    response = client.get(HOME)
    assert [(v, n) for v, _label, n in response.context["status_counts"]] == [
        ("upcoming", 2), ("current", 1), ("superseded", 1), ("abolished", 1)]


def test_home_recently_published_newest_first(client, catalogue):
    response = client.get(HOME)
    assert [s.code for s in response.context["recent"]] == [
        "DB31/T 1-2024", "DB31/T 2-2024", "GB/T 1.1-2020", "GB/T 1.1-2009"]


def test_home_soon_effective_earliest_first(client, catalogue):
    response = client.get(HOME)
    assert [s.code for s in response.context["upcoming"]] == ["DB31/T 2-2024", "DB31/T 1-2024"]
    day = catalogue + timedelta(days=10)
    assert f'<span class="date">{day:%Y-%m-%d} 实施</span>' in response.content.decode()


def test_home_has_search_box_and_browse_links(client):
    html = client.get(HOME).content.decode()
    assert '<form method="get" action="/search/" role="search" class="big-search">' in html
    assert '<label for="home-q">输入标准号或标准名称</label>' in html
    for url in ("/ics/", "/ccs/", "/organizations/", "/committees/"):
        assert f'<li><a href="{url}">' in html


def test_home_query_count_is_constant(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(4):
        client.get(HOME)
    for i in range(20):
        make_standard(f"GB/T {100 + i}-2021", issued_on=date(2021, 1, 1 + i))
    cache.clear()
    with django_assert_num_queries(4):
        response = client.get(HOME)
    assert len(response.context["recent"]) == 10


def test_home_figures_are_cached_between_views(client, catalogue, django_assert_num_queries):
    client.get(HOME)
    with django_assert_num_queries(2):  # recently published and soon effective only
        client.get(HOME)


def test_import_drops_cached_figures(client, catalogue, tmp_path,
                                     django_capture_on_commit_callbacks):
    from biaozhun.catalog.importing import import_standards

    before = client.get(HOME).context["total"]
    path = tmp_path / "one.csv"
    path.write_text("code,title_zh\nGB/T 9999-2020,新标准\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        import_standards(path)
    assert client.get(HOME).context["total"] == before + 1
