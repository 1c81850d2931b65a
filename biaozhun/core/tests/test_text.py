"""Search normalisation: one definition for the index and the query parser."""

import pytest

from biaozhun.core.text import (
    Term,
    highlight_spans,
    matches,
    normalize,
    parse_terms,
    search_text,
    term_tokens,
    tokens,
)


def test_normalize_folds_width_script_and_case():
    assert normalize("ＧＢ／Ｔ　１．１ 電動汽車 ISO") == "gb/t 1.1 电动汽车 iso"


def test_cjk_runs_become_bigrams_and_last_character():
    assert tokens("生活饮用水") == ["生活", "活饮", "饮用", "用水", "水"]
    assert tokens("水") == ["水"]


def test_latin_words_and_digits_are_whole_tokens():
    assert tokens("PM2.5 5G基站 GB/T 1.1-2020") == [
        "pm2", "5", "5g", "基站", "站", "gb", "t", "1", "1", "2020"]


def test_search_text_keeps_fields_apart_and_skips_empty_ones():
    assert search_text("GB 2760-2014", "食品", "", "安全") == "gb 2760 2014 食品 品 安全 全"


def test_term_tokens_end_with_a_prefix_and_earlier_runs_must_end_with_the_run():
    assert term_tokens("饮用水") == (("饮用", False), ("用水", False))
    assert term_tokens("水") == (("水", True),)
    assert term_tokens("iso") == (("iso", True),)
    assert term_tokens("站5g") == (("站", False), ("5g", True))
    assert term_tokens("5g基") == (("5g", False), ("基", True))


def test_parse_terms_understands_quotes_and_exclusion():
    terms = parse_terms('電動汽車 "食品 安全" -锂离子 ，')
    assert terms == [
        Term("电动汽车", (("电动", False), ("动汽", False), ("汽车", False))),
        Term("食品 安全", (("食品", False), ("品", False), ("安全", False))),
        Term("锂离子", (("锂离", False), ("离子", False)), negated=True),
    ]


def test_a_lone_dash_is_not_an_exclusion():
    assert parse_terms("- 电池") == [Term("电池", (("电池", False),))]


@pytest.mark.parametrize(("query", "expected"), [
    ("饮用水", True), ("生活饮", True), ("水", True), ("活", True), ("活饮用水", True),
    ("饮水", False), ("水生", False), ("生活 饮用", False),
])
def test_matches_is_substring_search_within_a_run(query, expected):
    indexed = search_text("生活饮用水 卫生标准")
    (term,) = parse_terms(f'"{query}"')
    assert matches(indexed, term) is expected


def test_highlight_spans_map_normalised_matches_back_to_the_original_text():
    text = "電動汽車用ＬＩ電池"
    assert highlight_spans(text, ["电动汽车", "li"]) == [(0, 4), (5, 7)]
    assert highlight_spans("abc", []) == []
