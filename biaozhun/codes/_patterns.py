"""Regular expressions shared by parsing and extraction.

Every pattern works on *folded* text (see ``fold``): full-width forms and dash variants are
mapped one character to one character, so offsets found in folded text are offsets in the
original text. One master pattern serves ``parse`` (compiled case-insensitively, matched on the
whole input) and ``extract`` (compiled case-sensitively, searched in running text), so both
always agree on what a reference looks like.
"""

from __future__ import annotations

import re

from ._data import CN_CODES, CN_NO_SLASH, INTL_CODES

# --- folding -------------------------------------------------------------------------------

_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # full-width ASCII block
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
for _dash in "\u2014\u2013\u2015\u2010\u2011\u2012\u2500\u2212\ufe63\ufe58\u2e3a":
    _FOLD[ord(_dash)] = 0x2D  # every dash variant becomes "-"
_FOLD[0x2236] = 0x3A  # RATIO used as a colon
_FOLD[0x3001] = 0x3001  # keep the ideographic comma (a list separator, not a dash)
FOLD = _FOLD


def fold(text: str) -> str:
    """Length-preserving fold of full-width forms, odd spaces and dashes to ASCII."""
    if text.isascii():
        return text
    return text.translate(FOLD)


# --- building blocks -----------------------------------------------------------------------

WS0 = r"[ \t]*"  # optional horizontal space inside a prefix
WS = r"[ \t]*+(?:\r?\n[ \t]*+)?"  # optional space with at most one line break
DASH = rf"{WS}(?:--?|一){WS}"  # ASCII dash after folding; "--" and 一 repaired too
DEGREE = r"(?:IDT|MOD|NEQ|EQV|idt|mod|neq|eqv|Idt|Mod|Neq|Eqv)"


def _alt(words) -> str:
    """Alternation, longest first so that "GBZ" wins over "GB"."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


CN_CODE_ALT = _alt(set(CN_CODES) | set(CN_NO_SLASH))
INTL_PUBS = [t for t, v in INTL_CODES.items() if v[0] == "international"]
FOREIGN_PUBS = [t for t, v in INTL_CODES.items() if v[0] == "foreign" and "/" not in t]
# Co-publishers that follow ISO or IEC after a slash (ISO/IEC/IEEE 8802, ISO/ASTM 52900).
CO_PUBS = [
    "ISO",
    "IEC",
    "IEEE",
    "ASTM",
    "CIE",
    "HL7",
    "ASME",
    "SAE",
    "OECD",
    "IWA",
    "EN",
    "UNDP",
]
# Document types and stages written between the publisher and the number.
QUALIFIERS = [
    "TR",
    "TS",
    "PAS",
    "Guide",
    "GUIDE",
    "DGuide",
    "ISP",
    "R",
    "DATA",
    "TTA",
    "SRD",
    "NP",
    "PWI",
    "AWI",
    "WD",
    "CD",
    "DIS",
    "FDIS",
    "PRF",
    "DTR",
    "DTS",
    "DPAS",
    "Rec.",
    "REC.",
]
SUPP_KINDS = [
    "FDCOR",
    "FDAM",
    "PDAM",
    "DCOR",
    "SUPPL",
    "Suppl",
    "FRAG",
    "DAM",
    "AMD",
    "Amd",
    "amd",
    "COR",
    "Cor",
    "cor",
    "ISH",
    "EXT",
    "Ext",
    "ADD",
    "Add",
    "DAD",
    "AC",
    "A",
]
SUPP_STAGES = ["AWI", "PWI", "CD", "WD", "NP", "DIS", "FDIS", "PRF"]
MARKERS = r"(?:EXV-CMV|EXV-RLV|CSV|RLV|CMV|EXV|SER|PRV|DB|ED\d+)(?![A-Za-z0-9])"


def _g(named: bool, name: str, body: str) -> str:
    return f"(?P<{name}>{body})" if named else f"(?:{body})"


def intl_pattern(named: bool) -> str:
    """ISO, IEC, joint and other international numbers, with supplements."""
    pub = rf"(?:{_alt(INTL_PUBS)})(?:{WS0}/{WS0}(?:{_alt(CO_PUBS)}))*+"
    qual = rf"(?:(?:{WS0}/{WS0}|[ \t]+)(?:{_alt(QUALIFIERS)})(?![A-Za-z]))*+"
    num = (
        r"(?:[A-Z]{1,3}\.\d+(?:\.\d+)*+(?:-\d+)?"  # ITU-T G.711, ITU-R BT.709-6
        r"|\d+[A-Za-z]{0,3}(?:-(?:[A-Z]{0,5}\d+[A-Za-z]{0,2}|[A-Z]{1,5}))*+(?:\.\d+)?)"
        r"(?![A-Za-z0-9])"
    )
    supp = (
        rf"(?:{WS0}[/+]{WS0}(?:(?:{_alt(SUPP_STAGES)}){WS0})?(?:{_alt(SUPP_KINDS)})"
        rf"[ \t]?\d*(?:\.\d+)?(?![A-Za-z])(?:{WS0}:{WS0}\d{{4}})?"
        rf"(?:[ \t]+{MARKERS})*+|[ \t]+{MARKERS})"
    )
    return (
        _g(named, "i_pub", pub)
        + _g(named, "i_qual", qual)
        + rf"(?![A-Za-z]){WS}"
        + _g(named, "i_num", num)
        + rf"(?:{WS0}:{WS0}"
        + _g(named, "i_year", r"\d{4}")
        + r"(?!\d))?"
        + _g(named, "i_supp", rf"{supp}*+")
    )


def foreign_pattern(named: bool) -> str:
    """EN, BS EN, DIN, ASTM, IEEE, JIS ... : prefix, number and year as written."""
    tok = _alt([*FOREIGN_PUBS, "ISO", "IEC"])
    pub = rf"(?:{_alt(FOREIGN_PUBS)})(?:(?:{WS0}/{WS0}|[ \t]+)(?:{tok})(?![A-Za-z]))*+"
    num = (
        r"(?:[A-Z]{1,3}[ \t]?)?\d[0-9A-Za-z]*+(?:[.\-/][0-9A-Z][0-9A-Za-z]*+)*+"
        r"(?![A-Za-z0-9])"
    )
    supp = rf"(?:{WS0}[/+]{WS0}(?:AMD|Amd|COR|Cor|AC|A)[ \t]?\d*(?![A-Za-z])(?::\d{{4}})?)"
    return (
        _g(named, "f_pub", pub)
        + r"(?![A-Za-z])(?:[ \t]+(?:Std|STD|std)\.?)?"
        + WS
        + _g(named, "f_num", num)
        + rf"(?:{WS0}:{WS0}"
        + _g(named, "f_year", r"\d{4}")
        + r"(?!\d))?"
        + _g(named, "f_supp", rf"{supp}*+")
    )


# A reference adopted by a Chinese standard, without named groups (reparsed separately).
ADOPT_REF = f"(?:{intl_pattern(False)}|{foreign_pattern(False)})"

CN_GROUP = r"[A-Z]{0,3}\d[0-9A-Z]*+(?:\.[0-9A-Z]+)*+"


def cn_pattern() -> str:
    """Chinese numbers: national, industry, local, group, enterprise, engineering."""
    prefix = (
        rf"(?P<c_gorg>T{WS0}/{WS0}(?P<c_org>[A-Z]+)(?:{WS}T{WS0}/{WS0}(?P=c_org))?)"
        rf"|(?P<c_ent>Q{WS0}/{WS0}(?P<c_eorg>[0-9A-Z]*[A-Z][0-9A-Z]*(?=[ \t])|[A-Z]+))"
        rf"|(?P<c_dgtj>DG{WS0}/?{WS0}TJ|DGJ)(?![A-Z])"
        rf"|(?P<c_loc>DB{WS0}(?P<c_reg>\d{{6}}|\d{{4}}|\d{{2}})(?!\d)"
        rf"(?:{WS0}/{WS0}(?P<c_lnat>T(?![A-Z]))?{WS0}|[ \t]+|(?P<c_lnat2>T)(?![A-Z]){WS0}))"
        rf"|(?P<c_code>{CN_CODE_ALT})(?![A-Z])(?:(?:{WS0}/{WS0}|[ \t]+)(?P<c_nat>[TZ])(?![A-Z]))?"
    )
    num = rf"{CN_GROUP}(?:\.?{DASH}{CN_GROUP}|{WS0}:{WS0}\d{{4}}(?!\d))*+"
    tail = (
        rf"{WS0}/?{WS0}XG{WS0}\d+(?:{DASH}\d{{4}}(?!\d))?"
        rf"|{WS0}\(?{WS0}第{WS0}[0-9一二三四五六七八九十]+{WS0}号修改单{WS0}\)?"
        rf"|{WS0}\({WS0}\d{{4}}{WS0}年{WS0}(?:版|修订版|局部修订){WS0}\)"
        rf"|{WS0}\d{{4}}{WS0}年版"
        rf"|{WS0}/{WS0}{ADOPT_REF}"
        rf"|{WS0}\({WS0}(?:{DEGREE}{WS0}[,;]?{WS0})?{ADOPT_REF}"
        rf"(?:{WS0}[,;]{WS0}{DEGREE})?{WS0}\)"
        rf"|[ \t]+{DEGREE}[ \t]+{ADOPT_REF}"
    )
    return rf"(?:{prefix})" + rf"{WS}(?P<c_num>{num})(?![0-9A-Za-z])" + rf"(?P<c_tail>(?:{tail})*+)"


MASTER = rf"(?P<cn>{cn_pattern()})|(?P<intl>{intl_pattern(True)})|(?P<fx>{foreign_pattern(True)})"

PARSE_RE = re.compile(MASTER, re.IGNORECASE)
# Extraction is case-sensitive: "iso" in "isometric" or a lower-case "gb" is not a prefix.
EXTRACT_RE = re.compile(r"(?<![A-Za-z0-9_])(?:" + MASTER + ")")

# Pieces reparsed from a matched Chinese tail.
TAIL_RE = re.compile(
    rf"(?P<xg>XG{WS0}(?P<xgn>\d+)(?:{DASH}(?P<xgy>\d{{4}}))?)"
    rf"|第{WS0}(?P<xgc>[0-9一二三四五六七八九十]+){WS0}号修改单"
    rf"|(?P<ed>\d{{4}}){WS0}年{WS0}(?P<edk>版|修订版|局部修订)"
    rf"|\({WS0}(?:(?P<deg1>{DEGREE}){WS0}[,;]?{WS0})?(?P<ref1>{ADOPT_REF})"
    rf"(?:{WS0}[,;]{WS0}(?P<deg2>{DEGREE}))?{WS0}\)"
    rf"|(?P<deg3>{DEGREE})[ \t]+(?P<ref3>{ADOPT_REF})"
    rf"|/{WS0}(?P<ref2>{ADOPT_REF})",
    re.IGNORECASE,
)
CN_SPLIT_RE = re.compile(rf"\.?{DASH}|{WS0}(:){WS0}")
WS_RE = re.compile(r"\s+")
