"""Knowledge tables, read once at import from the small files in ``data/``."""

from __future__ import annotations

from pathlib import Path

_DIR = Path(__file__).with_name("data")


def _rows(name: str) -> list[list[str]]:
    rows = []
    with open(_DIR / name, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                rows.append(line.split("\t"))
    return rows


# Chinese prefix codes without the /T or /Z suffix: code -> (family, nature rule).
CN_CODES: dict[str, tuple[str, str]] = {r[0]: (r[1], r[2]) for r in _rows("cn_codes.tsv")}

# International and foreign publisher tokens: token -> (family, year separator, supp style).
INTL_CODES: dict[str, tuple[str, str, str]] = {
    r[0]: (r[1], r[2], r[3]) for r in _rows("intl_codes.tsv")
}


def _regions() -> tuple[frozenset[str], frozenset[str]]:
    provinces: set[str] = set()
    cities: set[str] = set()
    for row in _rows("regions.txt"):
        for code in row[0].split():
            (provinces if len(code) == 2 else cities).add(code)
    return frozenset(provinces), frozenset(cities)


PROVINCES, CITIES = _regions()

# Spellings of a Chinese prefix with the slash dropped ("GBT", "DLT", "JGJT") that are not
# codes themselves ("GBZ" is the occupational health code, not GB/Z): spelling -> (code, nat).
CN_NO_SLASH: dict[str, tuple[str, str]] = {}
for _code in CN_CODES:
    for _nat in ("T", "Z"):
        if _code + _nat not in CN_CODES:
            CN_NO_SLASH[_code + _nat] = (_code, _nat)

NATURES = {"": "mandatory", "T": "recommended", "Z": "guidance"}
