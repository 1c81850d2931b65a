"""The drafting group's and the administration's pages: dispositions, answers, duplicates,
moderation, the disposition table (page and files), opening consultations and deciding
proposals. Every refusal is checked for its status and for nothing having changed."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from biaozhun.consultations import services
from biaozhun.consultations.models import Comment, Consultation, ModerationAction, PublicProposal
from biaozhun.consultations.tests.factories import (
    draft_consultation,
    plan_consultation,
    targeted_consultation,
)
from biaozhun.projects.models import EventKind, Project, ProjectEvent
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import _advance

pytestmark = pytest.mark.django_db

HIDDEN_TEXT = "加微信领取优惠券"
UNVERIFIED_TEXT = "访客尚未确认邮箱的意见"


def _comment(consultation, number, **fields) -> Comment:
    defaults = {"verified_at": timezone.now(), "client_ip": "203.0.113.7",
                "email": f"commenter{number}@example.com", "name": f"提出人{number}"}
    return Comment.objects.create(consultation=consultation, number=number,
                                  **{**defaults, **fields})


@pytest.fixture
def draft(cast, clock):
    """A draft consultation with three visible comments, a hidden one and an unverified
    guest's."""
    consultation = draft_consultation(cast)
    _comment(consultation, 1, name="张三", organization="长沙市某某食品有限公司",
             commenter_type="enterprise", show_name=True, clause="5.2",
             text="辣椒用量偏高，建议降低。")
    _comment(consultation, 2, name="李四", show_name=False, clause="3.1",
             text="术语“小炒”应定义。")
    _comment(consultation, 3, name="王五", organization="湖南省湘菜产业促进会",
             commenter_type="association", show_name=True, text="同意第一条，辣椒太多。")
    hidden = _comment(consultation, 4, name="赵六", text=HIDDEN_TEXT)
    _comment(consultation, 5, name="孙八", text=UNVERIFIED_TEXT, verified_at=None)
    services.hide_comment(hidden, by=cast.admin, reason="广告信息")
    return Consultation.objects.select_related("project").get(pk=consultation.pk)


def _login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _by_number(consultation, number) -> Comment:
    return Comment.objects.get(consultation=consultation, number=number)


def _close(cast, clock, consultation) -> Consultation:
    """Let the period run out and close it as the system does every day."""
    clock.today = consultation.closes_on + timedelta(days=1)
    assert services.close_due_consultations() == [consultation.pk]
    return Consultation.objects.select_related("project").get(pk=consultation.pk)


def _url(name, *args):
    return reverse(f"consultations:{name}", args=args)


# --- the working view -----------------------------------------------------------------------


def test_drafting_group_sees_every_comment_with_hidden_marked_and_unverified_counted(
        client, cast, draft):
    response = _login(client, cast.drafter).get(_url("dispositions", draft.pk))
    assert response.status_code == 200
    assert response.context["counts"] == {"visible": 3, "hidden": 1, "unverified": 1,
                                          "unanswered": 3, "answered": 0}
    assert [row["comment"].number for row in response.context["rows"]] == [1, 2, 3, 4]
    page = response.content.decode()
    assert "辣椒用量偏高，建议降低。" in page
    assert HIDDEN_TEXT in page and "已屏蔽" in page and "广告信息" in page
    assert UNVERIFIED_TEXT not in page
    assert "@example.com" not in page and "203.0.113.7" not in page
    # Answer forms for the visible comments; the hidden one has only "restore".
    assert [row["form"] is not None for row in response.context["rows"]] == [
        True, True, True, False]
    assert [row["moderation"].initial["action"] for row in response.context["rows"]] == [
        "hide", "hide", "hide", "restore"]


def test_the_administration_sees_the_working_view_but_may_not_answer_a_draft(
        client, cast, draft):
    response = _login(client, cast.admin).get(_url("dispositions", draft.pk))
    assert response.status_code == 200
    assert response.context["can_answer"] is False
    assert response.context["can_moderate"] is True
    assert all(row["form"] is None for row in response.context["rows"])


def test_the_unanswered_filter_lists_only_comments_still_to_answer(client, cast, draft):
    services.answer_comment(_by_number(draft, 2), by=cast.drafter, decision="accepted")
    response = _login(client, cast.drafter).get(_url("dispositions", draft.pk),
                                                {"unanswered": "1"})
    assert [row["comment"].number for row in response.context["rows"]] == [1, 3]


def test_anonymous_visitors_are_sent_to_sign_in(client, draft):
    response = client.get(_url("dispositions", draft.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["outsider", "expert", "department"])
def test_others_may_not_see_the_working_view(client, cast, draft, persona):
    response = _login(client, cast.personas()[persona]).get(_url("dispositions", draft.pk))
    assert response.status_code == 403
    assert HIDDEN_TEXT not in response.content.decode()


def test_a_targeted_consultation_does_not_exist_for_outsiders(client, cast, clock):
    consultation = targeted_consultation(cast, organizations=[cast.committee])
    response = _login(client, cast.outsider).get(_url("dispositions", consultation.pk))
    assert response.status_code == 404


# --- answers ----------------------------------------------------------------------------------


def test_the_drafting_group_answers_a_comment(client, cast, draft):
    comment = _by_number(draft, 2)
    response = _login(client, cast.drafter).post(_url("answer", draft.pk, comment.pk), {
        f"a{comment.pk}-decision": "not_accepted",
        f"a{comment.pk}-reason": "“小炒”为通用词。", "unanswered": "1"})
    assert response.status_code == 302
    assert response["Location"] == _url("dispositions", draft.pk) + "?unanswered=1#c-2"
    comment.refresh_from_db()
    assert (comment.decision, comment.decision_reason, comment.answered_by) == (
        "not_accepted", "“小炒”为通用词。", cast.drafter)
    event = ProjectEvent.objects.filter(project=draft.project).order_by("-seq").first()
    assert (event.kind, event.payload["number"]) == (EventKind.COMMENT_ANSWERED, 2)


def test_a_reason_is_required_unless_accepted_and_shown_on_the_page(client, cast, draft,
                                                                      state_of):
    comment = _by_number(draft, 1)
    before = state_of()
    response = _login(client, cast.drafter).post(_url("answer", draft.pk, comment.pk), {
        f"a{comment.pk}-decision": "partly", f"a{comment.pk}-reason": "  "})
    assert response.status_code == 400
    assert "部分采纳或不采纳时须说明理由。" in response.content.decode()
    row = next(r for r in response.context["rows"] if r["comment"].pk == comment.pk)
    assert row["form"].errors == {"reason": ["部分采纳或不采纳时须说明理由。"]}
    assert state_of() == before


def test_an_unknown_decision_is_a_400_not_a_500(client, cast, draft, state_of):
    comment = _by_number(draft, 1)
    before = state_of()
    response = _login(client, cast.drafter).post(_url("answer", draft.pk, comment.pk), {
        f"a{comment.pk}-decision": "maybe"})
    assert response.status_code == 400
    assert state_of() == before


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "expert", "administrator"])
def test_only_the_drafting_group_answers_a_draft(client, cast, draft, state_of, persona):
    comment = _by_number(draft, 1)
    before = state_of()
    response = _login(client, cast.personas()[persona]).post(
        _url("answer", draft.pk, comment.pk), {f"a{comment.pk}-decision": "accepted"})
    assert response.status_code == 403
    assert state_of() == before


def test_the_administration_answers_its_plan_consultation(client, cast, clock):
    consultation = plan_consultation(cast)
    comment = _comment(consultation, 1, text="建议将某项目列入计划。")
    response = _login(client, cast.admin).post(_url("answer", consultation.pk, comment.pk), {
        f"a{comment.pk}-decision": "accepted"})
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).decision == "accepted"


def test_answers_are_refused_once_the_project_went_to_technical_review(client, cast, clock,
                                                                         draft, state_of):
    for number in (1, 2, 3):
        services.answer_comment(_by_number(draft, number), by=cast.drafter,
                                decision="accepted")
    draft = _close(cast, clock, draft)
    _advance(cast, draft.project, Stage.TECHNICAL_REVIEW)
    assert Project.objects.get(pk=draft.project_id).stage == Stage.TECHNICAL_REVIEW
    comment = _by_number(draft, 2)
    before = state_of()
    response = _login(client, cast.drafter).post(_url("answer", draft.pk, comment.pk), {
        f"a{comment.pk}-decision": "not_accepted", f"a{comment.pk}-reason": "改主意了"})
    assert response.status_code == 409
    assert "项目已不在意见处理阶段" in response.content.decode()
    assert state_of() == before


def test_a_comment_of_another_consultation_is_not_found(client, cast, draft, clock):
    other = plan_consultation(cast)
    comment = _comment(other, 1, text="别处的意见")
    response = _login(client, cast.drafter).post(_url("answer", draft.pk, comment.pk), {
        f"a{comment.pk}-decision": "accepted"})
    assert response.status_code == 404


# --- duplicates ----------------------------------------------------------------------------


def test_the_drafting_group_groups_duplicates_by_number(client, cast, draft):
    response = _login(client, cast.drafter).post(_url("dispositions", draft.pk), {
        "leader": "1", "duplicates": "3，2"})
    assert response.status_code == 302
    assert response["Location"] == _url("dispositions", draft.pk) + "#c-1"
    leader = _by_number(draft, 1)
    assert sorted(Comment.objects.filter(duplicate_of=leader).values_list("number", flat=True)
                  ) == [2, 3]


@pytest.mark.parametrize(("duplicates", "message"), [
    ("99", "没有这些序号的意见：99"),
    ("1", "不能将意见归入其自身。"),
    ("4", "所选意见中有尚未确认或已被屏蔽的意见。"),
    ("二", "请填写意见序号（数字），用逗号或空格分隔。"),
])
def test_bad_groups_are_shown_on_the_page(client, cast, draft, state_of, duplicates, message):
    before = state_of()
    response = _login(client, cast.drafter).post(_url("dispositions", draft.pk), {
        "leader": "1", "duplicates": duplicates})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state_of() == before


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "expert", "administrator"])
def test_only_the_drafting_group_groups_duplicates(client, cast, draft, state_of, persona):
    before = state_of()
    response = _login(client, cast.personas()[persona]).post(
        _url("dispositions", draft.pk), {"leader": "1", "duplicates": "3"})
    assert response.status_code == 403
    assert state_of() == before


# --- moderation ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["administrator", "drafter"])
def test_moderators_hide_a_comment_with_the_reason_on_record(client, cast, draft, persona):
    comment = _by_number(draft, 2)
    user = cast.personas()[persona]
    response = _login(client, user).post(_url("moderate", draft.pk, comment.pk), {
        f"m{comment.pk}-action": "hide", f"m{comment.pk}-reason": "人身攻击"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.is_hidden, comment.hidden_reason, comment.hidden_by) == (
        True, "人身攻击", user)
    action = ModerationAction.objects.filter(comment=comment).get()
    assert (action.action, action.reason, action.by) == ("hidden", "人身攻击", user)


def test_a_hidden_comment_is_restored_with_a_reason(client, cast, draft):
    comment = _by_number(draft, 4)
    response = _login(client, cast.admin).post(_url("moderate", draft.pk, comment.pk), {
        f"m{comment.pk}-action": "restore", f"m{comment.pk}-reason": "误判，已核实"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden is False
    assert list(ModerationAction.objects.filter(comment=comment).order_by("pk").values_list(
        "action", "reason")) == [("hidden", "广告信息"), ("restored", "误判，已核实")]


def test_moderation_needs_a_reason(client, cast, draft, state_of):
    comment = _by_number(draft, 2)
    before = state_of()
    response = _login(client, cast.admin).post(_url("moderate", draft.pk, comment.pk), {
        f"m{comment.pk}-action": "hide", f"m{comment.pk}-reason": ""})
    assert response.status_code == 400
    assert state_of() == before


def test_hiding_twice_is_shown_as_an_error(client, cast, draft, state_of):
    comment = _by_number(draft, 4)
    before = state_of()
    response = _login(client, cast.admin).post(_url("moderate", draft.pk, comment.pk), {
        f"m{comment.pk}-action": "hide", f"m{comment.pk}-reason": "再次屏蔽"})
    assert response.status_code == 400
    assert "该意见已被屏蔽。" in response.content.decode()
    assert state_of() == before


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "expert", "department"])
def test_others_may_not_moderate(client, cast, draft, state_of, persona):
    comment = _by_number(draft, 2)
    before = state_of()
    response = _login(client, cast.personas()[persona]).post(
        _url("moderate", draft.pk, comment.pk),
        {f"m{comment.pk}-action": "hide", f"m{comment.pk}-reason": "不喜欢"})
    assert response.status_code == 403
    assert state_of() == before


# --- the disposition table ------------------------------------------------------------------


def test_the_drafting_group_sees_the_table_with_names_before_closing(client, cast, draft):
    services.answer_comment(_by_number(draft, 1), by=cast.drafter, decision="accepted")
    response = _login(client, cast.drafter).get(_url("table", draft.pk))
    assert response.status_code == 200
    assert response.context["public"] is False
    rows = [row.cells() for row in response.context["page"].object_list]
    assert rows == [
        [1, "5.2", "辣椒用量偏高，建议降低。", "", "", "张三（长沙市某某食品有限公司）", "采纳", ""],
        [2, "3.1", "术语“小炒”应定义。", "", "", "李四", "未处理", ""],
        [3, "", "同意第一条，辣椒太多。", "", "", "王五（湖南省湘菜产业促进会）", "未处理", ""],
    ]
    page = response.content.decode()
    assert "共收到意见 3 条：采纳 1 条，部分采纳 0 条，不采纳 0 条，未处理 2 条。" in page
    assert HIDDEN_TEXT not in page and UNVERIFIED_TEXT not in page
    assert "@example.com" not in page


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "expert"])
def test_the_public_sees_the_table_only_after_closing(client, cast, draft, persona):
    response = _login(client, cast.personas()[persona]).get(_url("table", draft.pk))
    assert response.status_code == 403
    page = response.content.decode()
    assert "意见及其处理情况将在征求意见结束后公开。" in page
    assert "辣椒用量偏高" not in page


def test_after_closing_the_public_table_names_only_those_who_agreed(client, cast, clock,
                                                                      draft):
    draft = _close(cast, clock, draft)
    response = client.get(_url("table", draft.pk))
    assert response.status_code == 200
    assert response.context["public"] is True
    assert [row.commenter for row in response.context["page"].object_list] == [
        "张三（长沙市某某食品有限公司）", "个人", "王五（湖南省湘菜产业促进会）"]
    page = response.content.decode()
    assert "李四" not in page
    assert HIDDEN_TEXT not in page and "赵六" not in page and "广告信息" not in page
    assert "@example.com" not in page and "203.0.113.7" not in page


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_the_table_downloads_with_its_name(client, cast, draft, fmt):
    response = _login(client, cast.drafter).get(_url("table_file", draft.pk, fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[fmt]
    name = quote(f"意见汇总处理表-湘菜 辣椒炒肉烹饪技术规范.{fmt}", safe="")
    assert response["Content-Disposition"] == (
        f'attachment; filename="disposition-table-{draft.pk}.{fmt}"; '
        f"filename*=UTF-8''{name}")
    assert response["Cache-Control"] == "private, no-store"
    assert response.content[:2] == b"PK"


def test_an_unknown_table_format_is_not_found(client, cast, draft):
    response = _login(client, cast.drafter).get(_url("table_file", draft.pk, "pdf"))
    assert response.status_code == 404


def test_the_public_downloads_the_public_table_only_after_closing(client, cast, clock, draft):
    assert client.get(_url("table_file", draft.pk, "xlsx")).status_code == 403
    draft = _close(cast, clock, draft)
    response = client.get(_url("table_file", draft.pk, "xlsx"))
    assert response.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    assert [sheet.cell(row=r, column=6).value for r in (4, 5, 6)] == [
        "张三（长沙市某某食品有限公司）", "个人", "王五（湖南省湘菜产业促进会）"]


# --- opening a consultation -------------------------------------------------------------------


def _open_form(cast, **overrides) -> dict:
    today = timezone.localdate()
    return {"kind": "plan", "administration": str(cast.administration.pk),
            "title": "2027年度地方标准制修订计划（草案）", "description": "拟列入计划的项目。",
            "opens_on": today.isoformat(), "closes_on": (today + timedelta(days=30)).isoformat(),
            "plan_year": "2027", "campaign": "", "invited_organizations": "",
            "invited_users": "", **overrides}


def test_the_form_offers_only_the_administrators_own_administration(client, cast):
    response = _login(client, cast.admin).get(_url("open"))
    assert response.status_code == 200
    assert list(response.context["form"].fields["administration"].queryset) == [
        cast.administration]


def test_an_administrator_opens_a_plan_consultation(client, cast, clock):
    response = _login(client, cast.admin).post(_url("open"), _open_form(cast))
    consultation = Consultation.objects.get(kind="plan")
    assert response.status_code == 302
    assert response["Location"] == _url("dispositions", consultation.pk)
    assert (consultation.title, consultation.plan_year, consultation.is_public,
            consultation.created_by) == ("2027年度地方标准制修订计划（草案）", 2027, True, cast.admin)


def test_an_administrator_opens_a_targeted_consultation_with_invitations(client, cast, clock):
    response = _login(client, cast.admin).post(_url("open"), _open_form(
        cast, kind="targeted", plan_year="",
        invited_organizations=f"{cast.committee.name}\n{cast.drafting.name}",
        invited_users="zhuanjia1, zhuanjia2"))
    assert response.status_code == 302
    consultation = Consultation.objects.get(kind="targeted")
    assert consultation.is_public is False
    assert sorted(consultation.invited_organizations.values_list("name", flat=True)) == sorted(
        [cast.committee.name, cast.drafting.name])
    assert sorted(consultation.invited_users.values_list("username", flat=True)) == [
        "zhuanjia1", "zhuanjia2"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"closes_on": "2026-03-10"}, "征求意见期不少于"),
    ({"plan_year": ""}, "请填写计划年度。"),
    ({"kind": "targeted", "plan_year": "", "invited_organizations": "不存在的单位"},
     "没有这些单位：不存在的单位"),
    ({"kind": "targeted", "plan_year": "", "invited_users": "nobody"}, "没有这些用户：nobody"),
    ({"kind": "targeted", "plan_year": ""}, "定向征求意见须至少邀请一个单位或一位专家。"),
])
def test_bad_openings_are_shown_on_the_form(client, cast, clock, overrides, message):
    response = _login(client, cast.admin).post(_url("open"), _open_form(cast, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Consultation.objects.exclude(kind="draft").count() == 0


def test_an_administrator_may_not_open_for_another_administration(client, cast, clock):
    response = _login(client, cast.admin).post(_url("open"), _open_form(
        cast, administration=str(cast.partner.pk)))
    assert response.status_code == 403
    assert Consultation.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in_before_opening(client):
    response = client.get(_url("open"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "expert", "drafter"])
def test_only_administrators_open_consultations(client, cast, clock, persona):
    response = _login(client, cast.personas()[persona]).post(_url("open"), _open_form(cast))
    assert response.status_code == 403
    assert Consultation.objects.count() == 0


# --- proposals from the public ----------------------------------------------------------------


@pytest.fixture
def proposal(cast, clock):
    return services.submit_proposal(by=cast.outsider, data=services.ProposalData(
        title="长沙米粉制作技术规范", scope="规定了长沙米粉的原料、制作和卫生要求。",
        reasons="米粉店多，质量参差不齐。", administration=cast.administration,
        email="proposer@example.com"))


def test_the_administrator_sees_the_proposal_to_decide(client, cast, proposal):
    response = _login(client, cast.admin).get(_url("decide_proposal", proposal.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "长沙米粉制作技术规范" in page and "米粉店多，质量参差不齐。" in page
    assert "proposer@example.com" not in page
    assert response.context["decided"] is False


def test_accepting_turns_the_proposal_into_a_project(client, cast, proposal):
    response = _login(client, cast.admin).post(_url("decide_proposal", proposal.pk),
                                               {"action": "accept"})
    proposal.refresh_from_db()
    assert proposal.state == PublicProposal.State.ACCEPTED
    assert response.status_code == 302
    assert response["Location"] == proposal.project.get_absolute_url()
    assert (proposal.project.title, proposal.project.stage) == ("长沙米粉制作技术规范",
                                                                 Stage.PROPOSED)


def test_declining_records_the_reason(client, cast, proposal):
    response = _login(client, cast.admin).post(_url("decide_proposal", proposal.pk), {
        "action": "decline", "reason": "已有国家标准 GB/T 00000 覆盖。"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decision_reason, proposal.decided_by) == (
        "declined", "已有国家标准 GB/T 00000 覆盖。", cast.admin)


def test_declining_needs_a_reason(client, cast, proposal, state_of):
    before = state_of()
    response = _login(client, cast.admin).post(_url("decide_proposal", proposal.pk), {
        "action": "decline", "reason": ""})
    assert response.status_code == 400
    assert state_of() == before


def test_a_decided_proposal_cannot_be_decided_again(client, cast, proposal, state_of):
    services.decline_proposal(proposal, by=cast.admin, reason="重复")
    before = state_of()
    response = _login(client, cast.admin).post(_url("decide_proposal", proposal.pk),
                                               {"action": "accept"})
    assert response.status_code == 400
    assert "该建议已经处理。" in response.content.decode()
    assert state_of() == before


def test_an_unknown_action_is_a_400(client, cast, proposal, state_of):
    before = state_of()
    response = _login(client, cast.admin).post(_url("decide_proposal", proposal.pk),
                                               {"action": "maybe"})
    assert response.status_code == 400
    assert state_of() == before


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "expert", "partner_admin"])
def test_only_the_receiving_administration_decides(client, cast, proposal, state_of, persona):
    before = state_of()
    response = _login(client, cast.personas()[persona]).post(
        _url("decide_proposal", proposal.pk), {"action": "accept"})
    assert response.status_code == 403
    assert state_of() == before
