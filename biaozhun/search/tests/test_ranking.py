"""Ranking a domain expert agrees with: title before scope, current before superseded,
national before lower levels, newer before older; a bounded window, then the static order."""

from datetime import date

import pytest

from biaozhun.catalog.tests.factories import make_standard, relate
from biaozhun.search import selectors
from biaozhun.search.selectors import search

pytestmark = pytest.mark.django_db


def _codes(query: str, **kwargs) -> list[str]:
    return [h.standard.code for h in search(query, **kwargs).hits]


def test_title_matches_come_before_scope_matches():
    make_standard("GB/T 100-2020", title_zh="道路照明", scope="适用于锂电池储能", issued_on=date(2020, 1, 1))
    make_standard("DB43/T 200-2010", title_zh="锂电池 安全要求", issued_on=date(2010, 1, 1))
    result = search("锂电池")
    assert [(h.standard.code, h.match) for h in result.hits] == [
        ("DB43/T 200-2010", "title"), ("GB/T 100-2020", "text")]


def test_current_editions_come_before_superseded_ones():
    old = make_standard("GB/T 300-2015", title_zh="电梯 安装规范", issued_on=date(2015, 1, 1))
    new = make_standard("GB/T 300-2021", title_zh="电梯 安装规范", issued_on=date(2021, 1, 1))
    abolished = make_standard("GB/T 301-2022", title_zh="电梯 维修", issued_on=date(2022, 1, 1),
                              abolished_on=date(2024, 1, 1))
    relate(new, old)
    from biaozhun.catalog.services import refresh_status

    refresh_status(ids=[abolished.pk])
    assert _codes("电梯") == ["GB/T 300-2021", "GB/T 300-2015", "GB/T 301-2022"]


def test_national_before_industry_local_group_and_enterprise_on_ties():
    for code in ("Q/ABC 1-2020", "T/CAS 1-2020", "DB31/T 1-2020", "JB/T 1-2020", "GB/T 1-2020"):
        make_standard(code, title_zh="工业机器人 通用技术条件", issued_on=date(2020, 1, 1))
    assert _codes("工业机器人") == [
        "GB/T 1-2020", "JB/T 1-2020", "DB31/T 1-2020", "T/CAS 1-2020", "Q/ABC 1-2020"]


def test_newer_editions_first_within_a_level_and_status():
    for year in (2008, 2019, 2013):
        make_standard(f"DB43/T {year}-{year}", title_zh="米粉 加工技术规程", issued_on=date(year, 1, 1))
    assert _codes("米粉") == ["DB43/T 2019-2019", "DB43/T 2013-2013", "DB43/T 2008-2008"]


def test_beyond_the_window_the_static_order_holds(monkeypatch):
    monkeypatch.setattr(selectors, "RANK_WINDOW", 2)
    make_standard("GB/T 10-2024", title_zh="通则", scope="茶叶的加工", issued_on=date(2024, 1, 1))
    make_standard("GB/T 11-2023", title_zh="通则", scope="茶叶的贮存", issued_on=date(2023, 1, 1))
    make_standard("Q/AB 1-2020", title_zh="茶叶 技术要求", issued_on=date(2020, 1, 1))
    make_standard("GB/T 12-2022", title_zh="茶叶 术语", issued_on=date(2022, 1, 1))
    result = search("茶叶")
    # The window (two best by the static order) is re-ranked; the rest keep the static order.
    assert [(h.standard.code, h.match) for h in result.hits] == [
        ("GB/T 10-2024", "text"), ("GB/T 11-2023", "text"), ("GB/T 12-2022", "text"),
        ("Q/AB 1-2020", "text")]
    monkeypatch.setattr(selectors, "RANK_WINDOW", 1000)
    assert [h.match for h in search("茶叶").hits] == ["title", "title", "text", "text"]


def test_every_term_must_match_and_excluded_terms_must_not():
    make_standard("GB/T 20-2020", title_zh="电动汽车 充电桩 技术要求", issued_on=date(2020, 1, 1))
    make_standard("GB/T 21-2020", title_zh="电动汽车 动力电池", issued_on=date(2020, 1, 1))
    make_standard("GB/T 22-2020", title_zh="汽车 电动座椅", issued_on=date(2020, 1, 1))
    assert _codes("电动汽车") == ["GB/T 20-2020", "GB/T 21-2020"]
    assert _codes("電動汽車 充電") == ["GB/T 20-2020"]
    assert _codes("电动汽车 -充电桩") == ["GB/T 21-2020"]
    assert _codes('"汽车 电动"') == ["GB/T 22-2020"]
    assert _codes("车电") == []  # no match across two words


def test_english_titles_organisations_and_committees_are_searchable():
    from biaozhun.catalog.models import TechnicalCommittee
    from biaozhun.catalog.tests.factories import make_organization

    committee = TechnicalCommittee.objects.create(code="SAC/TC 999", name="全国虚构标准化技术委员会")
    standard = make_standard("GB/T 30-2020", title_zh="示例", title_en="Industrial robots",
                             committee=committee, issued_on=date(2020, 1, 1))
    standard.drafting_orgs.add(make_organization("湘潭电机股份有限公司"))
    assert _codes("industrial ROBOT") == ["GB/T 30-2020"]
    assert _codes("虚构标准化") == ["GB/T 30-2020"]
    assert _codes("湘潭電機") == ["GB/T 30-2020"]


def test_filters_combine_with_text_on_every_dimension():
    from biaozhun.catalog.selectors import StandardFilters
    from biaozhun.catalog.tests.factories import make_ccs, make_ics

    a = make_standard("GB 40-2020", title_zh="燃气热水器 安全", issued_on=date(2020, 1, 1))
    make_standard("GB/T 41-2012", title_zh="燃气热水器 能效", issued_on=date(2012, 1, 1),
                      ccs=make_ccs("Y"))
    make_standard("DB43/T 42-2021", title_zh="燃气热水器 安装", issued_on=date(2021, 1, 1))
    make_ics("97")
    a.ics.add(make_ics("97.100"))

    def codes(**values):
        return [h.standard.code for h in search("燃气热水器", StandardFilters.from_mapping(values)).hits]

    assert codes(issuer="GB") == ["GB 40-2020", "GB/T 41-2012"]
    assert codes(issuer="DB43/T") == ["DB43/T 42-2021"]
    assert codes(issuer="DB43") == ["DB43/T 42-2021"]
    assert codes(issuer="GB", nature="mandatory") == ["GB 40-2020"]
    assert codes(issuer="GB/Z") == []
    assert codes(nature="mandatory") == ["GB 40-2020"]
    assert codes(ics="97") == ["GB 40-2020"]
    assert codes(ccs="Y") == ["GB/T 41-2012"]
    assert codes(year_from="2013") == ["GB 40-2020", "DB43/T 42-2021"]
    assert codes(year_to="2012", level="national") == ["GB/T 41-2012"]
    assert codes(level="local", status="current", year_from="2021", year_to="2021") == [
        "DB43/T 42-2021"]


# --- counting a frequent term on PostgreSQL ------------------------------------------------------

@pytest.mark.parametrize(("shares", "rows", "query", "cap"), [
    # The budget is 30,000 keys walked, or 7,500 matches read (partitions of 100,000 rows).
    # A rare word: GIN reads its 1,000 matches, all counted.
    ({"罕见": 0.001}, 1e6, "罕见", 10_000),
    # In 40 % of the rows: 10,001 matches are found within 25,000 keys walked.
    ({"技术": 0.4}, 1e6, "技术", 10_000),
    # In 19 %: 10,001 would walk 53,000 keys (GIN: a partition holds 19,000 matches);
    # 5,001 walk 26,000.
    ({"技术": 0.19}, 1e6, "技术", 5_000),
    # In 5 %: GIN reads 5,001 matches from the first partitions (10,001 would be too many).
    ({"技术": 0.19, "术要": 0.05, "要求": 0.2}, 1e6, "技术要求", 5_000),
    ({"检验": 0.02, "验规": 0.02, "规则": 0.03}, 3.5e6, "检验规则", 5_000),
    # Two frequent terms count as independent (12 % of the rows together): 2,001 walk 16,700.
    ({"电池": 0.6, "安全": 0.2}, 1e6, "电池 安全", 2_000),
    # An excluded term does not make the rest rarer.
    ({"技术": 0.4, "罕见": 0.001}, 1e6, "技术 -罕见", 10_000),
    # In 0.6 % of 3.5M rows (21,000 matches): GIN reads the first 5,001.
    ({"充电": 0.006, "电桩": 0.006}, 3.5e6, "充电桩", 5_000),
    # In 0.2 %: all 7,000 matches are read and counted.
    ({"充电": 0.002, "电桩": 0.002}, 3.5e6, "充电桩", 10_000),
])
def test_postgresql_counts_fewer_matches_where_counting_would_walk_too_far(
        monkeypatch, shares, rows, query, cap):
    from biaozhun.core.text import parse_terms
    from biaozhun.search import backends

    def counts(words):
        return {w: round(shares.get(w[0], 0) * rows) for w in words}, round(rows)

    monkeypatch.setattr(backends, "lexeme_counts", counts)
    assert backends.PostgresBackend().count_cap(parse_terms(query), 10_000) == cap


def test_the_page_counts_as_far_as_the_backend_chooses(monkeypatch):
    from biaozhun.search import backends

    for number in range(1, 6):
        make_standard(f"GB/T {number}-2020", title_zh=f"茶叶 第{number}部分",
                      issued_on=date(2020, 1, number))
    backend = type(backends.get_backend())
    monkeypatch.setattr(backend, "count_cap", lambda self, terms, cap, tags=(): 3)
    result = search("茶叶", page_size=2)
    assert (result.total, result.capped, result.pages) == (3, True, 2)
    assert [h.standard.code for h in result.hits] == ["GB/T 1-2020", "GB/T 2-2020"]  # same rank
    # Pages past the counted matches are still read, exactly, from the index.
    assert [h.standard.code for h in search("茶叶", page=3, page_size=2).hits] == ["GB/T 5-2020"]


@pytest.fixture
def tea_catalogue():
    """30 editions of every status, level and year, two thirds of them on tea."""
    from biaozhun.catalog.services import refresh_status

    made = []
    prefixes = ["GB/T", "DB43/T", "T/HNCY", "Q/XY"]
    for number in range(30):
        title = "茶叶 加工规程" if number % 3 else "竹笋 加工规程"
        made.append(make_standard(
            f"{prefixes[number % 4]} {500 + number}-{2000 + number % 7}", title_zh=title,
            issued_on=date(2000 + number % 7, 1, 1),
            abolished_on=date(2010, 1, 1) if number % 5 == 0 else None))
    refresh_status(ids=[s.pk for s in made])
    return made


@pytest.fixture
def partitioned(tea_catalogue, monkeypatch):
    """The tea catalogue's index rebuilt in partitions of about four documents."""
    from django.db import connection

    from biaozhun.search import backends, index

    if connection.vendor != "postgresql":
        pytest.skip("the walk and the partitions are the PostgreSQL plan")
    monkeypatch.setattr(index, "PARTITION_ROWS", 4)
    index.rebuild(recompute=False)
    with connection.cursor() as cursor:
        assert len(index.partitions(cursor)) == 8
    backends._counts.clear()
    return tea_catalogue


@pytest.mark.parametrize("walk_limit", [1000, 1, 2, 4, 5])
@pytest.mark.parametrize("filters", [
    {}, {"status": "current"}, {"level": "local", "status": "current"},
    {"year_from": "2002", "year_to": "2004"}, {"issuer": "DB43"}, {"nature": "recommended"}])
def test_postgresql_walk_partitions_and_one_statement_find_exactly_the_same(
        partitioned, monkeypatch, walk_limit, filters):
    """Walking the keys (stopped after `walk_limit` and finished through GIN), reading GIN
    partition by partition and reading it in one statement return the same keys in the same
    order, at every limit and offset. The plans are forced: on 30 rows the counts would
    always choose one statement."""
    from biaozhun.catalog.selectors import StandardFilters
    from biaozhun.search import backends

    calls = []
    plans = {
        "walk": (lambda self, terms, tags=(): (0.7, 30.0), float("inf")),
        "partitions": (lambda self, terms, tags=(): (1.0, 1e9), 0.0),
        "walk, then partitions": (lambda self, terms, tags=(): (1.0, 1e9), float("inf")),
        "statement": (lambda self, terms, tags=(): (0.0, 0.0), 0.0),
    }

    def force(plan: str) -> None:
        monkeypatch.undo()
        monkeypatch.setattr(backends, "WALK_LIMIT", walk_limit)
        share, read_cost = plans[plan]
        monkeypatch.setattr(backends.PostgresBackend, "_share", share)
        monkeypatch.setattr(backends.PostgresBackend, "_read_cost",
                            staticmethod(lambda *args: read_cost))
        for name in ("_walk", "_read", "_statement"):
            original = getattr(backends.PostgresBackend, name)
            # A statement over one partition is recorded apart from one over the whole index.
            monkeypatch.setattr(backends.PostgresBackend, name,
                                lambda self, *a, _o=original, _n=name, **k:
                                calls.append(_n + (":partition" if k.get("table") else ""))
                                or _o(self, *a, **k))

    flt = StandardFilters.from_mapping(filters)
    parsed = selectors.parse_query("茶叶")
    force("statement")
    every = selectors.matching_keys(parsed, flt, limit=100)[0]
    assert calls == ["_read", "_statement"]
    expected = [h.standard.code for h in search("茶叶", flt, page_size=100).hits]
    assert len(every) == len(expected) > 0
    for plan in ("walk", "partitions", "walk, then partitions"):
        force(plan)
        del calls[:]
        assert selectors.matching_keys(parsed, flt, limit=100)[0] == every, plan
        assert calls[0] == ("_read" if plan == "partitions" else "_walk")
        assert ("_statement:partition" in calls) is (
            plan == "partitions" or (plan == "walk, then partitions" and walk_limit < 30))
        assert ("_statement" in calls) is (plan == "walk" and walk_limit < 30)
        for offset, limit in ((0, 1), (0, 3), (2, 4), (5, 20)):
            assert selectors.matching_keys(parsed, flt, offset=offset, limit=limit)[0] == \
                every[offset:offset + limit], (plan, offset, limit)
    monkeypatch.undo()


def test_postgresql_counts_filters_like_words(monkeypatch):
    from biaozhun.core.text import parse_terms
    from biaozhun.search import backends

    def counts(words):
        known = {"安全": 0.3, "~nature:mandatory": 0.0667}
        return {w: round(known.get(w[0], 0) * 3.5e6) for w in words}, 3_500_000

    monkeypatch.setattr(backends, "lexeme_counts", counts)
    backend = backends.PostgresBackend()
    # 2 % together: 70,000 matches; GIN reads the first 5,001 (a partition holds 2,000).
    assert backend.count_cap(parse_terms("安全"), 10_000, (("nature", "mandatory"),)) == 5_000
    assert backend.count_cap(parse_terms("安全"), 10_000) == 5_000  # 16,700 keys
    assert backend.expression(parse_terms("安全"), (("issuer", "DB43/T"),)) == \
        "('安全') & '~issuer:DB43/T'"
