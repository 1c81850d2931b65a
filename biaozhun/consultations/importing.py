"""The XLSX comment form: the template the platform hands out, and reading it back.

Columns follow the IEC comment form (clause, paragraph / figure / table, type, comment,
proposed change, reason). Reading is strict and complete: every row is checked and every
problem reported with its Excel row number and column name; the caller stores nothing unless
there are none. The file is read in openpyxl's read-only mode with values only (no formulas
evaluated, no macros), with its declared dimensions ignored (a forged dimension would pad
millions of empty rows) and its unpacked size bounded.
"""

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings

from biaozhun.consultations.models import Comment, Consultation

SHEET = "意见"
INSTRUCTIONS_SHEET = "填写说明"
TYPE_HEADER = "意见类型（一般性/技术性/编辑性）"
# (header, field, required) in template order.
COLUMNS = (
    ("章条号", "clause", False),
    ("段落/图/表", "paragraph", False),
    (TYPE_HEADER, "type", False),
    ("意见", "text", True),
    ("修改建议", "proposed_change", False),
    ("理由", "reason", False),
)
SHORT_FIELDS = {"clause": 60, "paragraph": 60}  # the model's column widths
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TYPE_WORDS = {
    "一般性": Comment.Type.GENERAL, "一般": Comment.Type.GENERAL, "general": Comment.Type.GENERAL,
    "ge": Comment.Type.GENERAL,
    "技术性": Comment.Type.TECHNICAL, "技术": Comment.Type.TECHNICAL,
    "technical": Comment.Type.TECHNICAL, "te": Comment.Type.TECHNICAL,
    "编辑性": Comment.Type.EDITORIAL, "编辑": Comment.Type.EDITORIAL,
    "editorial": Comment.Type.EDITORIAL, "ed": Comment.Type.EDITORIAL,
}


@dataclass(frozen=True)
class RowError:
    """One problem: the Excel row (None for the file as a whole), column header, reason."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where}{f'“{self.column}”' if self.column else ''}：{self.message}"


class ImportRejected(Exception):
    """The upload was refused as a whole; `errors` says where and why."""

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        super().__init__(f"文件中有 {len(self.errors)} 处错误，未导入任何意见。")


@dataclass(frozen=True)
class ImportedRow:
    row: int
    clause: str
    paragraph: str
    type: str
    text: str
    proposed_change: str
    reason: str


# --- the template --------------------------------------------------------------------------


def comment_template(consultation: Consultation) -> bytes:
    """The XLSX form for `consultation`: the comment sheet (header row, a drop-down list of
    comment types, text-formatted clause columns) and an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    max_rows = settings.CONSULTATION_IMPORT_MAX_ROWS
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    widths = (12, 14, 22, 50, 40, 40)
    for index, ((header, _, _required), width) in enumerate(zip(COLUMNS, widths, strict=True),
                                                           start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = width
    # Clause numbers such as 5.10 must stay text, not become the number 5.1.
    for letter in ("A", "B"):
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    types = DataValidation(type="list", formula1='"一般性,技术性,编辑性"', allow_blank=True,
                           showErrorMessage=True, errorTitle="意见类型",
                           error="请从列表中选择：一般性、技术性或编辑性。")
    sheet.add_data_validation(types)
    types.add(f"C2:C{max_rows + 1}")

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 100
    lines = [
        "征求意见表填写说明",
        f"征求意见：{consultation.title}",
        f"征求意见期：{consultation.opens_on.isoformat()} 至 {consultation.closes_on.isoformat()}",
        "",
        f"1. 在“{SHEET}”工作表中填写，第 1 行为表头，请勿修改；"
        "从第 2 行起每行一条意见，空行会被忽略。",
        "2. 章条号：意见针对的章、条编号，如 5.2.1；段落/图/表：如“第 2 段”“表 3”“图 1”。",
        "3. 意见类型：从下拉列表选择 一般性、技术性 或 编辑性；不填视为一般性。",
        "4. 意见：必填；修改建议 和 理由：建议填写，便于起草组处理。",
        f"5. 每个文本单元格不超过 {settings.CONSULTATION_MAX_COMMENT_CHARS} 字，"
        f"章条号和段落/图/表不超过 60 字；每个文件最多 {max_rows} 条意见。",
        "6. 上传时逐行检查，任何一行有误则整个文件不导入，并列出出错的行和列；改正后重新上传即可。",
        "7. 提出人和单位取自上传者的账户信息。",
    ]
    for row, line in enumerate(lines, start=1):
        notes.cell(row=row, column=1, value=line)
    notes["A1"].font = Font(bold=True, size=14)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading an upload ---------------------------------------------------------------------


def _file_error(message: str) -> ImportRejected:
    return ImportRejected([RowError(None, "", message)])


def _read_bytes(upload) -> bytes:
    limit = settings.CONSULTATION_IMPORT_MAX_BYTES
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            data = b"x" * (limit + 1)
        else:
            if hasattr(upload, "seek"):
                upload.seek(0)
            data = upload.read(limit + 1)
    if len(data) > limit:
        raise _file_error(f"文件超过 {limit // (1024 * 1024)} MB，请分成多个文件上传。")
    if not data:
        raise _file_error("文件是空的。")
    if data.startswith(_OLE):
        raise _file_error("文件是旧版 .xls 格式或已加密，请另存为未加密的 .xlsx 后再上传。")
    if not data.startswith(b"PK\x03\x04"):
        raise _file_error("文件不是 Excel（.xlsx）文件，请使用平台提供的模板。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _file_error("文件已损坏，无法读取。") from exc
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise _file_error("文件不是 Excel（.xlsx）文件，请使用平台提供的模板。")
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise _file_error("文件解压后过大，无法读取。")
    return data


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def _key(header: str) -> str:
    return "".join(unicodedata.normalize("NFKC", header).split())


def _columns(header_row: tuple) -> tuple[dict[str, int], list[RowError]]:
    """Field → column index from the header row; an error for each missing column."""
    found: dict[str, int] = {}
    keys = {_key(h): field for h, field, _ in COLUMNS}
    type_key = _key("意见类型")
    for index, value in enumerate(header_row):
        key = _key(_text(value))
        field = keys.get(key) or ("type" if key.startswith(type_key) else None)
        if field and field not in found:
            found[field] = index
    errors = [RowError(1, header, "缺少此列，请使用平台提供的模板。")
              for header, field, _ in COLUMNS if field not in found]
    return found, errors


def _check_row(number: int, values: dict[str, str]) -> tuple[ImportedRow | None, list[RowError]]:
    limit = settings.CONSULTATION_MAX_COMMENT_CHARS
    errors = []
    headers = {field: header for header, field, _ in COLUMNS}
    for field, value in values.items():
        most = SHORT_FIELDS.get(field, limit if field != "type" else None)
        if most and len(value) > most:
            errors.append(RowError(number, headers[field],
                                   f"不超过 {most} 字（现有 {len(value)} 字）。"))
    if not values["text"]:
        errors.append(RowError(number, headers["text"], "请填写意见。"))
    kind = Comment.Type.GENERAL
    if values["type"]:
        kind = TYPE_WORDS.get(_key(values["type"]).lower())
        if kind is None:
            errors.append(RowError(number, headers["type"],
                                   f"“{values['type']}”无效，应为 一般性、技术性 或 编辑性。"))
    if errors:
        return None, errors
    return ImportedRow(row=number, type=str(kind), **{
        f: v for f, v in values.items() if f != "type"}), []


def read_comments(upload) -> list[ImportedRow]:
    """Every non-empty row of an uploaded template, checked; ImportRejected listing every
    problem otherwise (or when the file has no comment at all)."""
    from openpyxl import load_workbook

    data = _read_bytes(upload)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on malformed parts
        raise _file_error("无法读取该 Excel 文件，请使用平台提供的模板。") from exc
    max_rows = settings.CONSULTATION_IMPORT_MAX_ROWS
    rows: list[ImportedRow] = []
    errors: list[RowError] = []
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=50, values_only=True), ())
        columns, errors = _columns(header)
        if errors:
            raise ImportRejected(errors)
        width = max(columns.values()) + 1
        seen = 0
        for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=width,
                                                       values_only=True), start=2):
            values = {field: _text(cells[index]) if index < len(cells) else ""
                      for field, index in columns.items()}
            if not any(values.values()):
                continue
            seen += 1
            if seen > max_rows:
                errors.append(RowError(number, "",
                                       f"每个文件最多 {max_rows} 条意见，请分成多个文件上传。"))
                break
            row, problems = _check_row(number, values)
            errors.extend(problems)
            if row is not None:
                rows.append(row)
    except ImportRejected:
        raise
    except Exception as exc:
        raise _file_error("无法读取该 Excel 文件，请使用平台提供的模板。") from exc
    finally:
        workbook.close()
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise _file_error("文件中没有意见（从第 2 行起每行一条）。")
    return rows
