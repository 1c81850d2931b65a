"""The search page, the API and the `search` command."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from biaozhun.catalog.tests.factories import make_standard, relate
from biaozhun.search import backends

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    old = make_standard("GB 2760-2011", title_zh="食品安全国家标准 食品添加剂使用标准",
                        issued_on=date(2011, 4, 20), effective_on=date(2011, 6, 20))
    new = make_standard("GB 2760-2014", title_zh="食品安全国家标准 食品添加剂使用标准",
                        scope="本标准规定了食品添加剂的使用原则。",
                        issued_on=date(2014, 12, 24), effective_on=date(2015, 5, 24))
    relate(new, old)
    make_standard("DB43/T 100-2020", title_zh="湘菜 食品安全管理规范", issued_on=date(2020, 1, 1))


def test_search_page_shows_ranked_highlighted_hits_and_facets(client, catalogue,
                                                               django_assert_num_queries):
    # Keys, window rows, their ICS fields, the page; PostgreSQL also reads ANALYZE's frequent
    # lexemes (once every five minutes) to choose between walking the keys and GIN.
    backends._counts.clear()
    extra = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(4 + extra):
        response = client.get("/search/", {"q": "食品安全"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "共 3 条结果" in html
    # Current before superseded, whatever the level.
    assert html.index("GB 2760—2014") < html.index("DB43/T 100—2020") < html.index("GB 2760—2011")
    assert "<mark>食品安全</mark>国家标准" in html
    assert 'href="?q=%E9%A3%9F%E5%93%81%E5%AE%89%E5%85%A8&amp;level=national">国家标准 <span class="n">2</span>' in html
    assert 'href="?q=%E9%A3%9F%E5%93%81%E5%AE%89%E5%85%A8&amp;status=superseded">被代替 <span class="n">1</span>' in html


def test_ics_and_ccs_facets_count_top_level_fields(client, catalogue):
    from biaozhun.catalog.models import Standard
    from biaozhun.catalog.tests.factories import make_ccs, make_ics

    make_ics("67")
    node = make_ics("67.220")
    for standard in Standard.objects.filter(code__startswith="GB "):
        standard.ics.add(node)
    Standard.objects.filter(code__startswith="DB43").update(ccs=make_ccs("X"))
    html = client.get("/search/", {"q": "食品安全"}).content.decode()
    assert 'ics=67">67 <span class="n">2</span>' in html
    assert 'ccs=X">X <span class="n">1</span>' in html
    html = client.get("/search/", {"q": "食品安全", "ics": "67"}).content.decode()
    assert "共 2 条结果" in html


def test_a_facet_narrows_and_can_be_removed(client, catalogue):
    html = client.get("/search/", {"q": "食品安全", "level": "local"}).content.decode()
    assert "共 1 条结果" in html
    assert "DB43/T 100—2020" in html and "GB 2760—2014" not in html
    assert 'class="facet-selected" aria-current="true">地方标准' in html
    assert '<input type="hidden" name="level" value="local">' in html


def test_traditional_input_finds_simplified_titles(client, catalogue):
    html = client.get("/search/", {"q": "食品添加劑"}).content.decode()
    assert "共 2 条结果" in html
    assert "<mark>食品添加剂</mark>" in html


def test_empty_page_explains_how_to_search(client):
    html = client.get("/search/").content.decode()
    assert "怎样检索" in html
    assert 'href="?q=gbt1.1"' in html


def test_no_result_page_helps(client, catalogue):
    html = client.get("/search/", {"q": "不存在的词", "status": "current"}).content.decode()
    assert "没有找到与“不存在的词”匹配的标准。" in html
    assert 'href="?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E8%AF%8D">去掉筛选条件再试</a>' in html


def test_missing_edition_says_did_you_mean(client, catalogue):
    html = client.get("/search/", {"q": "GB 2760-2012"}).content.decode()
    assert "目录中没有 GB 2760-2012 这一版本。您要找的是不是：" in html
    assert html.index('href="/standards/GB%202760-2011"') < html.index('<ol class="hits"')


def test_header_and_home_search_go_to_the_search_page(client):
    html = client.get("/").content.decode()
    assert html.count('action="/search/"') == 2
    assert '<a href="/search/">检索</a>' in html
    assert html.count('data-suggest="/api/v1/search/suggest"') == 2


def test_api_search(client, catalogue):
    data = client.get("/api/v1/search", {"q": "gb2760", "page_size": 1}).json()
    assert data["mode"] == "code"
    assert (data["count"], data["count_capped"], data["page"], data["page_size"]) == (2, False, 1, 1)
    assert [(r["code"], r["match"], r["status"]) for r in data["results"]] == [
        ("GB 2760-2014", "edition", "current")]
    assert data["results"][0]["url"] == "/standards/GB%202760-2014"
    assert data["facets"]["status"] == [
        {"value": "current", "label": "现行", "count": 1, "selected": False},
        {"value": "superseded", "label": "被代替", "count": 1, "selected": False}]


def test_api_search_filters_and_validates(client, catalogue):
    data = client.get("/api/v1/search", {"q": "食品", "level": "local"}).json()
    assert [r["code"] for r in data["results"]] == ["DB43/T 100-2020"]
    assert client.get("/api/v1/search", {"q": "食品", "page_size": 101}).status_code == 422


def test_suggest_lists_numbers_then_titles(client, catalogue):
    assert client.get("/api/v1/search/suggest", {"q": "gb 276"}).json() == [
        {"code": "GB 2760-2011", "title": "食品安全国家标准 食品添加剂使用标准", "kind": "code",
         "url": "/standards/GB%202760-2011"},
        {"code": "GB 2760-2014", "title": "食品安全国家标准 食品添加剂使用标准", "kind": "code",
         "url": "/standards/GB%202760-2014"}]
    assert [s["code"] for s in client.get("/api/v1/search/suggest", {"q": "湘菜"}).json()] == [
        "DB43/T 100-2020"]
    assert client.get("/api/v1/search/suggest", {"q": ""}).json() == []


def test_search_command_prints_ranked_hits(catalogue):
    out = StringIO()
    call_command("search", "食品安全", "--limit", "2", stdout=out)
    assert out.getvalue().splitlines() == [
        "3 条结果（text）",
        "GB 2760-2014\t食品安全国家标准 食品添加剂使用标准\tcurrent\tnational",
        "DB43/T 100-2020\t湘菜 食品安全管理规范\tcurrent\tlocal",
    ]


def test_search_command_json(catalogue):
    out = StringIO()
    call_command("search", "GB", "2760-2011", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [(r["code"], r["match"]) for r in data["results"]] == [
        ("GB 2760-2011", "exact"), ("GB 2760-2014", "edition")]
    assert (data["mode"], data["count"], data["did_you_mean"]) == ("code", 2, [])


def test_api_and_command_say_when_the_words_next_to_a_number_matched_no_edition(client,
                                                                                catalogue):
    data = client.get("/api/v1/search", {"q": "GB 2760 防腐剂"}).json()
    assert (data["mode"], data["notice"], data["count"]) == ("mixed", "mixed_fallback", 2)
    data = client.get("/api/v1/search", {"q": "GB 2760 添加剂"}).json()
    assert (data["mode"], data["notice"], data["count"]) == ("mixed", "", 2)
    out = StringIO()
    call_command("search", "GB 2760 防腐剂", stdout=out)
    assert out.getvalue().splitlines() == [
        "2 条结果（mixed）",
        "标准号 GB 2760 的各版本中没有同时包含其余关键词的，下面列出该标准号的全部结果。",
        "GB 2760-2014\t食品安全国家标准 食品添加剂使用标准\tcurrent\tnational",
        "GB 2760-2011\t食品安全国家标准 食品添加剂使用标准\tsuperseded\tnational",
    ]
    out = StringIO()
    call_command("search", "GB 2760 防腐剂", "--json", stdout=out)
    assert json.loads(out.getvalue())["notice"] == "mixed_fallback"


def test_the_search_page_has_one_search_form(client, catalogue):
    html = client.get("/search/", {"q": "食品安全"}).content.decode()
    assert html.count('role="search"') == 1
    assert html.count('data-suggest="/api/v1/search/suggest"') == 1
    assert 'id="search-q" type="search" name="q" value="食品安全"' in html
