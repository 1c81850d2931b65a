"""Number queries in a dozen spellings put the right edition first."""

from datetime import date

import pytest

from biaozhun.catalog.tests.factories import make_standard, relate
from biaozhun.search.selectors import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions():
    old = make_standard("GB/T 1.1-2009", title_zh="标准化工作导则 第1部分：标准的结构和编写",
                        issued_on=date(2009, 6, 17), effective_on=date(2010, 1, 1))
    new = make_standard("GB/T 1.1-2020", title_zh="标准化工作导则 第1部分：标准化文件的结构和起草规则",
                        issued_on=date(2020, 3, 31), effective_on=date(2020, 10, 1))
    relate(new, old)
    make_standard("GB/T 1.2-2020", title_zh="标准化工作导则 第2部分：以ISO/IEC标准化文件为基础的标准化文件起草规则",
                  issued_on=date(2020, 3, 31), effective_on=date(2020, 10, 1))
    make_standard("GB/T 1.10-2020", title_zh="虚构的第10部分", issued_on=date(2020, 3, 31))
    make_standard("GB/T 11-2019", title_zh="无关的标准", issued_on=date(2019, 1, 1))
    gb_old = make_standard("GB 2760-2011", title_zh="食品安全国家标准 食品添加剂使用标准",
                           issued_on=date(2011, 4, 20), effective_on=date(2011, 6, 20))
    gb_new = make_standard("GB 2760-2014", title_zh="食品安全国家标准 食品添加剂使用标准",
                           scope="本标准规定了食品添加剂的使用原则，包括防腐剂。",
                           issued_on=date(2014, 12, 24), effective_on=date(2015, 5, 24))
    relate(gb_new, gb_old)
    make_standard("DB4301/T 12-2023", title_zh="长沙市地方标准示例", issued_on=date(2023, 5, 1))
    iso_old = make_standard("ISO 9001:2008", title_zh="质量管理体系 要求", issued_on=date(2008, 11, 14))
    iso_new = make_standard("ISO 9001:2015", title_zh="质量管理体系 要求", issued_on=date(2015, 9, 15))
    relate(iso_new, iso_old)


def _codes(query: str) -> list[str]:
    return [h.standard.code for h in search(query).hits]


@pytest.mark.parametrize("query", [
    "GB/T 1.1-2020", "GB/T 1.1—2020", "gbt1.1-2020", "GB/T1.1-2020", "ＧＢ／Ｔ　１．１－２０２０",
    "gb/t 1.1-2020", "GBT 1.1—2020", "GB/T 1.1–2020", "GB/T 1.1－2020", "GB／T 1.1-2020",
    "gb t 1.1-2020", "GB/T 1.1一2020",
])
def test_a_dated_number_in_any_spelling_puts_that_edition_first(editions, query):
    result = search(query)
    assert result.query.mode == "code"
    assert [h.standard.code for h in result.hits][:2] == ["GB/T 1.1-2020", "GB/T 1.1-2009"]
    assert result.hits[0].match == "exact"
    assert result.did_you_mean == []


def test_the_exact_edition_comes_first_even_when_superseded(editions):
    assert _codes("GB/T 1.1-2009") == [
        "GB/T 1.1-2009", "GB/T 1.1-2020", "GB/T 1.10-2020", "GB/T 1.2-2020"]


def test_an_undated_number_lists_editions_newest_current_first_then_parts(editions):
    result = search("gbt1.1")
    assert [(h.standard.code, h.match) for h in result.hits] == [
        ("GB/T 1.1-2020", "edition"), ("GB/T 1.1-2009", "edition"),
        ("GB/T 1.10-2020", "prefix"), ("GB/T 1.2-2020", "part")]
    assert result.did_you_mean == []


@pytest.mark.parametrize(("query", "first"), [
    ("ＧＢ２７６０", "GB 2760-2014"), ("gb2760", "GB 2760-2014"), ("GB 2760-2011", "GB 2760-2011"),
    ("DB4301/T 12", "DB4301/T 12-2023"), ("db4301/t12-2023", "DB4301/T 12-2023"),
    ("ISO 9001", "ISO 9001:2015"), ("iso 9001-2008", "ISO 9001:2008"),
])
def test_other_families(editions, query, first):
    assert _codes(query)[0] == first


def test_a_missing_edition_suggests_the_nearest_existing_ones(editions):
    result = search("GB/T 1.1-2019")
    assert [s.code for s in result.did_you_mean] == ["GB/T 1.1-2020", "GB/T 1.1-2009"]
    assert result.hits[0].standard.code == "GB/T 1.1-2020"


def test_a_whole_standard_number_lists_its_parts_and_suggests_numbers_with_that_start(
        editions):
    result = search("GB/T 1-2030")
    assert [(h.standard.code, h.match) for h in result.hits] == [
        ("GB/T 1.1-2020", "part"), ("GB/T 1.10-2020", "part"), ("GB/T 1.2-2020", "part"),
        ("GB/T 1.1-2009", "part")]
    assert [s.code for s in result.did_you_mean] == [
        "GB/T 1.1-2009", "GB/T 1.1-2020", "GB/T 1.10-2020", "GB/T 1.2-2020", "GB/T 11-2019"]


def test_a_number_nothing_starts_with_finds_nothing(editions):
    result = search("GB/T 99-2020")
    assert (result.total, result.hits, result.did_you_mean) == (0, [], [])


def test_a_mixed_query_keeps_the_editions_that_have_the_words(editions):
    result = search("GB 2760 防腐剂")
    assert result.query.mode == "mixed"
    assert [h.standard.code for h in result.hits] == ["GB 2760-2014"]
    assert result.notice == ""


def test_a_mixed_query_without_such_edition_falls_back_to_the_number(editions):
    result = search("GB 2760 不存在的词")
    assert [h.standard.code for h in result.hits] == ["GB 2760-2014", "GB 2760-2011"]
    assert result.notice == "mixed_fallback"


def test_filters_apply_to_number_queries(editions):
    result = search("GB/T 1.1", _filters(status="superseded"))
    assert [h.standard.code for h in result.hits] == ["GB/T 1.1-2009"]


def _filters(**values):
    from biaozhun.catalog.selectors import StandardFilters

    return StandardFilters.from_mapping(values)


def test_a_number_under_the_wrong_nature_suggests_the_right_one(editions):
    make_standard("GB/T 19001-2008", title_zh="质量管理体系 要求", issued_on=date(2008, 10, 30))
    make_standard("GB/T 19001-2016", title_zh="质量管理体系 要求", issued_on=date(2016, 12, 30))
    result = search("GB 19001-2016")  # the /T dropped
    assert (result.total, result.hits) == (0, [])
    assert [s.code for s in result.did_you_mean] == ["GB/T 19001-2016", "GB/T 19001-2008"]
    assert [s.code for s in search("GB/T 2760").did_you_mean] == [  # a /T added
        "GB 2760-2014", "GB 2760-2011"]


def test_a_number_one_keystroke_off_suggests_the_numbers_it_may_mean(editions):
    assert [s.code for s in search("GB 2706").did_you_mean] == ["GB 2760-2014"]  # swapped
    assert [s.code for s in search("GB 27600-2014").did_you_mean] == ["GB 2760-2014"]  # extra
    assert [s.code for s in search("ISO 901").did_you_mean] == ["ISO 9001:2015"]  # missing
    assert [s.code for s in search("DB4301/T 13").did_you_mean] == []  # under three digits
    assert [s.code for s in search("DB4301/T 112").did_you_mean] == ["DB4301/T 12-2023"]


def test_the_numbers_one_keystroke_off_put_the_same_prefix_and_what_is_in_force_first(
        editions):
    make_standard("GB/T 2761-2006", title_zh="另一标准", issued_on=date(2006, 1, 1))
    make_standard("GB 2761-2017", title_zh="食品安全国家标准 食品中真菌毒素限量",
                  issued_on=date(2017, 3, 17))
    make_standard("GB 2769-1981", title_zh="已废止的标准", issued_on=date(1981, 1, 1),
                  status="abolished")
    assert [s.code for s in search("GB 2762").did_you_mean] == [
        "GB 2760-2014", "GB 2761-2017", "GB 2769-1981", "GB/T 2761-2006"]


def test_imported_mandatory_local_standards_are_found_by_number(tmp_path):
    from biaozhun.catalog.importing import import_standards

    path = tmp_path / "local.csv"
    path.write_text("code,title_zh,issued_on\nDB31 123-2020,上海强制性地方标准,2020-01-01\n"
                    "DB31 123-2010,上海强制性地方标准,2010-01-01\n", encoding="utf-8")
    import_standards(path)
    assert _codes("db31 123") == ["DB31 123-2020", "DB31 123-2010"]
    assert _codes("ＤＢ３１　１２３—２０１０")[0] == "DB31 123-2010"
