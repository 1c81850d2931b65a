"""Novelty check (查新): the existing standards most similar to a proposed title and scope."""

import json

import pytest
from django.db import connection
from django.template.loader import render_to_string

from biaozhun.catalog.tests.factories import make_standard
from biaozhun.search import backends, similar
from biaozhun.search.similar import Similar, similar_standards, similar_to_dicts

pytestmark = pytest.mark.django_db

TITLE = "养老机构服务质量评价规范"
SCOPE = "本标准规定了养老机构服务质量评价的原则、内容、方法和结果应用。"


@pytest.fixture
def catalogue():
    """Five editions near the proposal (three with its very title) and two far from it."""
    return {
        "national": make_standard("GB/T 1001-2024", title_zh=TITLE, scope=SCOPE),
        "superseded": make_standard("GB/T 1001-2018", title_zh=TITLE, scope=SCOPE,
                                    status="superseded"),
        "local": make_standard("DB43/T 2001-2021", title_zh=TITLE),
        "industry": make_standard("MZ/T 187-2021", title_zh="养老机构服务质量评价指南"),
        "group": make_standard("T/CAS 300-2022", title_zh="养老机构 护理服务规范"),
        # Only the generic "规范" in common (a quarter of a bigram's weight): 0.063, dropped.
        "generic": make_standard("GB/T 3000-2020", title_zh="水泥 监测技术规范"),
        "unrelated": make_standard("GB 4000-2020", title_zh="电动汽车 安全要求"),
    }


def _ranked(results: list[Similar]) -> list[tuple[str, float]]:
    return [(item.code, item.score) for item in results]


EXPECTED = [
    # Current national and industry standards first, by score ...
    ("GB/T 1001-2024", 1.0),
    ("MZ/T 187-2021", 0.913),  # 2 × (4 + 5 × 0.25) / (5.75 + 5.75)
    # ... then the rest by score, ties by code: local before the superseded national edition.
    ("DB43/T 2001-2021", 1.0),
    ("GB/T 1001-2018", 1.0),
    ("T/CAS 300-2022", 0.609),  # 2 × (3 + 0.25 + 0.25) / (5.75 + 5.75)
]


def test_current_national_and_industry_standards_come_first_then_the_rest(catalogue):
    assert _ranked(similar_standards(TITLE)) == EXPECTED


def test_a_superseded_edition_with_the_same_score_comes_after_the_current_ones(catalogue):
    codes = [item.code for item in similar_standards(TITLE)]
    assert codes.index("GB/T 1001-2018") > codes.index("MZ/T 187-2021")
    assert [item.status for item in similar_standards(TITLE)][:2] == ["current", "current"]


def test_traditional_input_finds_simplified_titles(catalogue):
    assert _ranked(similar_standards("養老機構服務質量評價規範")) == EXPECTED


def test_full_width_and_spacing_do_not_matter(catalogue):
    assert _ranked(similar_standards("  养老机构服务质量评价规范 ", limit=1)) == [
        ("GB/T 1001-2024", 1.0)]


def test_shared_terms_are_the_longest_common_pieces_subject_first(catalogue):
    found = {item.code: item.shared for item in similar_standards(TITLE)}
    assert found["GB/T 1001-2024"] == ["养老机构服务质量评价规范"]
    assert found["MZ/T 187-2021"] == ["养老机构服务质量评价"]
    assert found["T/CAS 300-2022"] == ["养老机构", "服务", "规范"]


def test_limit_and_exclude_ids(catalogue):
    assert _ranked(similar_standards(TITLE, limit=2)) == EXPECTED[:2]
    excluded = [catalogue["national"].pk, catalogue["local"].pk]
    assert _ranked(similar_standards(TITLE, exclude_ids=excluded)) == [
        ("MZ/T 187-2021", 0.913), ("GB/T 1001-2018", 1.0), ("T/CAS 300-2022", 0.609)]


@pytest.mark.parametrize("title", ["", "   ", "——", "《》"])
def test_a_blank_title_gives_nothing(catalogue, title):
    assert similar_standards(title, SCOPE) == []


def test_nothing_similar_gives_nothing(catalogue):
    assert similar_standards("湘菜 辣椒炒肉烹饪技术规范") == []


def test_the_scope_contributes_a_quarter():
    make_standard("DB43/T 10-2020", title_zh="智慧停车场建设规范",
                  scope="本文件规定了智慧停车场的系统架构、设施建设和运行管理。")
    make_standard("DB31/T 10-2020", title_zh="智慧停车场建设规范",
                  scope="本文件规定了停车场收费系统的技术要求。")
    # Title alone: a tie, broken by code.
    assert _ranked(similar_standards("智慧停车场建设规范")) == [
        ("DB31/T 10-2020", 1.0), ("DB43/T 10-2020", 1.0)]
    # With a scope, the edition whose scope says the same comes first.
    results = similar_standards("智慧停车场建设规范", "规定了智慧停车场的系统架构和设施建设")
    assert [item.code for item in results] == ["DB43/T 10-2020", "DB31/T 10-2020"]
    assert 0.75 < results[1].score < results[0].score < 1.0


def test_the_score_formula():
    title, other = similar.features("智慧停车场建设规范"), similar.features("停车场 管理规范")
    # 智慧 慧停 停车 车场 场建 1 each, 建设 设规 规范 0.25 each: 5.75; 停车 车场 1, 管理 理规
    # 规范 0.25: 2.75; shared 停车 车场 规范: 2.25.
    assert (title.total, other.total) == (5.75, 2.75)
    assert similar.dice(title, other) == pytest.approx(2 * 2.25 / 8.5)
    assert similar.score(title, None, other, other) == 0.529
    scope = similar.features("停车场")
    assert similar.score(title, title | scope, other, other) == round(
        0.75 * 2 * 2.25 / 8.5 + 0.25 * 2 * 2.25 / 8.5, 3)


def test_results_are_json_able_and_come_back(catalogue):
    results = similar_standards(TITLE, limit=2)
    stored = json.loads(json.dumps(similar_to_dicts(results)))
    assert stored[0] == {"id": catalogue["national"].pk, "code": "GB/T 1001-2024",
                         "title_zh": TITLE, "level": "national", "status": "current",
                         "score": 1.0, "shared": ["养老机构服务质量评价规范"]}
    assert [Similar.from_dict(d) for d in stored] == results


def test_a_bounded_number_of_queries(catalogue, django_assert_num_queries):
    # Size, one statement counting (and reading) every feature, the rows; PostgreSQL also
    # asks ANALYZE's statistics (none yet in a test database); a scope adds a read of the
    # scopes of each group (current national and industry standards, the rest).
    extra = 1 if connection.vendor == "postgresql" else 0
    backends._counts.clear()
    with django_assert_num_queries(3 + extra):
        similar_standards(TITLE)
    backends._counts.clear()
    with django_assert_num_queries(5 + extra):
        similar_standards(TITLE, SCOPE)


# --- the candidate strategy at scale, with the caps lowered -------------------------------------

@pytest.fixture
def frequent(monkeypatch):
    """Every word of the proposal in more editions than the caps allow to read whole."""
    monkeypatch.setattr(similar, "PROBE_CAP", 2)
    monkeypatch.setattr(similar, "READ_CAP", 3)
    # Frequencies remembered from other tests' catalogues must not leak in.
    monkeypatch.setattr(similar, "_VOCABULARY", {})
    monkeypatch.setattr(backends, "_counts", {})
    for number, aspect in enumerate(["包装", "术语", "运输", "标签"], start=1):
        make_standard(f"GB/T {100 + number}-2020", title_zh=f"茶叶 {aspect}")
        make_standard(f"GB/T {200 + number}-2020", title_zh=f"湘绣 {aspect}")
    make_standard("DB43/T 300-2020", title_zh="湘绣 茶叶 包装")


def test_two_frequent_words_are_found_together_and_only_together(frequent):
    # "茶叶 包装" (0.471) is not a candidate: each word alone matches more than READ_CAP.
    assert _ranked(similar_standards("湘绣茶叶")) == [("DB43/T 300-2020", 0.762)]


def test_planner_statistics_stand_in_for_counts_of_frequent_features(frequent, monkeypatch):
    monkeypatch.setattr(similar, "PROBE_CAP", 1)
    if connection.vendor == "postgresql":
        from biaozhun.search import index

        index.count_lexemes()
        assert backends.lexeme_counts({("茶叶", False), ("茶", True), ("绣", True)}) == (
            {("茶叶", False): 5, ("茶", True): 5, ("绣", True): 5}, 9)
    assert similar.frequencies(["茶叶", "湘绣", "绣茶"])[0] == {"茶叶": 5, "湘绣": 5, "绣茶": 0}
    assert _ranked(similar_standards("湘绣茶叶")) == [("DB43/T 300-2020", 0.762)]


def test_one_frequent_word_alone_is_read_in_rank_order(frequent):
    assert [item.code for item in similar_standards("茶叶")] == [
        "GB/T 101-2020", "GB/T 102-2020", "GB/T 103-2020", "GB/T 104-2020", "DB43/T 300-2020"]


# --- the API and the page fragment --------------------------------------------------------------

def test_api_lists_similar_standards(client, catalogue):
    response = client.get("/api/v1/search/similar", {"title": TITLE, "limit": 2})
    assert response.status_code == 200
    assert response.json() == {"count": 2, "threshold": 0.2, "results": [
        {"id": catalogue["national"].pk, "code": "GB/T 1001-2024", "title_zh": TITLE,
         "level": "national", "status": "current", "score": 1.0,
         "shared": ["养老机构服务质量评价规范"], "url": "/standards/GB/T%201001-2024"},
        {"id": catalogue["industry"].pk, "code": "MZ/T 187-2021",
         "title_zh": "养老机构服务质量评价指南", "level": "industry", "status": "current",
         "score": 0.913, "shared": ["养老机构服务质量评价"], "url": "/standards/MZ/T%20187-2021"},
    ]}


def test_api_with_scope_and_without_title(client, catalogue):
    data = client.get("/api/v1/search/similar", {"title": TITLE, "scope": SCOPE}).json()
    # The superseded edition has the same scope. The local standard has none: the proposal's
    # title + scope weighs 16.5, its title 5.75, all shared: 0.75 + 0.25 × 11.5 / 22.25.
    assert [(r["code"], r["score"]) for r in data["results"]] == [
        ("GB/T 1001-2024", 1.0), ("MZ/T 187-2021", 0.803), ("GB/T 1001-2018", 1.0),
        ("DB43/T 2001-2021", 0.879), ("T/CAS 300-2022", 0.535)]
    assert client.get("/api/v1/search/similar").json() == {
        "count": 0, "threshold": 0.2, "results": []}


@pytest.mark.parametrize("params", [
    {"title": TITLE, "limit": 0},
    {"title": TITLE, "limit": 51},
    {"title": TITLE, "limit": "ten"},
    {"title": "标" * 501},
    {"title": TITLE, "scope": "范" * 5001},
])
def test_api_refuses_out_of_range_parameters(client, catalogue, params):
    assert client.get("/api/v1/search/similar", params).status_code == 422


def test_api_limits_are_inclusive(client, catalogue):
    assert client.get("/api/v1/search/similar", {"title": "标" * 500, "scope": "范" * 5000,
                                                 "limit": 50}).status_code == 200
    assert client.get("/api/v1/search/similar", {"title": TITLE, "limit": 1}).json()[
        "count"] == 1


def test_openapi_describes_the_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/search/similar"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"title", "scope", "limit"}
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    out = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(out["properties"]) == {"count", "threshold", "results"}


def test_fragment_renders_an_accessible_table(catalogue):
    html = render_to_string("search/_similar.html", {"similar": similar_standards(TITLE)})
    assert "<caption>目录中最相似的现有标准" in html
    assert html.count('<th scope="col">') == 6
    assert '<a href="/standards/GB/T%201001-2024">GB/T 1001-2024</a>' in html
    assert '<span class="badge badge-superseded">被代替</span>' in html
    assert "<td>行业标准</td>" in html
    assert "<td>91%</td>" in html
    assert "<td>养老机构、服务、规范</td>" in html
    assert html.index("GB/T 1001-2024") < html.index("MZ/T 187-2021") < html.index(
        "DB43/T 2001-2021")


def test_fragment_renders_stored_results_and_says_when_there_are_none(catalogue):
    stored = similar_to_dicts(similar_standards(TITLE, limit=1))
    html = render_to_string("search/_similar.html",
                            {"similar": [Similar.from_dict(d) for d in stored]})
    assert "<td>100%</td>" in html
    html = render_to_string("search/_similar.html", {"similar": []})
    assert "目录中没有与之相似的现有标准。" in html
