"""Catalogue imports: files of standards and the reference lists (ICS, CCS, regions …)."""

from biaozhun.catalog.importing.errors import FileError, ImportFailed, RowError
from biaozhun.catalog.importing.standards import ImportReport, import_standards

__all__ = ["FileError", "ImportFailed", "ImportReport", "RowError", "import_standards"]
