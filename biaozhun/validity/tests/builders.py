"""Test documents built in memory: DOCX (python-docx), XLSX (openpyxl), PDF (reportlab)."""

import io


def docx_bytes(*, paragraphs=(), table=None, header="", footer="") -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(rows, sheet="清单") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pdf_bytes(pages, *, encrypt: str | None = None) -> bytes:
    """One PDF page per item; each item is a list of text lines (Chinese allowed)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=encrypt)
    for lines in pages:
        pdf.setFont("STSong-Light", 11)
        y = 800
        for line in lines:
            pdf.drawString(50, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A page that holds only an image (what a scanner produces): no text layer."""
    from PIL import Image
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        image.putpixel((x, 50), (0, 0, 0))
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawInlineImage(image, 50, 600, width=200, height=100)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
