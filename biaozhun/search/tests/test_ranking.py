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
    assert codes(nature="mandatory") == ["GB 40-2020"]
    assert codes(ics="97") == ["GB 40-2020"]
    assert codes(ccs="Y") == ["GB/T 41-2012"]
    assert codes(year_from="2013") == ["GB 40-2020", "DB43/T 42-2021"]
    assert codes(year_to="2012", level="national") == ["GB/T 41-2012"]
    assert codes(level="local", status="current", year_from="2021", year_to="2021") == [
        "DB43/T 42-2021"]
