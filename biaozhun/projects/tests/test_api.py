"""The projects API under /api/v1/projects: reads, every write over the personas, the journey."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from biaozhun.accounts.models import Organization, User
from biaozhun.accounts.services import create_api_token, revoke_api_token
from biaozhun.catalog.models import Standard, Status
from biaozhun.catalog.tests.factories import make_standard
from biaozhun.core import workdays
from biaozhun.projects import selectors, services
from biaozhun.projects.api import ACTION_CALLS
from biaozhun.projects.audit import verify_chain
from biaozhun.projects.models import (
    Deadline,
    DocumentKind,
    ExtensionRequest,
    NumberAdjustment,
    NumberSequence,
    Project,
    ProjectEvent,
    ReviewVote,
)
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import Cast, docx_file, make_cast, make_project, pdf_file

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = "需要认证：请在请求头中提供 API 令牌（Authorization: Bearer …），或先登录。"
API = "/api/v1/projects"


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def today():
    return timezone.localdate()


def bearer(user: User | None) -> dict:
    if user is None:
        return {}
    _, secret = create_api_token(user=user, name="测试脚本", by=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post_json(client, url: str, body: dict | None, user: User | None):
    return client.post(url, json.dumps(body or {}), content_type="application/json",
                       **bearer(user))


def upload(client, project: Project, user: User | None, kind: str, file=None, note: str = ""):
    data = {"kind": kind, "note": note}
    if file is not False:
        data["file"] = file or pdf_file(f"{kind}.pdf")
    return client.post(f"{API}/{project.pk}/documents", data, **bearer(user))


def persona(cast: Cast, name: str) -> User | None:
    return cast.personas()[name]


def snapshot(project: Project) -> dict:
    """Everything a refused write must leave as it was."""
    project = Project.objects.get(pk=project.pk)
    return {
        "stage": project.stage, "event_count": project.event_count,
        "events": ProjectEvent.objects.filter(project=project).count(),
        "documents": project.documents.count(), "votes": project.votes.count(),
        "extensions": list(project.extension_requests.values_list("state", flat=True)),
        "reviewers": sorted(project.reviewers.values_list("pk", flat=True)),
        "approved": list(project.jurisdictions.values_list("approved_at", flat=True)),
        "plan_year": project.plan_year, "deadlines": Deadline.objects.filter(
            project=project, met_at__isnull=True).count(),
        "standards": Standard.objects.count(),
    }


def _upload_for(cast: Cast, project: Project, user: User, *kinds: str) -> None:
    for kind in kinds:
        services.upload_document(project, by=user, kind=kind, upload=pdf_file(f"{kind}.pdf"))


def _comment_period_over(cast: Cast, project: Project) -> None:
    Project.objects.filter(pk=project.pk).update(
        comment_opens_on=today() - timedelta(days=31),
        comment_closes_on=today() - timedelta(days=1))


def _ready_for_approval(cast: Cast, project: Project) -> None:
    for expert in cast.experts:
        services.cast_vote(project, by=expert, choice=ReviewVote.Choice.APPROVE)
    _upload_for(cast, project, cast.drafter, DocumentKind.APPROVAL_DRAFT)
    _upload_for(cast, project, cast.department_user, DocumentKind.APPROVAL_FORM)
    _upload_for(cast, project, cast.admin, DocumentKind.REVIEW_MINUTES)


def _drafting_due(project: Project):
    return Deadline.objects.get(project=project, kind=Deadline.Kind.DRAFTING,
                                met_at__isnull=True).due_on


@dataclass(frozen=True)
class Case:
    """One action: where it starts, its body, who may and who may not, and what it does."""

    stage: str
    body: Callable[[Cast, Project], dict]
    right: str
    wrong: str
    outcome: Callable[[Project], object]
    expected: object
    prepare: Callable[[Cast, Project], None] = field(default=lambda cast, project: None)


def _stage(project: Project) -> str:
    return project.stage


CASES: dict[str, Case] = {
    "evaluate": Case(Stage.PROPOSED, lambda c, p: {"accept": True, "opinion": "同意立项"},
                     "administrator", "drafter", _stage, Stage.EVALUATED),
    "reject": Case(Stage.PROPOSED, lambda c, p: {"reason": "与现行国家标准重复"},
                   "administrator", "partner_admin", _stage, Stage.REJECTED),
    "plan": Case(Stage.EVALUATED, lambda c, p: {"plan_year": today().year},
                 "administrator", "department", lambda p: (p.stage, p.plan_year),
                 (Stage.PLANNED, timezone.localdate().year)),
    "start_drafting": Case(Stage.PLANNED, lambda c, p: {}, "drafter", "partner_admin",
                           _stage, Stage.DRAFTING),
    "request_extension": Case(
        Stage.DRAFTING, lambda c, p: {"requested_due_on": str(_drafting_due(p) +
                                                              timedelta(days=60)),
                                      "reason": "试验数据需补充一个生产季"},
        "drafter", "administrator",
        lambda p: (p.stage, list(p.extension_requests.values_list("state", flat=True))),
        (Stage.DRAFTING, [ExtensionRequest.State.PENDING])),
    "open_public_comment": Case(
        Stage.DRAFTING, lambda c, p: {"closes_on": str(today() + timedelta(days=40))},
        "drafter", "expert", lambda p: (p.stage, p.comment_closes_on),
        (Stage.PUBLIC_COMMENT, timezone.localdate() + timedelta(days=40)),
        prepare=lambda c, p: _upload_for(c, p, c.drafter, DocumentKind.COMMENT_DRAFT,
                                         DocumentKind.EXPLANATION)),
    "close_public_comment": Case(Stage.PUBLIC_COMMENT, lambda c, p: {}, "administrator",
                                 "drafter", _stage, Stage.COMMENT_RESOLUTION,
                                 prepare=_comment_period_over),
    "set_reviewers": Case(
        Stage.COMMENT_RESOLUTION, lambda c, p: {"reviewer_ids": [u.pk for u in c.experts]},
        "administrator", "drafter",
        lambda p: sorted(p.reviewers.values_list("username", flat=True)),
        ["zhuanjia1", "zhuanjia2", "zhuanjia3"]),
    "send_to_technical_review": Case(
        Stage.COMMENT_RESOLUTION, lambda c, p: {}, "drafter", "administrator", _stage,
        Stage.TECHNICAL_REVIEW,
        prepare=lambda c, p: _upload_for(c, p, c.drafter, DocumentKind.REVIEW_DRAFT,
                                         DocumentKind.DISPOSITION_TABLE)),
    "vote": Case(Stage.TECHNICAL_REVIEW, lambda c, p: {"choice": "approve", "opinion": "同意"},
                 "expert", "drafter",
                 lambda p: list(p.votes.values_list("voter__username", "choice", "opinion")),
                 [("zhuanjia1", "approve", "同意")]),
    "submit_for_approval": Case(Stage.TECHNICAL_REVIEW, lambda c, p: {}, "drafter",
                                "administrator", _stage, Stage.SUBMITTED,
                                prepare=_ready_for_approval),
    "return_for_rework": Case(
        Stage.TECHNICAL_REVIEW, lambda c, p: {"reason": "技术指标依据不足"}, "administrator",
        "drafter", lambda p: (p.stage, p.review_round), (Stage.COMMENT_RESOLUTION, 2)),
    "approve": Case(Stage.SUBMITTED, lambda c, p: {}, "administrator", "partner_admin",
                    lambda p: (p.stage, p.issuer, p.sequence),
                    (Stage.APPROVED, "DB4301/T", 1)),
    "publish": Case(
        Stage.APPROVED, lambda c, p: {"issued_on": str(today()),
                                      "effective_on": str(today() + timedelta(days=90))},
        "administrator", "partner_admin",
        lambda p: (p.stage, p.standard.code, p.standard.status),
        (Stage.PUBLISHED, f"DB4301/T 1-{timezone.localdate().year}", Status.UPCOMING)),
    "file": Case(Stage.PUBLISHED, lambda c, p: {"filed_on": str(today()),
                                                "filing_number": "备 12345-2026"},
                 "administrator", "drafter", lambda p: (p.stage, p.filed_on),
                 (Stage.FILED, timezone.localdate())),
    "terminate": Case(Stage.DRAFTING, lambda c, p: {"reason": "国家标准已立项"},
                      "administrator", "drafter", _stage, Stage.TERMINATED),
}


def test_every_action_of_the_selectors_is_on_the_api_and_tested():
    assert set(ACTION_CALLS) == set(selectors.ACTIONS) == set(CASES)


# --- Actions: the permission matrix ----------------------------------------------------------


@pytest.mark.parametrize("action", list(CASES))
@pytest.mark.parametrize("who", ["anonymous", "outsider", "wrong", "right"])
def test_action_permission_matrix(client, cast, action, who):
    case = CASES[action]
    project = make_project(cast, stage=case.stage)
    case.prepare(cast, project)
    user = persona(cast, {"wrong": case.wrong, "right": case.right}.get(who, who))
    before = snapshot(project)

    response = post_json(client, f"{API}/{project.pk}/actions/{action}",
                         case.body(cast, project), user)

    expected = {"anonymous": 401, "outsider": 403, "wrong": 403, "right": 200}[who]
    assert response.status_code == expected, response.content.decode()
    if who != "right":
        assert response.json() == {"anonymous": {"detail": UNAUTHENTICATED}}.get(
            who, {"detail": "无权执行此操作。"})
        assert snapshot(project) == before
        return
    project = Project.objects.get(pk=project.pk)
    assert case.outcome(project) == case.expected
    body = response.json()
    assert (body["id"], body["stage"], body["event_count"]) == \
        (project.pk, project.stage, project.event_count)
    assert project.event_count > before["event_count"]


def test_the_response_lists_what_the_caller_may_do_next(client, cast):
    project = make_project(cast, stage=Stage.PROPOSED)
    response = post_json(client, f"{API}/{project.pk}/actions/evaluate",
                         {"accept": True, "opinion": "同意立项"}, cast.admin)
    assert [(a["name"], a["to_stage"], a["blocked_by"]) for a in response.json()["actions"]] == [
        ("reject", "rejected", []), ("plan", "planned", [])]
    assert response.json()["actions"][1]["api_url"] == f"{API}/{project.pk}/actions/plan"


# --- Refusals: 404, 409, 422 -----------------------------------------------------------------


def test_unknown_project_is_404(client, cast):
    assert client.get(f"{API}/999999").json() == {"detail": "没有编号为 999999 的项目"}
    response = post_json(client, f"{API}/999999/actions/evaluate",
                         {"accept": True, "opinion": "同意"}, cast.admin)
    assert (response.status_code, response.json()) == (404, {"detail": "没有编号为 999999 的项目"})
    assert client.get(f"{API}/999999/events").status_code == 404


def test_unknown_action_is_404(client, cast):
    project = make_project(cast)
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/actions/promote", {}, cast.admin)
    assert response.status_code == 404
    assert response.json()["detail"].startswith("没有操作 promote")
    assert snapshot(project) == before


def test_a_guarded_move_without_documents_is_409_with_reasons(client, cast):
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/actions/send_to_technical_review", {},
                         cast.drafter)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "意见处理 → 技术审查：缺少材料：送审稿；缺少材料：意见汇总处理表",
        "reasons": ["缺少材料：送审稿", "缺少材料：意见汇总处理表"],
        "from_stage": "comment_resolution", "to_stage": "technical_review"}
    assert snapshot(project) == before


def test_a_move_the_table_forbids_is_409(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/actions/publish",
                         {"issued_on": str(today()), "effective_on": str(today())}, cast.admin)
    assert (response.status_code, response.json()["reasons"]) == (409, ["流程不允许此操作"])
    assert snapshot(project) == before


def test_a_malformed_date_is_422_with_the_field(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    _upload_for(cast, project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/actions/open_public_comment",
                         {"closes_on": "2026-02-30"}, cast.drafter)
    assert (response.status_code, response.json()) == (422, {
        "detail": "日期格式应为 YYYY-MM-DD。", "errors": {"closes_on": ["日期格式应为 YYYY-MM-DD。"]}})
    assert snapshot(project) == before


def test_a_comment_period_too_short_is_422(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    _upload_for(cast, project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/actions/open_public_comment",
                         {"closes_on": str(today() + timedelta(days=5))}, cast.drafter)
    minimum = workdays.due(today(), "public_comment_min")
    assert (minimum.on, response.status_code) == (today() + timedelta(days=30), 422)
    assert response.json()["errors"] == {
        "closes_on": [f"征求意见期不少于{minimum.basis}，截止日期最早为 {minimum.on.isoformat()}。"]}
    assert snapshot(project) == before


def test_effective_before_issued_is_422(client, cast):
    project = make_project(cast, stage=Stage.APPROVED)
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/actions/publish",
                         {"issued_on": str(today()),
                          "effective_on": str(today() - timedelta(days=1))}, cast.admin)
    assert (response.status_code, response.json()["errors"]) == (
        422, {"effective_on": ["实施日期不能早于发布日期。"]})
    assert snapshot(project) == before


def test_missing_and_unknown_fields_are_422(client, cast):
    project = make_project(cast, stage=Stage.PROPOSED)
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/actions/evaluate",
                         {"accept": "perhaps", "verdict": "同意"}, cast.admin)
    assert (response.status_code, response.json()["errors"]) == (422, {
        "accept": ["应为 true 或 false。"], "opinion": ["必填。"], "verdict": ["不支持此字段。"]})
    assert snapshot(project) == before


def test_a_body_that_is_not_json_is_422(client, cast):
    project = make_project(cast, stage=Stage.PROPOSED)
    response = client.post(f"{API}/{project.pk}/actions/reject", "reason=重复",
                           content_type="text/plain", **bearer(cast.admin))
    assert (response.status_code, response.json()) == (422, {
        "detail": "请求体应为 JSON 对象。", "errors": {"__all__": ["请求体应为 JSON 对象。"]}})


def test_an_outsider_gets_403_before_the_body_is_validated(client, cast):
    project = make_project(cast, stage=Stage.PROPOSED)
    response = post_json(client, f"{API}/{project.pk}/actions/evaluate", {"x": 1}, cast.outsider)
    assert response.status_code == 403


def test_a_vote_choice_outside_the_list_is_422(client, cast):
    project = make_project(cast, stage=Stage.TECHNICAL_REVIEW)
    response = post_json(client, f"{API}/{project.pk}/actions/vote", {"choice": "yes"},
                         cast.experts[0])
    assert (response.status_code, response.json()["errors"]) == (
        422, {"choice": ["可选值：'approve', 'disapprove' or 'abstain'。"]})
    assert project.votes.count() == 0


def test_unknown_reviewers_are_422(client, cast):
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    response = post_json(client, f"{API}/{project.pk}/actions/set_reviewers",
                         {"reviewer_ids": [cast.experts[0].pk, 987654]}, cast.admin)
    assert (response.status_code, response.json()["errors"]) == (
        422, {"reviewer_ids": ["没有编号为 987654 的用户。"]})
    assert project.reviewers.count() == 0


def test_drafters_cannot_sit_on_the_panel(client, cast):
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    response = post_json(client, f"{API}/{project.pk}/actions/set_reviewers",
                         {"reviewer_ids": [cast.drafter.pk]}, cast.admin)
    assert (response.status_code, response.json()["errors"]) == (
        422, {"reviewer_ids": ["起草单位人员不能担任审查专家：qicao"]})


def test_numbering_without_a_region_code_is_409_and_rolls_back(client, cast):
    project = make_project(cast, stage=Stage.SUBMITTED, joint=True, numbering="each")
    Organization.objects.filter(pk=cast.partner.pk).update(region_code="")
    assert post_json(client, f"{API}/{project.pk}/actions/approve", {}, cast.admin) \
        .status_code == 200
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/actions/approve", {}, cast.partner_admin)
    assert (response.status_code, response.json()["reasons"]) == (
        409, ["株洲市市场监督管理局 未设置行政区划代码，无法编号。"])
    assert snapshot(project) == before
    assert NumberSequence.objects.count() == 0


HUGE = 10**20


@pytest.mark.parametrize("call", [
    lambda client, cast, p: client.get(API, {"administration": HUGE}),
    lambda client, cast, p: client.get(API, {"year": HUGE}),
    lambda client, cast, p: post_json(client, API, proposal(cast, administration=HUGE,
                                                            partners=[HUGE]), cast.admin),
    lambda client, cast, p: post_json(client, f"{API}/{p.pk}/actions/terminate",
                                      {"reason": "\x00"}, cast.admin),
    lambda client, cast, p: post_json(client, f"{API}/numbers/adjust",
                                      {"issuer": "DB43/T", "last_sequence": HUGE,
                                       "reason": "x"}, cast.admin),
    lambda client, cast, p: client.get(API, {"q": "辣椒\x00"}),
    lambda client, cast, p: upload(client, p, cast.drafter, "comment_draft", note="\x00"),
], ids=["administration", "year", "proposal ids", "nul in body", "sequence", "nul in query",
        "nul in form"])
def test_out_of_range_numbers_and_nul_characters_are_422_not_500(client, cast, call):
    project = make_project(cast, stage=Stage.DRAFTING)
    before = snapshot(project)
    response = call(client, cast, project)
    assert (response.status_code, set(response.json())) == (422, {"detail", "errors"})
    assert snapshot(project) == before


def test_huge_ids_in_the_path_are_404(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    assert client.get(f"{API}/{HUGE}").status_code == 404
    assert post_json(client, f"{API}/{project.pk}/extensions/{HUGE}/decision", {"grant": True},
                     cast.admin).status_code == 404


# --- Authentication --------------------------------------------------------------------------


def test_a_revoked_token_is_401_and_changes_nothing(client, cast):
    project = make_project(cast)
    token, secret = create_api_token(user=cast.admin, name="旧令牌", by=cast.admin)
    revoke_api_token(token, by=cast.admin)
    before = snapshot(project)
    response = client.post(f"{API}/{project.pk}/actions/evaluate",
                           json.dumps({"accept": True, "opinion": "同意"}),
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert (response.status_code, response.json()) == (401, {"detail": UNAUTHENTICATED})
    assert response["WWW-Authenticate"] == "Bearer"
    assert snapshot(project) == before


def test_a_token_acts_as_its_user_in_the_event_trail(client, cast):
    project = make_project(cast)
    post_json(client, f"{API}/{project.pk}/actions/evaluate",
              {"accept": True, "opinion": "同意立项"}, cast.admin)
    last = ProjectEvent.objects.filter(project=project).order_by("-seq").first()
    assert (last.kind, last.actor, last.to_stage) == ("stage_changed", cast.admin, "evaluated")


def test_session_writes_need_the_csrf_token(cast):
    project = make_project(cast)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.admin)
    url = f"{API}/{project.pk}/actions/evaluate"
    body = json.dumps({"accept": True, "opinion": "同意立项"})
    before = snapshot(project)

    refused = browser.post(url, body, content_type="application/json")
    assert (refused.status_code, refused.json()) == (
        403, {"detail": "使用登录会话时，写请求须带 CSRF 令牌（X-CSRFToken）。"})
    assert snapshot(project) == before

    csrf = "abcdefghijklmnopqrstuvwxyzABCDEF"
    browser.cookies["csrftoken"] = csrf
    accepted = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert (accepted.status_code, accepted.json()["stage"]) == (200, "evaluated")


def test_a_session_without_sign_in_is_401_not_403(cast):
    project = make_project(cast)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"{API}/{project.pk}/actions/evaluate", "{}",
                            content_type="application/json")
    assert response.status_code == 401


# --- Documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who,expected", [("anonymous", 401), ("outsider", 403),
                                          ("department", 403), ("administrator", 403),
                                          ("drafter", 201)])
def test_upload_permission_matrix(client, cast, who, expected):
    project = make_project(cast, stage=Stage.DRAFTING)
    before = snapshot(project)
    response = upload(client, project, persona(cast, who), DocumentKind.COMMENT_DRAFT,
                      note="第一稿")
    assert response.status_code == expected, response.content.decode()
    if expected != 201:
        assert snapshot(project) == before
        return
    document = project.documents.get(kind=DocumentKind.COMMENT_DRAFT)
    assert response.json() == {
        "id": document.pk, "kind": "comment_draft", "label": "征求意见稿", "version": 1,
        "original_name": "comment_draft.pdf", "extension": "pdf", "size": document.size,
        "sha256": document.sha256, "note": "第一稿",
        "uploaded_at": response.json()["uploaded_at"], "public": False, "download_url": None}
    assert Project.objects.get(pk=project.pk).event_count == before["event_count"] + 1


def test_a_second_upload_is_a_new_version(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    upload(client, project, cast.drafter, DocumentKind.EXPLANATION)
    response = upload(client, project, cast.drafter, DocumentKind.EXPLANATION,
                      file=docx_file("说明.docx"))
    assert (response.status_code, response.json()["version"],
            response.json()["extension"]) == (201, 2, "docx")


@pytest.mark.parametrize("kind,file,errors", [
    ("comment_draft", False, {"file": ["请选择文件。"]}),
    ("minutes", None, {"kind": ["可选值：" + "、".join(DocumentKind.values) + "。"]}),
    ("comment_draft", "text", {"file": ["无法识别“draft.txt”的格式（旧版 .doc/.xls、加密或损坏的文件"
                                        "不能上传），请上传 PDF、Word（.docx）。"]}),
])
def test_upload_refusals_are_422(client, cast, kind, file, errors):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = make_project(cast, stage=Stage.DRAFTING)
    before = snapshot(project)
    if file == "text":
        file = SimpleUploadedFile("draft.txt", b"just text", content_type="text/plain")
    response = upload(client, project, cast.drafter, kind, file=file)
    assert (response.status_code, response.json()["errors"]) == (422, errors)
    assert snapshot(project) == before


def test_upload_to_an_unknown_project_is_404(client, cast):
    assert upload(client, Project(pk=424242), cast.drafter, "comment_draft").status_code == 404


# --- Proposals ---------------------------------------------------------------------------------


def proposal(cast: Cast, **changes) -> dict:
    return {"title": "米粉制作技术规范", "scope": "规定了米粉的原料和工艺。", "reasons": "产业需要",
            "administration": cast.administration.pk, "proposing_unit": cast.department.pk,
            "competent_department": cast.department.pk, "committee": cast.committee.pk,
            "drafting_orgs": [cast.drafting.pk], **changes}


@pytest.mark.parametrize("who,expected", [("anonymous", 401), ("outsider", 201),
                                          ("department", 201)])
def test_propose_permission_matrix(client, cast, who, expected):
    # Anyone signed in may propose (DOMAIN.md: 立项申请), so there is no wrong role.
    response = post_json(client, API, proposal(cast), persona(cast, who))
    assert response.status_code == expected
    assert Project.objects.count() == (1 if expected == 201 else 0)
    if expected == 201:
        project = Project.objects.get()
        body = response.json()
        assert (body["id"], body["stage"], body["reference"], body["title"]) == (
            project.pk, "proposed", f"{today().year}-{project.pk:05d}", "米粉制作技术规范")
        assert (project.proposer, body["drafting_orgs"], body["jurisdictions"][0]["is_lead"]) \
            == (persona(cast, who), [{"id": cast.drafting.pk, "name": "长沙市标准化研究院"}], True)


def test_propose_a_revision_of_a_catalogue_standard_in_any_spelling(client, cast):
    old = make_standard("DB4301/T 5-2020", title_zh="米粉", status=Status.CURRENT)
    response = post_json(client, API, proposal(cast, kind="revision", revises="db4301/t5—2020"),
                         cast.department_user)
    assert (response.status_code, response.json()["revises"]) == (201, "DB4301/T 5-2020")
    assert Project.objects.get().revises == old


@pytest.mark.parametrize("changes,errors", [
    ({"kind": "revision", "revises": "DB4301/T 999-2020"},
     {"revises": ["目录中没有标准 DB4301/T 999-2020。"]}),
    ({"administration": 987654, "drafting_orgs": [987655]},
     {"administration": ["没有编号为 987654 的机构。"], "drafting_orgs": ["没有编号为 987655 的机构。"]}),
    ({"title": "  "}, {"title": ["请填写标准名称。"]}),
    ({"kind": "revision"}, {"revises": ["修订项目须指明被修订的标准。"]}),
    ({"nature": "guidance"}, {"nature": ["可选值：'recommended' or 'mandatory'。"]}),
])
def test_propose_refusals_are_422(client, cast, changes, errors):
    response = post_json(client, API, proposal(cast, **changes), cast.department_user)
    assert (response.status_code, response.json()["errors"]) == (422, errors)
    assert Project.objects.count() == 0


def test_propose_with_a_non_number_for_revises_is_422(client, cast):
    response = post_json(client, API, proposal(cast, kind="revision", revises="辣椒炒肉"),
                         cast.department_user)
    assert response.status_code == 422
    assert response.json()["errors"]["revises"] == ["不是有效的标准号：开头缺少标准代号"]


def test_propose_under_a_department_is_422(client, cast):
    response = post_json(client, API, proposal(cast, administration=cast.department.pk),
                         cast.department_user)
    assert (response.status_code, response.json()["errors"]) == (
        422, {"administration": ["须为标准化行政主管部门。"]})


# --- Extensions --------------------------------------------------------------------------------


@pytest.mark.parametrize("who,expected", [("anonymous", 401), ("outsider", 403),
                                          ("drafter", 403), ("partner_admin", 403),
                                          ("administrator", 200)])
def test_extension_decision_permission_matrix(client, cast, who, expected):
    project = make_project(cast, stage=Stage.DRAFTING)
    due = _drafting_due(project)
    request = services.request_extension(project, by=cast.drafter,
                                         requested_due_on=due + timedelta(days=60),
                                         reason="需补充试验")
    before = snapshot(project)
    response = post_json(client, f"{API}/{project.pk}/extensions/{request.pk}/decision",
                         {"grant": True, "note": "同意"}, persona(cast, who))
    assert response.status_code == expected
    if expected != 200:
        assert snapshot(project) == before
        return
    assert (response.json()["stage"], response.json()["extension_requests"][0]["state"]) == \
        ("extended", "granted")
    assert _drafting_due(project) == due + timedelta(days=60)


def test_refusing_an_extension_needs_a_note(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    request = services.request_extension(project, by=cast.drafter,
                                         requested_due_on=_drafting_due(project)
                                         + timedelta(days=10), reason="需补充试验")
    url = f"{API}/{project.pk}/extensions/{request.pk}/decision"
    response = post_json(client, url, {"grant": False}, cast.admin)
    assert (response.status_code, response.json()["errors"]) == (
        422, {"note": ["不同意延期时须说明理由。"]})
    assert post_json(client, url, {"grant": False, "note": "理由不充分"},
                     cast.admin).status_code == 200
    again = post_json(client, url, {"grant": True}, cast.admin)
    assert (again.status_code, again.json()["reasons"]) == (409, ["该申请已有决定"])


def test_an_extension_of_another_project_is_404(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    other = make_project(cast, stage=Stage.DRAFTING, title="另一个项目")
    request = services.request_extension(other, by=cast.drafter,
                                         requested_due_on=_drafting_due(other)
                                         + timedelta(days=10), reason="需补充试验")
    response = post_json(client, f"{API}/{project.pk}/extensions/{request.pk}/decision",
                         {"grant": True}, cast.admin)
    assert response.status_code == 404


# --- Numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who,expected", [("anonymous", 401), ("outsider", 403),
                                          ("drafter", 403), ("administrator", 200)])
def test_number_list_permission_matrix(client, cast, who, expected):
    NumberSequence.objects.create(issuer="DB43/T", last_sequence=41)
    make_standard("DB43/T 45-2020")
    response = client.get(f"{API}/numbers", **bearer(persona(cast, who)))
    assert response.status_code == expected
    if expected == 200:
        assert [(r["issuer"], r["last_sequence"], r["next_sequence"], r["adjustments"])
                for r in response.json()] == [("DB43/T", 41, 46, [])]


@pytest.mark.parametrize("who,expected", [("anonymous", 401), ("outsider", 403),
                                          ("drafter", 403), ("administrator", 200)])
def test_number_adjustment_permission_matrix(client, cast, who, expected):
    NumberSequence.objects.create(issuer="DB43/T", last_sequence=41)
    response = post_json(client, f"{API}/numbers/adjust",
                         {"issuer": "DB43/T", "last_sequence": 50, "reason": "补录纸质时期编号"},
                         persona(cast, who))
    assert response.status_code == expected
    row = NumberSequence.objects.get(issuer="DB43/T")
    if expected != 200:
        assert (row.last_sequence, NumberAdjustment.objects.count()) == (41, 0)
        return
    assert (row.last_sequence, response.json()["next_sequence"]) == (50, 51)
    adjustment = response.json()["adjustments"][0]
    assert (adjustment["from_value"], adjustment["to_value"], adjustment["reason"],
            adjustment["by"]) == (41, 50, "补录纸质时期编号", "guanli")


@pytest.mark.parametrize("body,errors", [
    ({"issuer": "GB/T", "last_sequence": 3, "reason": "x"},
     {"issuer": ["标准代号应为 DB + 行政区划代码（可加 /T），如 DB43/T。"]}),
    ({"issuer": "DB4301/T", "last_sequence": 3, "reason": " "}, {"reason": ["请说明调整理由。"]}),
    ({"issuer": "DB4301/T", "last_sequence": -1, "reason": "x"},
     {"last_sequence": ["顺序号不能为负数。"]}),
])
def test_number_adjustment_refusals_are_422(client, cast, body, errors):
    response = post_json(client, f"{API}/numbers/adjust", body, cast.admin)
    assert (response.status_code, response.json()["errors"]) == (422, errors)
    assert NumberAdjustment.objects.count() == 0


# --- Reads -------------------------------------------------------------------------------------


def test_list_filters_and_pages(client, cast, django_assert_num_queries):
    drafting = make_project(cast, stage=Stage.DRAFTING, title="湘绣 针法")
    proposed = make_project(cast, stage=Stage.PROPOSED, title="米粉 制作")
    with django_assert_num_queries(2):
        body = client.get(API, {"limit": 1}).json()
    assert (body["count"], body["limit"], body["offset"]) == (2, 1, 0)
    assert [r["id"] for r in body["results"]] == [proposed.pk]
    assert [r["id"] for r in client.get(API, {"limit": 1, "offset": 1}).json()["results"]] == [
        drafting.pk]
    assert [r["id"] for r in client.get(API, {"stage": "drafting"}).json()["results"]] == [
        drafting.pk]
    assert [r["id"] for r in client.get(API, {"q": "米粉"}).json()["results"]] == [proposed.pk]
    assert client.get(API, {"year": today().year}).json()["count"] == 1
    assert client.get(API, {"administration": cast.partner.pk}).json()["count"] == 0
    assert client.get(API, {"overdue": "true"}).json()["count"] == 0
    row = client.get(API, {"stage": "drafting"}).json()["results"][0]
    assert row == {
        "id": drafting.pk, "reference": drafting.reference, "title": "湘绣 针法",
        "stage": "drafting", "stage_label": "起草", "stage_code": "20.20",
        "administration": {"id": cast.administration.pk, "name": "长沙市市场监督管理局"},
        "plan_year": today().year, "code": "", "updated_at": row["updated_at"],
        "url": f"/projects/{drafting.pk}/", "api_url": f"{API}/{drafting.pk}"}


def test_list_refuses_an_unknown_stage_and_a_big_page(client):
    response = client.get(API, {"stage": "done", "limit": 101, "offset": "x"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "stage": ["可选值：" + ", ".join(f"'{s}'" for s in Stage.values[:-1])
                  + f" or '{Stage.values[-1]}'。"],
        "limit": ["不能大于 100。"], "offset": ["应为整数。"]}
    assert client.get(API, {"offset": -1}).json()["errors"] == {"offset": ["不能小于 0。"]}
    # An offset the database cannot take is refused, not a server error.
    assert client.get(API, {"offset": 10**19}).json()["errors"] == {
        "offset": ["不能大于 1000000000。"]}


def test_overdue_filter(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    Deadline.objects.filter(project=project, met_at__isnull=True).update(
        overdue_since=today())
    make_project(cast, stage=Stage.DRAFTING, title="不逾期")
    assert [r["id"] for r in client.get(API, {"overdue": "true"}).json()["results"]] == [
        project.pk]


def test_detail_hides_non_public_files_and_shows_no_actions_to_anonymous(client, cast):
    project = make_project(cast, stage=Stage.PUBLIC_COMMENT, joint=True)
    body = client.get(f"{API}/{project.pk}").json()
    assert body["actions"] == []
    urls = {d["kind"]: d["download_url"] for d in body["documents"]}
    documents = {d.kind: d.pk for d in project.documents.all()}
    assert urls == {
        "proposal_form": None,
        "comment_draft": f"/projects/{project.pk}/documents/{documents['comment_draft']}/",
        "explanation": f"/projects/{project.pk}/documents/{documents['explanation']}/"}
    assert [(j["administration"]["name"], j["is_lead"], j["approved_at"])
            for j in body["jurisdictions"]] == [("长沙市市场监督管理局", True, None),
                                                ("株洲市市场监督管理局", False, None)]
    assert (body["committee"]["name"], body["comment_closes_on"]) == (
        "长沙市食品安全标准化技术委员会", project.comment_closes_on.isoformat())
    assert [(d["due_on"], d["met_at"], d["responsible"]["name"]) for d in body["deadlines"]
            if d["kind"] == "comment_period"] == [
        (project.comment_closes_on.isoformat(), None, "长沙市标准化研究院")]


def test_drafts_are_not_public_before_the_comment_period(client, cast):
    project = make_project(cast, stage=Stage.DRAFTING)
    _upload_for(cast, project, cast.drafter, DocumentKind.COMMENT_DRAFT)
    body = client.get(f"{API}/{project.pk}").json()
    assert [(d["kind"], d["public"], d["download_url"]) for d in body["documents"]] == [
        ("comment_draft", False, None), ("proposal_form", False, None)]


def test_detail_shows_the_callers_actions_by_token_or_session(client, cast):
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    by_token = client.get(f"{API}/{project.pk}", **bearer(cast.drafter)).json()
    assert [(a["name"], a["blocked_by"]) for a in by_token["actions"]] == [
        ("open_public_comment", []),
        ("send_to_technical_review", ["缺少材料：送审稿", "缺少材料：意见汇总处理表"])]
    client.force_login(cast.admin)
    by_session = client.get(f"{API}/{project.pk}").json()
    assert [a["name"] for a in by_session["actions"]] == [
        "open_public_comment", "set_reviewers", "terminate"]
    anonymous = Client().get(f"{API}/{project.pk}",
                             HTTP_AUTHORIZATION="Bearer bz_not-a-token").json()
    assert anonymous["actions"] == []


def test_detail_vote_tally(client, cast):
    project = make_project(cast, stage=Stage.TECHNICAL_REVIEW)
    services.cast_vote(project, by=cast.experts[0], choice=ReviewVote.Choice.APPROVE)
    services.cast_vote(project, by=cast.experts[1], choice=ReviewVote.Choice.DISAPPROVE)
    assert client.get(f"{API}/{project.pk}").json()["vote"] == {
        "round": 1, "panel": 3, "present": 2, "approve": 1, "disapprove": 1, "abstain": 0,
        "quorum": "2/3", "majority": "3/4", "quorum_met": True, "passed": False}


def test_events_timeline(client, cast):
    project = make_project(cast, stage=Stage.EVALUATED)
    events = client.get(f"{API}/{project.pk}/events").json()
    assert [(e["seq"], e["kind"], e["actor_label"], e["from_stage"], e["to_stage"])
            for e in events] == [
        (1, "proposed", "bumen", "", "proposed"),
        (2, "document_uploaded", "bumen", "", ""),
        (3, "deadline_set", "系统", "", ""),
        (4, "evaluated", "guanli", "", ""),
        (5, "stage_changed", "guanli", "proposed", "evaluated")]
    assert [e["prev_hash"] for e in events] == [""] + [e["hash"] for e in events[:-1]]
    assert events[4]["note"] == "同意立项"
    assert set(events[0]) == {"seq", "kind", "label", "actor_label", "at", "from_stage",
                              "to_stage", "note", "hash", "prev_hash"}


def test_stages_table(client):
    stages = {s["stage"]: s for s in client.get(f"{API}/stages").json()}
    assert list(stages) == list(Stage.values)
    assert stages["drafting"] == {"stage": "drafting", "label": "起草", "code": "20.20",
                                  "next": ["extended", "public_comment", "terminated"],
                                  "terminal": False, "main_line": True}
    assert stages["terminated"] == {"stage": "terminated", "label": "终止", "code": "20.98",
                                    "next": [], "terminal": True, "main_line": False}


def test_openapi_lists_the_projects_paths_with_chinese_descriptions(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/projects", "/api/v1/projects/{project_id}",
                 "/api/v1/projects/{project_id}/events", "/api/v1/projects/stages",
                 "/api/v1/projects/{project_id}/documents",
                 "/api/v1/projects/{project_id}/extensions/{request_id}/decision",
                 "/api/v1/projects/numbers", "/api/v1/projects/numbers/adjust"):
        assert path in paths, path
    for action in selectors.ACTIONS:
        operation = paths[f"/api/v1/projects/{{project_id}}/actions/{action}"]["post"]
        assert operation["tags"] == ["地方标准项目"]
        assert set(operation["responses"]) == {"200", "401", "403", "404", "409", "422"}
    publish = paths["/api/v1/projects/{project_id}/actions/publish"]["post"]
    body = publish["requestBody"]["content"]["application/json"]["schema"]
    assert (body["required"], body["properties"]["issued_on"]["description"]) == (
        ["issued_on", "effective_on"], "发布日期")
    assert paths["/api/v1/projects"]["post"]["requestBody"]["content"]["application/json"][
        "schema"]["properties"]["revises"]["description"] == "被修订标准的标准号（任意写法），修订项目必填"
    assert schema["components"]["schemas"]["ProjectOut"]["properties"]["actions"][
        "description"] == "调用者现在可执行的操作（匿名访问时为空）"


# --- The whole journey -------------------------------------------------------------------------


def test_journey_from_proposal_to_the_catalogue(client, cast):
    def act(user, action, body=None, expect=200):
        response = post_json(client, f"{API}/{pk}/actions/{action}", body, user)
        assert response.status_code == expect, (action, response.content.decode())
        return response.json()

    def send(user, kind, file=None):
        response = upload(client, Project(pk=pk), user, kind, file=file)
        assert response.status_code == 201, (kind, response.content.decode())

    created = post_json(client, API, proposal(cast, partners=[cast.partner.pk],
                                              numbering="each"), cast.department_user)
    assert created.status_code == 201
    pk = created.json()["id"]
    send(cast.department_user, DocumentKind.PROPOSAL_FORM)
    act(cast.admin, "evaluate", {"accept": True, "opinion": "同意立项"})
    act(cast.admin, "plan", {"plan_year": today().year})
    act(cast.drafter, "start_drafting")
    send(cast.drafter, DocumentKind.COMMENT_DRAFT, docx_file("征求意见稿.docx"))
    send(cast.drafter, DocumentKind.EXPLANATION)
    act(cast.drafter, "open_public_comment", {"closes_on": str(today() + timedelta(days=30))})
    # The comment period has run.
    _comment_period_over(cast, Project(pk=pk))
    act(cast.admin, "close_public_comment")
    send(cast.drafter, DocumentKind.REVIEW_DRAFT)
    send(cast.drafter, DocumentKind.DISPOSITION_TABLE)
    act(cast.admin, "set_reviewers", {"reviewer_ids": [u.pk for u in cast.experts]})
    act(cast.drafter, "send_to_technical_review")
    for expert in cast.experts:
        act(expert, "vote", {"choice": "approve"})
    send(cast.drafter, DocumentKind.APPROVAL_DRAFT)
    send(cast.department_user, DocumentKind.APPROVAL_FORM)
    send(cast.admin, DocumentKind.REVIEW_MINUTES)
    act(cast.drafter, "submit_for_approval")
    waiting = act(cast.admin, "approve")
    assert (waiting["stage"], [j["approved_at"] is None for j in waiting["jurisdictions"]]) == \
        ("submitted", [False, True])
    approved = act(cast.partner_admin, "approve")
    year = today().year
    assert (approved["stage"], approved["issuer"], approved["sequence"],
            [j["sequence"] for j in approved["jurisdictions"]]) == (
        "approved", "DB4301/T", 1, [1, 1])
    published = act(cast.admin, "publish", {"issued_on": str(today()),
                                            "effective_on": str(today() + timedelta(days=90))})
    code = f"DB4301/T 1-{year}"
    assert (published["stage"], published["code"],
            [j["code"] for j in published["jurisdictions"]]) == (
        "published", code, [code, f"DB4302/T 1-{year}"])

    standard = client.get(published["standard_api_url"]).json()
    assert (standard["code"], standard["status"], standard["title_zh"], standard["level"]) == (
        code, "upcoming", "米粉制作技术规范", "local")
    assert Standard.objects.get(code=code).status == Status.UPCOMING
    partner_number = client.get(f"/api/v1/standards/DB4302/T 1-{year}").json()
    assert partner_number["code"] == code

    events = list(ProjectEvent.objects.filter(project_id=pk).order_by("seq"))
    assert verify_chain(events, pk) is None
    assert len(events) == Project.objects.get(pk=pk).event_count
    assert [e["seq"] for e in client.get(f"{API}/{pk}/events").json()] == \
        list(range(1, len(events) + 1))
