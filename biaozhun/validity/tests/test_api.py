"""The API contract: POST /api/v1/validity-checks and polling GET."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from biaozhun.validity.models import ValidityCheck
from biaozhun.validity.tests.builders import docx_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/validity-checks"
REFERENCE_KEYS = {"raw", "code", "count", "locations", "status", "resolved_to", "title", "base",
                  "replaced_by", "in_force", "replacement_effective_on", "effective_on",
                  "abolished_on", "suggestions", "advice"}


def test_text_as_form_returns_the_report_at_once(client, catalog):
    response = client.post(URL, {"text": "GB/T 1.1-2009\nGB/T 1.1-2009\nXYZ 1-2020",
                                 "as_of": "2024-06-01"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "url", "as_of", "summary", "references"}
    assert body["as_of"] == "2024-06-01"
    assert body["summary"] == {"current": 0, "upcoming": 0, "superseded": 1, "abolished": 0,
                               "not_found": 0, "invalid": 1}
    first = body["references"][0]
    assert set(first) == REFERENCE_KEYS
    assert (first["code"], first["count"], first["status"], first["in_force"],
            first["replacement_effective_on"]) == (
        "GB/T 1.1-2009", 2, "superseded", ["GB/T 1.1-2020"], "2020-10-01")
    assert [loc["line"] for loc in first["locations"]] == [1, 2]
    invalid = body["references"][1]
    assert (invalid["raw"], invalid["status"], invalid["advice"]) == (
        "XYZ 1-2020", "invalid", "无法识别的标准号：未知的标准代号“XYZ”")


def test_text_as_json(client, catalog):
    response = client.post(URL, json.dumps({"text": "GB 2760-2014", "as_of": "2024-06-01"}),
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["references"][0]["replaced_by"] == ["GB 2760-2024"]


def test_file_upload(client, catalog):
    upload = SimpleUploadedFile("c.docx", docx_bytes(paragraphs=["依据 GB/T 1.1-2020"]))
    response = client.post(URL, {"file": upload, "as_of": "2024-06-01"})
    assert response.status_code == 200
    assert response.json()["references"][0]["locations"][0]["label"] == "第 1 段"


def test_anonymous_report_expires_and_a_signed_in_one_is_kept(client, catalog, alice):
    client.post(URL, {"text": "GB/T 1.1-2020"})
    client.force_login(alice)
    client.post(URL, {"text": "GB/T 1.1-2020"})
    anonymous, kept = ValidityCheck.objects.order_by("created_at")
    assert (anonymous.owner, anonymous.expires_at is not None) == (None, True)
    assert (kept.owner, kept.expires_at) == (alice, None)


def test_a_session_post_without_the_csrf_token_runs_as_anonymous(catalog, alice):
    """A page on another site cannot file a check in a signed-in user's name: without the
    CSRF token the session is ignored (the check still runs, anonymous and expiring)."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.post(URL, {"text": "GB/T 1.1-2020"}).status_code == 200
    browser.get("/check/")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    assert browser.post(URL, {"text": "GB/T 1.1-2020"},
                        HTTP_X_CSRFTOKEN=token).status_code == 200
    forged, signed = ValidityCheck.objects.order_by("created_at")
    assert (forged.owner, forged.expires_at is not None) == (None, True)
    assert (signed.owner, signed.expires_at) == (alice, None)


def test_a_token_owns_its_check_and_polls_it(catalog, alice, bob):
    from django.test import Client

    from biaozhun.accounts.services import create_api_token

    def bearer(user):
        _token, secret = create_api_token(user=user, name="测试", by=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = bearer(alice).post(URL, {"text": "GB/T 1.1-2020"})
    check = ValidityCheck.objects.get()
    assert (response.status_code, check.owner, check.expires_at) == (200, alice, None)
    poll = f"{URL}/{check.pk}"
    assert bearer(alice).get(poll).status_code == 200
    assert bearer(bob).get(poll).status_code == 404
    assert Client().get(poll).status_code == 404


@pytest.mark.parametrize(("payload", "detail"), [
    ({}, "请粘贴文本或上传一个文件（二者选一）。"),
    ({"text": "   "}, "请粘贴文本或上传一个文件（二者选一）。"),
    ({"text": "GB 1-2000", "file": SimpleUploadedFile("a.txt", b"GB 1-2000")},
     "请粘贴文本或上传一个文件（二者选一）。"),
    ({"file": SimpleUploadedFile("a.pdf", b"not a pdf")},
     "文件内容与扩展名不符：文件名是 .pdf，内容却是文本。"),
    ({"text": "GB 1-2000", "as_of": "1800-01-01"}, "核查日期超出范围。"),
])
def test_bad_input_is_422_and_stores_nothing(client, catalog, payload, detail):
    response = client.post(URL, payload)
    assert (response.status_code, response.json()) == (422, {"detail": detail})
    assert ValidityCheck.objects.count() == 0


def test_a_form_field_ninja_refuses_is_named_in_the_common_shape(client):
    response = client.post(URL, {"text": "GB 1-2000", "as_of": "2024-13-01"})
    assert (response.status_code, response.json()) == (422, {
        "detail": "日期格式应为 YYYY-MM-DD。", "errors": {"as_of": ["日期格式应为 YYYY-MM-DD。"]}})
    assert ValidityCheck.objects.count() == 0


def test_malformed_json_is_422(client):
    response = client.post(URL, "{", content_type="application/json")
    assert response.status_code == 422
    assert ValidityCheck.objects.count() == 0


def test_large_input_is_a_job_to_poll(client, catalog, settings,
                                      django_capture_on_commit_callbacks):
    settings.VALIDITY_SYNC_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, {"text": "GB/T 1.1-2009\n" * 5, "as_of": "2024-06-01"})
    assert response.status_code == 202
    job = response.json()
    assert (job["state"], job["progress"]) == ("pending", 0)
    assert client.get(job["poll_url"]).status_code == 202
    for callback in callbacks:
        callback()  # the job runs (ImmediateBackend)
    polled = client.get(job["poll_url"])
    assert polled.status_code == 200
    assert polled.json()["references"][0]["count"] == 5
    check = ValidityCheck.objects.get()
    assert (check.text, check.state) == ("", "succeeded")  # the input is not kept


def test_failed_job_polls_as_422_with_the_reason(client, catalog, settings,
                                                 django_capture_on_commit_callbacks):
    settings.VALIDITY_SYNC_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": SimpleUploadedFile("scan.pdf", _scanned())})
    polled = client.get(response.json()["poll_url"])
    assert polled.status_code == 422
    assert "没有文字层" in polled.json()["detail"]


def _scanned() -> bytes:
    from biaozhun.validity.tests.builders import scanned_pdf_bytes

    return scanned_pdf_bytes()


def test_someone_elses_report_is_404(client, catalog, alice, bob):
    client.force_login(alice)
    report_id = client.post(URL, {"text": "GB/T 1.1-2020"}).json()["id"]
    client.force_login(bob)
    assert client.get(f"{URL}/{report_id}").status_code == 404
    client.logout()
    assert client.get(f"{URL}/{report_id}").status_code == 404
    client.force_login(alice)
    assert client.get(f"{URL}/{report_id}").status_code == 200


def test_schema_documents_the_endpoint_and_the_shape(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "post" in schema["paths"][URL]
    reference = schema["components"]["schemas"]["ReferenceOut"]["properties"]
    assert set(reference) >= REFERENCE_KEYS
