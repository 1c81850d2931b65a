"""Answering comments (采纳 / 部分采纳 / 不采纳 with a reason), grouping duplicates, the
disposition rows and summary, and the guard: no technical review while a comment waits."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from biaozhun.consultations import services
from biaozhun.consultations.selectors import (
    disposition_rows,
    disposition_summary,
    unanswered_count,
)
from biaozhun.consultations.tests.factories import (
    GUEST_IP,
    draft_consultation,
    guest,
    member,
    pdf_file,
    plan_consultation,
    solved_challenge,
)
from biaozhun.projects import services as project_services
from biaozhun.projects.models import DocumentKind, EventKind, ProjectEvent
from biaozhun.projects.stages import InvalidTransition, Stage


def _comments(consultation, by, n: int):
    return [services.submit_comment(consultation, by=by, data=member(f"意见 {i + 1}"))
            for i in range(n)]


def _to_comment_resolution(clock, consultation) -> None:
    """The period runs out and closes (as the daily job would)."""
    clock.today = date(2026, 4, 2)
    project_services.close_public_comment(consultation.project, by=None)


def _ready_for_review(cast, project) -> None:
    for kind in (DocumentKind.REVIEW_DRAFT, DocumentKind.DISPOSITION_TABLE):
        project_services.upload_document(project, by=cast.drafter, kind=kind,
                                         upload=pdf_file(f"{kind}.pdf"))
    project_services.set_reviewers(project, by=cast.admin, reviewers=cast.experts)


def test_the_drafting_group_accepts_a_comment_without_a_reason(cast, clock):
    consultation = draft_consultation(cast)
    [comment] = _comments(consultation, cast.outsider, 1)
    answered = services.answer_comment(comment, by=cast.drafter, decision="accepted")
    assert (answered.decision, answered.decision_reason, answered.answered_by) == (
        "accepted", "", cast.drafter)
    assert answered.answered_at is not None
    event = ProjectEvent.objects.filter(project=consultation.project).order_by("-seq").first()
    assert (event.kind, event.actor, event.note, event.payload) == (
        EventKind.COMMENT_ANSWERED, cast.drafter, "", {
            "consultation": consultation.pk, "comment": comment.pk, "number": 1,
            "decision": "accepted", "previous": ""})


@pytest.mark.parametrize("decision", ["partly", "not_accepted"])
def test_a_reason_is_required_unless_accepted(cast, clock, state_of, decision):
    consultation = draft_consultation(cast)
    [comment] = _comments(consultation, cast.outsider, 1)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.answer_comment(comment, by=cast.drafter, decision=decision, reason="  ")
    assert refused.value.message_dict == {"reason": ["部分采纳或不采纳时须说明理由。"]}
    assert state_of() == before
    answered = services.answer_comment(comment, by=cast.drafter, decision=decision,
                                       reason="与 GB 2760 的规定不一致。")
    assert (answered.decision, answered.decision_reason) == (decision, "与 GB 2760 的规定不一致。")


def test_an_unknown_decision_is_refused(cast, clock, state_of):
    consultation = draft_consultation(cast)
    [comment] = _comments(consultation, cast.outsider, 1)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.answer_comment(comment, by=cast.drafter, decision="maybe", reason="x")
    assert refused.value.message_dict == {"decision": ["请选择处理意见：采纳、部分采纳或不采纳。"]}
    assert state_of() == before


def test_answering_again_replaces_the_answer_and_both_are_on_record(cast, clock):
    consultation = draft_consultation(cast)
    [comment] = _comments(consultation, cast.outsider, 1)
    services.answer_comment(comment, by=cast.drafter, decision="not_accepted", reason="无依据")
    services.answer_comment(comment, by=cast.drafter, decision="partly", reason="部分有依据")
    comment.refresh_from_db()
    assert (comment.decision, comment.decision_reason) == ("partly", "部分有依据")
    events = ProjectEvent.objects.filter(project=consultation.project,
                                         kind=EventKind.COMMENT_ANSWERED).order_by("seq")
    assert [(e.note, e.payload["decision"], e.payload["previous"]) for e in events] == [
        ("无依据", "not_accepted", ""), ("部分有依据", "partly", "not_accepted")]


def test_an_unverified_guest_comment_cannot_be_answered_yet(cast, clock, state_of):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                      challenge=solved_challenge())
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.answer_comment(comment, by=cast.drafter, decision="accepted")
    assert refused.value.message_dict == {"comment": ["该意见尚未确认或已被屏蔽，不能处理。"]}
    assert state_of() == before
    services.verify_comment(services.verification_token(comment))
    assert services.answer_comment(comment, by=cast.drafter, decision="accepted").decision == \
        "accepted"


def test_answers_are_final_once_the_project_is_in_technical_review(cast, clock, state_of):
    consultation = draft_consultation(cast)
    [comment] = _comments(consultation, cast.outsider, 1)
    services.answer_comment(comment, by=cast.drafter, decision="accepted")
    _to_comment_resolution(clock, consultation)
    services.answer_comment(comment, by=cast.drafter, decision="partly", reason="部分")
    _ready_for_review(cast, consultation.project)
    project_services.send_to_technical_review(consultation.project, by=cast.drafter)
    before = state_of()
    with pytest.raises(InvalidTransition) as refused:
        services.answer_comment(comment, by=cast.drafter, decision="accepted")
    assert refused.value.reasons == ["项目已不在意见处理阶段，意见处理结果不能再修改"]
    assert state_of() == before


# --- who answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona, allowed", [
    ("anonymous", False), ("outsider", False), ("drafter", True), ("department", False),
    ("expert", False), ("administrator", False), ("partner_admin", False),
])
def test_the_drafting_group_answers_a_draft_consultation(cast, clock, state_of, persona,
                                                        allowed):
    consultation = draft_consultation(cast)
    [comment] = _comments(consultation, cast.outsider, 1)
    by = cast.personas()[persona]
    before = state_of()
    if allowed:
        assert services.answer_comment(comment, by=by, decision="accepted").answered_by == by
    else:
        with pytest.raises(PermissionDenied):
            services.answer_comment(comment, by=by, decision="accepted")
        assert state_of() == before


@pytest.mark.parametrize("persona, allowed", [
    ("anonymous", False), ("outsider", False), ("drafter", False), ("department", False),
    ("expert", False), ("administrator", True), ("partner_admin", False),
])
def test_the_administration_answers_its_other_consultations(cast, clock, state_of, persona,
                                                           allowed):
    consultation = plan_consultation(cast)
    [comment] = _comments(consultation, cast.outsider, 1)
    by = cast.personas()[persona]
    before = state_of()
    if allowed:
        answered = services.answer_comment(comment, by=by, decision="not_accepted",
                                           reason="不属于地方标准范围")
        assert answered.decision == "not_accepted"
        assert ProjectEvent.objects.count() == before["events"]
    else:
        with pytest.raises(PermissionDenied):
            services.answer_comment(comment, by=by, decision="accepted")
        assert state_of() == before


def test_a_plan_consultation_may_be_answered_after_it_closed(cast, clock):
    consultation = plan_consultation(cast)
    [comment] = _comments(consultation, cast.outsider, 1)
    clock.advance(40)
    services.close_due_consultations()
    assert services.answer_comment(comment, by=cast.admin, decision="accepted").decision == \
        "accepted"


# --- duplicates ----------------------------------------------------------------------------------


def test_duplicates_take_the_answer_of_the_comment_they_are_grouped_with(cast, clock):
    consultation = draft_consultation(cast)
    first, second, _third, fourth = _comments(consultation, cast.outsider, 4)
    services.answer_comment(second, by=cast.drafter, decision="accepted")
    grouped = services.group_duplicates(first, by=cast.drafter, duplicates=[fourth, second])
    assert [c.number for c in grouped] == [2, 4]
    second.refresh_from_db()
    assert (second.duplicate_of, second.decision, second.answered_by) == (first, "", None)
    assert unanswered_count(consultation.project) == 4
    services.answer_comment(first, by=cast.drafter, decision="partly", reason="采纳温度，不采纳时间")
    assert unanswered_count(consultation.project) == 1
    rows = disposition_rows(consultation)
    assert [(r.number, r.decision, r.decision_label, r.decision_reason, r.duplicate_of)
            for r in rows] == [
        (1, "partly", "部分采纳", "采纳温度，不采纳时间", None),
        (2, "partly", "部分采纳", "同第 1 条：采纳温度，不采纳时间", 1),
        (3, "", "未处理", "", None),
        (4, "partly", "部分采纳", "同第 1 条：采纳温度，不采纳时间", 1),
    ]
    event = ProjectEvent.objects.filter(project=consultation.project,
                                        note="第 2、4 条同第 1 条").get()
    assert (event.kind, event.payload) == (EventKind.COMMENT_ANSWERED, {
        "consultation": consultation.pk, "grouped_under": 1, "numbers": [2, 4]})


def test_an_accepted_leader_gives_its_duplicates_a_bare_reference(cast, clock):
    consultation = draft_consultation(cast)
    first, second = _comments(consultation, cast.outsider, 2)
    services.group_duplicates(first, by=cast.drafter, duplicates=[second])
    services.answer_comment(first, by=cast.drafter, decision="accepted")
    assert [(r.decision_label, r.decision_reason) for r in disposition_rows(consultation)] == [
        ("采纳", ""), ("采纳", "同第 1 条")]


def test_a_duplicate_is_answered_through_its_leader(cast, clock, state_of):
    consultation = draft_consultation(cast)
    first, second = _comments(consultation, cast.outsider, 2)
    services.group_duplicates(first, by=cast.drafter, duplicates=[second])
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.answer_comment(second, by=cast.drafter, decision="accepted")
    assert refused.value.message_dict == {"comment": ["该意见已归入第 1 条，请处理第 1 条。"]}
    assert state_of() == before


@pytest.mark.parametrize("case, errors", [
    ("itself", {"duplicates": ["不能将意见归入其自身。"]}),
    ("none", {"duplicates": ["请选择同类意见。"]}),
    ("leader is a duplicate", {"leader": ["第 2 条本身已归入其他意见，不能作为同类意见的代表。"]}),
    ("duplicate leads a group", {"duplicates": ["第 1 条已有其他意见归入，不能再归入其他意见。"]}),
    ("other consultation", {"duplicates": ["同类意见须为同一征求意见中的意见。"]}),
    ("hidden", {"duplicates": ["所选意见中有尚未确认或已被屏蔽的意见。"]}),
])
def test_groups_are_flat_and_within_one_consultation(cast, clock, state_of, case, errors):
    consultation = draft_consultation(cast)
    first, second, third = _comments(consultation, cast.outsider, 3)
    services.group_duplicates(first, by=cast.drafter, duplicates=[second])
    leader, duplicates = {
        "itself": (third, [third]),
        "none": (third, []),
        "leader is a duplicate": (second, [third]),
        "duplicate leads a group": (third, [first]),
        "other consultation": (third, None),
        "hidden": (first, [third]),
    }[case]
    if duplicates is None:
        duplicates = _comments(plan_consultation(cast), cast.outsider, 1)
    if case == "hidden":
        services.hide_comment(third, by=cast.admin, reason="广告")
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.group_duplicates(leader, by=cast.drafter, duplicates=duplicates)
    assert refused.value.message_dict == errors
    assert state_of() == before


def test_only_those_who_answer_group(cast, clock, state_of):
    consultation = draft_consultation(cast)
    first, second = _comments(consultation, cast.outsider, 2)
    before = state_of()
    for by in (None, cast.outsider, cast.admin, cast.department_user):
        with pytest.raises(PermissionDenied):
            services.group_duplicates(first, by=by, duplicates=[second])
    assert state_of() == before


# --- rows and summary ------------------------------------------------------------------------


def test_rows_and_summary_count_visible_comments_by_effective_decision_and_commenter(
        cast, clock):
    consultation = draft_consultation(cast)
    enterprise = services.CommentData(text="企业意见", commenter_type="enterprise",
                                      name="张三", organization="某公司", show_name=True)
    c1 = services.submit_comment(consultation, by=cast.outsider, data=enterprise)
    c2 = services.submit_comment(consultation, by=cast.outsider, data=member("个人意见"))
    c3 = services.submit_comment(consultation, by=cast.experts[0],
                                 data=member("专家意见", commenter_type="expert"))
    c4 = services.submit_comment(consultation, by=cast.outsider, data=member("重复"))
    services.submit_comment(consultation, by=cast.outsider, data=member("将被屏蔽"))
    services.submit_comment(consultation, by=None, data=guest("未确认"), client_ip=GUEST_IP,
                            challenge=solved_challenge())
    services.hide_comment(consultation.comments.get(number=5), by=cast.admin, reason="无关内容")
    services.answer_comment(c1, by=cast.drafter, decision="accepted")
    services.answer_comment(c2, by=cast.drafter, decision="not_accepted", reason="无依据")
    services.group_duplicates(c1, by=cast.drafter, duplicates=[c4])
    rows = disposition_rows(consultation)
    assert [(r.number, r.text, r.commenter, r.public_name, r.commenter_type_label, r.type_label)
            for r in rows] == [
        (1, "企业意见", "张三（某公司）", "张三（某公司）", "企业", "一般性"),
        (2, "个人意见", "gongzhong", "个人", "个人", "一般性"),
        (3, "专家意见", "zhuanjia1（长沙市食品安全标准化技术委员会）", "专家", "专家", "一般性"),
        (4, "重复", "gongzhong", "个人", "个人", "一般性"),
    ]
    assert c3.pk == rows[2].pk
    summary = disposition_summary(consultation)
    assert summary.total == 4
    assert summary.by_decision == {"accepted": 2, "partly": 0, "not_accepted": 1,
                                   "unanswered": 1}
    assert summary.decision_items() == [("采纳", 2), ("部分采纳", 0), ("不采纳", 1), ("未处理", 1)]
    assert summary.by_commenter_type == {"individual": 2, "enterprise": 1, "association": 0,
                                         "institution": 0, "government": 0, "expert": 1}


def test_rows_of_five_hundred_comments_take_one_query(cast, clock, django_assert_num_queries):
    from biaozhun.consultations.tests.factories import filled_template

    consultation = plan_consultation(cast)
    rows = [("1", "", "", f"意见 {i}", "", "") for i in range(500)]
    services.import_comments(consultation, by=cast.drafter,
                             upload=filled_template(consultation, rows))
    with django_assert_num_queries(1):
        assert len(disposition_rows(consultation)) == 500
    with django_assert_num_queries(2):
        assert disposition_summary(consultation).by_decision["unanswered"] == 500


# --- the guard ---------------------------------------------------------------------------------


def test_technical_review_is_refused_while_a_comment_is_unanswered(cast, clock, state_of):
    consultation = draft_consultation(cast)
    project = consultation.project
    [comment] = _comments(consultation, cast.outsider, 1)
    _to_comment_resolution(clock, consultation)
    project.refresh_from_db()
    assert project.stage == Stage.COMMENT_RESOLUTION
    _ready_for_review(cast, project)
    before = state_of()
    with pytest.raises(InvalidTransition) as refused:
        project_services.send_to_technical_review(project, by=cast.drafter)
    assert refused.value.reasons == ["尚有 1 条意见未处理"]
    assert state_of() == before
    services.answer_comment(comment, by=cast.drafter, decision="not_accepted",
                            reason="超出本标准范围")
    project_services.send_to_technical_review(project, by=cast.drafter)
    project.refresh_from_db()
    assert project.stage == Stage.TECHNICAL_REVIEW


def test_a_grouped_comment_counts_as_answered_once_its_leader_is(cast, clock):
    consultation = draft_consultation(cast)
    first, second = _comments(consultation, cast.outsider, 2)
    _to_comment_resolution(clock, consultation)
    _ready_for_review(cast, consultation.project)
    services.group_duplicates(first, by=cast.drafter, duplicates=[second])
    with pytest.raises(InvalidTransition) as refused:
        project_services.send_to_technical_review(consultation.project, by=cast.drafter)
    assert refused.value.reasons == ["尚有 2 条意见未处理"]
    services.answer_comment(first, by=cast.drafter, decision="accepted")
    project_services.send_to_technical_review(consultation.project, by=cast.drafter)
