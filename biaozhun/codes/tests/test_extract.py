"""Table-driven tests of extract (extract_cases.tsv)."""

from __future__ import annotations

import pytest

from biaozhun import codes

from ._tables import rows

CASES = rows("extract_cases.tsv")


@pytest.mark.parametrize("row", CASES, ids=[r[0][:40] for r in CASES])
def test_extract(row):
    text = row[0]
    expected = [c for c in (row[1] if len(row) > 1 else "").split(" | ") if c]
    found = codes.extract(text)
    assert [m.code for m in found] == expected
    for m in found:
        assert text[m.start : m.end] == m.raw
        assert m.code == m.number.code


def test_extract_includes_parsed_tails():
    text = "见GB 50016-2014（2018年版）和GB/T 19001-2016/ISO 9001:2015。"
    a, b = codes.extract(text)
    assert a.raw == "GB 50016-2014（2018年版）"
    assert a.number.edition_note == "2018年版"
    assert b.raw == "GB/T 19001-2016/ISO 9001:2015"
    assert b.number.adoption == (("ISO 9001:2015", None),)


def test_extract_offsets_with_fullwidth_and_newlines():
    text = "前言\nＧＢ／Ｔ　１．１－２０２０\r\n以及GB/T\n1.1-\n2020。"
    found = codes.extract(text)
    assert [m.code for m in found] == ["GB/T 1.1-2020", "GB/T 1.1-2020"]
    for m in found:
        assert text[m.start : m.end] == m.raw
    assert found[0].raw == "ＧＢ／Ｔ　１．１－２０２０"


def test_extract_empty():
    assert codes.extract("") == []
    assert codes.extract("没有任何标准编号的文本。") == []
