"""Recognise what a file is from its header row and hand it to the matching importer."""

from collections.abc import Callable
from itertools import islice
from pathlib import Path

from biaozhun.catalog.importing.columns import canonical_column
from biaozhun.catalog.importing.errors import FileError
from biaozhun.catalog.importing.international import (
    import_iec_catalog,
    import_iso_catalog,
    import_iso_relations,
    is_iec_catalog,
    is_iso_catalog,
    is_iso_relations,
)
from biaozhun.catalog.importing.readers import read_table
from biaozhun.catalog.importing.reference import (
    import_ccs,
    import_ics,
    import_industry_codes,
    import_regions,
    is_ccs,
    is_ics,
    is_industry_codes,
    is_regions,
)
from biaozhun.catalog.importing.standards import ImportReport, import_standards

Importer = Callable[..., ImportReport]
# A predicate sees the header cells as written and the first rows as {header: text}: the
# sample formats `code,title_zh` (CCS) and `code,title_zh,title_en` (ICS) are also valid
# headers of a catalogue file, so only the codes in the rows tell them apart.
Predicate = Callable[[list[str], list[dict[str, str]]], bool]


def _is_standards(headers: list[str], sample: list[dict[str, str]] = ()) -> bool:
    return any(canonical_column(h) == "code" for h in headers)


# kind -> (importer, predicate). Detection tries the kinds in reverse order, so the specific
# reference formats are tried before "standards", which accepts any file with a code column.
_IMPORTERS: dict[str, tuple[Importer, Predicate]] = {
    "standards": (import_standards, _is_standards),
    "ics": (import_ics, is_ics),
    "ccs": (import_ccs, is_ccs),
    "regions": (import_regions, is_regions),
    "industry-codes": (import_industry_codes, is_industry_codes),
    "iso": (import_iso_catalog, is_iso_catalog),
    "iec": (import_iec_catalog, is_iec_catalog),
    "iso-relations": (import_iso_relations, is_iso_relations),
}
KINDS = tuple(_IMPORTERS)
SAMPLE_ROWS = 50


def detect_kind(path: Path) -> str:
    headers, rows = read_table(path)
    sample = [raw for _number, raw in islice(rows, SAMPLE_ROWS)]
    for kind, (_importer, matches) in reversed(_IMPORTERS.items()):
        if matches(headers, sample):
            return kind
    raise FileError(f"{path.name}：无法从列名识别文件类型（{', '.join(headers[:8])}）。"
                    "标准目录文件需要“标准号”或 code 列。")


def import_path(path: Path, *, kind: str = "auto", **options) -> ImportReport:
    """Import one file of any supported kind; raises FileError / ImportFailed."""
    if not path.exists():
        raise FileError(f"找不到文件：{path}")
    if kind == "auto":
        kind = detect_kind(path)
    if kind not in _IMPORTERS:
        raise FileError(f"未知的文件类型：{kind}")
    importer = _IMPORTERS[kind][0]
    if importer is not import_standards:
        options = {k: v for k, v in options.items() if k in ("progress", "run", "skip_invalid")}
    return importer(path, **options)
