"""Import a catalogue file of standards (CSV / XLSX / JSON, English or portal headers)."""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from biaozhun.catalog.importing.columns import canonical_column
from biaozhun.catalog.importing.errors import FileError, ImportFailed, RowError
from biaozhun.catalog.importing.loader import load_records
from biaozhun.catalog.importing.readers import read_table
from biaozhun.catalog.importing.records import RecordBuilder, StandardRecord
from biaozhun.catalog.models import ImportRun

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did, for the command's summary and the admin's downloadable report."""

    source: str
    total_rows: int = 0
    imported: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: int = 0
    dangling: list[tuple[str, str, str]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rejects_path: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "source": self.source, "total_rows": self.total_rows, "imported": self.imported,
            "created": self.created, "updated": self.updated,
            "rejected_rows": self.rejected_rows,
            "errors": [e.as_dict() for e in self.errors[:1000]],
            "error_count": len(self.errors),
            "dangling": [list(d) for d in self.dangling],
            "unknown_columns": self.unknown_columns, "rejects_path": self.rejects_path,
            "notes": self.notes,
        }


def map_columns(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Canonical column → header as written; plus headers we do not know (ignored, reported)."""
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        column = canonical_column(header)
        if column is None:
            if header.strip():
                unknown.append(header)
        elif column not in mapping:
            mapping[column] = header
    if "code" not in mapping:
        raise FileError("缺少“标准号”（code）列：第一行应为列名，如 code,title_zh,… 或 "
                        "标准号,中文标准名称,…")
    return mapping, unknown


def _write_rejects(path: Path, headers: list[str], rejected: list[tuple[dict, list]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", *headers, "error"])
        for (number, raw), errors in rejected:
            writer.writerow([number, *(raw.get(h, "") for h in headers),
                             "；".join(str(e) for e in errors)])


def import_standards(
    path: Path,
    *,
    skip_invalid: bool = False,
    run: ImportRun | None = None,
    progress: Progress | None = None,
    rejects_path: Path | None = None,
    sample: bool = False,
) -> ImportReport:
    """Validate every row, then write all of them in one transaction.

    All-or-nothing unless `skip_invalid`: then the good rows are written and the bad ones go
    to a rejects CSV (original columns + the reasons). Raises FileError or ImportFailed;
    on either the database is unchanged.
    """
    report = ImportReport(source=path.name)
    headers, rows = read_table(path)
    mapping, report.unknown_columns = map_columns(headers)
    builder = RecordBuilder(headers, mapping)
    records: list[StandardRecord] = []
    rejected: list[tuple[tuple[int, dict], list[RowError]]] = []
    for number, raw in rows:
        report.total_rows += 1
        built = builder.build(number, raw)
        if isinstance(built, list):
            report.errors.extend(built)
            rejected.append(((number, raw), built))
        else:
            built.is_sample = sample
            records.append(built)
        if progress and report.total_rows % 500 == 0:
            progress(report.total_rows, 0)
    report.rejected_rows = len(rejected)
    if report.errors and not skip_invalid:
        raise ImportFailed(report.errors)
    if rejected:
        target = rejects_path or path.with_name(path.stem + ".rejects.csv")
        _write_rejects(target, headers, rejected)
        report.rejects_path = str(target)
    result = load_records(records, run)
    report.imported = len(records)
    report.created, report.updated = result.created, result.updated
    report.dangling = result.dangling
    if progress:
        progress(report.total_rows, report.total_rows)
    return report
