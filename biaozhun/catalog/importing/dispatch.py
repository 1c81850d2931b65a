"""Recognise what a file is from its header row and hand it to the matching importer."""

from collections.abc import Callable
from pathlib import Path

from biaozhun.catalog.importing.columns import canonical_column
from biaozhun.catalog.importing.errors import FileError
from biaozhun.catalog.importing.readers import read_table
from biaozhun.catalog.importing.standards import ImportReport, import_standards

Importer = Callable[..., ImportReport]

# kind -> (importer, predicate on the lower-cased header cells)
_IMPORTERS: dict[str, tuple[Importer, Callable[[list[str]], bool]]] = {
    "standards": (import_standards,
                  lambda headers: any(canonical_column(h) == "code" for h in headers)),
}
KINDS = tuple(_IMPORTERS)


def detect_kind(path: Path) -> str:
    headers, _rows = read_table(path)
    lowered = [h.strip().lstrip("\ufeff").lower() for h in headers]
    # Specific reference formats first: their headers may also contain a "code" column.
    for kind, (_importer, matches) in reversed(_IMPORTERS.items()):
        if matches(lowered):
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
        options = {k: v for k, v in options.items() if k in ("progress", "run")}
    return importer(path, **options)
