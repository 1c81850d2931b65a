"""The event chain of consultations without a project (plan, review, targeted): each action
appends one event in its transaction, a project's consultation appends none here (its
project's chain has them), `verify_audit` finds tampering, and only those who may see the
working view see the trail."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from biaozhun.consultations import audit, services
from biaozhun.consultations.audit import BrokenLink, verify_all
from biaozhun.consultations.models import Comment, Consultation, ConsultationEvent
from biaozhun.consultations.tests.factories import (
    draft_consultation,
    plan_consultation,
    targeted_consultation,
)
from biaozhun.core.audit import registered_verifiers
from biaozhun.projects.models import ProjectEvent

pytestmark = pytest.mark.django_db

Kind = ConsultationEvent.Kind
TAMPERED = "内容与其哈希不一致（已被修改）"


def _comment(consultation, number, **fields) -> Comment:
    defaults = {"verified_at": timezone.now(), "name": f"提出人{number}",
                "text": f"第 {number} 条意见。"}
    return Comment.objects.create(consultation=consultation, number=number,
                                  **{**defaults, **fields})


def _events(consultation) -> list[tuple]:
    return list(ConsultationEvent.objects.filter(consultation=consultation).order_by(
        "seq").values_list("seq", "kind", "actor", "actor_label", "note", "payload"))


def _last(consultation) -> tuple:
    return _events(consultation)[-1]


def _event(consultation, seq) -> ConsultationEvent:
    return ConsultationEvent.objects.get(consultation=consultation, seq=seq)


def _tamper(event: ConsultationEvent, **values) -> int:
    # The manager refuses updates; a plain QuerySet is what someone editing rows would use.
    return QuerySet(model=ConsultationEvent).filter(pk=event.pk).update(**values)


def _total() -> int:
    return ProjectEvent.objects.count() + ConsultationEvent.objects.count()


@pytest.fixture
def plan(cast, clock):
    """A plan consultation (no project) with three visible comments."""
    consultation = plan_consultation(cast)
    for number in (1, 2, 3):
        _comment(consultation, number)
    return consultation


@pytest.fixture
def worked(cast, plan):
    """The plan consultation after a few actions: five events."""
    services.answer_comment(_comment_no(plan, 1), by=cast.admin, decision="accepted")
    services.answer_comment(_comment_no(plan, 2), by=cast.admin, decision="not_accepted",
                            reason="已列入上年度计划。")
    services.hide_comment(_comment_no(plan, 3), by=cast.admin, reason="广告信息")
    services.restore_comment(_comment_no(plan, 3), by=cast.admin, reason="误判")
    return Consultation.objects.get(pk=plan.pk)


def _comment_no(consultation, number) -> Comment:
    return Comment.objects.get(consultation=consultation, number=number)


# --- one event per action ---------------------------------------------------------------------


def test_opening_records_who_opened_what(cast, clock):
    consultation = plan_consultation(cast, days=30)
    today = timezone.localdate()
    assert _events(consultation) == [(1, Kind.OPENED, cast.admin.pk, "guanli", "", {
        "kind": "plan", "title": consultation.title, "administration": cast.administration.pk,
        "opens_on": today.isoformat(), "closes_on": (today + timedelta(days=30)).isoformat(),
        "plan_year": today.year, "campaign": None, "invited_organizations": [],
        "invited_users": []})]
    assert Consultation.objects.get(pk=consultation.pk).event_count == 1


def test_opening_a_targeted_consultation_records_the_invitees(cast, clock):
    consultation = targeted_consultation(cast, organizations=[cast.committee],
                                         users=[cast.experts[1], cast.experts[0]])
    (_, kind, _, _, _, payload), = _events(consultation)
    assert kind == Kind.OPENED
    assert (payload["kind"], payload["invited_organizations"], payload["invited_users"]) == (
        "targeted", [cast.committee.pk], sorted([cast.experts[0].pk, cast.experts[1].pk]))


def test_closing_is_recorded_as_the_system_with_the_number_of_comments(cast, clock, plan):
    clock.today = plan.closes_on + timedelta(days=1)
    assert services.close_due_consultations() == [plan.pk]
    assert _events(plan)[1:] == [(2, Kind.CLOSED, None, "系统", "", {"comments": 0})]
    # Closing again (the daily run is idempotent) records nothing more.
    assert services.close_due_consultations() == []
    assert len(_events(plan)) == 2


def test_closing_counts_the_comments_that_count(cast, clock, plan):
    Consultation.objects.filter(pk=plan.pk).update(comment_count=3)
    clock.today = plan.closes_on + timedelta(days=1)
    services.close_due_consultations()
    assert _last(plan)[-1] == {"comments": 3}


def test_an_answer_records_the_decision_the_reason_and_the_one_it_replaced(cast, plan):
    comment = _comment_no(plan, 2)
    services.answer_comment(comment, by=cast.admin, decision="accepted")
    assert _events(plan)[1:] == [(2, Kind.COMMENT_ANSWERED, cast.admin.pk, "guanli", "", {
        "comment": comment.pk, "number": 2, "decision": "accepted", "previous": ""})]
    services.answer_comment(comment, by=cast.admin, decision="partly", reason="部分已列入。")
    assert _last(plan) == (3, Kind.COMMENT_ANSWERED, cast.admin.pk, "guanli", "部分已列入。", {
        "comment": comment.pk, "number": 2, "decision": "partly", "previous": "accepted"})


def test_grouping_records_the_group_and_the_answers_it_cleared(cast, plan):
    leader, first, second = (_comment_no(plan, n) for n in (1, 2, 3))
    services.answer_comment(second, by=cast.admin, decision="not_accepted", reason="重复。")
    services.group_duplicates(leader, by=cast.admin, duplicates=[second, first])
    assert _last(plan) == (3, Kind.DUPLICATES_GROUPED, cast.admin.pk, "guanli",
                           "第 2、3 条同第 1 条", {
                               "leader": leader.pk, "grouped_under": 1,
                               "comments": [first.pk, second.pk], "numbers": [2, 3],
                               "cleared": {"3": "not_accepted"}})


def test_hiding_and_restoring_record_the_reason(cast, plan):
    comment = _comment_no(plan, 3)
    services.hide_comment(comment, by=cast.admin, reason="广告信息")
    services.restore_comment(comment, by=cast.admin, reason="误判")
    assert _events(plan)[1:] == [
        (2, Kind.COMMENT_HIDDEN, cast.admin.pk, "guanli", "广告信息",
         {"comment": comment.pk, "number": 3}),
        (3, Kind.COMMENT_RESTORED, cast.admin.pk, "guanli", "误判",
         {"comment": comment.pk, "number": 3}),
    ]
    assert Consultation.objects.get(pk=plan.pk).event_count == 3


def test_a_superuser_is_named_as_the_actor(cast, plan):
    services.answer_comment(_comment_no(plan, 1), by=cast.superuser, decision="accepted")
    assert _last(plan)[2:4] == (cast.superuser.pk, "root")


def test_comments_themselves_are_not_events(cast, clock, plan):
    services.submit_comment(plan, by=cast.outsider, data=services.CommentData(text="建议。"))
    assert [e[1] for e in _events(plan)] == [Kind.OPENED]


# --- a project's consultation stays on the project's chain -----------------------------------


def test_a_projects_consultation_records_nothing_here(cast, clock):
    consultation = draft_consultation(cast)
    for number in (1, 2, 3):
        _comment(consultation, number)
    seen = set(ProjectEvent.objects.filter(project=consultation.project_id).values_list(
        "pk", flat=True))
    services.answer_comment(_comment_no(consultation, 1), by=cast.drafter, decision="accepted")
    services.group_duplicates(_comment_no(consultation, 1), by=cast.drafter,
                              duplicates=[_comment_no(consultation, 2)])
    services.hide_comment(_comment_no(consultation, 3), by=cast.admin, reason="广告信息")
    services.restore_comment(_comment_no(consultation, 3), by=cast.admin, reason="误判")
    clock.today = consultation.closes_on + timedelta(days=1)
    assert services.close_due_consultations() == [consultation.pk]
    assert ConsultationEvent.objects.count() == 0
    assert Consultation.objects.get(pk=consultation.pk).event_count == 0
    # Each action is on the project's chain once (an answer and a grouping are both
    # comment_answered there).
    added = Counter(ProjectEvent.objects.filter(project=consultation.project_id).exclude(
        pk__in=seen).values_list("kind", flat=True))
    assert {kind: added[kind] for kind in ("comment_answered", "comment_hidden",
                                           "comment_restored", "consultation_closed")} == {
        "comment_answered": 2, "comment_hidden": 1, "comment_restored": 1,
        "consultation_closed": 1}


def test_record_event_refuses_a_projects_consultation(cast, clock):
    consultation = draft_consultation(cast)
    with pytest.raises(ValueError):
        audit.record_event(consultation, kind=Kind.CLOSED)
    assert ConsultationEvent.objects.count() == 0


# --- refusals record nothing --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "drafter", "department", "expert",
                                     "partner_admin"])
def test_refused_answers_record_nothing(cast, plan, state_of, persona):
    before = state_of()
    with pytest.raises(PermissionDenied):
        services.answer_comment(_comment_no(plan, 1), by=cast.personas()[persona],
                                decision="accepted")
    assert state_of() == before


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "drafter", "partner_admin"])
def test_refused_moderation_and_grouping_record_nothing(cast, plan, state_of, persona):
    by = cast.personas()[persona]
    before = state_of()
    with pytest.raises(PermissionDenied):
        services.hide_comment(_comment_no(plan, 1), by=by, reason="广告")
    with pytest.raises(PermissionDenied):
        services.group_duplicates(_comment_no(plan, 1), by=by,
                                  duplicates=[_comment_no(plan, 2)])
    assert state_of() == before


@pytest.mark.parametrize("act", [
    lambda cast, plan: services.answer_comment(_comment_no(plan, 1), by=cast.admin,
                                               decision="not_accepted", reason=""),
    lambda cast, plan: services.answer_comment(_comment_no(plan, 1), by=cast.admin,
                                               decision="maybe"),
    lambda cast, plan: services.group_duplicates(_comment_no(plan, 1), by=cast.admin,
                                                 duplicates=[_comment_no(plan, 1)]),
    lambda cast, plan: services.hide_comment(_comment_no(plan, 1), by=cast.admin, reason=" "),
    lambda cast, plan: services.restore_comment(_comment_no(plan, 1), by=cast.admin,
                                                reason="未被屏蔽"),
], ids=["no-reason", "bad-decision", "self-group", "hide-no-reason", "restore-visible"])
def test_invalid_actions_record_nothing(cast, plan, state_of, act):
    before = state_of()
    with pytest.raises(ValidationError):
        act(cast, plan)
    assert state_of() == before


def test_a_refused_opening_records_nothing(cast, clock, state_of):
    before = state_of()
    with pytest.raises(PermissionDenied):
        services.open_consultation(
            by=cast.admin, kind=Consultation.Kind.PLAN, administration=cast.partner,
            title="株洲市计划", opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + timedelta(days=30), plan_year=2026)
    with pytest.raises(ValidationError):
        plan_consultation(cast, days=1)
    assert state_of() == before
    assert ConsultationEvent.objects.count() == 0


# --- the chain and verify_audit -------------------------------------------------------------


def test_each_event_carries_the_hash_of_the_one_before(worked):
    events = list(ConsultationEvent.objects.filter(consultation=worked).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == ""
    for previous, current in pairwise(events):
        assert current.prev_hash == previous.hash
    assert all(e.hash == e.compute_hash() and len(e.hash) == 64 for e in events)
    assert set(events[0].content()) == {"consultation", "seq", "kind", "actor", "actor_label",
                                        "at", "note", "payload", "prev"}


def test_the_chains_verify_and_verify_audit_counts_them(cast, worked):
    other = targeted_consultation(cast, organizations=[cast.committee])
    assert verify_all() == (6, [])
    assert verify_all([other.pk]) == (1, [])
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue() == f"OK: {_total()} 条事件，所有事件链完整。\n"
    assert ("consultations", verify_all) in registered_verifiers()


def test_an_edited_event_is_reported_at_the_first_broken_link(worked):
    assert _tamper(_event(worked, 2), note="改过的理由") == 1
    assert _tamper(_event(worked, 4), actor_label="冒名者") == 1
    link = BrokenLink(worked.pk, 2, TAMPERED)
    assert verify_all() == (5, [link])
    assert str(link) == f"征求意见 {worked.pk} 事件 #2：{TAMPERED}"

    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert str(failed.value) == f"1 条事件链已损坏（共读取 {_total()} 条事件）。"
    assert err.getvalue() == f"BROKEN {link}\n"


@pytest.mark.parametrize(("column", "value"), [
    ("kind", Kind.COMMENT_HIDDEN), ("payload", {"comment": 1, "number": 9}),
    ("at", datetime(2020, 1, 1, tzinfo=UTC)), ("seq", 7),
])
def test_the_hash_covers_each_column(worked, column, value):
    _tamper(_event(worked, 3), **{column: value})
    expected = "缺少事件（下一条为 #4）" if column == "seq" else TAMPERED
    assert verify_all()[1] == [BrokenLink(worked.pk, 3, expected)]


def test_a_rehashed_edit_breaks_the_next_link(worked):
    event = _event(worked, 3)
    event.note = "改写并重算哈希"
    _tamper(event, note=event.note, hash=event.compute_hash())
    assert verify_all()[1] == [BrokenLink(worked.pk, 4, "与上一条事件的哈希不一致")]


def test_a_deleted_last_event_is_found_by_the_event_count(worked):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM consultations_consultationevent WHERE id = %s",
                       [_event(worked, 5).pk])
    assert verify_all() == (4, [BrokenLink(worked.pk, 5,
                                           "事件数应为 5，实有 4（末尾事件被删除）")])


def test_a_chain_deleted_whole_is_found(worked):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM consultations_consultationevent WHERE consultation_id = %s",
                       [worked.pk])
    assert verify_all() == (0, [BrokenLink(worked.pk, 1, "事件数应为 5，实有 0（事件被删除）")])


def test_verify_audit_for_some_projects_skips_the_consultation_chains(cast, clock, worked):
    from biaozhun.projects.tests.factories import make_project

    project = make_project(cast)
    _tamper(_event(worked, 2), note="篡改")
    out = StringIO()
    call_command("verify_audit", "--project", str(project.pk), stdout=out)
    assert out.getvalue() == (f"OK: {ProjectEvent.objects.filter(project=project).count()} "
                              "条事件，所有事件链完整。\n")
    with pytest.raises(CommandError):
        call_command("verify_audit", stderr=StringIO())


def test_the_orm_refuses_to_change_or_delete_events(worked):
    with pytest.raises(TypeError):
        ConsultationEvent.objects.filter(consultation=worked).update(note="批量改写")
    with pytest.raises(TypeError):
        ConsultationEvent.objects.all().delete()
    event = _event(worked, 1)
    event.note = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert verify_all() == (5, [])


# --- the trail on the working view ----------------------------------------------------------


def _page(client, user, consultation):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("consultations:dispositions", args=[consultation.pk]))


def test_the_administration_sees_the_trail_newest_first(client, cast, worked):
    response = _page(client, cast.admin, worked)
    assert response.status_code == 200
    rows = response.context["trail"]
    assert [(r["event"].seq, r["event"].kind, r["summary"]) for r in rows] == [
        (5, Kind.COMMENT_RESTORED, "第 3 条"),
        (4, Kind.COMMENT_HIDDEN, "第 3 条"),
        (3, Kind.COMMENT_ANSWERED, "第 2 条：不采纳"),
        (2, Kind.COMMENT_ANSWERED, "第 1 条：采纳"),
        (1, Kind.OPENED, f"征求意见 {worked.opens_on.isoformat()} 至 "
                         f"{worked.closes_on.isoformat()}"),
    ]
    page = response.content.decode()
    assert "<caption>操作记录（共 5 条，最新的在前）</caption>" in page
    assert '<th scope="col">操作人</th>' in page
    assert "已列入上年度计划。" in page and "误判" in page and "guanli" in page


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 302), ("outsider", 403), ("drafter", 403), ("department", 403),
    ("expert", 403), ("partner_admin", 403),
])
def test_others_do_not_see_the_trail(client, cast, worked, persona, status):
    response = _page(client, cast.personas()[persona], worked)
    assert response.status_code == status
    assert "误判" not in response.content.decode()


def test_the_public_page_has_no_trail(client, cast, worked):
    response = client.get(reverse("consultations:detail", args=[worked.pk]))
    assert response.status_code == 200
    assert "操作记录" not in response.content.decode()


def test_a_targeted_trail_does_not_exist_for_outsiders(client, cast, clock):
    consultation = targeted_consultation(cast, organizations=[cast.committee])
    assert _page(client, cast.outsider, consultation).status_code == 404
    client.logout()
    response = _page(client, cast.superuser, consultation)
    assert [r["event"].kind for r in response.context["trail"]] == [Kind.OPENED]


def test_a_projects_consultation_points_to_the_project_record(client, cast, clock):
    consultation = draft_consultation(cast)
    response = _page(client, cast.drafter, consultation)
    assert response.status_code == 200
    assert response.context["trail"] is None
    assert f'href="{consultation.project.get_absolute_url()}"' in response.content.decode()


def test_the_trail_costs_one_query_however_long(client, cast, worked):
    client.force_login(cast.admin)
    url = reverse("consultations:dispositions", args=[worked.pk])
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for decision in ("partly", "accepted", "not_accepted") * 4:
        services.answer_comment(_comment_no(worked, 2), by=cast.admin, decision=decision,
                                reason="再议。")
    with CaptureQueriesContext(connection) as long:
        response = client.get(url)
    assert len(response.context["trail"]) == 17
    assert len(long.captured_queries) == len(short.captured_queries)


def test_a_long_trail_shows_the_newest_events(client, cast, worked, monkeypatch):
    from biaozhun.consultations.views import staff

    monkeypatch.setattr(staff, "TRAIL_LIMIT", 3)
    response = _page(client, cast.admin, worked)
    assert [r["event"].seq for r in response.context["trail"]] == [5, 4, 3]
    assert response.context["trail_capped"] is True
    assert "仅显示最近的 3 条记录。" in response.content.decode()
