"""API of public participation: open reads, token / session writes, the permission matrix,
and that hidden comments and private fields never leak into any response."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from biaozhun.accounts.services import create_api_token
from biaozhun.consultations import services
from biaozhun.consultations.models import Comment, Consultation, PublicProposal
from biaozhun.consultations.tests.factories import (
    draft_consultation,
    plan_consultation,
    targeted_consultation,
)
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import _advance

pytestmark = pytest.mark.django_db

API = "/api/v1"
HIDDEN_TEXT = "加微信领取优惠券"
HIDDEN_REASON = "广告信息"
UNVERIFIED_TEXT = "访客尚未确认邮箱的意见"
IP = "203.0.113.7"
SECRETS = ["@example.com", IP, HIDDEN_TEXT, HIDDEN_REASON, UNVERIFIED_TEXT, "赵六", "孙八"]


def _comment(consultation, number, **fields) -> Comment:
    defaults = {"verified_at": timezone.now(), "client_ip": IP,
                "email": f"commenter{number}@example.com", "name": f"提出人{number}"}
    return Comment.objects.create(consultation=consultation, number=number,
                                  **{**defaults, **fields})


@pytest.fixture
def draft(cast, clock):
    """A draft consultation: three visible comments (one answered, one grouped under it), a
    hidden one and an unverified guest's."""
    consultation = draft_consultation(cast)
    c1 = _comment(consultation, 1, name="张三", organization="长沙市某某食品有限公司",
                  commenter_type="enterprise", show_name=True, clause="5.2", type="technical",
                  text="辣椒用量偏高，建议降低。", proposed_change="改为 50 g", reason="口味")
    _comment(consultation, 2, name="李四", organization="某大学", show_name=False,
             clause="3.1", text="术语“小炒”应定义。")
    c3 = _comment(consultation, 3, name="王五", organization="湖南省湘菜产业促进会",
                  commenter_type="association", show_name=True, text="同意第一条。")
    hidden = _comment(consultation, 4, name="赵六", text=HIDDEN_TEXT)
    _comment(consultation, 5, name="孙八", text=UNVERIFIED_TEXT, verified_at=None)
    services.answer_comment(c1, by=cast.drafter, decision="partly", reason="已调整为 60 g。")
    services.group_duplicates(c1, by=cast.drafter, duplicates=[c3])
    services.hide_comment(hidden, by=cast.admin, reason=HIDDEN_REASON)
    return Consultation.objects.select_related("project").get(pk=consultation.pk)


def _close(clock, consultation) -> Consultation:
    clock.today = consultation.closes_on + timedelta(days=1)
    assert services.close_due_consultations() == [consultation.pk]
    return Consultation.objects.get(pk=consultation.pk)


def _client(user=None) -> Client:
    """A client that sends the user's API token (anonymous without one)."""
    if user is None:
        return Client()
    _token, secret = create_api_token(user=user, name="测试", by=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _post(client, path, body=None):
    return client.post(API + path, data=json.dumps(body if body is not None else {}),
                       content_type="application/json")


def _no_secrets(response) -> None:
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text, secret


def _number(consultation, n) -> Comment:
    return Comment.objects.get(consultation=consultation, number=n)


# --- reads: consultations ---------------------------------------------------------------------


def test_the_list_shows_public_consultations_and_filters_them(cast, clock, draft):
    plan = plan_consultation(cast)
    targeted_consultation(cast, organizations=[cast.committee])
    response = Client().get(f"{API}/consultations")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [c["id"] for c in body["results"]]) == (2, [plan.pk, draft.pk])
    first = body["results"][1]
    assert {k: first[k] for k in ("kind", "kind_label", "state", "state_label", "opens_on",
                                  "closes_on", "days_left", "comment_count")} == {
        "kind": "draft", "kind_label": "标准征求意见稿", "state": "open",
        "state_label": "征求意见中", "opens_on": "2026-03-02", "closes_on": "2026-04-01",
        "days_left": 30, "comment_count": 3}
    assert first["project"]["title"] == "湘菜 辣椒炒肉烹饪技术规范"
    assert first["url"] == f"/participation/consultations/{draft.pk}/"
    plans = Client().get(f"{API}/consultations", {"kind": "plan"}).json()
    assert [c["id"] for c in plans["results"]] == [plan.pk]
    assert Client().get(f"{API}/consultations", {"state": "closed"}).json()["count"] == 0
    assert Client().get(f"{API}/consultations", {"state": "open"}).json()["count"] == 2


def test_an_unknown_filter_value_is_a_422(clock, db):
    response = Client().get(f"{API}/consultations", {"state": "maybe"})
    assert response.status_code == 422


def test_the_detail_gives_the_documents_to_read_and_download(cast, draft):
    body = Client().get(f"{API}/consultations/{draft.pk}").json()
    assert [(d["kind"], d["label"], d["extension"]) for d in body["documents"]] == [
        ("draft", "征求意见稿", "pdf"), ("explanation", "编制说明", "pdf")]
    assert body["documents"][0]["url"] == f"/participation/consultations/{draft.pk}/documents/draft/"
    assert body["documents"][0]["download_url"] == reverse(
        "projects:document", args=[draft.project_id, draft.draft_id])
    assert body["comments_api_url"] == f"{API}/consultations/{draft.pk}/comments"
    assert body["is_public"] is True
    _no_secrets(Client().get(f"{API}/consultations/{draft.pk}"))


def test_a_targeted_consultation_is_seen_only_by_those_invited(cast, clock):
    consultation = targeted_consultation(cast, users=[cast.experts[0]])
    assert Client().get(f"{API}/consultations/{consultation.pk}").status_code == 404
    assert _client(cast.outsider).get(f"{API}/consultations/{consultation.pk}"
                                      ).status_code == 404
    response = _client(cast.experts[0]).get(f"{API}/consultations/{consultation.pk}")
    assert response.status_code == 200
    assert response.json()["is_public"] is False
    assert Client().get(f"{API}/consultations").json()["count"] == 0


def test_an_unknown_consultation_is_a_404(db):
    response = Client().get(f"{API}/consultations/999")
    assert (response.status_code, response.json()) == (404, {"detail": "没有编号为 999 的征求意见"})


# --- reads: comments and the table, before and after closing -----------------------------------


def test_comments_are_not_published_before_closing(cast, draft):
    response = Client().get(f"{API}/consultations/{draft.pk}/comments")
    assert response.status_code == 200
    assert response.json() == {"published": False, "count": 0, "limit": 100, "offset": 0,
                               "results": []}
    # Not even the drafting group sees them here: this is the public surface.
    assert _client(cast.drafter).get(f"{API}/consultations/{draft.pk}/comments"
                                     ).json()["results"] == []


def test_after_closing_the_public_sees_visible_comments_with_answers(cast, clock, draft):
    draft = _close(clock, draft)
    response = Client().get(f"{API}/consultations/{draft.pk}/comments")
    assert response.status_code == 200
    body = response.json()
    assert (body["published"], body["count"]) == (True, 3)
    assert [{k: c[k] for k in ("number", "commenter", "decision", "decision_label",
                               "decision_reason", "duplicate_of")} for c in body["results"]] == [
        {"number": 1, "commenter": "张三（长沙市某某食品有限公司）", "decision": "partly",
         "decision_label": "部分采纳", "decision_reason": "已调整为 60 g。", "duplicate_of": None},
        {"number": 2, "commenter": "个人", "decision": "", "decision_label": "未处理",
         "decision_reason": "", "duplicate_of": None},
        {"number": 3, "commenter": "王五（湖南省湘菜产业促进会）", "decision": "partly",
         "decision_label": "部分采纳", "decision_reason": "同第 1 条：已调整为 60 g。",
         "duplicate_of": 1},
    ]
    assert set(body["results"][0]) == {
        "number", "clause", "paragraph", "type", "type_label", "text", "proposed_change",
        "reason", "commenter", "commenter_type", "commenter_type_label", "submitted_at",
        "duplicate_of", "decision", "decision_label", "decision_reason"}
    _no_secrets(response)
    assert "李四" not in response.content.decode() and "某大学" not in response.content.decode()


def test_comments_page_with_limit_and_offset(cast, clock, draft):
    draft = _close(clock, draft)
    body = Client().get(f"{API}/consultations/{draft.pk}/comments",
                        {"limit": 1, "offset": 1}).json()
    assert (body["count"], [c["number"] for c in body["results"]]) == (3, [2])


def test_the_table_is_not_published_before_closing(cast, draft):
    body = Client().get(f"{API}/consultations/{draft.pk}/disposition-table").json()
    assert (body["published"], body["audience"], body["rows"], body["summary"]) == (
        False, "none", [], None)


def test_the_drafting_group_reads_the_working_table_with_names(cast, draft):
    response = _client(cast.drafter).get(f"{API}/consultations/{draft.pk}/disposition-table")
    body = response.json()
    assert (body["published"], body["audience"]) == (True, "internal")
    assert [(r["number"], r["commenter"], r["decision"], r["decision_reason"])
            for r in body["rows"]] == [
        (1, "张三（长沙市某某食品有限公司）", "部分采纳", "已调整为 60 g。"),
        (2, "李四（某大学）", "未处理", ""),
        (3, "王五（湖南省湘菜产业促进会）", "部分采纳", "同第 1 条：已调整为 60 g。")]
    _no_secrets(response)


def test_after_closing_the_public_table_has_public_names_and_exact_counts(cast, clock, draft):
    draft = _close(clock, draft)
    response = Client().get(f"{API}/consultations/{draft.pk}/disposition-table")
    body = response.json()
    assert (body["published"], body["audience"]) == (True, "public")
    assert [r["commenter"] for r in body["rows"]] == [
        "张三（长沙市某某食品有限公司）", "个人", "王五（湖南省湘菜产业促进会）"]
    assert body["summary"] == {
        "total": 3, "sentence": "共收到意见 3 条：采纳 0 条，部分采纳 2 条，不采纳 0 条，未处理 1 条。",
        "by_decision": [{"label": "采纳", "count": 0}, {"label": "部分采纳", "count": 2},
                        {"label": "不采纳", "count": 0}, {"label": "未处理", "count": 1}],
        "by_commenter_type": [{"label": "个人", "count": 1}, {"label": "企业", "count": 1},
                              {"label": "社会团体", "count": 1},
                              {"label": "科研检测机构", "count": 0},
                              {"label": "政府部门", "count": 0}, {"label": "专家", "count": 0}]}
    assert body["xlsx_url"] == f"/participation/consultations/{draft.pk}/table.xlsx"
    _no_secrets(response)
    assert "李四" not in response.content.decode()


def test_the_table_rows_page_with_limit_and_offset(cast, draft):
    body = _client(cast.drafter).get(f"{API}/consultations/{draft.pk}/disposition-table",
                                     {"limit": 2, "offset": 1}).json()
    assert (body["count"], body["limit"], body["offset"]) == (3, 2, 1)
    assert [r["number"] for r in body["rows"]] == [2, 3]
    assert body["summary"]["total"] == 3


def test_the_working_list_gives_ids_and_marks_hidden_comments(cast, draft):
    response = _client(cast.admin).get(f"{API}/consultations/{draft.pk}/dispositions")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["unanswered"], body["unverified"]) == (4, 1, 1)
    assert [(c["number"], c["hidden"], c["duplicate_of"]) for c in body["results"]] == [
        (1, False, None), (2, False, None), (3, False, 1), (4, True, None)]
    assert body["results"][3]["hidden_reason"] == HIDDEN_REASON
    text = response.content.decode()
    assert "@example.com" not in text and IP not in text and UNVERIFIED_TEXT not in text
    unanswered = _client(cast.drafter).get(f"{API}/consultations/{draft.pk}/dispositions",
                                           {"unanswered": "true"}).json()
    assert [c["number"] for c in unanswered["results"]] == [2]


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("outsider", 403), ("expert", 403), ("department", 403)])
def test_the_working_list_is_refused_to_others(cast, draft, persona, status):
    response = _client(cast.personas()[persona]).get(
        f"{API}/consultations/{draft.pk}/dispositions")
    assert response.status_code == status
    _no_secrets(response)


# --- reads: proposals -----------------------------------------------------------------------


@pytest.fixture
def proposals(cast, clock):
    def make(title):
        return services.submit_proposal(by=cast.outsider, data=services.ProposalData(
            title=title, scope="范围", reasons="理由", administration=cast.administration,
            name="陈建议", email="proposer@example.com"))

    received, declined = make("长沙米粉制作技术规范"), make("臭豆腐制作技术规范")
    services.decline_proposal(declined, by=cast.admin, reason="已有团体标准。")
    return received, declined


def test_the_proposal_list_is_public_without_names_or_contact_details(proposals):
    _received, declined = proposals
    response = Client().get(f"{API}/proposals")
    body = response.json()
    assert body["count"] == 2
    assert sorted((p["title"], p["state"], p["decision_reason"]) for p in body["results"]) == [
        ("臭豆腐制作技术规范", "declined", "已有团体标准。"),
        ("长沙米粉制作技术规范", "received", "")]
    text = response.content.decode()
    assert "proposer@example.com" not in text and "陈建议" not in text
    assert [p["id"] for p in Client().get(f"{API}/proposals", {"state": "declined"}).json()[
        "results"]] == [declined.pk]


# --- writes: opening -----------------------------------------------------------------------


def _opening(cast, **overrides) -> dict:
    today = timezone.localdate()
    return {"kind": "plan", "administration": cast.administration.pk,
            "title": "2027年度地方标准制修订计划（草案）", "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=30)).isoformat(), "plan_year": 2027,
            **overrides}


def test_an_administrator_opens_a_consultation_with_a_token(cast, clock):
    response = _post(_client(cast.admin), "/consultations", _opening(cast))
    assert response.status_code == 201
    consultation = Consultation.objects.get()
    assert response.json()["id"] == consultation.pk
    assert (consultation.kind, consultation.plan_year, consultation.created_by) == (
        "plan", 2027, cast.admin)


def test_a_targeted_opening_names_the_invited_by_id(cast, clock):
    response = _post(_client(cast.admin), "/consultations", _opening(
        cast, kind="targeted", plan_year=None, invited_organizations=[cast.committee.pk],
        invited_users=[cast.experts[0].pk]))
    assert response.status_code == 201
    consultation = Consultation.objects.get()
    assert list(consultation.invited_users.all()) == [cast.experts[0]]
    assert response.json()["is_public"] is False


@pytest.mark.parametrize(("overrides", "errors"), [
    ({"closes_on": "2026-03-10"}, {"closes_on"}),
    ({"administration": 99999}, {"administration"}),
    ({"kind": "draft"}, {"kind"}),
    ({"opens_on": "三月二日"}, {"opens_on"}),
    ({"colour": "red"}, {"colour"}),
    ({"kind": "targeted", "plan_year": None, "invited_users": [99999]}, {"invited_users"}),
])
def test_bad_openings_are_422_with_field_errors(cast, clock, overrides, errors):
    response = _post(_client(cast.admin), "/consultations", _opening(cast, **overrides))
    assert response.status_code == 422
    assert set(response.json()["errors"]) == errors
    assert Consultation.objects.count() == 0


def test_a_body_that_is_not_json_is_a_422(cast, clock):
    response = _client(cast.admin).post(f"{API}/consultations", data="nonsense",
                                        content_type="application/json")
    assert (response.status_code, response.json()["errors"]) == (
        422, {"__all__": ["请求体应为 JSON 对象。"]})


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("outsider", 403), ("drafter", 403), ("expert", 403),
    ("partner_admin", 403)])
def test_others_may_not_open_consultations(cast, clock, persona, status):
    response = _post(_client(cast.personas()[persona]), "/consultations", _opening(cast))
    assert response.status_code == status
    assert Consultation.objects.count() == 0


# --- writes: comments ------------------------------------------------------------------------


def _comment_body(**overrides) -> dict:
    return {"text": "建议增加“爆炒”的术语定义。", "clause": "3", "type": "editorial",
            "show_name": True, **overrides}


def test_a_signed_in_user_comments_with_a_token(cast, clock, draft):
    response = _post(_client(cast.outsider), f"/consultations/{draft.pk}/comments",
                     _comment_body())
    assert response.status_code == 201
    comment = Comment.objects.get(consultation=draft, number=6)
    assert response.json() == {
        "number": 6, "counted": True, "receipt_url": comment.get_receipt_url(),
        "consultation_api_url": f"{API}/consultations/{draft.pk}"}
    assert (comment.author, comment.type, comment.show_name, comment.client_ip) == (
        cast.outsider, "editorial", True, "127.0.0.1")


def test_guests_cannot_comment_through_the_api(draft, state_of):
    before = state_of()
    response = _post(Client(), f"/consultations/{draft.pk}/comments", _comment_body())
    assert response.status_code == 401
    assert state_of() == before


def test_commenting_on_a_closed_consultation_is_a_409(cast, clock, draft, state_of):
    draft = _close(clock, draft)
    before = state_of()
    response = _post(_client(cast.outsider), f"/consultations/{draft.pk}/comments",
                     _comment_body())
    assert response.status_code == 409
    assert response.json() == {"detail": "征求意见已结束，不再接受意见。",
                               "reasons": ["征求意见已结束，不再接受意见。"]}
    assert state_of() == before


def test_an_empty_comment_is_a_422(cast, draft, state_of):
    before = state_of()
    response = _post(_client(cast.outsider), f"/consultations/{draft.pk}/comments",
                     _comment_body(text="  "))
    assert (response.status_code, response.json()["errors"]) == (422, {"text": ["请填写意见。"]})
    assert state_of() == before


def test_too_many_comments_are_a_429_with_retry_after(cast, clock, draft, settings, state_of):
    settings.CONSULTATION_RATE_LIMITS = {"comment": {"per_user_hour": 2}}
    client = _client(cast.outsider)
    for _ in range(2):
        assert _post(client, f"/consultations/{draft.pk}/comments",
                     _comment_body()).status_code == 201
    before = state_of()
    response = _post(client, f"/consultations/{draft.pk}/comments", _comment_body())
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert response.json() == {"detail": "提交过于频繁，请 60 分钟后再试。", "retry_after": 3600}
    assert state_of() == before


def test_those_not_invited_cannot_find_a_targeted_consultation_to_comment_on(cast, clock,
                                                                             state_of):
    consultation = targeted_consultation(cast, users=[cast.experts[0]])
    before = state_of()
    response = _post(_client(cast.outsider), f"/consultations/{consultation.pk}/comments",
                     _comment_body())
    assert response.status_code == 404
    assert state_of() == before
    assert _post(_client(cast.experts[0]), f"/consultations/{consultation.pk}/comments",
                 _comment_body()).status_code == 201


def test_a_session_write_needs_the_csrf_token(cast, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.outsider)
    refused = _post(client, f"/consultations/{draft.pk}/comments", _comment_body())
    assert refused.status_code == 403
    client.get("/participation/consultations/new/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(f"{API}/consultations/{draft.pk}/comments",
                           data=json.dumps(_comment_body()), content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


# --- writes: answers, duplicates, moderation ---------------------------------------------------


def test_the_drafting_group_answers_a_comment(cast, draft):
    comment = _number(draft, 2)
    response = _post(_client(cast.drafter),
                     f"/consultations/{draft.pk}/comments/{comment.pk}/answer",
                     {"decision": "not_accepted", "reason": "“小炒”为通用词。"})
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["decision"], body["decision_label"],
            body["decision_reason"]) == (2, "not_accepted", "不采纳", "“小炒”为通用词。")
    assert "email" not in body and "client_ip" not in body
    comment.refresh_from_db()
    assert (comment.decision, comment.answered_by) == ("not_accepted", cast.drafter)


def test_a_reason_is_required_unless_accepted(cast, draft, state_of):
    comment = _number(draft, 2)
    before = state_of()
    response = _post(_client(cast.drafter),
                     f"/consultations/{draft.pk}/comments/{comment.pk}/answer",
                     {"decision": "partly"})
    assert (response.status_code, response.json()["errors"]) == (
        422, {"reason": ["部分采纳或不采纳时须说明理由。"]})
    assert state_of() == before


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("outsider", 403), ("expert", 403), ("administrator", 403),
    ("department", 403)])
def test_only_the_drafting_group_answers_a_draft(cast, draft, state_of, persona, status):
    comment = _number(draft, 2)
    before = state_of()
    response = _post(_client(cast.personas()[persona]),
                     f"/consultations/{draft.pk}/comments/{comment.pk}/answer",
                     {"decision": "accepted"})
    assert response.status_code == status
    assert state_of() == before


def test_a_comment_of_another_consultation_is_a_404(cast, clock, draft):
    other = _comment(plan_consultation(cast), 1, text="别处")
    response = _post(_client(cast.drafter),
                     f"/consultations/{draft.pk}/comments/{other.pk}/answer",
                     {"decision": "accepted"})
    assert response.status_code == 404


def test_answers_are_a_409_once_the_project_is_in_technical_review(cast, clock, draft,
                                                                     state_of):
    services.answer_comment(_number(draft, 2), by=cast.drafter, decision="accepted")
    draft = _close(clock, draft)
    _advance(cast, draft.project, Stage.TECHNICAL_REVIEW)
    comment = _number(draft, 2)
    before = state_of()
    response = _post(_client(cast.drafter),
                     f"/consultations/{draft.pk}/comments/{comment.pk}/answer",
                     {"decision": "not_accepted", "reason": "改主意了"})
    assert response.status_code == 409
    assert response.json()["reasons"] == ["项目已不在意见处理阶段，意见处理结果不能再修改"]
    assert state_of() == before


def test_the_drafting_group_groups_duplicates_by_id(cast, draft):
    leader, duplicate = _number(draft, 1), _number(draft, 2)
    response = _post(_client(cast.drafter), f"/consultations/{draft.pk}/duplicates",
                     {"leader_id": leader.pk, "duplicate_ids": [duplicate.pk]})
    assert response.status_code == 200
    assert [(c["number"], c["duplicate_of"], c["decision"]) for c in response.json()] == [
        (2, 1, "partly")]


@pytest.mark.parametrize(("body", "field"), [
    ({"leader_id": 99999, "duplicate_ids": []}, "leader_id"),
    ({"duplicate_ids": [1]}, "leader_id"),
])
def test_bad_groups_are_422(cast, draft, state_of, body, field):
    before = state_of()
    response = _post(_client(cast.drafter), f"/consultations/{draft.pk}/duplicates", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert state_of() == before


def test_grouping_a_hidden_comment_is_refused(cast, draft, state_of):
    before = state_of()
    response = _post(_client(cast.drafter), f"/consultations/{draft.pk}/duplicates", {
        "leader_id": _number(draft, 1).pk, "duplicate_ids": [_number(draft, 4).pk]})
    assert (response.status_code, response.json()["errors"]) == (
        422, {"duplicates": ["所选意见中有尚未确认或已被屏蔽的意见。"]})
    assert state_of() == before


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("outsider", 403), ("expert", 403), ("administrator", 403)])
def test_only_the_drafting_group_groups_duplicates(cast, draft, state_of, persona, status):
    before = state_of()
    response = _post(_client(cast.personas()[persona]),
                     f"/consultations/{draft.pk}/duplicates",
                     {"leader_id": _number(draft, 1).pk, "duplicate_ids": [_number(draft, 2).pk]})
    assert response.status_code == status
    assert state_of() == before


def test_the_administration_hides_and_restores_a_comment(cast, draft):
    comment = _number(draft, 2)
    client = _client(cast.admin)
    hidden = _post(client, f"/consultations/{draft.pk}/comments/{comment.pk}/hide",
                   {"reason": "人身攻击"})
    assert hidden.status_code == 200
    assert (hidden.json()["hidden"], hidden.json()["hidden_reason"]) == (True, "人身攻击")
    restored = _post(client, f"/consultations/{draft.pk}/comments/{comment.pk}/restore",
                     {"reason": "已核实"})
    assert (restored.status_code, restored.json()["hidden"]) == (200, False)
    assert list(comment.moderation.order_by("pk").values_list("action", "reason")) == [
        ("hidden", "人身攻击"), ("restored", "已核实")]


def test_moderation_needs_a_reason(cast, draft, state_of):
    comment = _number(draft, 2)
    before = state_of()
    response = _post(_client(cast.admin),
                     f"/consultations/{draft.pk}/comments/{comment.pk}/hide", {"reason": ""})
    assert (response.status_code, response.json()["errors"]) == (422, {"reason": ["请说明理由。"]})
    assert state_of() == before


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("outsider", 403), ("expert", 403), ("department", 403)])
@pytest.mark.parametrize("action", ["hide", "restore"])
def test_others_may_not_moderate(cast, draft, state_of, persona, status, action):
    comment = _number(draft, 4 if action == "restore" else 2)
    before = state_of()
    response = _post(_client(cast.personas()[persona]),
                     f"/consultations/{draft.pk}/comments/{comment.pk}/{action}",
                     {"reason": "理由"})
    assert response.status_code == status
    assert state_of() == before


def test_a_hidden_comment_leaves_the_public_surfaces(cast, clock, draft):
    _post(_client(cast.admin), f"/consultations/{draft.pk}/comments/{_number(draft, 2).pk}/hide",
          {"reason": HIDDEN_REASON})
    draft = _close(clock, draft)
    for path in ("comments", "disposition-table"):
        response = Client().get(f"{API}/consultations/{draft.pk}/{path}")
        assert "术语“小炒”应定义。" not in response.content.decode()
        _no_secrets(response)


# --- writes: proposals -----------------------------------------------------------------------


def _proposal_body(cast, **overrides) -> dict:
    return {"title": "长沙米粉制作技术规范", "scope": "规定了米粉的原料和制作。",
            "reasons": "米粉店多，质量参差不齐。", "administration": cast.administration.pk,
            **overrides}


def test_a_signed_in_user_proposes_a_standard(cast, clock):
    response = _post(_client(cast.outsider), "/proposals", _proposal_body(cast))
    assert response.status_code == 201
    proposal = PublicProposal.objects.get()
    body = response.json()
    assert (body["id"], body["state"], body["receipt_url"]) == (
        proposal.pk, "received", proposal.get_receipt_url())
    assert isinstance(body["novelty"], list)
    assert (proposal.author, proposal.email) == (cast.outsider, cast.outsider.email)
    assert cast.outsider.email not in response.content.decode()


def test_guests_propose_through_the_web_form_only(cast, clock):
    response = _post(Client(), "/proposals", _proposal_body(cast))
    assert response.status_code == 401
    assert PublicProposal.objects.count() == 0


def test_an_incomplete_proposal_is_a_422(cast, clock):
    response = _post(_client(cast.outsider), "/proposals", _proposal_body(cast, scope=""))
    assert (response.status_code, response.json()["errors"]) == (
        422, {"scope": ["请填写范围和主要技术内容。"]})


def test_a_nul_character_in_a_body_is_a_422_with_nothing_stored(cast, clock):
    response = _post(_client(cast.outsider), "/proposals",
                     _proposal_body(cast, scope="范围\x00内容"))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["scope"]
    assert PublicProposal.objects.count() == 0


def test_too_many_proposals_are_a_429(cast, clock, settings):
    settings.CONSULTATION_RATE_LIMITS = {"proposal": {"per_ip_day": 1}}
    client = _client(cast.outsider)
    assert _post(client, "/proposals", _proposal_body(cast)).status_code == 201
    response = _post(client, "/proposals", _proposal_body(cast))
    assert response.status_code == 429
    assert response["Retry-After"] == str(response.json()["retry_after"])
    assert PublicProposal.objects.count() == 1


def test_the_administration_accepts_a_proposal_into_a_project(cast, proposals):
    received, _declined = proposals
    response = _post(_client(cast.admin), f"/proposals/{received.pk}/accept")
    assert response.status_code == 200
    received.refresh_from_db()
    body = response.json()
    assert (body["state"], body["project"]["id"]) == ("accepted", received.project_id)
    assert body["project_api_url"] == f"{API}/projects/{received.project_id}"


def test_the_administration_declines_with_a_reason(cast, proposals):
    received, _declined = proposals
    response = _post(_client(cast.admin), f"/proposals/{received.pk}/decline",
                     {"reason": "不属于地方标准范围。"})
    assert (response.status_code, response.json()["decision_reason"]) == (
        200, "不属于地方标准范围。")


def test_a_decision_needs_a_reason_and_is_taken_once(cast, proposals, state_of):
    received, declined = proposals
    before = state_of()
    no_reason = _post(_client(cast.admin), f"/proposals/{received.pk}/decline", {"reason": ""})
    assert (no_reason.status_code, no_reason.json()["errors"]) == (
        422, {"reason": ["请说明不予采纳的理由。"]})
    again = _post(_client(cast.admin), f"/proposals/{declined.pk}/accept")
    assert (again.status_code, again.json()["errors"]) == (422, {"state": ["该建议已经处理。"]})
    assert state_of() == before


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("outsider", 403), ("expert", 403), ("partner_admin", 403)])
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_receiving_administration_decides(cast, proposals, state_of, persona, status,
                                                   action):
    received, _declined = proposals
    before = state_of()
    response = _post(_client(cast.personas()[persona]), f"/proposals/{received.pk}/{action}",
                     {"reason": "理由"} if action == "decline" else None)
    assert response.status_code == status
    assert state_of() == before


def test_an_unknown_proposal_is_a_404(cast, db):
    response = _post(_client(cast.admin), "/proposals/999/accept")
    assert (response.status_code, response.json()) == (404, {"detail": "没有编号为 999 的立项建议"})


# --- the schema ----------------------------------------------------------------------------


def test_every_endpoint_is_in_the_openapi_schema_with_a_chinese_summary(db):
    paths = Client().get(f"{API}/openapi.json").json()["paths"]
    expected = {
        ("/api/v1/consultations", "get"): "征求意见列表",
        ("/api/v1/consultations", "post"): "发起征求意见",
        ("/api/v1/consultations/{consultation_id}", "get"): "征求意见详情",
        ("/api/v1/consultations/{consultation_id}/comments", "get"): "意见及处理情况",
        ("/api/v1/consultations/{consultation_id}/comments", "post"): "提出意见",
        ("/api/v1/consultations/{consultation_id}/disposition-table", "get"): "意见汇总处理表",
        ("/api/v1/consultations/{consultation_id}/dispositions", "get"): "意见处理工作列表",
        ("/api/v1/consultations/{consultation_id}/comments/{comment_id}/answer", "post"):
            "答复意见",
        ("/api/v1/consultations/{consultation_id}/comments/{comment_id}/hide", "post"):
            "屏蔽意见",
        ("/api/v1/consultations/{consultation_id}/comments/{comment_id}/restore", "post"):
            "恢复显示意见",
        ("/api/v1/consultations/{consultation_id}/duplicates", "post"): "合并同类意见",
        ("/api/v1/proposals", "get"): "公开征集的立项建议",
        ("/api/v1/proposals", "post"): "提出立项建议",
        ("/api/v1/proposals/{proposal_id}/accept", "post"): "立项建议转为立项申请",
        ("/api/v1/proposals/{proposal_id}/decline", "post"): "不予采纳立项建议",
    }
    assert {key: paths[key[0]][key[1]]["summary"] for key in expected} == expected
    comment_post = paths["/api/v1/consultations/{consultation_id}/comments"]["post"]
    assert "访客请使用网页表单" in comment_post["description"]
    assert set(comment_post["responses"]) == {"201", "401", "403", "404", "409", "422", "429"}
    assert "requestBody" in comment_post
