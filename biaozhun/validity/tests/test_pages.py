"""The pages: form, report (sort, filter, chart), downloads, progress; every write's
permissions, and refusals that change nothing."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from biaozhun.validity.models import ValidityCheck, WatchList
from biaozhun.validity.services import purge_expired_checks, start_check
from biaozhun.validity.tests.builders import docx_bytes

pytestmark = pytest.mark.django_db

TEXT = "GB/T 1.1-2020\nGB/T 1.1-2009\nGB/T 400-2000\nXYZ 1-2020"


def make_check(owner=None, text=TEXT) -> ValidityCheck:
    from datetime import date

    return start_check(text=text, as_of=date(2024, 6, 1), by=owner)


def test_form_page(client):
    response = client.get("/check/")
    assert response.status_code == 200
    assert "标准有效性核查" in response.content.decode()


def test_paste_redirects_to_the_report(client, catalog):
    response = client.post("/check/", {"text": TEXT, "as_of": "2024-06-01"})
    check = ValidityCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/check/{check.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="summary-chart"' in page
    assert "请改为引用 GB/T 1.1-2020。" in page
    assert "已于 2017-03-23 废止。无替代标准。" in page


def test_upload_docx_through_the_form(client, catalog):
    upload = SimpleUploadedFile("合同.docx", docx_bytes(table=[["GB/T 1.1-2009"]]))
    response = client.post("/check/", {"file": upload, "as_of": "2024-06-01"})
    check = ValidityCheck.objects.get()
    assert response.status_code == 302
    assert (check.source_name, check.reference_count, check.problem_count) == ("合同.docx", 1, 1)


@pytest.mark.parametrize("payload", [
    {}, {"text": "GB 1-2000", "as_of": "not-a-date"},
])
def test_bad_form_is_422_and_stores_nothing(client, payload):
    response = client.post("/check/", payload)
    assert response.status_code == 422
    assert ValidityCheck.objects.count() == 0


def test_bad_file_is_422_with_the_message(client):
    upload = SimpleUploadedFile("scan.pdf", b"hello")
    response = client.post("/check/", {"file": upload})
    assert response.status_code == 422
    assert "文件内容与扩展名不符" in response.content.decode()
    assert ValidityCheck.objects.count() == 0


def test_problems_only_and_sort_by_status(client, catalog):
    check = make_check()
    rows = client.get(f"/check/{check.pk}/?problems=1").context["references"]
    assert [r["status"] for r in rows] == ["superseded", "abolished", "invalid"]
    rows = client.get(f"/check/{check.pk}/?sort=status").context["references"]
    assert [r["status"] for r in rows] == ["invalid", "abolished", "superseded", "current"]


def test_downloads(client, catalog):
    from openpyxl import load_workbook

    check = make_check()
    xlsx = client.get(f"/check/{check.pk}/report.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[2]][:5] == ["XYZ 1-2020", None, 1, "第 4 行", "无效标准号"]
    pdf = client.get(f"/check/{check.pk}/report.pdf")
    assert pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content
    data = json.loads(client.get(f"/check/{check.pk}/report.json").content)
    assert data["summary"]["superseded"] == 1
    assert client.get(f"/check/{check.pk}/report.exe").status_code == 404


INVALID_ADVICE = "无法识别的标准号：未知的标准代号“XYZ”"


def test_reason_a_number_is_invalid_is_stored_and_shown_in_chinese(client, catalog):
    check = make_check()
    (stored,) = [r["advice"] for r in check.report["references"] if r["status"] == "invalid"]
    assert stored == INVALID_ADVICE
    assert INVALID_ADVICE in client.get(f"/check/{check.pk}/").content.decode()
    from openpyxl import load_workbook

    xlsx = client.get(f"/check/{check.pk}/report.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert (sheet[1][10].value, sheet[2][0].value, sheet[2][10].value) == (
        "建议", "XYZ 1-2020", INVALID_ADVICE)
    from biaozhun.validity.reports import to_html  # the CLI's --format html

    assert INVALID_ADVICE in to_html(check.report).decode()


def test_pdf_download_holds_the_chinese_text(client, catalog):
    import pypdfium2

    check = make_check()
    pdf = pypdfium2.PdfDocument(client.get(f"/check/{check.pk}/report.pdf").content)
    text = pdf[0].get_textpage().get_text_range()
    assert "标准有效性核查报告" in text
    assert "被代替" in text


def test_running_job_shows_progress_and_downloads_are_409(client, catalog, settings):
    settings.VALIDITY_SYNC_MAX_BYTES = 1
    check = make_check()  # on_commit never runs inside the test transaction: stays pending
    page = client.get(f"/check/{check.pk}/")
    assert "hx-trigger=\"every 1s\"" in page.content.decode()
    assert client.get(f"/check/{check.pk}/report.xlsx").status_code == 409
    fragment = client.get(f"/check/{check.pk}/progress")
    assert "HX-Refresh" not in fragment


def test_expired_anonymous_report_is_404_then_purged(client, catalog):
    check = make_check()
    ValidityCheck.objects.filter(pk=check.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/check/{check.pk}/").status_code == 404
    assert purge_expired_checks() == 1
    assert purge_expired_checks() == 0
    assert ValidityCheck.objects.count() == 0


def test_my_reports_lists_only_mine(client, catalog, alice, bob, django_assert_num_queries):
    make_check(alice)
    make_check(bob)
    client.force_login(alice)
    with django_assert_num_queries(3):  # session, user, checks
        response = client.get("/check/reports/")
    assert [c.owner_id for c in response.context["checks"]] == [alice.pk]


def test_my_reports_needs_sign_in(client):
    response = client.get("/check/reports/")
    assert (response.status_code, response["Location"]) == (
        302, "/accounts/login/?next=/check/reports/")


# --- delete: anonymous, outsider, owner ---------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 404), ("bob", 404),
                                                  ("alice", 302)])
def test_delete_report_permissions(client, catalog, alice, bob, persona, status):
    check = make_check(alice)
    if persona != "anonymous":
        client.force_login({"alice": alice, "bob": bob}[persona])
    response = client.post(f"/check/{check.pk}/delete")
    assert response.status_code == status
    assert ValidityCheck.objects.filter(pk=check.pk).exists() == (status != 302)


def test_nobody_may_delete_an_anonymous_report(client, catalog, alice):
    check = make_check()
    client.force_login(alice)
    assert client.post(f"/check/{check.pk}/delete").status_code == 403
    assert ValidityCheck.objects.filter(pk=check.pk).exists()


# --- watch: anonymous, outsider, owner, not ready -----------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 302), ("bob", 404),
                                                  ("alice", 302)])
def test_save_watch_list_permissions(client, catalog, alice, bob, persona, status):
    check = make_check(alice)
    if persona != "anonymous":
        client.force_login({"alice": alice, "bob": bob}[persona])
    response = client.post(f"/check/{check.pk}/watch", {"name": "合同 A"})
    assert response.status_code == status
    assert WatchList.objects.count() == (1 if persona == "alice" else 0)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_watch_list_of_unfinished_report_is_409(client, catalog, alice, settings):
    settings.VALIDITY_SYNC_MAX_BYTES = 1
    check = make_check(alice)
    client.force_login(alice)
    response = client.post(f"/check/{check.pk}/watch", {"name": "x"})
    assert response.status_code == 409
    assert WatchList.objects.count() == 0
