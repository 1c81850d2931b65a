"""The lifecycle services: the happy path end to end, refusals, guards, extensions, documents,
publication into the catalogue, joint standards and the daily run.

Dates are frozen by the `clock` fixture (conftest); expected deadlines come from
`core.workdays`, as the services compute them.
"""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from biaozhun.accounts.models import Membership, User
from biaozhun.catalog.models import (
    Level,
    Nature,
    RelationKind,
    Standard,
    StandardAlias,
    StandardRelation,
    Status,
)
from biaozhun.catalog.services import refresh_status
from biaozhun.catalog.tests.factories import make_standard
from biaozhun.core import workdays
from biaozhun.projects import guards, services
from biaozhun.projects.audit import verify_all
from biaozhun.projects.models import (
    Deadline,
    DocumentKind,
    NumberSequence,
    Project,
    ProjectDocument,
    ProjectEvent,
    ReviewVote,
)
from biaozhun.projects.stages import InvalidTransition, Stage
from biaozhun.projects.tests.factories import docx_file, make_project, pdf_file

pytestmark = pytest.mark.django_db


def kinds(project: Project) -> list[str]:
    """The project's event kinds in order. The consultations app (#7) adds its own events to
    the same chain when installed; they are tested there."""
    return [k for k in ProjectEvent.objects.filter(project_id=project.pk).order_by("seq")
            .values_list("kind", flat=True) if not k.startswith("consultation_")]


def deadlines(project: Project) -> list[tuple[str, date, bool, str, bool]]:
    """(kind, due on, provisional, basis, still open) of every deadline, oldest first."""
    return [(d.kind, d.due_on, d.provisional, d.basis, d.met_at is None)
            for d in Deadline.objects.filter(project_id=project.pk).order_by("created_at", "pk")]


def documents(project: Project) -> list[tuple[str, int]]:
    return sorted(ProjectDocument.objects.filter(project_id=project.pk)
                  .values_list("kind", "version"))


def reload(project: Project) -> Project:
    return Project.objects.get(pk=project.pk)


def upload(project, user, *document_kinds):
    for kind in document_kinds:
        services.upload_document(project, by=user, kind=kind, upload=pdf_file(f"{kind}.pdf"))


def expert(cast, name: str) -> User:
    """One more member of the committee, for panels larger than the cast's three experts."""
    user = User.objects.create_user(name, f"{name}@example.com", "pw", display_name=name)
    Membership.objects.create(user=user, organization=cast.committee)
    return user


# --- the happy path ------------------------------------------------------------------------


def test_happy_path_from_proposal_to_filing(cast, clock):
    start = clock.today  # Monday 2 March 2026
    data = services.ProposalData(
        title="湘菜 辣椒炒肉烹饪技术规范", administration=cast.administration,
        scope="规定了辣椒炒肉的原料、烹饪工艺。", reasons="地方特色餐饮需要统一规范。",
        competent_department=cast.department, proposing_unit=cast.department,
        drafting_orgs=(cast.drafting,), committee=cast.committee)
    project = services.propose(data, by=cast.department_user, proposal_form=pdf_file())

    project = reload(project)
    evaluation = workdays.due(start, "evaluation")
    assert (project.stage, project.stage_code) == ("proposed", "10.00")
    assert project.reference == f"2026-{project.pk:05d}"
    assert project.proposer == cast.department_user
    assert [(j.administration, j.is_lead) for j in project.jurisdictions.all()] == [
        (cast.administration, True)]
    assert kinds(project) == ["proposed", "document_uploaded", "deadline_set"]
    assert deadlines(project) == [("evaluation", evaluation.on, False, "20 个工作日", True)]
    assert Deadline.objects.get(project=project).responsible == cast.administration
    assert documents(project) == [("proposal_form", 1)]

    services.evaluate(project, by=cast.admin, accept=True, opinion="同意立项")
    project = reload(project)
    assert (project.stage, project.stage_code) == ("evaluated", "10.60")
    assert kinds(project)[3:] == ["evaluated", "stage_changed"]
    assert deadlines(project) == [("evaluation", evaluation.on, False, "20 个工作日", False)]

    plan_day = clock.advance(7)
    services.include_in_plan(project, by=cast.admin, plan_year=2026)
    project = reload(project)
    drafting = workdays.due(plan_day, "drafting")
    assert drafting.on == date(2027, 3, 9)
    assert (project.stage, project.stage_code, project.plan_year) == ("planned", "10.99", 2026)
    assert kinds(project)[5:] == ["stage_changed", "deadline_set"]
    assert deadlines(project)[1:] == [("drafting", drafting.on, False, "12 个月", True)]
    assert Deadline.objects.get(project=project, kind="drafting").responsible == cast.drafting

    services.start_drafting(project, by=cast.drafter)
    project = reload(project)
    assert (project.stage, project.stage_code) == ("drafting", "20.20")
    assert kinds(project)[7:] == ["stage_changed"]

    opens = clock.advance(30)
    upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    closes = workdays.due(opens, "public_comment_min").on  # the shortest period allowed
    services.open_public_comment(project, by=cast.drafter, closes_on=closes)
    project = reload(project)
    assert (project.stage, project.stage_code) == ("public_comment", "30.20")
    assert (project.comment_opens_on, project.comment_closes_on) == (opens, closes)
    assert kinds(project)[8:] == ["document_uploaded", "document_uploaded", "stage_changed",
                                  "deadline_set"]
    assert deadlines(project)[1:] == [
        ("drafting", drafting.on, False, "12 个月", False),
        ("comment_period", closes, False, "指定日期", True)]

    clock.today = closes + timedelta(days=1)
    services.close_public_comment(project, by=cast.admin)
    project = reload(project)
    assert (project.stage, project.stage_code) == ("comment_resolution", "30.60")
    assert kinds(project)[12:] == ["stage_changed"]
    assert deadlines(project)[2] == ("comment_period", closes, False, "指定日期", False)

    upload(project, cast.drafter, DocumentKind.REVIEW_DRAFT, DocumentKind.DISPOSITION_TABLE)
    services.set_reviewers(project, by=cast.admin, reviewers=cast.experts)
    services.send_to_technical_review(project, by=cast.drafter)
    project = reload(project)
    assert (project.stage, project.stage_code) == ("technical_review", "40.20")
    assert sorted(project.reviewers.all(), key=lambda u: u.pk) == cast.experts
    assert kinds(project)[13:] == ["document_uploaded", "document_uploaded",
                                   "participants_changed", "stage_changed"]

    for member in cast.experts:
        services.cast_vote(project, by=member, choice=ReviewVote.Choice.APPROVE, opinion="同意")
    upload(project, cast.drafter, DocumentKind.APPROVAL_DRAFT)
    upload(project, cast.department_user, DocumentKind.APPROVAL_FORM)
    upload(project, cast.admin, DocumentKind.REVIEW_MINUTES)
    submitted_on = clock.advance(3)
    services.submit_for_approval(project, by=cast.drafter)
    project = reload(project)
    approval = workdays.due(submitted_on, "approval")
    assert (project.stage, project.stage_code) == ("submitted", "50.00")
    assert sorted(project.votes.values_list("round", "choice")) == [(1, "approve")] * 3
    assert kinds(project)[17:] == ["vote_cast"] * 3 + ["document_uploaded"] * 3 + [
        "stage_changed", "deadline_set"]
    assert deadlines(project)[3:] == [("approval", approval.on, False, "20 个工作日", True)]

    approved_on = clock.advance(10)
    services.approve(project, by=cast.admin)
    project = reload(project)
    assert (project.stage, project.stage_code) == ("approved", "50.99")
    assert (project.issuer, project.sequence) == ("DB4301/T", 1)
    assert kinds(project)[25:] == ["jurisdiction_approved", "stage_changed", "number_allocated"]
    assert deadlines(project)[3][4] is False
    assert list(NumberSequence.objects.values_list("issuer", "last_sequence")) == [
        ("DB4301/T", 1)]

    effective = approved_on + timedelta(days=90)
    standard = services.publish(project, by=cast.admin, issued_on=approved_on,
                                effective_on=effective)
    project = reload(project)
    filing = workdays.due(approved_on, "filing")
    public_text = workdays.due(approved_on, "public_text")
    assert (project.stage, project.stage_code) == ("published", "60.00")
    assert (project.code, project.standard, project.issued_on, project.effective_on) == (
        "DB4301/T 1-2026", standard, approved_on, effective)
    assert kinds(project)[28:] == ["stage_changed", "published", "deadline_set",
                                   "deadline_set"]
    assert deadlines(project)[4:] == [
        ("filing", filing.on, False, "60 日", True),
        ("public_text", public_text.on, False, "20 个工作日", True)]

    filed_on = clock.advance(20)
    services.file_standard(project, by=cast.admin, filed_on=filed_on, filing_number="备 123")
    services.mark_text_public(project, by=cast.admin)
    project = reload(project)
    assert (project.stage, project.stage_code, project.filed_on) == ("filed", "60.60", filed_on)
    assert kinds(project)[32:] == ["stage_changed", "note_added"]
    assert [d[4] for d in deadlines(project)] == [False] * 6
    assert Standard.objects.get(pk=standard.pk).public_text is True

    assert documents(project) == [
        ("approval_draft", 1), ("approval_form", 1), ("comment_draft", 1),
        ("disposition_table", 1), ("explanation", 1), ("proposal_form", 1),
        ("review_draft", 1), ("review_minutes", 1)]
    assert project.event_count == ProjectEvent.objects.filter(project=project).count()
    assert len(kinds(project)) == 34
    assert verify_all([project.pk]) == (project.event_count, [])
    stage_moves = list(ProjectEvent.objects.filter(project=project, kind="stage_changed")
                       .order_by("seq").values_list("from_stage", "to_stage"))
    assert stage_moves == [
        ("proposed", "evaluated"), ("evaluated", "planned"), ("planned", "drafting"),
        ("drafting", "public_comment"), ("public_comment", "comment_resolution"),
        ("comment_resolution", "technical_review"), ("technical_review", "submitted"),
        ("submitted", "approved"), ("approved", "published"), ("published", "filed")]


def test_events_name_their_actor(cast, clock):
    project = make_project(cast, stage=Stage.PLANNED)
    first, *_, last = ProjectEvent.objects.filter(project=project).order_by("seq")
    assert (first.kind, first.actor, first.actor_label) == ("proposed", cast.department_user,
                                                             "bumen")
    assert (last.kind, last.actor, last.actor_label) == ("deadline_set", cast.admin, "guanli")
    evaluation_set = ProjectEvent.objects.get(project=project, seq=3)
    assert (evaluation_set.kind, evaluation_set.actor, evaluation_set.actor_label) == (
        "deadline_set", None, "系统")


def test_rejection_closes_the_evaluation_deadline(cast, clock):
    project = make_project(cast)
    services.reject(project, by=cast.admin, reason="与现行国家标准重复")
    project = reload(project)
    assert (project.stage, project.stage_code, project.is_closed) == ("rejected", "10.98", True)
    assert kinds(project)[-1:] == ["stage_changed"]
    assert ProjectEvent.objects.filter(project=project).last().note == "与现行国家标准重复"
    assert [d[4] for d in deadlines(project)] == [False]


def test_termination_closes_every_open_deadline(cast, clock):
    project = make_project(cast, stage=Stage.PUBLIC_COMMENT)
    services.terminate(project, by=cast.admin, reason="起草单位撤回")
    project = reload(project)
    assert (project.stage, project.stage_code) == ("terminated", "20.98")
    assert Deadline.objects.filter(project=project, met_at__isnull=True).count() == 0


def test_evaluation_may_reject(cast, clock):
    project = make_project(cast)
    services.evaluate(project, by=cast.admin, accept=False, opinion="技术内容已有国家标准规定")
    project = reload(project)
    assert project.stage == "rejected"
    assert kinds(project)[-2:] == ["evaluated", "stage_changed"]


def test_return_for_rework_starts_a_new_review_round(cast, clock):
    project = make_project(cast, stage=Stage.SUBMITTED)
    services.return_for_rework(project, by=cast.admin, reason="编制说明不完整")
    project = reload(project)
    assert (project.stage, project.review_round) == ("technical_review", 2)
    assert guards.vote_outcome(project).present == 0  # round 1 votes no longer count
    assert Deadline.objects.get(project=project, kind="approval").met_at is not None


# --- refusals: wrong stage ------------------------------------------------------------------

WRONG_STAGE = {
    "evaluate": (Stage.PLANNED, "admin", lambda p, u: services.evaluate(
        p, by=u, accept=True, opinion="同意"), "列入计划 → 立项评估：流程不允许此操作"),
    "include_in_plan": (Stage.PROPOSED, "admin", lambda p, u: services.include_in_plan(
        p, by=u, plan_year=2026), "立项申请 → 列入计划：流程不允许此操作"),
    "reject": (Stage.PLANNED, "admin", lambda p, u: services.reject(p, by=u, reason="重复"),
               "列入计划 → 不予立项：流程不允许此操作"),
    "terminate": (Stage.PROPOSED, "admin", lambda p, u: services.terminate(
        p, by=u, reason="撤回"), "立项申请 → 终止：流程不允许此操作"),
    "start_drafting": (Stage.EVALUATED, "drafter", lambda p, u: services.start_drafting(
        p, by=u), "立项评估 → 起草：流程不允许此操作"),
    "request_extension": (Stage.PUBLIC_COMMENT, "drafter", lambda p, u:
                          services.request_extension(p, by=u, requested_due_on=date(2027, 6, 1),
                                                     reason="试验周期长"),
                          "征求意见 → 延期起草：没有可延期的计划期限"),
    "open_public_comment": (Stage.PLANNED, "drafter", lambda p, u:
                            services.open_public_comment(p, by=u, closes_on=date(2026, 5, 1)),
                            "列入计划 → 征求意见：流程不允许此操作"),
    "close_public_comment": (Stage.DRAFTING, "admin", lambda p, u:
                             services.close_public_comment(p, by=u),
                             "起草 → 意见处理：流程不允许此操作"),
    "set_reviewers": (Stage.DRAFTING, "admin", lambda p, u, c=None: services.set_reviewers(
        p, by=u, reviewers=[]), "起草 → 起草：当前阶段不能调整审查专家"),
    "send_to_technical_review": (Stage.DRAFTING, "drafter", lambda p, u:
                                 services.send_to_technical_review(p, by=u),
                                 "起草 → 技术审查：流程不允许此操作"),
    "cast_vote": (Stage.SUBMITTED, "expert", lambda p, u: services.cast_vote(
        p, by=u, choice="approve"), "报批 → 报批：不在技术审查阶段"),
    "submit_for_approval": (Stage.COMMENT_RESOLUTION, "drafter", lambda p, u:
                            services.submit_for_approval(p, by=u),
                            "意见处理 → 报批：流程不允许此操作"),
    "return_for_rework": (Stage.DRAFTING, "admin", lambda p, u: services.return_for_rework(
        p, by=u, reason="退回"), "起草 → 起草：当前阶段不能退回"),
    "approve": (Stage.TECHNICAL_REVIEW, "admin", lambda p, u: services.approve(p, by=u),
                "技术审查 → 批准编号：未处于报批阶段"),
    "publish": (Stage.SUBMITTED, "admin", lambda p, u: services.publish(
        p, by=u, issued_on=date(2026, 3, 2), effective_on=date(2026, 6, 1)),
                "报批 → 发布：流程不允许此操作"),
    "file_standard": (Stage.APPROVED, "admin", lambda p, u: services.file_standard(
        p, by=u, filed_on=date(2026, 3, 2)), "批准编号 → 备案：流程不允许此操作"),
    "mark_text_public": (Stage.APPROVED, "admin", lambda p, u: services.mark_text_public(
        p, by=u), "批准编号 → 批准编号：标准尚未发布"),
    "change_participants": (Stage.FILED, "admin", lambda p, u: services.change_participants(
        p, by=u, committee=p.committee), "备案 → 备案：项目已结束"),
}


def _persona(cast, name):
    return {"admin": cast.admin, "drafter": cast.drafter, "expert": cast.experts[0]}[name]


@pytest.mark.parametrize("name", list(WRONG_STAGE))
def test_each_service_refuses_the_wrong_stage(cast, clock, state_of, name):
    stage, who, call, message = WRONG_STAGE[name]
    project = make_project(cast, stage=stage)
    before = state_of(project)
    with pytest.raises(InvalidTransition) as refused:
        call(project, _persona(cast, who))
    assert str(refused.value) == message
    assert state_of(project) == before


BAD_INPUT = {
    "evaluate": (Stage.PROPOSED, "admin", lambda p, u: services.evaluate(
        p, by=u, accept=True, opinion="  "), {"opinion": ["请填写评估意见。"]}),
    "include_in_plan": (Stage.EVALUATED, "admin", lambda p, u: services.include_in_plan(
        p, by=u, plan_year=1999), {"plan_year": ["计划年度无效。"]}),
    "reject": (Stage.PROPOSED, "admin", lambda p, u: services.reject(p, by=u, reason=""),
               {"reason": ["请说明不予立项的理由。"]}),
    "terminate": (Stage.DRAFTING, "admin", lambda p, u: services.terminate(
        p, by=u, reason=" "), {"reason": ["请说明终止的理由。"]}),
    "cast_vote": (Stage.TECHNICAL_REVIEW, "expert", lambda p, u: services.cast_vote(
        p, by=u, choice="yes"), {"choice": ["表决选项无效。"]}),
    "return_for_rework": (Stage.SUBMITTED, "admin", lambda p, u: services.return_for_rework(
        p, by=u, reason=""), {"reason": ["请说明退回理由。"]}),
    "file_standard": (Stage.PUBLISHED, "admin", lambda p, u: services.file_standard(
        p, by=u, filed_on=date(2026, 3, 3)), {"filed_on": ["备案日期须在发布日期与今天之间。"]}),
}


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_each_service_refuses_bad_input(cast, clock, state_of, name):
    stage, who, call, errors = BAD_INPUT[name]
    project = make_project(cast, stage=stage)
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        call(project, _persona(cast, who))
    assert refused.value.message_dict == errors
    assert state_of(project) == before


@pytest.mark.parametrize(("changes", "errors"), [
    ({"title": " "}, {"title": ["请填写标准名称。"]}),
    ({"title": "长" * 501}, {"title": ["标准名称不超过 500 字。"]}),
    ({"administration": "department"}, {"administration": ["须为标准化行政主管部门。"]}),
    ({"partners": "administration"}, {"partners": ["联合制定方须为其他标准化行政主管部门。"]}),
    ({"nature": "guidance"}, {"nature": ["地方标准为推荐性或强制性。"]}),
    ({"numbering": "none"}, {"numbering": ["编号方式无效。"]}),
])
def test_a_proposal_is_checked(cast, clock, changes, errors):
    values = {"title": "米粉", "administration": cast.administration}
    for field, value in changes.items():
        if field == "administration":
            value = getattr(cast, value)
        elif field == "partners":
            value = (getattr(cast, value),)
        values[field] = value
    with pytest.raises(ValidationError) as refused:
        services.propose(services.ProposalData(**values), by=cast.department_user)
    assert refused.value.message_dict == errors
    assert (Project.objects.count(), ProjectEvent.objects.count()) == (0, 0)


def test_an_extension_is_decided_once(cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    request = services.request_extension(project, by=cast.drafter,
                                         requested_due_on=date(2027, 6, 30), reason="试验周期长")
    services.decide_extension(request, by=cast.admin, grant=False, note="理由不充分")
    before = state_of(project)
    with pytest.raises(InvalidTransition) as refused:
        services.decide_extension(request, by=cast.admin, grant=True)
    assert refused.value.reasons == ["该申请已有决定"]
    assert state_of(project) == before


def test_a_jurisdiction_approves_once(cast, clock, state_of):
    project = make_project(cast, stage=Stage.SUBMITTED, joint=True)
    services.approve(project, by=cast.admin)
    before = state_of(project)
    with pytest.raises(InvalidTransition) as refused:
        services.approve(project, by=cast.admin)
    assert refused.value.reasons == ["本单位已批准"]
    assert state_of(project) == before


# --- guards -------------------------------------------------------------------------------


def test_missing_documents_block_public_comment(cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    before = state_of(project)
    with pytest.raises(InvalidTransition) as refused:
        services.open_public_comment(project, by=cast.drafter, closes_on=date(2026, 5, 1))
    assert refused.value.reasons == ["缺少材料：征求意见稿", "缺少材料：编制说明"]
    assert str(refused.value) == "起草 → 征求意见：缺少材料：征求意见稿；缺少材料：编制说明"
    assert state_of(project) == before


def test_one_missing_document_is_named_alone(cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    upload(project, cast.drafter, DocumentKind.EXPLANATION)
    with pytest.raises(InvalidTransition) as refused:
        services.open_public_comment(project, by=cast.drafter, closes_on=date(2026, 5, 1))
    assert refused.value.reasons == ["缺少材料：征求意见稿"]


def test_missing_documents_block_submission(cast, clock, state_of):
    project = make_project(cast, stage=Stage.TECHNICAL_REVIEW)
    for member in cast.experts:
        services.cast_vote(project, by=member, choice="approve")
    before = state_of(project)
    with pytest.raises(InvalidTransition) as refused:
        services.submit_for_approval(project, by=cast.drafter)
    assert refused.value.reasons == ["缺少材料：报批稿", "缺少材料：审查会议纪要",
                                     "缺少材料：报批申请表"]
    assert state_of(project) == before


def test_required_documents_come_from_settings(cast, clock, settings):
    settings.PROJECT_REQUIRED_DOCUMENTS = {"public_comment": ["comment_draft"]}
    project = make_project(cast, stage=Stage.DRAFTING)
    upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT)
    services.open_public_comment(project, by=cast.drafter, closes_on=date(2026, 5, 1))
    assert reload(project).stage == "public_comment"


def test_comment_period_must_be_over(cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    services.open_public_comment(project, by=cast.drafter, closes_on=date(2026, 4, 10))
    clock.today = date(2026, 4, 10)  # the last day of the period
    before = state_of(project)
    with pytest.raises(InvalidTransition) as refused:
        services.close_public_comment(project, by=cast.admin)
    assert refused.value.reasons == ["征求意见期至 2026-04-10 结束，尚未期满"]
    assert state_of(project) == before
    clock.today = date(2026, 4, 11)
    services.close_public_comment(project, by=cast.admin)
    assert reload(project).stage == "comment_resolution"


def _panel(cast, project, size: int) -> list[User]:
    members = (cast.experts + [expert(cast, f"zhuanjia{n}") for n in range(4, size + 1)])[:size]
    services.set_reviewers(project, by=cast.admin, reviewers=members)
    return members


def _vote(project, voters, choices):
    for voter, choice in zip(voters, choices, strict=False):
        services.cast_vote(project, by=voter, choice=choice)


@pytest.mark.parametrize(("quorum", "majority", "panel", "choices", "reasons"), [
    # attendance exactly 2/3 of the panel: quorum met
    ("2/3", "3/4", 3, ["approve", "approve"], []),
    ("2/3", "3/4", 3, ["approve"], ["出席（表决）专家 1/3，未达到 2/3"]),
    # agreement exactly 3/4 of those present: passed
    ("2/3", "3/4", 4, ["approve", "approve", "approve", "disapprove"], []),
    ("2/3", "3/4", 3, ["approve", "approve", "disapprove"],
     ["同意 2/3，未达到出席专家的 3/4"]),
    # an abstention counts as present, not as agreement
    ("2/3", "3/4", 4, ["approve", "approve", "approve", "abstain"], []),
    ("2/3", "3/4", 4, ["approve", "approve", "abstain"], ["同意 2/3，未达到出席专家的 3/4"]),
    # settings change the thresholds
    ("2/3", "2/3", 3, ["approve", "approve", "disapprove"], []),
    ("3/4", "3/4", 3, ["approve", "approve"], ["出席（表决）专家 2/3，未达到 3/4"]),
    ("3/4", "3/4", 4, ["approve", "approve", "approve"], []),
    ("1", "1", 3, ["approve", "approve", "approve"], []),
    ("1", "1", 3, ["approve", "approve", "abstain"], ["同意 2/3，未达到出席专家的 1"]),
])
def test_review_vote_quorum_and_majority(cast, clock, settings, state_of, quorum, majority,
                                         panel, choices, reasons):
    settings.PROJECT_REVIEW_QUORUM, settings.PROJECT_REVIEW_MAJORITY = quorum, majority
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    upload(project, cast.drafter, DocumentKind.REVIEW_DRAFT, DocumentKind.DISPOSITION_TABLE)
    members = _panel(cast, project, panel)
    services.send_to_technical_review(project, by=cast.drafter)
    _vote(project, members, choices)
    upload(project, cast.drafter, DocumentKind.APPROVAL_DRAFT)
    upload(project, cast.department_user, DocumentKind.APPROVAL_FORM)
    upload(project, cast.admin, DocumentKind.REVIEW_MINUTES)

    outcome = guards.vote_outcome(project)
    assert (outcome.panel, outcome.present, outcome.quorum, outcome.majority) == (
        panel, len(choices), Fraction(quorum), Fraction(majority))
    assert (outcome.approve, outcome.disapprove, outcome.abstain) == (
        choices.count("approve"), choices.count("disapprove"), choices.count("abstain"))
    assert outcome.reasons() == reasons
    assert outcome.passed is (not reasons)
    if reasons:
        before = state_of(project)
        with pytest.raises(InvalidTransition) as refused:
            services.submit_for_approval(project, by=cast.drafter)
        assert refused.value.reasons == reasons
        assert state_of(project) == before
    else:
        services.submit_for_approval(project, by=cast.drafter)
        assert reload(project).stage == "submitted"


def test_no_panel_means_no_submission(cast, clock):
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    assert guards.vote_outcome(project).reasons() == ["尚未组建审查专家组"]


def test_bad_vote_thresholds_fail_loudly(cast, clock, settings):
    from django.core.exceptions import ImproperlyConfigured

    project = make_project(cast, stage=Stage.TECHNICAL_REVIEW)
    settings.PROJECT_REVIEW_MAJORITY = "5/4"
    with pytest.raises(ImproperlyConfigured) as error:
        guards.vote_outcome(project)
    assert str(error.value) == "PROJECT_REVIEW_MAJORITY='5/4' must be greater than 0 and at most 1"


def test_a_drafter_may_not_sit_on_the_panel(cast, clock, state_of):
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.set_reviewers(project, by=cast.admin, reviewers=[*cast.experts, cast.drafter])
    assert refused.value.message_dict == {"reviewers": ["起草单位人员不能担任审查专家：qicao"]}
    assert state_of(project) == before


def test_drafters_are_never_counted_in_the_vote(cast, clock):
    project = make_project(cast, stage=Stage.TECHNICAL_REVIEW)
    first, second, third = cast.experts
    _vote(project, [first, second], ["approve", "disapprove"])
    assert guards.vote_outcome(project).reasons() == ["同意 1/2，未达到出席专家的 3/4"]
    # The second expert joins the drafting organisation: the vote and the seat no longer count.
    Membership.objects.create(user=second, organization=cast.drafting)
    outcome = guards.vote_outcome(project)
    assert (outcome.panel, outcome.present, outcome.approve, outcome.disapprove) == (2, 1, 1, 0)
    assert outcome.reasons() == ["出席（表决）专家 1/2，未达到 2/3"]
    _vote(project, [third], ["approve"])
    assert guards.vote_outcome(project).passed is True
    with pytest.raises(PermissionDenied):
        services.cast_vote(project, by=User.objects.get(pk=second.pk), choice="approve")


def test_a_registered_guard_blocks_the_move(cast, clock, state_of):
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    upload(project, cast.drafter, DocumentKind.REVIEW_DRAFT, DocumentKind.DISPOSITION_TABLE)

    def unanswered(p):
        assert p.pk == project.pk
        return ["尚有 2 条意见未处理"]

    guards.register_guard(Stage.TECHNICAL_REVIEW, unanswered)
    try:
        before = state_of(project)
        with pytest.raises(InvalidTransition) as refused:
            services.send_to_technical_review(project, by=cast.drafter)
        assert refused.value.reasons == ["尚有 2 条意见未处理"]
        assert state_of(project) == before
    finally:
        guards.unregister_guard(Stage.TECHNICAL_REVIEW, unanswered)
    services.send_to_technical_review(project, by=cast.drafter)
    assert reload(project).stage == "technical_review"


# --- public comment and extensions ---------------------------------------------------------


def test_a_comment_period_shorter_than_the_minimum_is_refused(cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    minimum = workdays.due(clock.today, "public_comment_min").on
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.open_public_comment(project, by=cast.drafter,
                                     closes_on=minimum - timedelta(days=1))
    assert refused.value.message_dict == {
        "closes_on": [f"征求意见期不少于30 日，截止日期最早为 {minimum.isoformat()}。"]}
    assert state_of(project) == before


def test_a_comment_period_may_not_open_in_the_past(cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.open_public_comment(project, by=cast.drafter, opens_on=date(2026, 3, 1),
                                     closes_on=date(2026, 5, 1))
    assert refused.value.message_dict == {"opens_on": ["开始日期不能早于今天。"]}
    assert state_of(project) == before


def test_an_extension_requested_after_the_deadline_is_refused(cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    due = Deadline.objects.get(project=project, kind="drafting").due_on
    assert due == date(2027, 3, 2)
    clock.today = due + timedelta(days=1)
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.request_extension(project, by=cast.drafter,
                                   requested_due_on=date(2027, 6, 30), reason="试验周期长")
    assert refused.value.message_dict == {
        "requested_due_on": ["延期须在 2027-03-02 前申请，已逾期。"]}
    assert state_of(project) == before


def test_an_extension_may_be_requested_on_the_last_day(cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    clock.today = date(2027, 3, 2)
    request = services.request_extension(project, by=cast.drafter,
                                         requested_due_on=date(2027, 6, 30), reason="试验周期长")
    assert (request.state, request.current_due_on, request.requested_due_on) == (
        "pending", date(2027, 3, 2), date(2027, 6, 30))


def test_an_extension_must_move_the_deadline_later(cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    with pytest.raises(ValidationError) as refused:
        services.request_extension(project, by=cast.drafter, requested_due_on=date(2027, 3, 2),
                                   reason="")
    assert refused.value.message_dict == {
        "requested_due_on": ["新期限须晚于现期限 2027-03-02。"], "reason": ["请说明延期理由。"]}


def test_a_granted_extension_moves_the_deadline_and_the_stage(cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    clock.today = date(2026, 12, 1)
    request = services.request_extension(project, by=cast.drafter,
                                         requested_due_on=date(2027, 6, 30), reason="试验周期长")
    services.decide_extension(request, by=cast.admin, grant=True, note="同意延期至6月底")
    project = reload(project)
    request.refresh_from_db()
    assert (project.stage, project.stage_code) == ("extended", "20.93")
    assert (request.state, request.decided_by, request.decision_note) == (
        "granted", cast.admin, "同意延期至6月底")
    drafting = Deadline.objects.get(project=project, kind="drafting")
    assert (drafting.due_on, drafting.basis, drafting.provisional, drafting.met_at) == (
        date(2027, 6, 30), "同意延期", False, None)
    assert kinds(project)[-3:] == ["extension_requested", "extension_granted", "stage_changed"]
    # Drafting goes on from the extended stage.
    upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    services.open_public_comment(project, by=cast.drafter, closes_on=date(2027, 1, 15))
    assert reload(project).stage == "public_comment"


def test_a_refused_extension_needs_a_reason_and_keeps_the_deadline(cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    request = services.request_extension(project, by=cast.drafter,
                                         requested_due_on=date(2027, 6, 30), reason="试验周期长")
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.decide_extension(request, by=cast.admin, grant=False)
    assert refused.value.message_dict == {"note": ["不同意延期时须说明理由。"]}
    assert state_of(project) == before
    services.decide_extension(request, by=cast.admin, grant=False, note="理由不充分")
    project = reload(project)
    assert project.stage == "drafting"
    assert Deadline.objects.get(project=project, kind="drafting").due_on == date(2027, 3, 2)
    assert kinds(project)[-2:] == ["extension_requested", "extension_refused"]


# --- documents -----------------------------------------------------------------------------


def xlsx_file(name="table.xlsx"):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(("upload_file", "code", "message"), [
    (lambda: xlsx_file("draft.xlsx"), "wrong_type",
     "此类材料只接受 PDF、Word（.docx），“draft.xlsx”是 Excel（.xlsx）。"),
    (lambda: SimpleUploadedFile("draft.pdf", b"just some text, not a PDF"), "unknown_type",
     "无法识别“draft.pdf”的格式（旧版 .doc/.xls、加密或损坏的文件不能上传），"
     "请上传 PDF、Word（.docx）。"),
    (lambda: SimpleUploadedFile("draft.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old word"),
     "unknown_type", "无法识别“draft.doc”的格式（旧版 .doc/.xls、加密或损坏的文件不能上传），"
                     "请上传 PDF、Word（.docx）。"),
    (lambda: pdf_file("draft.docx"), "mismatch", "文件名扩展名 .docx 与内容（PDF）不符。"),
    (lambda: docx_file("draft.pdf"), "mismatch", "文件名扩展名 .pdf 与内容（Word（.docx））不符。"),
    (lambda: SimpleUploadedFile("draft.pdf", b""), "empty", "文件为空。"),
])
def test_uploads_are_checked_by_content(cast, clock, state_of, upload_file, code, message):
    project = make_project(cast, stage=Stage.DRAFTING)
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.upload_document(project, by=cast.drafter, kind=DocumentKind.COMMENT_DRAFT,
                                 upload=upload_file())
    assert (refused.value.code, refused.value.messages) == (code, [message])
    assert state_of(project) == before


def test_uploads_over_the_size_limit_are_refused(cast, clock, settings, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    big = pdf_file("draft.pdf", body=b"x" * 2000)
    settings.PROJECT_DOCUMENT_MAX_BYTES = 1024
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.upload_document(project, by=cast.drafter, kind=DocumentKind.COMMENT_DRAFT,
                                 upload=big)
    assert (refused.value.code, refused.value.messages) == (
        "too_big", ["文件 2.0\xa0KB，超过上限 1.0\xa0KB。"])
    assert state_of(project) == before


def test_a_disposition_table_may_be_a_spreadsheet(cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    document = services.upload_document(project, by=cast.drafter,
                                        kind=DocumentKind.DISPOSITION_TABLE, upload=xlsx_file())
    assert (document.extension, document.original_name, document.version) == (
        "xlsx", "table.xlsx", 1)


def test_an_unknown_document_kind_is_refused(cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.upload_document(project, by=cast.drafter, kind="secret", upload=pdf_file())
    assert refused.value.message_dict == {"kind": ["材料类型无效。"]}
    assert state_of(project) == before


def test_a_new_upload_is_a_new_version_and_keeps_the_old_file(cast, clock):
    import hashlib

    project = make_project(cast, stage=Stage.DRAFTING)
    first = services.upload_document(project, by=cast.drafter, kind=DocumentKind.COMMENT_DRAFT,
                                     upload=pdf_file("初稿.pdf", body=b"one"))
    second = services.upload_document(project, by=cast.drafter, kind=DocumentKind.COMMENT_DRAFT,
                                      upload=docx_file("修改稿.docx"), note="根据意见修改")
    first.refresh_from_db()
    assert [(d.version, d.original_name, d.extension) for d in
            ProjectDocument.objects.filter(project=project, kind="comment_draft")] == [
        (2, "修改稿.docx", "docx"), (1, "初稿.pdf", "pdf")]
    assert first.file.name != second.file.name
    assert first.file.name.startswith(f"projects/{project.pk}/comment_draft-v1-")
    assert default_storage.exists(first.file.name) and default_storage.exists(second.file.name)
    with default_storage.open(first.file.name) as stored:
        content = stored.read()
    assert content == b"%PDF-1.7\none\n%%EOF\n"
    assert first.sha256 == hashlib.sha256(content).hexdigest()
    event = ProjectEvent.objects.filter(project=project).last()
    assert (event.kind, event.note, event.payload["version"], event.payload["name"]) == (
        "document_uploaded", "根据意见修改", 2, "修改稿.docx")


# --- publication into the catalogue ------------------------------------------------------


def test_publication_creates_an_upcoming_catalogue_edition(cast, clock):
    project = make_project(cast, stage=Stage.APPROVED)
    issued, effective = clock.today, clock.today + timedelta(days=90)
    standard = services.publish(project, by=cast.admin, issued_on=issued, effective_on=effective)
    standard = Standard.objects.get(pk=standard.pk)
    assert (standard.code, standard.level, standard.nature, standard.status) == (
        "DB4301/T 1-2026", Level.LOCAL, "recommended", Status.UPCOMING)
    assert (standard.prefix, standard.number, standard.year) == ("DB4301/T", "1", 2026)
    assert (standard.title_zh, standard.issued_on, standard.effective_on,
            standard.first_issued_on) == (project.title, issued, effective, issued)
    assert list(standard.issuing_bodies.all()) == [cast.administration]
    assert list(standard.drafting_orgs.all()) == [cast.drafting]
    assert standard.competent_department == cast.department
    assert standard.committee.name == cast.committee.name
    assert StandardAlias.objects.count() == 0
    assert StandardRelation.objects.count() == 0
    assert list(project.jurisdictions.values_list("code", flat=True)) == ["DB4301/T 1-2026"]


def test_a_published_mandatory_local_standard_is_found_by_its_number(cast, clock):
    from biaozhun.search.selectors import search

    project = make_project(cast, stage=Stage.APPROVED, nature=Nature.MANDATORY)
    standard = services.publish(project, by=cast.admin, issued_on=clock.today,
                                effective_on=clock.today + timedelta(days=90))
    standard = Standard.objects.get(pk=standard.pk)
    # The space where two digits meet stays in the keys (DB43011 would be DB4301 1 or DB43 011).
    assert (standard.code, standard.code_norm, standard.undated_norm) == (
        "DB4301 1-2026", "DB4301 1-2026", "DB4301 1")
    assert [h.standard.code for h in search("db4301 1").hits] == ["DB4301 1-2026"]


def test_publication_dates_are_checked(cast, clock, state_of):
    project = make_project(cast, stage=Stage.APPROVED)
    before = state_of(project)
    with pytest.raises(ValidationError) as refused:
        services.publish(project, by=cast.admin, issued_on=clock.today + timedelta(days=1),
                         effective_on=clock.today)
    assert refused.value.message_dict == {"effective_on": ["实施日期不能早于发布日期。"],
                                          "issued_on": ["发布日期不能晚于今天。"]}
    assert state_of(project) == before


def test_a_revision_replaces_the_old_edition_on_the_effective_date(cast, clock):
    old = make_standard("DB4301/T 12-2020", issued_on=date(2020, 5, 1),
                        effective_on=date(2020, 6, 1))
    refresh_status(ids=[old.pk])
    project = make_project(cast, stage=Stage.APPROVED, kind=Project.Kind.REVISION, revises=old)
    assert (project.issuer, project.sequence) == ("DB4301/T", 13)
    effective = clock.today + timedelta(days=60)
    new = services.publish(project, by=cast.admin, issued_on=clock.today,
                           effective_on=effective)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (new.code, new.status, new.first_issued_on) == (
        "DB4301/T 13-2026", Status.UPCOMING, date(2020, 5, 1))
    assert (old.status, old.pending_change_on) == (Status.CURRENT, effective)
    assert list(StandardRelation.objects.values_list(
        "kind", "source_id", "source_code", "target_id", "target_code")) == [
        (RelationKind.REPLACES, new.pk, "DB4301/T 13-2026", old.pk, "DB4301/T 12-2020")]

    refresh_status(as_of=effective - timedelta(days=1))
    old.refresh_from_db()
    assert old.status == Status.CURRENT
    refresh_status(as_of=effective)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (Status.SUPERSEDED, Status.CURRENT)


def test_a_revision_must_name_the_standard_it_revises(cast, clock):
    data = services.ProposalData(title="修订", administration=cast.administration,
                                 kind=Project.Kind.REVISION)
    with pytest.raises(ValidationError) as refused:
        services.propose(data, by=cast.department_user)
    assert refused.value.message_dict == {"revises": ["修订项目须指明被修订的标准。"]}
    assert Project.objects.count() == 0


# --- joint standards ---------------------------------------------------------------------


def test_a_joint_standard_needs_every_approval(cast, clock):
    project = make_project(cast, stage=Stage.SUBMITTED, joint=True)
    services.approve(project, by=cast.admin)
    project = reload(project)
    assert (project.stage, project.sequence) == ("submitted", None)
    assert [(j.administration, j.approved_by) for j in project.jurisdictions.all()] == [
        (cast.administration, cast.admin), (cast.partner, None)]
    assert kinds(project)[-1:] == ["jurisdiction_approved"]
    assert NumberSequence.objects.count() == 0
    assert guards.reasons_against(project, Stage.APPROVED) == ["尚待批准：株洲市市场监督管理局"]

    services.approve(project, by=cast.partner_admin)
    project = reload(project)
    assert (project.stage, project.issuer, project.sequence) == ("approved", "DB4301/T", 1)
    assert kinds(project)[-3:] == ["jurisdiction_approved", "stage_changed", "number_allocated"]
    # Shared numbering: one number, the lead's; every party publishes under it.
    standard = services.publish(project, by=cast.admin, issued_on=clock.today,
                                effective_on=clock.today + timedelta(days=30))
    assert list(project.jurisdictions.values_list("sequence", "code")) == [
        (1, "DB4301/T 1-2026"), (None, "DB4301/T 1-2026")]
    assert sorted(standard.issuing_bodies.values_list("name", flat=True)) == [
        "株洲市市场监督管理局", "长沙市市场监督管理局"]
    assert StandardAlias.objects.count() == 0


def test_a_partner_may_approve_first(cast, clock):
    project = make_project(cast, stage=Stage.SUBMITTED, joint=True)
    services.approve(project, by=cast.partner_admin)
    assert reload(project).stage == "submitted"
    services.approve(project, by=cast.admin)
    assert reload(project).stage == "approved"


def test_each_party_numbers_a_joint_standard_of_its_own(cast, clock):
    make_standard("DB4302/T 7-2025")
    project = make_project(cast, stage=Stage.SUBMITTED, joint=True,
                           numbering=Project.Numbering.EACH)
    services.approve(project, by=cast.admin)
    services.approve(project, by=cast.partner_admin)
    project = reload(project)
    assert (project.stage, project.issuer, project.sequence) == ("approved", "DB4301/T", 1)
    allocated = [e.payload for e in ProjectEvent.objects.filter(project=project,
                                                                 kind="number_allocated")]
    assert allocated == [
        {"issuer": "DB4301/T", "sequence": 1, "administration": cast.administration.pk},
        {"issuer": "DB4302/T", "sequence": 8, "administration": cast.partner.pk}]
    standard = services.publish(project, by=cast.admin, issued_on=clock.today,
                                effective_on=clock.today + timedelta(days=30))
    assert list(project.jurisdictions.values_list("administration", "sequence", "code")) == [
        (cast.administration.pk, 1, "DB4301/T 1-2026"), (cast.partner.pk, 8, "DB4302/T 8-2026")]
    assert list(StandardAlias.objects.values_list("standard", "code", "note")) == [
        (standard.pk, "DB4302/T 8-2026", "株洲市市场监督管理局")]
    assert standard.code == "DB4301/T 1-2026"
    assert sorted(NumberSequence.objects.values_list("issuer", "last_sequence")) == [
        ("DB4301/T", 1), ("DB4302/T", 8)]


# --- the daily run -----------------------------------------------------------------------


def test_run_daily_closes_finished_comment_periods_as_the_system(cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    services.open_public_comment(project, by=cast.drafter, closes_on=date(2026, 4, 10))
    clock.today = date(2026, 4, 10)
    assert services.run_daily().closed_comment_periods == []
    assert reload(project).stage == "public_comment"

    clock.today = date(2026, 4, 11)
    report = services.run_daily()
    assert report.closed_comment_periods == [project.pk]
    project = reload(project)
    assert project.stage == "comment_resolution"
    event = ProjectEvent.objects.filter(project=project, kind="stage_changed").last()
    assert (event.from_stage, event.to_stage, event.actor, event.actor_label) == (
        "public_comment", "comment_resolution", None, "系统")
    assert Deadline.objects.get(project=project, kind="comment_period").met_at is not None
    assert services.run_daily().closed_comment_periods == []


def test_run_daily_marks_overdue_deadlines_once(cast, clock):
    project = make_project(cast)
    due = workdays.due(clock.today, "evaluation").on
    clock.today = due
    assert services.run_daily().overdue == 0
    clock.today = due + timedelta(days=1)
    events = reload(project).event_count

    report = services.run_daily()
    assert report.overdue == 1
    deadline = Deadline.objects.get(project=project)
    assert deadline.overdue_since == clock.today
    event = ProjectEvent.objects.filter(project=project).last()
    assert (event.kind, event.actor, event.actor_label, event.payload) == (
        "deadline_missed", None, "系统", {"deadline": "evaluation", "due_on": due.isoformat()})
    assert reload(project).event_count == events + 1

    clock.advance(1)
    assert services.run_daily().overdue == 0
    assert reload(project).event_count == events + 1
    assert Deadline.objects.get(project=project).overdue_since == due + timedelta(days=1)


def test_run_daily_reminds_the_responsible_organisation_once(cast, clock):
    proposal = make_project(cast, title="茶油")  # evaluation: the administration
    planned = make_project(cast, stage=Stage.PLANNED, title="剁辣椒")
    Deadline.objects.filter(project=planned, kind="drafting").update(due_on=date(2026, 3, 6))
    evaluation_due = workdays.due(clock.today, "evaluation").on
    mail.outbox.clear()

    # Monday 2 March: the drafting deadline (Friday) is within 5 working days, the evaluation not.
    assert services.run_daily().reminded == 1
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("【期限提醒】剁辣椒：完成起草（计划期限） 2026-03-06", ["qicao@example.com"])]
    assert f"/projects/{planned.pk}/" in mail.outbox[0].body
    assert services.run_daily().reminded == 0
    assert len(mail.outbox) == 1

    clock.today = evaluation_due - timedelta(days=1)
    mail.outbox.clear()
    assert services.run_daily().reminded == 1
    assert [(m.subject, m.to) for m in mail.outbox] == [
        (f"【期限提醒】茶油：立项评估 {evaluation_due.isoformat()}", ["guanli@example.com"])]
    assert Deadline.objects.get(project=proposal).reminded_on == clock.today
    assert services.run_daily().reminded == 0
    assert len(mail.outbox) == 1


def test_reminders_skip_inactive_members_and_members_without_mail(cast, clock):
    planned = make_project(cast, stage=Stage.PLANNED, title="剁辣椒")
    Deadline.objects.filter(project=planned, kind="drafting").update(due_on=date(2026, 3, 4))
    colleague = User.objects.create_user("tongshi", "tongshi@example.com", "pw")
    Membership.objects.create(user=colleague, organization=cast.drafting)
    former = User.objects.create_user("likai", "likai@example.com", "pw")
    Membership.objects.create(user=former, organization=cast.drafting, is_active=False)
    silent = User.objects.create_user("wuyou", "", "pw")
    Membership.objects.create(user=silent, organization=cast.drafting)
    mail.outbox.clear()
    assert services.run_daily().reminded == 1
    assert mail.outbox[0].to == ["qicao@example.com", "tongshi@example.com"]


def test_the_daily_command_reports_what_it_did(cast, clock):
    from io import StringIO

    from django.core.management import call_command

    project = make_project(cast)
    clock.today = workdays.due(clock.today, "evaluation").on + timedelta(days=1)
    out = StringIO()
    call_command("run_projects_daily", stdout=out)
    assert out.getvalue() == ("征求意见结束 0 个项目；新增逾期 1 项；发送提醒 0 封；"
                              "暂定期限重新计算后确定 0 项。\n")
    assert Deadline.objects.get(project=project).overdue_since == clock.today


def test_timezone_now_is_the_frozen_clock(clock):
    # A guard against the fixture silently doing nothing.
    assert timezone.localdate() == date(2026, 3, 2)
