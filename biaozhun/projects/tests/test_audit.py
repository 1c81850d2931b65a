"""The append-only, hash-chained event trail and `verify_audit`, which finds tampering."""

import json
from io import StringIO
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from biaozhun.projects.audit import BrokenLink, record_event, verify_all, verify_chain
from biaozhun.projects.models import EventKind, Project, ProjectEvent
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(cast, clock):
    """Two projects with chains of their own: (planned, submitted)."""
    return (make_project(cast, stage=Stage.PLANNED, title="甲"),
            make_project(cast, stage=Stage.SUBMITTED, title="乙"))


def raw(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def event(project, seq) -> ProjectEvent:
    return ProjectEvent.objects.get(project=project, seq=seq)


def total() -> int:
    return ProjectEvent.objects.count()


def test_chains_link_each_event_to_the_previous_one(two):
    planned, _ = two
    events = list(ProjectEvent.objects.filter(project=planned).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == ""
    for previous, current in pairwise(events):
        assert current.prev_hash == previous.hash
    for e in events:
        assert e.hash == e.compute_hash()
        assert len(e.hash) == 64
    assert Project.objects.get(pk=planned.pk).event_count == len(events)


def test_the_chains_verify(two):
    planned, _ = two
    assert verify_all() == (total(), [])
    assert verify_all([planned.pk]) == (planned.event_count, [])
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue() == f"OK: {total()} 条事件，所有事件链完整。\n"


def test_tampering_with_a_note_is_found_at_that_event(two):
    planned, submitted = two
    target = event(submitted, 4)
    assert raw("UPDATE projects_projectevent SET note = %s WHERE id = %s",
               ["同意立项（已改）", target.pk]) == 1
    link = BrokenLink(submitted.pk, 4, "内容与其哈希不一致（已被修改）")
    assert verify_all() == (total(), [link])
    assert str(link) == f"项目 {submitted.pk} 事件 #4：内容与其哈希不一致（已被修改）"
    # The other project's chain is intact.
    assert verify_all([planned.pk]) == (planned.event_count, [])

    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert str(failed.value) == f"1 条事件链已损坏（共读取 {total()} 条事件）。"
    assert err.getvalue() == f"BROKEN {link}\n"


def test_verify_audit_checks_only_the_projects_asked_for(two):
    planned, submitted = two
    raw("UPDATE projects_projectevent SET note = %s WHERE id = %s",
        ["篡改", event(submitted, 2).pk])
    out = StringIO()
    call_command("verify_audit", "--project", str(planned.pk), stdout=out)
    assert out.getvalue() == f"OK: {planned.event_count} 条事件，所有事件链完整。\n"
    with pytest.raises(CommandError):
        call_command("verify_audit", "--project", str(submitted.pk), stderr=StringIO())


def test_recomputing_the_hash_of_a_tampered_event_breaks_the_next_link(two):
    _, submitted = two
    target = event(submitted, 4)
    target.note = "改写并重算哈希"
    new_hash = target.compute_hash()
    raw("UPDATE projects_projectevent SET note = %s, hash = %s WHERE id = %s",
        [target.note, new_hash, target.pk])
    assert verify_all()[1] == [BrokenLink(submitted.pk, 5, "与上一条事件的哈希不一致")]


def test_deleting_the_last_event_is_found_by_the_event_count(two):
    _, submitted = two
    count = Project.objects.get(pk=submitted.pk).event_count
    last = event(submitted, count)
    assert raw("DELETE FROM projects_projectevent WHERE id = %s", [last.pk]) == 1
    link = BrokenLink(submitted.pk, count, f"事件数应为 {count}，实有 {count - 1}（末尾事件被删除）")
    assert verify_all() == (total(), [link])
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit", stderr=StringIO())
    assert str(failed.value) == f"1 条事件链已损坏（共读取 {total()} 条事件）。"


def test_lowering_the_event_count_is_told_apart_from_a_deletion(two):
    _, submitted = two
    count = Project.objects.get(pk=submitted.pk).event_count
    Project.objects.filter(pk=submitted.pk).update(event_count=count - 2)
    link = BrokenLink(submitted.pk, count - 1,
                      f"事件数应为 {count - 2}，实有 {count}（事件数记录被改动）")
    assert verify_all() == (total(), [link])


def test_deleting_a_middle_event_is_found(two):
    _, submitted = two
    raw("DELETE FROM projects_projectevent WHERE id = %s", [event(submitted, 6).pk])
    assert verify_all()[1] == [BrokenLink(submitted.pk, 6, "缺少事件（下一条为 #7）")]


def test_deleting_every_event_of_a_project_is_found(two):
    planned, _ = two
    raw("DELETE FROM projects_projectevent WHERE project_id = %s", [planned.pk])
    assert verify_all()[1] == [
        BrokenLink(planned.pk, 1, f"事件数应为 {planned.event_count}，实有 0（事件被删除）")]


def test_two_broken_chains_are_both_reported(two):
    planned, submitted = two
    raw("UPDATE projects_projectevent SET note = %s WHERE id = %s", ["x", event(planned, 1).pk])
    raw("UPDATE projects_projectevent SET note = %s WHERE id = %s", ["y", event(submitted, 3).pk])
    assert sorted(verify_all()[1], key=lambda link: link.project_id) == [
        BrokenLink(planned.pk, 1, "内容与其哈希不一致（已被修改）"),
        BrokenLink(submitted.pk, 3, "内容与其哈希不一致（已被修改）")]
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit", stderr=StringIO())
    assert str(failed.value).startswith("2 条事件链已损坏")


# --- what the hash covers --------------------------------------------------------------------


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize(("column", "value"), [
    ("actor_id", lambda cast: cast.outsider.pk),
    ("actor_label", lambda cast: "冒名者"),
    ("kind", lambda cast: EventKind.NOTE_ADDED),
    ("from_stage", lambda cast: Stage.PROPOSED),
    ("to_stage", lambda cast: Stage.PUBLISHED),
    ("payload", lambda cast: {"plan_year": 2030}),
    ("at", lambda cast: "2020-01-01 00:00:00"),
])
def test_the_hash_covers_every_column(cast, two, column, value):
    planned, _ = two
    target = ProjectEvent.objects.get(project=planned, kind=EventKind.STAGE_CHANGED,
                                      to_stage=Stage.PLANNED)
    new = value(cast)
    if column == "payload":
        cast_to = "::jsonb" if connection.vendor == "postgresql" else ""
        raw(f"UPDATE projects_projectevent SET payload = %s{cast_to} WHERE id = %s",
            [_json(new), target.pk])
    else:
        raw(f"UPDATE projects_projectevent SET {column} = %s WHERE id = %s", [new, target.pk])
    assert verify_all()[1] == [
        BrokenLink(planned.pk, target.seq, "内容与其哈希不一致（已被修改）")]


def test_content_names_what_the_hash_covers(two):
    planned, _ = two
    e = ProjectEvent.objects.get(project=planned, kind=EventKind.STAGE_CHANGED,
                                 to_stage=Stage.PLANNED)
    assert set(e.content()) == {"project", "seq", "kind", "actor", "actor_label", "at", "from",
                                "to", "note", "payload", "prev"}
    assert (e.content()["actor"], e.content()["from"], e.content()["to"],
            e.content()["payload"]) == (e.actor_id, "evaluated", "planned", {"plan_year": 2026})


# --- append-only ---------------------------------------------------------------------------


def test_the_orm_refuses_to_update_events(two):
    planned, _ = two
    with pytest.raises(TypeError) as refused:
        ProjectEvent.objects.filter(project=planned).update(note="批量改写")
    assert str(refused.value) == "project events are append-only"
    e = event(planned, 1)
    e.note = "改写"
    with pytest.raises(ValidationError) as refused:
        e.save()
    assert refused.value.messages == ["project events are append-only"]
    assert event(planned, 1).note == ""
    assert verify_all() == (total(), [])


def test_the_orm_refuses_to_delete_events(two):
    planned, _ = two
    count = total()
    with pytest.raises(TypeError):
        ProjectEvent.objects.filter(project=planned).delete()
    with pytest.raises(TypeError):
        ProjectEvent.objects.all().delete()
    with pytest.raises(ValidationError):
        event(planned, 1).delete()
    assert total() == count


def test_projects_with_events_cannot_be_deleted(two):
    from django.db.models import ProtectedError

    planned, _ = two
    with pytest.raises(ProtectedError):
        Project.objects.get(pk=planned.pk).delete()


def test_record_event_continues_the_chain(cast, two):
    planned, _ = two
    before = Project.objects.get(pk=planned.pk).event_count
    last = event(planned, before)
    added = record_event(planned, kind=EventKind.NOTE_ADDED, by=cast.admin, note="补充说明",
                         payload={"a": 1})
    assert (added.seq, added.prev_hash, added.actor_label) == (before + 1, last.hash, "guanli")
    assert Project.objects.get(pk=planned.pk).event_count == before + 1
    assert verify_all() == (total(), [])


def test_verify_chain_of_an_empty_list_is_intact():
    assert verify_chain([], 1) is None
