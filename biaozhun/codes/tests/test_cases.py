"""Table-driven tests of parse / normalize (cases.tsv)."""

from __future__ import annotations

import pytest

from biaozhun import codes

from ._tables import rows, value

CASES = rows("cases.tsv")
POSITIVE = [r for r in CASES if len(r) > 1 and r[1] != "ERROR"]
NEGATIVE = [r for r in CASES if len(r) == 1 or r[1] == "ERROR"]
INT_FIELDS = {"year"}


@pytest.mark.parametrize("row", POSITIVE, ids=[r[0] for r in POSITIVE])
def test_positive(row):
    text, expected = row[0], row[1]
    n = codes.parse(text)
    assert n.code == expected
    assert codes.normalize(text) == expected
    if len(row) > 2 and row[2]:
        assert n.family == row[2] == n.level
    if len(row) > 3 and row[3]:
        for check in row[3].split(";"):
            field, _, raw = check.partition("=")
            if field == "adoption":
                code, _, degree = raw.partition("|")
                assert n.adoption == ((code, value(degree)),)
            elif field in INT_FIELDS:
                assert getattr(n, field) == (None if raw == "None" else int(raw))
            else:
                assert getattr(n, field) == (None if raw == "None" else raw), field
    # The canonical form is a fixed point and every style parses back to the same value.
    assert codes.normalize(expected) == expected
    for style in ("ascii", "typographic"):
        assert codes.parse(codes.format(n, style)) == n


@pytest.mark.parametrize("row", NEGATIVE, ids=[repr(r[0]) for r in NEGATIVE])
def test_negative(row):
    with pytest.raises(codes.CodeError) as info:
        codes.parse(row[0])
    assert str(info.value)
    assert info.value.text == row[0]
    with pytest.raises(ValueError):
        codes.normalize(row[0])


BASES = [
    ("GB/T {n}{d}2020", "GB/T {n}-2020"),
    ("GB {n}{d}2024", "GB {n}-2024"),
    ("DB31/T {n}{d}2020", "DB31/T {n}-2020"),
    ("DB4301/T {n}{d}2023", "DB4301/T {n}-2023"),
    ("T/CAS {n}{d}2017", "T/CAS {n}-2017"),
    ("Q/ABC {n}{d}2024", "Q/ABC {n}-2024"),
    ("JB/T {n}{d}2020", "JB/T {n}-2020"),
    ("JJF {n}{d}2012", "JJF {n}-2012"),
    ("JGJ {n}{d}2006", "JGJ {n}-2006"),
]
DASHES = ["-", "—", "–", "－", "―", "‐", "‑", "─", "--", "一", "——"]
NUMBERS = ["1.1", "0287", "10205"]
GENERATED = [
    (base.format(n=num, d=dash), want.format(n=num))
    for base, want in BASES
    for dash in DASHES
    for num in NUMBERS
]


@pytest.mark.parametrize(("text", "expected"), GENERATED)
def test_dash_variants(text, expected):
    assert codes.normalize(text) == expected


FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}


ASCII_ROWS = [r for r in POSITIVE if r[0].isascii() and "\n" not in r[0]]


@pytest.mark.parametrize("row", ASCII_ROWS, ids=[r[0] for r in ASCII_ROWS])
def test_fullwidth_variant(row):
    text = row[0]
    assert codes.normalize(text.translate(FULLWIDTH)) == row[1]


def test_code_norm_and_properties():
    assert codes.code_norm("GB/T 1.1—2020") == "GB/T1.1-2020"
    assert codes.code_norm("ISO 9001:2015/Amd 1:2024") == "ISO9001:2015/AMD1:2024"
    assert codes.code_norm("IEC 60335-1:2020/AMD1:2023") == "IEC60335-1:2020/AMD1:2023"
    n = codes.parse("GB 2762-2017/XG1-2021")
    assert n.code == "GB 2762-2017/XG1-2021"
    assert n.code_norm == "GB2762-2017/XG1-2021"
    assert n.undated == "GB 2762"
    assert codes.parse("GB/T 1.1-2020").undated == "GB/T 1.1"
    assert codes.parse("ISO 9001:2015/Amd 1:2024").undated == "ISO 9001"


def test_typographic_format():
    assert codes.format(codes.parse("GB/T 1.1-2020"), "typographic") == "GB/T 1.1—2020"
    assert codes.format(codes.parse("DG/TJ 08-2012-2018"), "typographic") == "DG/TJ 08-2012—2018"
    assert codes.format(codes.parse("ISO 9001:2015"), "typographic") == "ISO 9001:2015"
    assert codes.format(codes.parse("CECS 21:2000"), "typographic") == "CECS 21:2000"
    assert codes.format(codes.parse("GB 2762-2017/XG1-2021"), "typographic") == (
        "GB 2762—2017/XG1—2021"
    )
    n = codes.parse("GB 50016-2014（2018年版）")
    assert codes.format(n) == "GB 50016-2014(2018年版)"
    assert codes.format(n, "typographic") == "GB 50016—2014（2018年版）"
    with pytest.raises(ValueError):
        codes.format(n, "fancy")


def test_error_reasons():
    with pytest.raises(codes.CodeError, match="unknown province code '99'"):
        codes.parse("DB99/T 1-2020")
    with pytest.raises(codes.CodeError, match="unknown city code '3399'"):
        codes.parse("DB3399/T 1-2020")
    with pytest.raises(codes.CodeError, match="unknown standard prefix 'COVID'"):
        codes.parse("COVID-19")
    assert issubclass(codes.CodeError, ValueError)


def test_same_standard_and_is_newer():
    assert codes.same_standard("GB/T 1.1-2020", "GB/T 1.1—2009")
    assert codes.same_standard("GBT 1.1-2020", codes.parse("GB/T 1.1"))
    assert not codes.same_standard("GB/T 1.1-2020", "GB/T 1.2-2020")
    assert not codes.same_standard("GB/T 1.1-2020", "GB 1.1-2020")
    assert not codes.same_standard("GB/T 1.1-2020", "not a standard")
    assert codes.same_standard("ISO 9001:2015", "ISO 9001:2008/Cor 1:2009")
    assert codes.is_newer("GB/T 1.1-2020", "GB/T 1.1-2009")
    assert not codes.is_newer("GB/T 1.1-2009", "GB/T 1.1-2020")
    assert not codes.is_newer("GB/T 1.1-2020", "GB/T 1.1-2020")
    assert not codes.is_newer("GB/T 1.1", "GB/T 1.1-2009")
    assert not codes.is_newer("GB/T 1.2-2020", "GB/T 1.1-2009")
    assert codes.is_newer("GB 2762-2017/XG1-2021", "GB 2762-2017")
    assert codes.is_newer("GB 2762-2017/XG2", "GB 2762-2017/XG1-2021")
    assert codes.is_newer("ISO 9001:2015/Amd 1:2024", "ISO 9001:2015")
    assert codes.is_newer("ISO 9001:2015", "ISO 9001:2008/Cor 1:2009")


def test_dataclass_is_frozen():
    n = codes.parse("GB/T 1.1-2020")
    with pytest.raises(AttributeError):
        n.year = 2021  # type: ignore[misc]
    assert hash(n) == hash(codes.parse("GBT 1.1—2020"))
