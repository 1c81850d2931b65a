"""A report in every form: summary chart (own SVG), XLSX (openpyxl), PDF (reportlab with its
built-in CJK CID font, so Chinese renders without any system font), JSON and standalone HTML."""

import io
import json
from datetime import date

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from biaozhun.validity.models import PROBLEMS, RefStatus

# Problems first: the order of the "sort by status" view and of every download.
STATUS_ORDER = [RefStatus.INVALID, RefStatus.NOT_FOUND, RefStatus.ABOLISHED,
                RefStatus.SUPERSEDED, RefStatus.UPCOMING, RefStatus.CURRENT]
# Bar colours: the ink colours of the status badges (each ≥ 4.5:1 on white).
COLOURS = {
    RefStatus.CURRENT: "#14532d", RefStatus.UPCOMING: "#0a3f7a",
    RefStatus.SUPERSEDED: "#6f4400", RefStatus.ABOLISHED: "#8a1c1c",
    RefStatus.NOT_FOUND: "#4b5563", RefStatus.INVALID: "#7c2d92",
}
PDF_FONT = "STSong-Light"


def status_label(status: str) -> str:
    try:
        return str(RefStatus(status).label)
    except ValueError:
        return status


def sorted_references(report: dict, *, by_status: bool = False,
                      problems_only: bool = False) -> list[dict]:
    references = report.get("references", [])
    if problems_only:
        references = [r for r in references if r["status"] in PROBLEMS]
    if by_status:
        rank = {s: i for i, s in enumerate(STATUS_ORDER)}
        references = sorted(references, key=lambda r: rank.get(r["status"], 99))
    return references


def summary_rows(report: dict) -> list[tuple[str, str, int]]:
    summary = report.get("summary", {})
    return [(s.value, status_label(s), summary.get(s.value, 0)) for s in reversed(STATUS_ORDER)]


def summary_svg(report: dict) -> str:
    """A horizontal bar chart of the summary counts, labelled, readable without colour."""
    rows = summary_rows(report)
    top = max((count for _s, _l, count in rows), default=0) or 1
    bar_height, gap, label_width, width = 22, 8, 90, 420
    height = len(rows) * (bar_height + gap)
    title = _("核查结果汇总")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="summary-chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="chart-title"><title id="chart-title">{escape(title)}</title>']
    for index, (status, label, count) in enumerate(rows):
        y = index * (bar_height + gap)
        length = round((width - label_width - 50) * count / top)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" font-size="14" '
            f'fill="#1f2933">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{max(length, 1)}" height="{bar_height}" '
            f'fill="{COLOURS[status]}"><title>{escape(label)} {count}</title></rect>'
            f'<text x="{label_width + max(length, 1) + 6}" y="{y + 16}" font-size="14" '
            f'fill="#1f2933">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _columns() -> list[str]:
    return [_("原文"), _("标准号"), _("次数"), _("位置"), _("状态"), _("核查版本"), _("名称"),
            _("代替标准"), _("现行版本"), _("代替标准实施日期"), _("建议")]


def _row(reference: dict) -> list:
    locations = "；".join(loc.get("label", "") for loc in reference["locations"][:20])
    if len(reference["locations"]) > 20:
        locations += _(" 等 %(n)s 处") % {"n": len(reference["locations"])}
    return [reference["raw"], reference["code"] or "", reference["count"], locations,
            status_label(reference["status"]), reference["resolved_to"] or "",
            reference.get("title", ""), "、".join(reference["replaced_by"]),
            "、".join(reference["in_force"] or reference["suggestions"]),
            reference["replacement_effective_on"] or "", reference["advice"]]


def to_json(report: dict) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2).encode()


def to_xlsx(report: dict, title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("核查结果")
    sheet.append(_columns())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E5E7EB")
    for reference in sorted_references(report, by_status=True):
        sheet.append(_row(reference))
    widths = [22, 22, 6, 28, 10, 22, 30, 22, 22, 14, 50]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"

    summary = workbook.create_sheet(_("汇总"))
    summary.append([_("核查日期"), report.get("as_of", "")])
    if title:
        summary.append([_("来源"), title])
    for _status, label, count in summary_rows(report):
        summary.append([label, count])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_pdf(report: dict, title: str = "") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=8, leading=10, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName=PDF_FONT, fontSize=15, leading=20)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm,
                                 rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                                 title=_("标准有效性核查报告"))
    story = [Paragraph(escape(_("标准有效性核查报告")), heading),
             Paragraph(escape(_("核查日期：%(day)s　来源：%(source)s") % {
                 "day": report.get("as_of", ""), "source": title or "—"}), body),
             Paragraph(escape("　".join(f"{label} {count}"
                                       for _s, label, count in summary_rows(report))), body),
             Spacer(1, 4 * mm)]
    columns = _columns()
    keep = [0, 2, 3, 4, 5, 7, 8, 10]  # the columns that fit a landscape page
    rows = [[Paragraph(escape(columns[i]), body) for i in keep]]
    for reference in sorted_references(report, by_status=True):
        values = _row(reference)
        rows.append([Paragraph(escape(str(values[i])), body) for i in keep])
    widths = [38, 12, 40, 16, 36, 36, 36, 59]
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    document.build(story)
    return out.getvalue()


def to_html(report: dict, title: str = "") -> bytes:
    """A self-contained page (the CLI's `--format html`): inline style, no links out."""
    return render_to_string("validity/report_standalone.html", {
        "report": report, "title": title, "chart": summary_svg(report),
        "references": sorted_references(report, by_status=True),
        "generated_on": date.today().isoformat(),
    }).encode()


FORMATS = {
    "json": ("application/json", to_json),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
    "pdf": ("application/pdf", to_pdf),
    "html": ("text/html; charset=utf-8", to_html),
}


def render(report: dict, fmt: str, title: str = "") -> bytes:
    renderer = FORMATS[fmt][1]
    return renderer(report) if fmt == "json" else renderer(report, title)
