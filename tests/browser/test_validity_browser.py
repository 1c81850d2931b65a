"""Validity check in a real Chromium: upload a .docx, read the report, download the XLSX."""

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from biaozhun.catalog.tests.factories import make_standard, relate
from biaozhun.validity.models import ValidityCheck
from biaozhun.validity.tests.builders import docx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chain():
    old = make_standard("GB 2760-2011", issued_on=date(2011, 4, 20),
                        effective_on=date(2011, 6, 20))
    new = make_standard("GB 2760-2014", issued_on=date(2014, 12, 24),
                        effective_on=date(2015, 5, 24))
    relate(new, old)


def test_upload_docx_and_download_xlsx(live_server, page, screenshot, chain, tmp_path):
    document = tmp_path / "合同.docx"
    document.write_bytes(docx_bytes(
        paragraphs=["食品添加剂应符合 GB 2760-2011 的规定。"],
        table=[["序号", "标准"], ["1", "GB 2760-2011"], ["2", "GB/T 99999-2020"]]))
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="有效性核查").click()
    page.get_by_label("或上传文件").set_input_files(str(document))
    page.get_by_label("核查日期").fill("2024-06-01")
    page.get_by_role("button", name="开始核查").click()
    expect(page.locator("h1")).to_contain_text("核查报告：合同.docx")
    rows = page.locator("table.validity-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("被代替")
    expect(rows.first).to_contain_text("GB 2760-2014")
    expect(rows.first).to_contain_text("×2")
    screenshot("10-validity-report")

    with page.expect_download() as info:
        page.get_by_role("link", name="Excel（XLSX）").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(v[0], v[4], v[8]) for v in values] == [
        ("GB/T 99999-2020", "未收录", None), ("GB 2760-2011", "被代替", "GB 2760-2014")]
    assert ValidityCheck.objects.count() == 1
