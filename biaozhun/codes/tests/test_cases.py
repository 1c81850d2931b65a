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


# One input for each kind of error: (text, kind, params, English reason).
KIND_CASES = [
    (None, "not_a_string", {"type": "NoneType"}, "expected a string, got NoneType"),
    ("  ", "empty", {}, "empty text"),
    (
        "2020-01-01",
        "no_prefix",
        {"start": "2020-01-01"},
        "no standard prefix at the start of '2020-01-01'",
    ),
    ("XYZ 1-2020", "unknown_prefix", {"prefix": "XYZ"}, "unknown standard prefix 'XYZ'"),
    ("Xyz 1-2020", "unknown_prefix", {"prefix": "Xyz"}, "unknown standard prefix 'XYZ'"),
    (
        "GB/T ABCD-2020",
        "prefix_without_number",
        {"prefix": "GB"},
        "prefix 'GB' is not followed by a valid standard number",
    ),
    (
        "T/ 123-2020",
        "group_prefix_incomplete",
        {"start": "T/ 123-2020"},
        "group standard prefix T/ without a valid code and number in 'T/ 123-2020'",
    ),
    (
        "Q/ 123-2020",
        "enterprise_prefix_incomplete",
        {"start": "Q/ 123-2020"},
        "enterprise standard prefix Q/ without a valid code and number in 'Q/ 123-2020'",
    ),
    (
        "DB",
        "local_prefix_without_region",
        {"start": "DB"},
        "local standard prefix without a valid region code in 'DB'",
    ),
    (
        "DB99/T 1-2020",
        "unknown_province",
        {"code": "99", "prefix": "DB99"},
        "unknown province code '99' in local standard prefix DB99",
    ),
    (
        "DB3399/T 1-2020",
        "unknown_city",
        {"code": "3399", "prefix": "DB3399"},
        "unknown city code '3399' in local standard prefix DB3399",
    ),
    (
        "JJF/T 1059-2012",
        "no_nature_form",
        {"prefix": "JJF", "nature": "T"},
        "JJF numbers have no /T form",
    ),
    ("GB/T 1.1-2020-01-01", "text_after_year", {}, "unexpected text after the year"),
    (
        "GB/T 1.1-2020 hello",
        "unexpected_text",
        {"text": "hello", "after": "GB/T 1.1-2020"},
        "unexpected text ' hello' after 'GB/T 1.1-2020'",
    ),
    (
        "GB 2762-2017第十一号修改单",
        "bad_amendment",
        {"number": "十一"},
        "bad amendment number '十一'",
    ),
    ("GB 2762/XG1-2021", "amendment_needs_year", {}, "an amendment needs a dated standard"),
]
# Defensive checks that no input reaches today: the pattern only lets through numbers and
# adopted references that the builders accept.
UNREACHABLE_KINDS = {"missing_number", "bad_adopted"}


@pytest.mark.parametrize(
    ("text", "kind", "params", "reason"), KIND_CASES, ids=[c[1] for c in KIND_CASES]
)
def test_error_kind_and_params(text, kind, params, reason):
    with pytest.raises(codes.CodeError) as info:
        codes.parse(text)
    error = info.value
    assert (error.kind, error.params, error.reason, str(error)) == (kind, params, reason, reason)


def test_every_kind_has_a_case_and_declares_its_params():
    assert {c[1] for c in KIND_CASES} | UNREACHABLE_KINDS == set(codes.ERROR_KINDS)
    for _text, kind, params, _reason in KIND_CASES:
        assert tuple(params) == codes.ERROR_KINDS[kind]


def test_adopted_reference_that_does_not_parse():
    from biaozhun.codes._parse import parse_match_text

    with pytest.raises(codes.CodeError) as info:
        parse_match_text("XYZ", "GB/T 1-2020 (XYZ, IDT)")
    assert (info.value.kind, info.value.params) == ("bad_adopted", {"reference": "XYZ"})


@pytest.mark.parametrize("row", NEGATIVE, ids=[repr(r[0]) for r in NEGATIVE])
def test_every_negative_case_has_a_declared_kind(row):
    with pytest.raises(codes.CodeError) as info:
        codes.parse(row[0])
    assert set(info.value.params) == set(codes.ERROR_KINDS[info.value.kind])
    assert all(isinstance(v, str) for v in info.value.params.values())


def test_error_survives_pickling():
    import pickle

    with pytest.raises(codes.CodeError) as info:
        codes.parse("DB99/T 1-2020")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.reason, copy.text, copy.kind, copy.params) == (
        info.value.reason,
        info.value.text,
        "unknown_province",
        {"code": "99", "prefix": "DB99"},
    )


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
