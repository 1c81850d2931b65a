"""Standard numbers: continuing the catalogue, previews, adjustments, rollbacks, and
concurrent approvals that must give unique, gapless numbers."""

import multiprocessing
import sqlite3
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction

from biaozhun.accounts.models import User
from biaozhun.catalog.models import Nature
from biaozhun.catalog.tests.factories import make_standard
from biaozhun.projects import numbering, services
from biaozhun.projects.audit import verify_all
from biaozhun.projects.models import NumberAdjustment, NumberSequence, Project, ProjectEvent
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_project

ISSUER = "DB4301/T"


def sequences() -> list[tuple[str, int]]:
    return sorted(NumberSequence.objects.values_list("issuer", "last_sequence"))


# --- continuing the catalogue --------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_continue_from_the_catalogue(cast, clock):
    make_standard("DB4301/T 57-2024")
    make_standard("DB4301/T 9-2019")
    make_standard("DB43/T 900-2024")  # another issuer
    assert numbering.catalog_max(ISSUER) == 57
    project = make_project(cast, stage=Stage.APPROVED)
    assert (project.issuer, project.sequence) == (ISSUER, 58)
    assert sequences() == [(ISSUER, 58)]
    event = ProjectEvent.objects.get(project=project, kind="number_allocated")
    assert event.payload == {"issuer": ISSUER, "sequence": 58,
                             "administration": cast.administration.pk}


@pytest.mark.django_db
def test_a_number_imported_later_is_never_reused(cast, clock):
    first = make_project(cast, stage=Stage.APPROVED, title="一")
    assert first.sequence == 1
    make_standard("DB4301/T 30-2025")  # an import adds an older number above ours
    second = make_project(cast, stage=Stage.APPROVED, title="二")
    assert second.sequence == 31


@pytest.mark.django_db
def test_mandatory_local_standards_have_their_own_sequence(cast, clock):
    make_standard("DB4301/T 57-2024")
    project = make_project(cast, stage=Stage.APPROVED, nature=Nature.MANDATORY)
    assert (project.issuer, project.sequence) == ("DB4301", 1)
    assert numbering.issuer_for(cast.province, Nature.RECOMMENDED) == "DB43/T"


@pytest.mark.django_db
def test_an_administration_without_a_region_code_cannot_number(cast):
    cast.department.region_code = ""
    with pytest.raises(numbering.NumberingError) as error:
        numbering.issuer_for(cast.department, Nature.RECOMMENDED)
    assert str(error.value) == "长沙市工业和信息化局 未设置行政区划代码，无法编号。"


# --- preview ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preview_does_not_reserve(cast, clock):
    make_standard("DB4301/T 57-2024")
    project = make_project(cast, stage=Stage.SUBMITTED)
    assert numbering.preview(ISSUER) == 58
    assert numbering.preview(ISSUER) == 58
    assert services.preview_numbers(project) == [(cast.administration, "DB4301/T 58-2026")]
    assert services.preview_numbers(project) == [(cast.administration, "DB4301/T 58-2026")]
    assert NumberSequence.objects.count() == 0
    services.approve(project, by=cast.admin)
    assert numbering.preview(ISSUER) == 59
    # Once numbered, the preview shows the number the project holds.
    assert services.preview_numbers(project) == [(cast.administration, "DB4301/T 58-2026")]


@pytest.mark.django_db
def test_preview_of_a_joint_standard_numbered_by_each(cast, clock):
    project = make_project(cast, stage=Stage.SUBMITTED, joint=True,
                           numbering=Project.Numbering.EACH)
    assert services.preview_numbers(project) == [
        (cast.administration, "DB4301/T 1-2026"), (cast.partner, "DB4302/T 1-2026")]


@pytest.mark.django_db(transaction=True)
def test_allocate_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError) as error:
        numbering.allocate(ISSUER)
    assert str(error.value) == "allocate() must run inside a transaction"


# --- adjustments ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_adjust_records_the_reason(cast, clock):
    make_standard("DB4301/T 57-2024")
    adjustment = numbering.adjust(ISSUER, last_sequence=100, by=cast.admin,
                                  reason="  补录 2019 年以前的纸质编号  ")
    assert list(NumberAdjustment.objects.values_list(
        "sequence__issuer", "from_value", "to_value", "reason", "by")) == [
        (ISSUER, 0, 100, "补录 2019 年以前的纸质编号", cast.admin.pk)]
    assert adjustment.sequence.last_sequence == 100
    assert numbering.preview(ISSUER) == 101
    project = make_project(cast, stage=Stage.APPROVED)
    assert project.sequence == 101
    numbering.adjust(ISSUER, last_sequence=120, by=cast.partner_admin, reason="预留编号")
    assert list(NumberAdjustment.objects.order_by("pk").values_list(
        "from_value", "to_value")) == [(0, 100), (101, 120)]


@pytest.mark.django_db
def test_adjusting_below_the_catalogue_never_reuses_a_number(cast, clock):
    make_standard("DB4301/T 57-2024")
    numbering.adjust(ISSUER, last_sequence=10, by=cast.admin, reason="更正误录")
    assert numbering.preview(ISSUER) == 58


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "reason", "errors"), [
    (100, "", {"reason": ["请说明调整理由。"]}),
    (100, "   ", {"reason": ["请说明调整理由。"]}),
    (-1, "误录", {"last_sequence": ["顺序号不能为负数。"]}),
])
def test_adjust_refuses_bad_input(cast, value, reason, errors):
    numbering.adjust(ISSUER, last_sequence=5, by=cast.admin, reason="初始")
    with pytest.raises(ValidationError) as refused:
        numbering.adjust(ISSUER, last_sequence=value, by=cast.admin, reason=reason)
    assert refused.value.message_dict == errors
    assert sequences() == [(ISSUER, 5)]
    assert NumberAdjustment.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "outsider", "drafter", "department", "expert"])
def test_adjust_is_for_administrators_only(cast, who):
    from django.contrib.auth.models import AnonymousUser

    user = cast.personas()[who] or AnonymousUser()
    with pytest.raises(PermissionDenied):
        numbering.adjust(ISSUER, last_sequence=100, by=user, reason="补录")
    assert (NumberSequence.objects.count(), NumberAdjustment.objects.count()) == (0, 0)


# --- rollback ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rolled_back_approval_returns_its_number(cast, clock):
    make_standard("DB4301/T 57-2024")
    first = make_project(cast, stage=Stage.SUBMITTED, title="一")
    second = make_project(cast, stage=Stage.SUBMITTED, title="二")
    events = Project.objects.get(pk=first.pk).event_count

    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve(first, by=cast.admin)
        assert Project.objects.get(pk=first.pk).sequence == 58
        raise RuntimeError("the announcement could not be generated")

    first = Project.objects.get(pk=first.pk)
    assert (first.stage, first.sequence, first.event_count) == ("submitted", None, events)
    assert sequences() == []
    services.approve(second, by=cast.admin)
    services.approve(first, by=cast.admin)
    assert [Project.objects.get(pk=p.pk).sequence for p in (second, first)] == [58, 59]
    assert sequences() == [(ISSUER, 59)]


# --- concurrency ---------------------------------------------------------------------------
# N approvals of N projects of one issuer at the same moment must take exactly the numbers
# start+1 … start+N. SQLite serialises writers (IMMEDIATE transactions); PostgreSQL locks the
# sequence row. pytest-django's SQLite test database lives in memory with a shared cache,
# where concurrent writers fail with "database table is locked" instead of waiting: the
# threads work on a file copy of it, as production does.

N = 8
START = 57


def _projects_ready(cast) -> list[int]:
    make_standard(f"{ISSUER} {START}-2024")
    return [make_project(cast, stage=Stage.SUBMITTED, title=f"并发项目 {i}").pk
            for i in range(N)]


def _file_copy(tmp_path) -> dict | None:
    """On SQLite, a file copy of the test database and the settings to open it."""
    if connection.vendor != "sqlite":
        return None
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    # SQLite runs the eight approvals one after another; on a loaded CI machine the last one
    # can wait longer than the five-second busy timeout production uses.
    options = dict(connection.settings_dict["OPTIONS"])
    options["init_command"] = options["init_command"].replace("busy_timeout=5000",
                                                              "busy_timeout=60000")
    assert "busy_timeout=60000" in options["init_command"]
    return {**connection.settings_dict, "NAME": str(path), "OPTIONS": options}


def _in_thread(database: dict | None, work):
    """Run `work()` in a new thread with its own connection (to `database` when given)."""
    result = {}

    def run():
        if database is not None:
            connections["default"] = type(connections["default"])(database, "default")
        try:
            result["value"] = work()
        except BaseException as exc:  # reported by the caller
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def _outcome(project_ids) -> dict:
    return {
        "numbers": sorted(Project.objects.filter(pk__in=project_ids)
                          .values_list("sequence", flat=True)),
        "stages": set(Project.objects.filter(pk__in=project_ids)
                      .values_list("stage", flat=True)),
        "sequences": sequences(),
        "allocated": sorted(e.payload["sequence"] for e in ProjectEvent.objects.filter(
            project_id__in=project_ids, kind="number_allocated")),
        "audit": verify_all(project_ids)[1],
    }


def _expected() -> dict:
    numbers = list(range(START + 1, START + N + 1))
    return {"numbers": numbers, "stages": {"approved"}, "sequences": [(ISSUER, START + N)],
            "allocated": numbers, "audit": []}


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("numbering")
def test_concurrent_approvals_in_threads_get_gapless_numbers(cast, tmp_path):
    project_ids = _projects_ready(cast)
    database = _file_copy(tmp_path)
    barrier = threading.Barrier(N)

    def approve(pk):
        def work():
            admin = User.objects.get(pk=cast.admin.pk)
            barrier.wait(timeout=10)
            services.approve(Project(pk=pk), by=admin)
        return work

    running = [_in_thread(database, approve(pk)) for pk in project_ids]
    for thread, _ in running:
        thread.join(timeout=30)
    assert [result.get("error") for _, result in running] == [None] * N

    thread, result = _in_thread(database, lambda: _outcome(project_ids))
    thread.join(timeout=30)
    assert result.get("error") is None
    assert result["value"] == _expected()


def _approve_in_child(pk: int, admin_pk: int, barrier) -> None:
    # A forked child must not use the parent's connections: open its own.
    connections.close_all()
    admin = User.objects.get(pk=admin_pk)
    barrier.wait(timeout=10)
    services.approve(Project(pk=pk), by=admin)
    connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("numbering")
def test_concurrent_approvals_in_processes_get_gapless_numbers(cast):
    if connection.vendor != "postgresql":
        pytest.skip("processes need a database server; SQLite is covered by the thread test")
    project_ids = _projects_ready(cast)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(N)
    connections.close_all()  # never share a connection with the children
    children = [context.Process(target=_approve_in_child, args=(pk, cast.admin.pk, barrier))
                for pk in project_ids]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=30)
    assert [child.exitcode for child in children] == [0] * N
    assert _outcome(project_ids) == _expected()
