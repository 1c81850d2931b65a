"""Reading pasted text and uploaded files into text segments, and finding references in them.

A file is recognised by its content (magic bytes, the parts inside a ZIP), never by its name
alone: a name that says one thing and content that says another is refused, and so are
encrypted files, PDFs without a text layer and unknown formats, each with its own message
(`DocumentError`). Readers keep locations: line, page, paragraph, table cell, header/footer,
sheet cell.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from biaozhun import codes
from biaozhun.core.codes_text import describe
from biaozhun.validity.conf import setting
from biaozhun.validity.resolution import Occurrence

EXTENSIONS = ("txt", "docx", "pdf", "xlsx", "csv")
Progress = Callable[[int, int], None]


class DocumentError(ValueError):
    """A file or text that cannot be checked; the message is shown to the user as it is."""


@dataclass
class Segment:
    """A piece of text with its location. `list_mode`: lines may be bare standard numbers
    (pasted lists, cells), so a line that looks like a number but does not parse is reported
    as invalid. `per_line`: the location gets the line number within the segment."""

    text: str
    location: dict = field(default_factory=dict)
    list_mode: bool = False
    per_line: bool = False


# --- recognising files --------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_KIND_NAMES = {"pdf": "PDF", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)", "text": _("文本")}


def sniff(name: str, data: bytes) -> str:
    """The kind of an upload (`txt`, `csv`, `docx`, `xlsx`, `pdf`) or DocumentError."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise DocumentError(_("不支持的文件类型“%(ext)s”，请上传 .txt、.docx、.pdf、.xlsx 或 "
                              ".csv 文件。") % {"ext": extension or name})
    check_upload_size(len(data))
    if not data:
        raise DocumentError(_("文件是空的。"))
    actual = _content_kind(data)
    expected = "text" if extension in ("txt", "csv") else extension
    if actual == "ole":
        raise DocumentError(_("文件是旧版 Office 格式（.doc/.xls）或已加密，请另存为未加密的 "
                              ".docx 或 .xlsx 后再上传。"))
    if actual != expected:
        raise DocumentError(_("文件内容与扩展名不符：文件名是 .%(ext)s，内容却是%(kind)s。") % {
            "ext": extension, "kind": _KIND_NAMES.get(actual, _("无法识别的格式"))})
    return extension


def check_upload_size(size: int) -> None:
    limit = setting("VALIDITY_MAX_UPLOAD_BYTES")
    if size > limit:
        raise DocumentError(_("文件过大（%(size)s MB），上限为 %(limit)s MB。") % {
            "size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"})


def preflight(name: str, data: bytes) -> str:
    """`sniff`, and for a PDF also open it (encryption, page limit): the checks that must
    answer at once even when the reading itself runs later as a job."""
    kind = sniff(name, data)
    if kind == "pdf":
        document = _open_pdf(data)
        document.close()
    return kind


def _content_kind(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_OLE):
        return "ole"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "unknown"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "unknown"
    return "text" if _decode(data) is not None else "unknown"


def _decode(data: bytes) -> str | None:
    if b"\x00" in data[:65536]:
        return None  # binary (or UTF-16, which no Chinese office tool writes for lists)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# --- readers ------------------------------------------------------------------------------------


def read_text(text: str) -> list[Segment]:
    _check_length(len(text))
    return [Segment(text, {}, list_mode=True, per_line=True)]


def read_upload(name: str, data: bytes, progress: Progress | None = None) -> list[Segment]:
    """Segments of an uploaded file, or DocumentError with a message for the user."""
    kind = sniff(name, data)
    progress = progress or (lambda done, total: None)
    try:
        if kind == "pdf":
            return _read_pdf(data, progress)
        if kind == "docx":
            return _read_docx(data)
        if kind == "xlsx":
            return _read_xlsx(data)
    except DocumentError:
        raise
    except Exception as exc:  # a damaged file must give a message, never a 500
        raise DocumentError(_("无法读取文件（%(kind)s）：文件可能已损坏。") % {
            "kind": _KIND_NAMES.get(kind, kind)}) from exc
    text = _decode(data) or ""
    if kind == "csv":
        return _read_csv(text)
    return read_text(text)


def _check_length(chars: int) -> None:
    limit = setting("VALIDITY_MAX_TEXT_CHARS")
    if chars > limit:
        raise DocumentError(_("文本过长（%(chars)s 字），上限为 %(limit)s 字。") % {
            "chars": f"{chars:,}", "limit": f"{limit:,}"})


def _open_pdf(data: bytes):
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise DocumentError(_("PDF 文件已加密，请上传未加密的文件。")) from exc
        raise DocumentError(_("无法打开 PDF 文件：文件可能已损坏。")) from exc
    pages = len(document)
    if pages > setting("VALIDITY_MAX_PDF_PAGES"):
        document.close()
        raise DocumentError(_("PDF 共 %(pages)s 页，上限为 %(limit)s 页。") % {
            "pages": pages, "limit": setting("VALIDITY_MAX_PDF_PAGES")})
    return document


def _read_pdf(data: bytes, progress: Progress) -> list[Segment]:
    document = _open_pdf(data)
    pages = len(document)
    try:
        segments, chars = [], 0
        for index in range(pages):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            chars += len(text)
            _check_length(chars)
            segments.append(Segment(text, {"page": index + 1}, per_line=True))
            progress(index + 1, pages)
    finally:
        document.close()
    if not any(segment.text.strip() for segment in segments):
        raise DocumentError(_("PDF 没有文字层（可能是扫描件），无法读取其中的标准号。"
                              "请上传带文字的 PDF，或先进行文字识别（OCR）。"))
    return segments


def _read_docx(data: bytes) -> list[Segment]:
    import docx

    document = docx.Document(io.BytesIO(data))
    segments: list[Segment] = []
    for number, paragraph in enumerate(document.paragraphs, 1):
        if paragraph.text.strip():
            segments.append(Segment(paragraph.text, {"paragraph": number}))
    for number, table in enumerate(document.tables, 1):
        segments.extend(_table_segments(table, {"table": number}))
    for number, section in enumerate(document.sections, 1):
        for part, attribute in (("header", "header"), ("header", "first_page_header"),
                                ("header", "even_page_header"), ("footer", "footer"),
                                ("footer", "first_page_footer"), ("footer", "even_page_footer")):
            story = getattr(section, attribute)
            if story.is_linked_to_previous and number > 1:
                continue
            location = {"part": part, "section": number}
            text = "\n".join(p.text for p in story.paragraphs)
            if text.strip():
                segments.append(Segment(text, location))
            for table in story.tables:
                segments.extend(_table_segments(table, location))
    _check_length(sum(len(s.text) for s in segments))
    return segments


def _table_segments(table, location: dict) -> Iterator[Segment]:
    seen, alive = set(), []  # `alive` keeps the elements so that their ids stay unique
    for row_number, row in enumerate(table.rows, 1):
        for column_number, cell in enumerate(row.cells, 1):
            if id(cell._tc) in seen:  # a merged cell repeats in every row and column it spans
                continue
            seen.add(id(cell._tc))
            alive.append(cell._tc)
            where = {**location, "row": row_number, "column": column_number}
            if cell.text.strip():
                yield Segment(cell.text, where, list_mode=True)
            for inner in cell.tables:
                yield from _table_segments(inner, where)


def _read_xlsx(data: bytes) -> list[Segment]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    segments, chars = [], 0
    try:
        for sheet in workbook.worksheets:
            for row_number, row in enumerate(sheet.iter_rows(values_only=True), 1):
                for column_number, value in enumerate(row, 1):
                    if value is None or not str(value).strip():
                        continue
                    text = str(value)
                    chars += len(text)
                    segments.append(Segment(text, {
                        "sheet": sheet.title,
                        "cell": f"{get_column_letter(column_number)}{row_number}"},
                        list_mode=True))
            _check_length(chars)
    finally:
        workbook.close()
    return segments


def _read_csv(text: str) -> list[Segment]:
    _check_length(len(text))
    segments = []
    for row_number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        for column_number, value in enumerate(row, 1):
            if value.strip():
                segments.append(Segment(value, {"row": row_number, "column": column_number},
                                        list_mode=True))
    return segments


# --- finding references -------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*•·●▪]|\d{1,4}[.、)）]|[（(]\d{1,4}[)）]|\[\d{1,4}\])\s*")
# A line of a list that tries to be a standard number: upper-case letters, maybe a slash and
# more letters, then a digit (GB/T 1.1, DB99/T 1, XYZ 12-2020).
_LOOKS_LIKE_CODE = re.compile(r"^[A-Z][A-Z/]{0,11}\s*[A-Z]{0,4}\s*\d")
_CJK = re.compile(r"[\u3000-\u9fff\uff01-\uff0f\uff1a-\uff20]")
_MAX_LIST_LINE = 60


def _label_templates() -> dict[str, str]:
    return {"page": _("第 %(n)s 页"), "header": _("第 %(n)s 节页眉"),
            "footer": _("第 %(n)s 节页脚"), "paragraph": _("第 %(n)s 段"),
            "table": _("表 %(n)s"), "cell": _("第 %(row)s 行第 %(column)s 列"),
            "line": _("第 %(n)s 行"), "body": _("正文")}


def location_label(location: dict, templates: dict[str, str] | None = None) -> str:
    """A short human-readable form of a location (the report's "位置" column)."""
    t = templates or _label_templates()
    parts = []
    if "sheet" in location:
        parts.append(f"{location['sheet']}!{location['cell']}")
    if "page" in location:
        parts.append(t["page"] % {"n": location["page"]})
    if "part" in location:
        parts.append(t[location["part"]] % {"n": location["section"]})
    if "paragraph" in location:
        parts.append(t["paragraph"] % {"n": location["paragraph"]})
    if "table" in location:
        parts.append(t["table"] % {"n": location["table"]})
    if "row" in location and "column" in location:
        parts.append(t["cell"] % {"row": location["row"], "column": location["column"]})
    elif "line" in location:
        parts.append(t["line"] % {"n": location["line"]})
    return " ".join(parts) or t["body"]


def find_references(segments: list[Segment]) -> list[Occurrence]:
    """Every reference in the segments, in order, with its location; in list-mode segments
    also lines that look like a number but do not parse (reported as invalid)."""
    occurrences: list[Occurrence] = []
    limit = setting("VALIDITY_MAX_REFERENCES")
    templates = _label_templates()

    def labelled(location: dict) -> dict:
        return {**location, "label": location_label(location, templates)}

    for segment in segments:
        text = segment.text
        matches = codes.extract(text)
        line_starts = _line_starts(text) if (segment.per_line or segment.list_mode) else None
        covered_lines = set()
        for match in matches:
            location = segment.location
            if line_starts is not None:
                first = _line_of(line_starts, match.start)
                covered_lines.update(range(first, _line_of(line_starts, match.end - 1) + 1))
                if segment.per_line:
                    location = {**location, "line": first}
            occurrences.append(Occurrence(" ".join(match.raw.split()), match.number,
                                          location=labelled(location)))
        if segment.list_mode:
            for number, line in enumerate(text.split("\n"), 1):
                if number not in covered_lines:
                    found = _list_line(line, segment, number, labelled)
                    if found is not None:
                        occurrences.append(found)
        if len(occurrences) > limit:
            raise DocumentError(_("引用的标准过多（超过 %(limit)s 处），请分批核查。") % {
                "limit": f"{limit:,}"})
    return occurrences


def _list_line(line: str, segment: Segment, number: int,
               labelled: Callable[[dict], dict]) -> Occurrence | None:
    candidate = unicodedata.normalize("NFKC", _BULLET.sub("", line)).strip()
    if not candidate or len(candidate) > _MAX_LIST_LINE:
        return None
    cjk = _CJK.search(candidate)
    if cjk:
        candidate = candidate[:cjk.start()].strip()
    if not _LOOKS_LIKE_CODE.match(candidate):
        return None
    location = segment.location
    if segment.per_line:
        location = {**location, "line": number}
    try:
        parsed = codes.parse(candidate)
    except codes.CodeError as exc:
        return Occurrence(candidate, None, error=describe(exc), location=labelled(location))
    return Occurrence(candidate, parsed, location=labelled(location))


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line_of(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset)
