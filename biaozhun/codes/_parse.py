"""Turning a regex match into a ``StandardNumber``; ``parse`` and ``normalize``."""

from __future__ import annotations

import re

from ._data import CITIES, CN_CODES, CN_NO_SLASH, INTL_CODES, NATURES, PROVINCES
from ._model import CodeError, StandardNumber, compact, render_code
from ._patterns import (
    ADOPT_REF,
    CN_SPLIT_RE,
    FOLD,
    PARSE_RE,
    TAIL_RE,
    WS_RE,
    fold,
    foreign_pattern,
    intl_pattern,
)

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DIGITS["十"] = 10
_CANON_PREFIX = {"GBN": "GBn"}  # official mixed-case spelling


def _plausible_year(group: str) -> bool:
    return len(group) == 4 and group.isdigit() and 1900 <= int(group) <= 2099


def split_cn_number(text: str, dgtj: bool) -> tuple[str, int | None, str, int]:
    """Split the dash-separated groups of a Chinese number into (number, year, separator,
    separators used). Separators beyond those used start trailing text (a date after the
    code, for example); ``parse`` rejects it and ``extract`` cuts it off."""
    pieces = CN_SPLIT_RE.split(WS_RE.sub("", text))
    # split() interleaves the captured colon (or None) between the groups.
    groups = [g.rstrip(".") for g in pieces[0::2]]
    seps = [":" if s else "-" for s in pieces[1::2]]
    shift = 0  # separators consumed minus groups merged, to map groups back to the text
    if dgtj:
        # Shanghai DG/TJ 08-2012-2018: the series "08" belongs to the number.
        if groups[0] != "08" and groups[0].startswith("08") and len(groups[0]) > 2:
            groups[0:1] = ["08", groups[0][2:]]
            seps.insert(0, "-")
            shift -= 1
        if len(groups) >= 2 and groups[0] == "08":
            groups[0:2] = ["08-" + groups[1]]
            seps.pop(0)
            shift += 1
    n = len(groups)
    if n == 1:
        g = groups[0]
        # Stuck digits "JGJ522006": a number of two digits or more followed by a year.
        if len(g) >= 6 and g.isdigit() and 1950 <= int(g[-4:]) <= 2039:
            return g[:-4], int(g[-4:]), "-", shift
        return g, None, "-", shift
    last = groups[-1]
    if _plausible_year(last):
        return "-".join(groups[:-1]), int(last), seps[-1], n - 1 + shift
    if len(last) == 2 and last.isdigit() and int(last) >= 50:
        return "-".join(groups[:-1]), 1900 + int(last), seps[-1], n - 1 + shift
    for i in range(n - 2, 0, -1):
        if _plausible_year(groups[i]):
            return "-".join(groups[:i]), int(groups[i]), seps[i - 1], i + shift
    return "-".join(groups), None, "-", n - 1 + shift


def _region(reg: str, text: str) -> None:
    if reg[:2] not in PROVINCES:
        raise CodeError(
            f"unknown province code {reg[:2]!r} in local standard prefix DB{reg}",
            text,
            "unknown_province",
            {"code": reg[:2], "prefix": f"DB{reg}"},
        )
    if len(reg) >= 4 and reg[:4] not in CITIES:
        raise CodeError(
            f"unknown city code {reg[:4]!r} in local standard prefix DB{reg}",
            text,
            "unknown_city",
            {"code": reg[:4], "prefix": f"DB{reg}"},
        )


def _amend_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s in _CN_DIGITS:
        return _CN_DIGITS[s]
    raise ValueError(s)


def _cn_tail(tail: str, text: str) -> tuple[str | None, str | None, tuple]:
    amendment = edition = None
    adoption: list[tuple[str, str | None]] = []
    for m in TAIL_RE.finditer(tail):
        if m.group("xg") is not None:
            amendment = "XG" + str(int(m.group("xgn")))
            if m.group("xgy"):
                amendment += "-" + m.group("xgy")
        elif m.group("xgc") is not None:
            try:
                amendment = f"XG{_amend_number(m.group('xgc'))}"
            except ValueError:
                xgc = m.group("xgc")
                raise CodeError(
                    f"bad amendment number {xgc!r}", text, "bad_amendment", {"number": xgc}
                ) from None
        elif m.group("ed") is not None:
            edition = m.group("ed") + "年" + m.group("edk")
        else:
            ref = m.group("ref1") or m.group("ref2") or m.group("ref3")
            degree = m.group("deg1") or m.group("deg2") or m.group("deg3")
            adoption.append((parse_match_text(ref, text).code, degree.upper() if degree else None))
    return amendment, edition, tuple(adoption)


def build_cn(m: re.Match, text: str, extracting: bool = False) -> tuple[StandardNumber, int]:
    """The number of a Chinese match and the end of what it used (in the matched string)."""
    g = m.group
    num_text = g("c_num")
    year_sep = "-"
    if g("c_org") is not None:
        org = g("c_org").upper()
        family, prefix, nature, issuer = "group", "T/" + org, None, org
    elif g("c_eorg") is not None:
        org = g("c_eorg").upper()
        family, prefix, nature, issuer = "enterprise", "Q/" + org, None, org
    elif g("c_dgtj") is not None:
        # Shanghai engineering construction: DG/TJ 08-…, and the older series DGJ 08-….
        series = "DGJ" if g("c_dgtj").upper() == "DGJ" else "DG/TJ"
        family, prefix, nature, issuer = "local", series, None, "31"
    elif g("c_reg") is not None:
        reg = g("c_reg")
        _region(reg, text)
        # "DB31T 605-2020": the slash before T is often dropped.
        lnat = (g("c_lnat") or g("c_lnat2") or "").upper()
        prefix = f"DB{reg}/{lnat}" if lnat else f"DB{reg}"
        family, nature, issuer = "local", NATURES[lnat], reg
    else:
        spelled = g("c_code").upper()
        nat = (g("c_nat") or "").upper()
        if not nat and spelled in CN_NO_SLASH:
            code, nat = CN_NO_SLASH[spelled]
        else:
            code = spelled
        family, rule = CN_CODES[code]
        if rule == "none" and nat:
            raise CodeError(
                f"{code} numbers have no /{nat} form",
                text,
                "no_nature_form",
                {"prefix": code, "nature": nat},
            )
        nature = NATURES[nat] if rule == "gb" else None
        code = _CANON_PREFIX.get(code, code)
        prefix = f"{code}/{nat}" if nat else code
        issuer = code
        if code == "CECS":
            year_sep = ":"
    number, year, _sep, used = split_cn_number(num_text, prefix in ("DG/TJ", "DGJ"))
    end = m.end("c_num")
    with_tail = True
    if used < len(CN_SPLIT_RE.findall(num_text)):
        # Only possible when a date or other number trails the code.
        if not extracting:
            raise CodeError("unexpected text after the year", text, "text_after_year")
        cut = list(CN_SPLIT_RE.finditer(num_text))[used].start()
        end = m.start("c_num") + cut
        with_tail = False
    if not number:
        raise CodeError("missing standard number", text, "missing_number")
    number = number.upper()
    part = number.split(".", 1)[1] if "." in number else None
    amendment = edition = None
    adoption: tuple = ()
    if with_tail and g("c_tail"):
        try:
            amendment, edition, adoption = _cn_tail(g("c_tail"), text)
            if amendment and year is None:
                raise CodeError("an amendment needs a dated standard", text, "amendment_needs_year")
            end = m.end("c_tail")
        except CodeError:
            if not extracting:
                raise
            amendment = edition = None
            adoption = ()
    num = StandardNumber(
        family, prefix, nature, issuer, number, part, year, amendment, edition, adoption, year_sep
    )
    return num, end


# --- international and foreign -------------------------------------------------------------

_QUAL_CANON = {"GUIDE": "Guide", "DGUIDE": "DGuide", "REC.": "Rec."}
_SUPP_SEG = re.compile(
    r"(?P<join>[/+])?\s*(?:(?P<stage>AWI|PWI|CD|WD|NP|DIS|FDIS|PRF)\s*)?"
    r"(?P<kind>FDCOR|FDAM|PDAM|DCOR|SUPPL|FRAG|DAM|AMD|COR|ISH|EXT|ADD|DAD|AC|A)"
    r"\s?(?P<n>\d*(?:\.\d+)?)(?:\s*:\s*(?P<y>\d{4}))?"
    r"|\s*(?P<mark>EXV-CMV|EXV-RLV|CSV|RLV|CMV|EXV|SER|PRV|DB|ED\d+)",
    re.IGNORECASE,
)
_ISO_KINDS = {"AMD": "Amd", "COR": "Cor", "SUPPL": "Suppl", "EXT": "Ext", "ADD": "Add"}
# ISO separates these supplement words from their number ("DAM 1"); FRAG and ISH are not.
_ISO_SPACED = frozenset(["AMD", "COR", "SUPPL", "EXT", "ADD", "DAM", "FDAM", "PDAM", "DCOR"])
_ISO_SPACED |= {"FDCOR", "DAD"}


def render_supplement(supp: str, iso_style: bool) -> str | None:
    """Canonical spelling of the supplement tail: ISO writes "Amd 1:2024", IEC "AMD1:2023"."""
    out = []
    for m in _SUPP_SEG.finditer(supp):
        if m.group("mark"):
            out.append(" " + m.group("mark").upper())
            continue
        kind = m.group("kind").upper()
        n = m.group("n")
        if iso_style:
            word = _ISO_KINDS.get(kind, kind)
            seg = f"{word} {n}" if n and kind in _ISO_SPACED else f"{word}{n}"
        else:
            seg = f"{kind}{n}"
        if m.group("stage"):
            seg = m.group("stage").upper() + " " + seg
        if m.group("y"):
            seg += ":" + m.group("y")
        out.append((m.group("join") or "/") + seg)
    if not out:
        return None
    s = "".join(out)
    if s[0] == "/" or s[0] == " ":
        s = s[1:]
    return s


def _pub_tokens(pub: str) -> tuple[list[str], list[str]]:
    """Split "ISO / IEC" or "BS EN ISO" into upper-case tokens and their joiners."""
    tokens = re.findall(r"[A-Za-z0-9-]+", pub)
    joins = re.findall(r"\s*/\s*|\s+", pub.strip())
    return [t.upper() for t in tokens], ["/" if "/" in j else " " for j in joins]


def build_intl(m: re.Match, text: str) -> StandardNumber:
    g = m.group
    tokens, _ = _pub_tokens(g("i_pub"))
    pub = "/".join(tokens)
    family, _, style = INTL_CODES[tokens[0]]
    quals = [_QUAL_CANON.get(q.upper(), q.upper()) for q in re.findall(r"[A-Za-z.]+", g("i_qual"))]
    if quals:
        joiner = "/" if pub == "ISO" and quals[0] != "Guide" else " "
        prefix = pub + joiner + " ".join(quals)
    else:
        prefix = pub
    number = g("i_num")
    year = int(g("i_year")) if g("i_year") else None
    if year is None and "-" in number:
        # "ISO 9001-2015", a common slip: no ISO or IEC part number lies in 1900-2099.
        head, _, last = number.rpartition("-")
        if _plausible_year(last):
            number, year = head, int(last)
    if number[0].isdigit():
        number = number.upper() if tokens[0] == "ITU-T" else number
        part = number.split("-", 1)[1] if "-" in number else None
    else:
        number = number.upper()
        part = None
    amendment = render_supplement(g("i_supp"), style == "iso") if g("i_supp") else None
    return StandardNumber(family, prefix, None, pub, number, part, year, amendment, None, (), ":")


def build_foreign(m: re.Match, text: str) -> StandardNumber:
    g = m.group
    tokens, joins = _pub_tokens(g("f_pub"))
    prefix = tokens[0] + "".join(j + t for j, t in zip(joins, tokens[1:], strict=False))
    family, sep, _ = INTL_CODES[tokens[0]]
    number = WS_RE.sub(" ", g("f_num"))
    year = int(g("f_year")) if g("f_year") else None
    if year is None and sep == "-" and "-" in number:
        head, _, last = number.rpartition("-")
        if _plausible_year(last) and head:
            number, year = head, int(last)
    part = None
    if number[0].isdigit() and "-" in number:
        part = number.split("-", 1)[1]
    amendment = render_supplement(g("f_supp"), False) if g("f_supp") else None
    return StandardNumber(
        family, prefix, None, tokens[0], number, part, year, amendment, None, (), sep
    )


# --- entry points --------------------------------------------------------------------------

_FALLBACK_RE = re.compile(
    rf"(?P<pub>(?:{'|'.join(t for t, v in INTL_CODES.items() if v[0] == 'international')})"
    r"(?:/(?:ISO|IEC|IEEE|ASTM|CIE|HL7|ASME|SAE|OECD|UNDP))*)[ /](?P<rest>.*\d.*)",
    re.IGNORECASE | re.DOTALL,
)
_ADOPT_RE = re.compile(ADOPT_REF, re.IGNORECASE)
_INTL_RE = re.compile(f"(?P<intl>{intl_pattern(True)})|(?P<fx>{foreign_pattern(True)})", re.I)


_BRACKETS = {"《": "》", "〈": "〉", "(": ")", "[": "]", "【": "】", "<": ">", "“": "”", '"': '"'}
_SHORT_YEAR = re.compile(r":\d{1,3}$")
_LEADING_STAGE = re.compile(r"(AWI|PWI|NP|WD|CD|DIS|FDIS)\s+(ISO|IEC|IWA)\s+")


def _fallback(text: str) -> StandardNumber | None:
    """Catalogue oddities ("IEC White Paper AI:2018", "IEC 60285-/1:1989"): keep them as
    written after the publisher so that every catalogue docid has a stable canonical form."""
    m = _FALLBACK_RE.fullmatch(text)
    if not m:
        return None
    pub = m.group("pub").upper()
    rest = WS_RE.sub(" ", m.group("rest")).strip()
    if rest.endswith("/") or _SHORT_YEAR.search(rest):
        return None
    family = INTL_CODES[pub.split("/")[0]][0]
    return StandardNumber(family, pub, None, pub, rest, None, None, None, None, (), ":")


def parse_match_text(ref: str, text: str) -> StandardNumber:
    """Parse an adopted international reference found in a Chinese tail."""
    m = _INTL_RE.fullmatch(ref.strip())
    if m is None:
        raise CodeError(
            f"cannot parse adopted standard {ref!r}", text, "bad_adopted", {"reference": ref}
        )
    return build_intl(m, text) if m.group("intl") is not None else build_foreign(m, text)


# Fast path for the common shape "PREFIX NUMBER-YEAR" (and ISO "PREFIX NUMBER:YEAR"). What a
# prefix means is learnt from the full parser the first time the prefix is seen and kept in
# a small table keyed by the prefix as written ("GBT", "DB37/T", "ISO/IEC"): it is bounded
# by the number of distinct prefixes, not of references, and holds no parsed references.
_FAST_RE = re.compile(
    r"([A-Z]{1,5}(?:/[A-Z]{1,5}){0,2}|DB\d{2,6}/T|T/[A-Z]{2,12}|Q/[A-Z]{2,12}) ?"
    r"(\d{1,6}(?:\.\d{1,3}){0,3})(?:-(\d{1,3}))?([-:])((?:19|20)\d\d)"
)
_PREFIX_INFO: dict[tuple[str, str], tuple | None] = {}


def _learn(raw_prefix: str, sep: str, n: StandardNumber) -> None:
    if len(_PREFIX_INFO) > 4096:  # unbounded organisation codes: stop learning, stay correct
        return
    ok = n.prefix not in ("DG/TJ", "DGJ") and n.amendment is None and n.adoption == () and n.year
    _PREFIX_INFO[raw_prefix, sep] = (
        (n.family, n.prefix, n.nature, n.issuer_code, n.year_sep) if ok else None
    )


def _fast(s: str) -> StandardNumber | None:
    m = _FAST_RE.fullmatch(s)
    if m is None:
        return None
    raw, number, dash_part, sep, year = m.groups()
    key = (raw, sep)
    info = _PREFIX_INFO.get(key, False)
    if info is False:
        try:
            n = parse_slow(s, s)
        except CodeError:
            return None
        _learn(raw, sep, n)
        return n
    if info is None:
        return None
    family, prefix, nature, issuer, year_sep = info
    if family == "international" or family == "foreign":
        if dash_part is not None:
            number = f"{number}-{dash_part}"
        part = dash_part
    else:
        if dash_part is not None:
            return None
        part = number.split(".", 1)[1] if "." in number else None
    return StandardNumber(
        family, prefix, nature, issuer, number, part, int(year), None, None, (), year_sep
    )


def parse(text: str) -> StandardNumber:
    """Parse one standard number; raise ``CodeError`` with a reason if it is not one."""
    if isinstance(text, str):
        s = (text if text.isascii() else text.translate(FOLD)).strip()
        n = _fast(s)
        if n is not None:
            return n
    return parse_slow(text)


def parse_slow(text: str, folded: str | None = None) -> StandardNumber:
    """The full parser (``parse`` tries a fast path for common shapes first)."""
    if not isinstance(text, str):
        name = type(text).__name__
        raise CodeError(
            f"expected a string, got {name}", repr(text), "not_a_string", {"type": name}
        )
    s = folded if folded is not None else fold(text).strip()
    if not s:
        raise CodeError("empty text", text, "empty")
    while len(s) > 2 and _BRACKETS.get(s[0]) == s[-1]:
        s = s[1:-1].strip()  # 《GB/T 1.1-2020》, [ISO 9001:2015]
    stage = _LEADING_STAGE.match(s)
    if stage:
        # "CD IWA 45": a stage written before the publisher goes after it.
        s = f"{stage.group(2)} {stage.group(1)} {s[stage.end() :]}"
    m = PARSE_RE.fullmatch(s)
    if m is not None:
        if m.group("cn") is not None:
            return build_cn(m, text)[0]
        if m.group("intl") is not None:
            return build_intl(m, text)
        return build_foreign(m, text)
    fb = _fallback(s)
    if fb is not None:
        return fb
    raise _diagnose(s, text)


def _diagnose(s: str, text: str) -> CodeError:
    """The error of a failed parse, from the longest prefix that still matches."""
    m = PARSE_RE.match(s)
    if m is not None:
        tail, head = s[m.end() :][:30], s[: m.end()]
        reason = f"unexpected text {tail!r} after {head!r}"
        shown = tail.strip() or tail
        return CodeError(reason, text, "unexpected_text", {"text": shown, "after": head})
    start = s[:30]
    word_match = re.match(r"[A-Za-z]+", s)
    if word_match is None:
        reason = f"no standard prefix at the start of {start!r}"
        return CodeError(reason, text, "no_prefix", {"start": start})
    written = word_match.group(0)  # the params show the prefix as the reader wrote it
    word = written.upper()
    if word in ("T", "Q"):
        family = "group" if word == "T" else "enterprise"
        reason = f"{family} standard prefix {word}/ without a valid code and number in {start!r}"
        return CodeError(reason, text, f"{family}_prefix_incomplete", {"start": start})
    if word.startswith("DB"):
        reason = f"local standard prefix without a valid region code in {start!r}"
        return CodeError(reason, text, "local_prefix_without_region", {"start": start})
    if word in CN_CODES or word in INTL_CODES or word in CN_NO_SLASH:
        reason = f"prefix {word!r} is not followed by a valid standard number"
        return CodeError(reason, text, "prefix_without_number", {"prefix": written})
    reason = f"unknown standard prefix {word!r}"
    return CodeError(reason, text, "unknown_prefix", {"prefix": written})


def normalize(text: str) -> str:
    """The canonical ASCII code of ``text``."""
    if isinstance(text, str):
        # Same fast path as parse(), without building the dataclass.
        s = (text if text.isascii() else text.translate(FOLD)).strip()
        m = _FAST_RE.fullmatch(s)
        if m is not None:
            raw, number, dash_part, sep, year = m.groups()
            info = _PREFIX_INFO.get((raw, sep))
            if info is not None:
                year_sep = info[4] or (":" if info[0] == "international" else "-")
                if dash_part is None:
                    return f"{info[1]} {number}{year_sep}{year}"
                if info[0] == "international" or info[0] == "foreign":
                    return f"{info[1]} {number}-{dash_part}{year_sep}{year}"
    return render_code(parse(text), False)


def code_norm(text: str) -> str:
    """The compact key (canonical code, upper case, no whitespace) of any input."""
    return compact(render_code(parse(text), False))
