"""Read CSV, XLSX and JSON files into (row number, {header: text}) pairs, streaming."""

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from biaozhun.catalog.importing.errors import FileError

Row = tuple[int, dict[str, str]]


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".json", ".jsonl"):
        return "json"
    raise FileError(f"不支持的文件类型“{suffix or path.name}”：请使用 CSV、XLSX 或 JSON。")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(raw: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(f"{name}：无法识别文件编码（应为 UTF-8 或 GB18030）。")


def read_csv_rows(path: Path, *, strip: bool = True) -> tuple[list[str], Iterator[
        tuple[int, list[str]]]]:
    """Header cells and (line number, cells) of a CSV or TSV file, by position.

    Positional because a published file may repeat a header (ccs_cat-level3.csv has two
    “代码 / Code” columns). `strip=False` leaves cells as written, for big files whose few
    used cells the caller strips. Blank lines are skipped.
    """
    text = _decode(path.read_bytes(), path.name)
    sample = text[:4096]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or sample.count("\t") > sample.count(
        ",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip().lstrip("\ufeff").strip() for h in next(reader)]
    except StopIteration:
        raise FileError(f"{path.name}：文件为空。") from None
    except csv.Error as exc:
        raise FileError(f"{path.name}：CSV 格式错误：{exc}") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for values in reader:
                if strip:
                    values = [v.strip() for v in values]
                if any(v.strip() for v in values):
                    yield reader.line_num, values
        except csv.Error as exc:
            raise FileError(f"{path.name} 第 {reader.line_num} 行：CSV 格式错误：{exc}") from None

    return headers, rows()


def read_csv(path: Path) -> tuple[list[str], Iterator[Row]]:
    headers, rows = read_csv_rows(path)
    return headers, ((number, dict(zip(headers, values, strict=False)))
                     for number, values in rows)


def read_xlsx(path: Path) -> tuple[list[str], Iterator[Row]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise FileError(
            f"{path.name}：不是有效的 XLSX 文件（{exc.__class__.__name__}）。") from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell_text(v) for v in next(iterator)]
    except StopIteration:
        raise FileError(f"{path.name}：工作表为空。") from None

    def rows() -> Iterator[Row]:
        for number, values in enumerate(iterator, start=2):
            cells = [_cell_text(v) for v in values]
            if not any(cells):
                continue
            yield number, dict(zip(headers, cells, strict=False))
        workbook.close()

    return headers, rows()


def read_json(path: Path) -> tuple[list[str], Iterator[Row]]:
    try:
        data = json.loads(_decode(path.read_bytes(), path.name))
    except json.JSONDecodeError as exc:
        raise FileError(f"{path.name}：JSON 格式错误（第 {exc.lineno} 行）：{exc.msg}") from None
    if isinstance(data, dict):
        data = data.get("standards", data.get("results"))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FileError(f"{path.name}：JSON 应为对象数组，或带 “standards” 数组的对象。")
    headers: list[str] = []
    for item in data:
        for key in item:
            if key not in headers:
                headers.append(key)

    def cell(value) -> str:
        if isinstance(value, list):
            return ";".join(_cell_text(v) for v in value)
        if isinstance(value, bool):
            return "1" if value else ""
        return _cell_text(value)

    def rows() -> Iterator[Row]:
        for number, item in enumerate(data, start=1):
            yield number, {key: cell(value) for key, value in item.items()}

    return headers, rows()


def read_table(path: Path) -> tuple[list[str], Iterator[Row]]:
    """Headers and rows of a CSV / XLSX / JSON file; row numbers are as a person counts them."""
    if not path.exists():
        raise FileError(f"找不到文件：{path}")
    return {"csv": read_csv, "xlsx": read_xlsx, "json": read_json}[detect_format(path)](path)
