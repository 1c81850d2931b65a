"""Errors an import reports to a person: which row, which column, why."""

from dataclasses import dataclass


class FileError(Exception):
    """The file as a whole cannot be read (wrong type, encoding, no header …)."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    reason: str
    value: str = ""

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"，列“{self.column}”" if self.column else "")
        shown = f"（值：{self.value[:60]}）" if self.value else ""
        return f"{where}：{self.reason}{shown}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason,
                "value": self.value}


class ImportFailed(Exception):
    """Raised when an all-or-nothing import finds invalid rows; nothing was written."""

    def __init__(self, errors: list[RowError], message: str = ""):
        self.errors = errors
        super().__init__(message or f"{len(errors)} 处错误，未导入任何数据。")
