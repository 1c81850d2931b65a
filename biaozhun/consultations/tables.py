"""The comment disposition table (意见汇总处理表) as XLSX, DOCX and the rows of its page.

One source for every form: `table_rows` turns `selectors.disposition_rows` into the eight
columns, `table_summary` turns `selectors.disposition_summary` into the summary lines, and the
writers only lay them out, so the page, the spreadsheet and the Word file always say the same.

Two audiences. The drafting group's working copy (`public=False`) goes with the project to the
technical review and names each commenter with their organisation; the public copy
(`public=True`, only once the period closed) names a commenter only through
`Comment.public_name`, i.e. only when they agreed. Neither ever carries an e-mail address, an
IP address or a hidden comment (the selectors leave hidden and unverified comments out).

Both files must be ready in seconds for 5,000 comments (issue #7; docs/benchmarks.md): the
XLSX streams through openpyxl's write-only mode with each cell style registered once; the
DOCX's big table is written as one WordprocessingML string and spliced into the package
python-docx saved around it, because python-docx's row and cell API takes seconds for it.
"""

import io
import re
from copy import copy
from dataclasses import dataclass
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from biaozhun.consultations import selectors
from biaozhun.consultations.models import Consultation

# (header, XLSX width in characters, DOCX width in twentieths of a point)
COLUMNS: list[tuple[str, int, int]] = [
    (gettext_noop("序号"), 6, 620),
    (gettext_noop("章条号"), 10, 1000),
    (gettext_noop("意见内容"), 42, 3600),
    (gettext_noop("修改建议"), 30, 2600),
    (gettext_noop("理由"), 24, 2000),
    (gettext_noop("提出单位/人"), 18, 1700),
    (gettext_noop("处理意见"), 10, 1000),
    (gettext_noop("处理理由"), 30, 2560),
]

# XML 1.0 forbids most control characters; a pasted comment may carry them (e.g. \x0b from
# Word). Excel also caps a cell at 32,767 characters.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CELL_LIMIT = 32_767


def clean(value) -> str:
    """Text as both formats can hold it: line ends as \\n, no XML-illegal characters."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text)[:_CELL_LIMIT]


@dataclass(frozen=True)
class TableRow:
    """One line of the table in the order of COLUMNS: the number, then text."""

    number: int
    clause: str
    text: str
    proposed_change: str
    reason: str
    commenter: str
    decision: str
    decision_reason: str

    def cells(self) -> list:
        return [self.number, self.clause, self.text, self.proposed_change, self.reason,
                self.commenter, self.decision, self.decision_reason]


@dataclass(frozen=True)
class TableSummary:
    total: int
    by_decision: list[tuple[str, int]]  # (label, count), 采纳 … 未处理
    by_commenter_type: list[tuple[str, int]]

    def sentence(self) -> str:
        parts = "，".join(f"{label} {count} 条" for label, count in self.by_decision)
        return _("共收到意见 %(total)s 条：%(parts)s。") % {"total": self.total, "parts": parts}


def headers() -> list[str]:
    return [_(name) for name, _w, _d in COLUMNS]


def subject(consultation: Consultation) -> str:
    """What was consulted on: the standard's name for a draft, else the consultation title."""
    if consultation.kind == Consultation.Kind.DRAFT and consultation.project_id:
        return consultation.project.title
    return consultation.title


def heading(consultation: Consultation) -> tuple[str, str]:
    """(title line, details line) of every form of the table."""
    if consultation.kind == Consultation.Kind.DRAFT and consultation.project_id:
        title = _("《%(name)s》征求意见汇总处理表") % {"name": consultation.project.title}
        what = _("标准名称：%(name)s") % {"name": consultation.project.title}
    else:
        title = _("%(name)s 意见汇总处理表") % {"name": consultation.title}
        what = _("事项：%(name)s") % {"name": consultation.title}
    period = _("征求意见期：%(opens)s 至 %(closes)s") % {
        "opens": consultation.opens_on.isoformat(), "closes": consultation.closes_on.isoformat()}
    made = _("制表日期：%(day)s") % {"day": timezone.localdate().isoformat()}
    return clean(title), clean(f"{what}　{period}　{made}")


def clause_cell(clause: str, paragraph: str) -> str:
    """章条号 with the paragraph / figure / table in brackets: "5.2（表 1）"."""
    if clause and paragraph:
        return f"{clause}（{paragraph}）"
    return clause or paragraph


def table_rows(consultation: Consultation, *, public: bool = False) -> list[TableRow]:
    """The rows of the table, from `selectors.disposition_rows` (visible comments only)."""
    return [to_table_row(row, public=public)
            for row in selectors.disposition_rows(consultation)]


def to_table_row(row: selectors.DispositionRow, *, public: bool) -> TableRow:
    """提出单位/人: the drafting group's copy names everyone with their organisation; the
    public copy only as `Comment.public_name` allows. Never the e-mail or IP address."""
    return TableRow(
        number=row.number, clause=clean(clause_cell(row.clause, row.paragraph)),
        text=clean(row.text), proposed_change=clean(row.proposed_change),
        reason=clean(row.reason),
        commenter=clean(row.public_name if public else row.commenter),
        decision=clean(row.decision_label), decision_reason=clean(row.decision_reason))


def table_summary(consultation: Consultation) -> TableSummary:
    summary = selectors.disposition_summary(consultation)
    return TableSummary(total=summary.total, by_decision=summary.decision_items(),
                        by_commenter_type=summary.commenter_type_items())


# --- XLSX ---------------------------------------------------------------------------------


def disposition_table_xlsx(consultation: Consultation, *, public: bool = False) -> bytes:
    """The table as an A4-landscape workbook: title, frozen header row, wrapped text, the
    summary below the rows (and again on a second sheet, as numbers)."""
    return rows_to_xlsx(consultation, table_rows(consultation, public=public),
                        table_summary(consultation))


def rows_to_xlsx(consultation: Consultation, rows: list[TableRow],
                 summary: TableSummary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("意见汇总处理表"))
    for index, (_name, width, _dxa) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = "A4"  # rows 1–3: title, details, header
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.oddFooter.center.text = "&P / &N"

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(wrap_text=True, vertical="top", horizontal="center")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E5E7EB")

    # Assigning a style object hashes it against the workbook's style tables (≈ 40 µs a
    # cell); each combination is registered once here and its style array copied per cell.
    def style(*, alignment=wrap, font=None, framed=True, shaded=False) -> StyleArray:
        cell = WriteOnlyCell(sheet)
        cell.alignment = alignment
        if framed:
            cell.border = border
        if font is not None:
            cell.font = font
        if shaded:
            cell.fill = fill
        return cell._style

    body, body_centred = style(), style(alignment=centred)
    plain, strong = style(framed=False), style(framed=False, font=bold)
    framed_strong = style(font=bold)

    def text_cell(value, styled: StyleArray = body) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value)
        # A comment beginning with "=" is text, never a formula (spreadsheet injection).
        if cell.data_type == "f":
            cell.data_type = "s"
        cell._style = copy(styled)
        return cell

    title, details = heading(consultation)
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.append([text_cell(title, style(alignment=Alignment(horizontal="center"),
                                         font=Font(bold=True, size=14), framed=False))])
    sheet.append([text_cell(details, plain)])
    heads = style(alignment=centred, font=bold, shaded=True)
    sheet.append([text_cell(name, heads) for name in headers()])
    for row in rows:
        cells = row.cells()
        sheet.append([text_cell(cells[0], body_centred),
                      *(text_cell(v) for v in cells[1:6]),
                      text_cell(cells[6], body_centred), text_cell(cells[7])])

    sheet.append([])
    sheet.append([text_cell(_("汇总"), strong)])
    sheet.append([text_cell(summary.sentence(), plain)])
    for caption, counts in ((_("处理意见"), summary.by_decision),
                            (_("提出方类型"), summary.by_commenter_type)):
        sheet.append([])
        sheet.append([text_cell(caption, framed_strong), text_cell(_("条数"), framed_strong)])
        for label, count in counts:
            sheet.append([text_cell(label), text_cell(count)])
        sheet.append([text_cell(_("合计"), framed_strong), text_cell(summary.total)])

    totals = workbook.create_sheet(_("汇总"))
    totals.column_dimensions["A"].width = 16
    totals.column_dimensions["B"].width = 10
    totals.append([_("处理意见"), _("条数")])
    for label, count in summary.by_decision:
        totals.append([label, count])
    totals.append([_("合计"), summary.total])
    totals.append([])
    totals.append([_("提出方类型"), _("条数")])
    for label, count in summary.by_commenter_type:
        totals.append([label, count])
    totals.append([_("合计"), summary.total])

    # Deflate level 1: a third of the time of the default level for ~10 % more bytes.
    out = io.BytesIO()
    with ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
        ExcelWriter(workbook, archive).save()
    return out.getvalue()


# --- DOCX ---------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
_BORDERS = "".join(_BORDER.format(side)
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


def _paragraphs(text: str, *, bold: bool = False, centred: bool = False) -> str:
    """A cell's content: one <w:p> per line (python-docx reads them back joined by \\n);
    tabs as <w:tab/>."""
    ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if centred else ""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    out = []
    for line in text.split("\n"):
        pieces = line.split("\t")
        runs = "<w:tab/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' if p else ""
                               for p in pieces)
        out.append(f"<w:p>{ppr}<w:r>{rpr}{runs}</w:r></w:p>" if line else f"<w:p>{ppr}</w:p>")
    return "".join(out)


def _table_xml(header: list[str], rows: list[list], widths: list[int], *,
               centred: frozenset[int] = frozenset(), repeat_header: bool = True,
               declare: bool = True) -> str:
    """A bordered, fixed-layout WordprocessingML table; the first row is the header
    (repeated on every page). `declare=False` leaves out the namespace declaration, for
    splicing into document.xml, whose root declares it."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    tcpr = [f'<w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>' for w in widths]
    head_trpr = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if repeat_header else ""
    shade = '<w:shd w:val="clear" w:color="auto" w:fill="E5E7EB"/>'
    xmlns = f' xmlns:w="{W_NS}"' if declare else ""
    parts = [
        f'<w:tbl{xmlns}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr>",
        f"<w:tblGrid>{grid}</w:tblGrid>",
        f"<w:tr>{head_trpr}",
    ]
    for index, name in enumerate(header):
        parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[index]}" w:type="dxa"/>{shade}'
                     f"</w:tcPr>{_paragraphs(name, bold=True, centred=True)}</w:tc>")
    parts.append("</w:tr>")
    for row in rows:
        parts.append("<w:tr>")
        for index, value in enumerate(row):
            parts.append(f"<w:tc>{tcpr[index]}"
                         f"{_paragraphs(str(value), centred=index in centred)}</w:tc>")
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


# Where the big table goes: python-docx writes this paragraph, then the saved package's
# document.xml gets the table's XML in its place (see `rows_to_docx`).
_TABLE_MARK = "@@disposition-table-8d1f@@"
_MARK_PARAGRAPH = re.compile(
    r"<w:p\b(?:(?!<w:p\b).)*?" + re.escape(_TABLE_MARK) + r".*?</w:p>", re.DOTALL)


def disposition_table_docx(consultation: Consultation, *, public: bool = False) -> bytes:
    """The table as an A4-landscape Word document: title, a bordered table whose header row
    repeats on every page, and the summary."""
    return rows_to_docx(consultation, table_rows(consultation, public=public),
                        table_summary(consultation))


def rows_to_docx(consultation: Consultation, rows: list[TableRow],
                 summary: TableSummary) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(15)
    normal = document.styles["Normal"]
    normal.font.size = Pt(9)
    normal.font.name = "SimSun"
    # East Asian text takes its font from w:eastAsia, not from w:ascii.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    normal.paragraph_format.space_after = Pt(0)
    document.core_properties.title = _("意见汇总处理表")

    title, details = heading(consultation)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(title)
    run.bold = True
    run.font.size = Pt(15)
    document.add_paragraph(details)
    document.add_paragraph(_TABLE_MARK)

    document.add_paragraph(_("汇总"), style="Heading 2")
    document.add_paragraph(summary.sentence())
    for caption, counts in ((_("处理意见"), summary.by_decision),
                            (_("提出方类型"), summary.by_commenter_type)):
        lines = [[label, count] for label, count in counts]
        lines.append([_("合计"), summary.total])
        small = parse_xml(_table_xml([caption, _("条数")], lines, [2400, 1200],
                                     centred=frozenset({1}), repeat_header=False))
        spacer = document.add_paragraph()
        spacer._p.addprevious(small)

    saved = io.BytesIO()
    document.save(saved)
    # 5,000 rows through python-docx's element API take seconds; as one string, milliseconds.
    widths = [dxa for _n, _w, dxa in COLUMNS]
    table = _table_xml(headers(), [row.cells() for row in rows], widths,
                       centred=frozenset({0, 6}), declare=False)
    return _splice(saved.getvalue(), table)


def _splice(package: bytes, table: str) -> bytes:
    """The package with the marker paragraph of word/document.xml replaced by `table`;
    every part re-deflated at level 1 (a third of the default level's time)."""
    out = io.BytesIO()
    with ZipFile(io.BytesIO(package)) as source, \
            ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                xml, found = _MARK_PARAGRAPH.subn(lambda _m: table, xml, count=1)
                if found != 1:
                    raise RuntimeError("disposition table marker missing from document.xml")
                data = xml.encode("utf-8")
            target.writestr(info, data, compress_type=ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


def filename(consultation: Consultation, fmt: str) -> str:
    """意见汇总处理表-<subject>.<fmt>, without characters file systems refuse."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", subject(consultation)).strip()[:120]
    return f"{_('意见汇总处理表')}-{name}.{fmt}"


FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             disposition_table_xlsx),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             disposition_table_docx),
}
