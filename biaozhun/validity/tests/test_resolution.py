"""Every resolution rule, against the small catalogue of conftest.py."""

from datetime import date

import pytest

from biaozhun.validity.documents import find_references, read_text
from biaozhun.validity.services import build_report

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


def check(text: str, as_of: date = AS_OF) -> dict:
    return build_report(find_references(read_text(text)), as_of)


def one(text: str, as_of: date = AS_OF) -> dict:
    report = check(text, as_of)
    assert len(report["references"]) == 1, report["references"]
    return report["references"][0]


def test_dated_current_reference_resolves_to_that_edition(catalog):
    ref = one("GB/T 1.1-2020")
    assert (ref["status"], ref["resolved_to"], ref["in_force"], ref["replaced_by"]) == (
        "current", "GB/T 1.1-2020", ["GB/T 1.1-2020"], [])
    assert ref["advice"] == "现行有效。"


def test_undated_reference_resolves_to_latest_edition_in_force_and_says_so(catalog):
    ref = one("GB/T 1.1")
    assert (ref["status"], ref["code"], ref["resolved_to"]) == ("current", "GB/T 1.1",
                                                                 "GB/T 1.1-2020")
    assert ref["advice"].startswith("未注明年号，按最新版本 GB/T 1.1-2020 核查。")


def test_undated_reference_as_of_an_earlier_date_takes_the_edition_then_in_force(catalog):
    assert one("GB/T 1.1", date(2015, 1, 1))["resolved_to"] == "GB/T 1.1-2009"


def test_superseded_edition_names_replacement_and_since_when(catalog):
    ref = one("GB/T 1.1-2009")
    assert (ref["status"], ref["replaced_by"], ref["in_force"],
            ref["replacement_effective_on"]) == (
        "superseded", ["GB/T 1.1-2020"], ["GB/T 1.1-2020"], "2020-10-01")
    assert ref["advice"] == "已被 GB/T 1.1-2020 代替（2020-10-01 起）。请改为引用 GB/T 1.1-2020。"


def test_chain_of_several_hops_reaches_the_edition_in_force(catalog):
    ref = one("GB 100-2000")
    assert (ref["status"], ref["replaced_by"], ref["in_force"]) == (
        "superseded", ["GB 100-2010"], ["GB 100-2020"])


def test_split_gives_every_edition_in_force(catalog):
    ref = one("GB 200-2005")
    assert (ref["status"], sorted(ref["in_force"])) == ("superseded",
                                                        ["GB 201-2015", "GB 202-2015"])
    assert ref["replacement_effective_on"] == "2015-06-01"


def test_merge_points_both_old_editions_at_the_one_in_force(catalog):
    report = check("GB 300-2001\nGB 301-2001")
    assert [(r["status"], r["in_force"]) for r in report["references"]] == [
        ("superseded", ["GB 302-2012"]), ("superseded", ["GB 302-2012"])]


def test_successor_published_not_yet_effective_leaves_edition_current_with_notice(catalog):
    ref = one("GB 2760-2014")
    assert (ref["status"], ref["replaced_by"], ref["replacement_effective_on"]) == (
        "current", ["GB 2760-2024"], "2025-02-08")
    assert "GB 2760-2024 已发布，将于 2025-02-08 实施" in ref["advice"]


def test_successor_not_yet_published_on_the_day_is_not_mentioned(catalog):
    ref = one("GB 2760-2014", date(2020, 1, 1))
    assert (ref["status"], ref["replaced_by"], ref["replacement_effective_on"]) == (
        "current", [], None)


def test_as_of_after_the_successor_takes_effect_makes_it_superseded(catalog):
    ref = one("GB 2760-2014", date(2025, 3, 1))
    assert (ref["status"], ref["in_force"]) == ("superseded", ["GB 2760-2024"])


def test_upcoming_edition(catalog):
    ref = one("GB 2760-2024")
    assert (ref["status"], ref["effective_on"]) == ("upcoming", "2025-02-08")
    assert ref["advice"] == "已发布，尚未实施，将于 2025-02-08 实施。"


def test_as_of_uses_the_rule_not_the_stored_status(catalog):
    # Stored statuses were computed for today; on 2012-01-01 GB 100-2010 was still current.
    assert one("GB 100-2010", date(2011, 1, 1))["status"] == "current"
    assert one("GB 100-2010", date(2021, 1, 1))["status"] == "superseded"


def test_abolished_without_replacement_shows_the_date(catalog):
    ref = one("GB/T 400-2000")
    assert (ref["status"], ref["abolished_on"], ref["replaced_by"], ref["in_force"]) == (
        "abolished", "2017-03-23", [], [])
    assert ref["advice"] == "已于 2017-03-23 废止。无替代标准。"


def test_abolished_with_partial_replacement_shows_it(catalog):
    ref = one("GB/T 500-2000")
    assert (ref["status"], ref["replaced_by"], ref["in_force"]) == (
        "abolished", ["GB/T 501-2018"], ["GB/T 501-2018"])


def test_chain_ending_in_an_abolished_edition_has_nothing_in_force(catalog):
    ref = one("GB 600-2010")
    assert (ref["status"], ref["in_force"]) == ("superseded", [])
    assert ref["advice"].endswith("目录中没有现行的替代版本。")


def test_amendment_is_reported_with_its_base(catalog):
    ref = one("GB 2760-2014 第1号修改单 XG1-2021")
    assert (ref["code"], ref["base"], ref["status"]) == (
        "GB 2760-2014/XG1-2021", "GB 2760-2014", "current")
    assert ref["advice"].startswith("修改单，基础标准 GB 2760-2014。")


def test_amendment_follows_its_superseded_base(catalog):
    ref = one("GB 2760-2014/XG1-2021", date(2025, 3, 1))
    assert (ref["status"], ref["in_force"]) == ("superseded", ["GB 2760-2024"])


def test_amendment_missing_from_catalogue_is_checked_by_its_base(catalog):
    ref = one("GB 2760-2014/XG2-2022")
    assert (ref["status"], ref["base"], ref["resolved_to"]) == (
        "current", "GB 2760-2014", "GB 2760-2014")
    assert ref["advice"].startswith("目录未收录该修改单")


def test_unknown_edition_suggests_the_existing_editions(catalog):
    ref = one("GB/T 1.1-2015")
    assert (ref["status"], ref["suggestions"]) == ("not_found",
                                                   ["GB/T 1.1-2020", "GB/T 1.1-2009"])


def test_unknown_number_suggests_nearby_numbers(catalog):
    ref = one("GB/T 1000-2020")
    assert (ref["status"], ref["suggestions"]) == ("not_found", ["GB/T 1001-2019"])


def test_a_number_cited_under_the_wrong_nature_suggests_the_right_one(catalog):
    ref = one("GB/T 2760-2014")  # a /T added to a mandatory standard
    assert (ref["status"], ref["suggestions"]) == ("not_found",
                                                   ["GB 2760-2024", "GB 2760-2014"])
    assert ref["advice"] == "目录中没有该标准号，请核对。相近的标准：GB 2760-2024、GB 2760-2014"
    ref = one("GB 1.1-2020")  # and dropped from a recommended one
    assert ref["suggestions"] == ["GB/T 1.1-2020", "GB/T 1.1-2009"]


def test_unknown_without_anything_near(catalog):
    ref = one("GB/T 77777-2020")
    assert (ref["status"], ref["suggestions"]) == ("not_found", [])


@pytest.mark.parametrize(("line", "reason"), [
    ("XYZ 12-2020", "未知的标准代号“XYZ”"),
    ("DB99/T 1-2020", "地方标准代号“DB99”中的省级行政区划代码“99”不存在"),
])
def test_number_that_does_not_parse_is_invalid_with_the_reason(catalog, line, reason):
    ref = one(line)
    assert (ref["status"], ref["code"], ref["raw"]) == ("invalid", None, line)
    assert ref["advice"] == f"无法识别的标准号：{reason}"


def test_duplicates_fold_with_count_and_every_location(catalog):
    report = check("依据 GB/T 1.1-2020。\n其他\n按照 GBT 1.1—2020 和 GB/T 1.1-2020 编写")
    (ref,) = report["references"]
    assert ref["count"] == 3
    assert [loc["line"] for loc in ref["locations"]] == [1, 3, 3]
    assert ref["locations"][0]["label"] == "第 1 行"


def test_summary_counts_distinct_references(catalog):
    report = check("GB/T 1.1-2020\nGB/T 1.1-2020\nGB/T 1.1-2009\nGB 2760-2024\n"
                   "GB/T 400-2000\nGB/T 77777-2020\nXYZ 1-2020")
    assert report["as_of"] == "2024-06-01"
    assert report["summary"] == {"current": 1, "upcoming": 1, "superseded": 1, "abolished": 1,
                                 "not_found": 1, "invalid": 1}


def test_resolution_uses_a_fixed_number_of_queries(catalog, django_assert_max_num_queries):
    text = "\n".join(["GB 100-2000", "GB 200-2005", "GB/T 1.1", "GB 2760-2014",
                      "GB/T 77777-2020"] * 20)
    occurrences = find_references(read_text(text))
    # editions by undated key and by code, then two per hop (3 hops + the empty one), nearby
    with django_assert_max_num_queries(10):
        build_report(occurrences, AS_OF)
