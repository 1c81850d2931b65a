"""Property tests: normalisation is idempotent, formatting round-trips, spans slice back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from biaozhun import codes
from biaozhun.codes._model import compact

PREFIXES = [
    "GB",
    "GB/T",
    "GBT",
    "GB/Z",
    "GBZ",
    "JJF",
    "JJG",
    "JB/T",
    "JBT",
    "YY/T",
    "DL/T",
    "DLT",
    "HG",
    "QB/T",
    "DB/T",
    "JGJ",
    "JGJ/T",
    "CJJ",
    "DB31/T",
    "DB 37/T",
    "DB32／T",
    "DB4301/T",
    "DB31",
    "T/CAS",
    "T/ZZB",
    "Q/ABC",
    "Q/GDW",
    "ＧＢ／Ｔ",
    "gb/t",
    "DG/TJ 08-",
    "CECS",
]
INTL = ["ISO", "IEC", "ISO/IEC", "ISO/TS", "ISO/IEC TR", "IEC TS", "CISPR", "ISO/DIS"]
DASHES = ["-", "—", "–", "－", "―", "--", "一", " - "]

numbers = st.builds(
    lambda a, parts: ".".join([str(a), *map(str, parts)]),
    st.integers(1, 60000),
    st.lists(st.integers(1, 20), max_size=2),
)
years = st.integers(1950, 2030).map(str) | st.integers(50, 99).map(str)


@st.composite
def chinese_refs(draw):
    prefix = draw(st.sampled_from(PREFIXES))
    sep = "" if prefix.endswith("-") else draw(st.sampled_from([" ", "", "  ", "\u3000"]))
    ref = prefix + sep + draw(numbers)
    if draw(st.booleans()):
        ref += draw(st.sampled_from(DASHES)) + draw(years)
        ref += draw(st.sampled_from(["", "/XG1-2021", " 第2号修改单", "（2018年版）", ""]))
    return ref


@st.composite
def intl_refs(draw):
    prefix = draw(st.sampled_from(INTL))
    num = str(draw(st.integers(1, 90000)))
    if draw(st.booleans()):
        num += "-" + str(draw(st.integers(1, 30)))
    ref = f"{prefix} {num}"
    if draw(st.booleans()):
        y = draw(st.integers(1950, 2030))
        ref += f":{y}"
        ref += draw(st.sampled_from(["", f"/Amd 1:{y}", f"/AMD2:{y}", f"/Cor 1:{y}", " RLV"]))
    return ref


refs = chinese_refs() | intl_refs()


@settings(max_examples=400, deadline=None)
@given(refs)
def test_normalize_idempotent_on_references(ref):
    try:
        once = codes.normalize(ref)
    except codes.CodeError:
        return
    assert codes.normalize(once) == once
    assert codes.parse(ref).code == once  # the normalize fast path agrees with parse
    assert codes.code_norm(ref) == codes.code_norm(once) == compact(once)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="GBTDJ/QISOEC0123456789.-—: 一年版()（）XG", max_size=30))
def test_normalize_idempotent_on_noise(text):
    try:
        once = codes.normalize(text)
    except codes.CodeError:
        return
    assert codes.normalize(once) == once


@settings(max_examples=400, deadline=None)
@given(refs)
def test_format_round_trip(ref):
    try:
        n = codes.parse(ref)
    except codes.CodeError:
        return
    assert codes.parse(n.code).code == n.code
    for style in ("ascii", "typographic"):
        assert codes.parse(codes.format(n, style)) == n


FILLER = [
    "依据",
    "的规定，",
    "\n",
    "、",
    "和",
    "。",
    "2020-01-01",
    "第5.2.1条",
    "ISOLATION",
    " ",
    "（",
    "）",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(refs | st.sampled_from(FILLER) | st.text(max_size=8), max_size=12))
def test_extract_spans_slice_back(pieces):
    text = "".join(pieces)
    for m in codes.extract(text):
        assert text[m.start : m.end] == m.raw
        assert 0 <= m.start < m.end <= len(text)
        assert codes.normalize(m.code) == m.code


@settings(max_examples=200, deadline=None)
@given(chinese_refs())
def test_extract_finds_a_standalone_reference(ref):
    try:
        want = codes.normalize(ref)
    except codes.CodeError:
        return
    if codes.parse(want).year is None or any("a" <= c <= "z" for c in ref):
        return  # undated two-letter codes and lower-case prefixes are deliberately skipped
    found = codes.extract("依据" + ref + "执行。")
    assert want in [m.code for m in found]
