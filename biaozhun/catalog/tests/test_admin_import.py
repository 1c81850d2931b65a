"""The admin import: upload, background job, progress and report; permissions."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from biaozhun.accounts.models import User
from biaozhun.accounts.services import ensure_roles
from biaozhun.catalog.models import ImportRun, Standard

pytestmark = pytest.mark.django_db

CSV = ("code,title_zh,issued_on\nGB/T 1.1-2020,标准化工作导则 第1部分：标准化文件的结构和起草规则,"
       "2020-03-31\n").encode()
BAD = b"code,title_zh,status\nGB/T 1.1-2020,x,nonsense\n"
ADD_URL = "/admin/catalog/importrun/add/"


@pytest.fixture
def catalog_admin():
    user = User.objects.create_user("cat", password="pw", is_staff=True)
    user.groups.set([ensure_roles()["目录管理员"]])
    return user


@pytest.fixture
def viewer():
    """Staff who may look at import runs but not start one."""
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_importrun"))
    return user


def upload(client, data: bytes, name: str = "list.csv", skip_invalid: bool = False):
    payload = {"upload": SimpleUploadedFile(name, data, content_type="text/csv")}
    if skip_invalid:
        payload["skip_invalid"] = "on"
    return client.post(ADD_URL, payload)


def test_upload_queues_job_that_imports_and_reports(client, catalog_admin,
                                                    django_capture_on_commit_callbacks):
    client.force_login(catalog_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, CSV)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_importrun_change", args=[run.pk])
    assert (run.state, run.total_rows, run.created_count, run.started_by) == (
        ImportRun.State.SUCCEEDED, 1, 1, catalog_admin)
    assert run.progress_percent == 100
    standard = Standard.objects.get()
    assert (standard.code, standard.import_run) == ("GB/T 1.1-2020", run)

    page = client.get(reverse("admin:catalog_importrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "已完成" in page.content.decode()
    report = client.get(reverse("admin:catalog_importrun_report", args=[run.pk]) +
                        "?format=json")
    assert json.loads(report.content)["created"] == 1


def test_failed_job_keeps_errors_and_writes_nothing(client, catalog_admin,
                                                    django_capture_on_commit_callbacks):
    client.force_login(catalog_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, BAD)
    run = ImportRun.objects.get()
    assert (run.state, run.message) == (ImportRun.State.FAILED, "1 处错误，未导入任何数据。")
    assert run.report["errors"][0]["row"] == 2
    assert run.report["errors"][0]["column"] == "status"
    assert Standard.objects.count() == 0
    errors_csv = client.get(reverse("admin:catalog_importrun_report", args=[run.pk]) +
                            "?format=csv").content.decode("utf-8-sig")
    assert errors_csv.splitlines()[1].startswith("2,status,无法识别的标准状态")


def test_wrong_file_type_is_refused_by_the_form(client, catalog_admin):
    client.force_login(catalog_admin)
    response = upload(client, b"%PDF-1.4", name="list.pdf")
    assert response.status_code == 200
    assert "只支持 CSV、TSV、XLSX 或 JSON 文件。" in response.content.decode()
    assert ImportRun.objects.count() == 0


@pytest.mark.parametrize("who", ["anonymous", "viewer", "plain_staff"])
def test_only_catalog_admins_may_upload(client, who, viewer):
    if who == "viewer":
        client.force_login(viewer)
    elif who == "plain_staff":
        client.force_login(User.objects.create_user("staff", password="pw", is_staff=True))
    response = upload(client, CSV)
    assert response.status_code in (302, 403)
    if who == "anonymous":
        assert "/admin/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert ImportRun.objects.count() == 0
    assert Standard.objects.count() == 0


def test_service_refuses_without_permission(viewer):
    from django.core.exceptions import PermissionDenied

    from biaozhun.catalog.importing.runs import start_import

    with pytest.raises(PermissionDenied):
        start_import(SimpleUploadedFile("a.csv", CSV), skip_invalid=False, by=viewer)
    assert ImportRun.objects.count() == 0


def test_job_delivered_twice_imports_once(catalog_admin, django_capture_on_commit_callbacks):
    from biaozhun.catalog.importing.runs import execute_import_run, start_import

    with django_capture_on_commit_callbacks(execute=True):
        run = start_import(SimpleUploadedFile("a.csv", CSV), skip_invalid=False,
                           by=catalog_admin)
    run.refresh_from_db()
    finished = run.finished_at
    assert execute_import_run(run.pk).finished_at == finished


def test_change_page_reloads_while_the_job_runs(client, catalog_admin):
    run = ImportRun.objects.create(source_name="a.csv", state=ImportRun.State.RUNNING,
                                   total_rows=200, processed_rows=50)
    client.force_login(catalog_admin)
    page = client.get(reverse("admin:catalog_importrun_change", args=[run.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="100" value="25">' in page
    run.state = ImportRun.State.SUCCEEDED
    run.save()
    page = client.get(reverse("admin:catalog_importrun_change", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page
