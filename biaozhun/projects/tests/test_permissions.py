"""Who may call each lifecycle service: a matrix over the personas of `cast.personas()`.

Every named service is called by every persona on a project in a stage where the move is
legal; the wrong personas get PermissionDenied with nothing changed, the right ones succeed.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from biaozhun.accounts.models import Membership, Organization, User
from biaozhun.projects import numbering, services
from biaozhun.projects.models import (
    DocumentKind,
    ExtensionRequest,
    Project,
    ProjectDocument,
    ProjectEvent,
)
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_project, pdf_file

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "drafter", "department", "expert", "administrator",
            "partner_admin"]
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}


def persona(cast, name: str):
    """The persona as a view would pass it: anonymous visitors are AnonymousUser, not None
    (None is the system, which only the daily run uses)."""
    user = cast.personas()[name]
    return AnonymousUser() if user is None else user


def upload(project, user, *kinds):
    for kind in kinds:
        services.upload_document(project, by=user, kind=kind, upload=pdf_file(f"{kind}.pdf"))


@dataclass(frozen=True)
class Case:
    stage: str | None  # None: no project yet (propose)
    allowed: frozenset[str]
    call: object  # (cast, project, user, context) -> result
    after: str | None = None  # the stage after success; None: unchanged
    prepare: object = None  # (cast, project, clock) -> context
    joint: bool = False


def _ready_for_comment(cast, project, clock):
    upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)


def _comment_period_over(cast, project, clock):
    clock.advance(31)


def _ready_for_review(cast, project, clock):
    upload(project, cast.drafter, DocumentKind.REVIEW_DRAFT, DocumentKind.DISPOSITION_TABLE)
    services.set_reviewers(project, by=cast.admin, reviewers=cast.experts)


def _ready_for_submission(cast, project, clock):
    for expert in cast.experts:
        services.cast_vote(project, by=expert, choice="approve")
    upload(project, cast.drafter, DocumentKind.APPROVAL_DRAFT)
    upload(project, cast.department_user, DocumentKind.APPROVAL_FORM)
    upload(project, cast.admin, DocumentKind.REVIEW_MINUTES)


def _extension_requested(cast, project, clock):
    return services.request_extension(project, by=cast.drafter,
                                      requested_due_on=date(2027, 6, 30), reason="试验周期长")


def _propose(cast, project, user, context):
    data = services.ProposalData(title="米粉 制作技术规范", administration=cast.administration,
                                 drafting_orgs=(cast.drafting,))
    return services.propose(data, by=user)


ADMINISTRATOR = frozenset({"administrator"})
DRAFTING_SIDE = frozenset({"drafter", "department"})

CASES: dict[str, Case] = {
    "propose": Case(None, SIGNED_IN, _propose),
    "evaluate": Case(Stage.PROPOSED, ADMINISTRATOR, lambda c, p, u, x: services.evaluate(
        p, by=u, accept=True, opinion="同意"), Stage.EVALUATED),
    "reject": Case(Stage.PROPOSED, ADMINISTRATOR, lambda c, p, u, x: services.reject(
        p, by=u, reason="重复"), Stage.REJECTED),
    "include_in_plan": Case(Stage.EVALUATED, ADMINISTRATOR, lambda c, p, u, x:
                            services.include_in_plan(p, by=u, plan_year=2026), Stage.PLANNED),
    "start_drafting": Case(Stage.PLANNED, ADMINISTRATOR | DRAFTING_SIDE, lambda c, p, u, x:
                           services.start_drafting(p, by=u), Stage.DRAFTING),
    "change_participants": Case(Stage.DRAFTING, ADMINISTRATOR, lambda c, p, u, x:
                                services.change_participants(p, by=u, committee=c.committee)),
    "request_extension": Case(Stage.DRAFTING, DRAFTING_SIDE, lambda c, p, u, x:
                              services.request_extension(p, by=u,
                                                         requested_due_on=date(2027, 6, 30),
                                                         reason="试验周期长")),
    "decide_extension": Case(Stage.DRAFTING, ADMINISTRATOR, lambda c, p, u, x:
                             services.decide_extension(x, by=u, grant=True), Stage.EXTENDED,
                             _extension_requested),
    "open_public_comment": Case(Stage.DRAFTING, ADMINISTRATOR | DRAFTING_SIDE,
                                lambda c, p, u, x: services.open_public_comment(
                                    p, by=u, closes_on=date(2026, 5, 1)),
                                Stage.PUBLIC_COMMENT, _ready_for_comment),
    "close_public_comment": Case(Stage.PUBLIC_COMMENT, ADMINISTRATOR, lambda c, p, u, x:
                                 services.close_public_comment(p, by=u),
                                 Stage.COMMENT_RESOLUTION, _comment_period_over),
    # The committee (the expert's organisation) names the panel, as does the administration.
    "set_reviewers": Case(Stage.COMMENT_RESOLUTION, ADMINISTRATOR | {"expert"},
                          lambda c, p, u, x: services.set_reviewers(p, by=u,
                                                                    reviewers=c.experts)),
    "send_to_technical_review": Case(Stage.COMMENT_RESOLUTION, DRAFTING_SIDE,
                                     lambda c, p, u, x: services.send_to_technical_review(
                                         p, by=u), Stage.TECHNICAL_REVIEW, _ready_for_review),
    "cast_vote": Case(Stage.TECHNICAL_REVIEW, frozenset({"expert"}), lambda c, p, u, x:
                      services.cast_vote(p, by=u, choice="approve")),
    "submit_for_approval": Case(Stage.TECHNICAL_REVIEW, DRAFTING_SIDE, lambda c, p, u, x:
                                services.submit_for_approval(p, by=u), Stage.SUBMITTED,
                                _ready_for_submission),
    "return_for_rework": Case(Stage.TECHNICAL_REVIEW, ADMINISTRATOR | {"expert"},
                              lambda c, p, u, x: services.return_for_rework(
                                  p, by=u, reason="需补充试验数据"), Stage.COMMENT_RESOLUTION),
    "approve": Case(Stage.SUBMITTED, ADMINISTRATOR, lambda c, p, u, x: services.approve(
        p, by=u), Stage.APPROVED),
    # A joint standard: each administration approves its own part; the first leaves it
    # submitted.
    "approve_joint": Case(Stage.SUBMITTED, ADMINISTRATOR | {"partner_admin"},
                          lambda c, p, u, x: services.approve(p, by=u), joint=True),
    "publish": Case(Stage.APPROVED, ADMINISTRATOR, lambda c, p, u, x: services.publish(
        p, by=u, issued_on=date(2026, 3, 2), effective_on=date(2026, 6, 1)), Stage.PUBLISHED),
    # Only the lead administration publishes and files a joint standard.
    "publish_joint": Case(Stage.APPROVED, ADMINISTRATOR, lambda c, p, u, x: services.publish(
        p, by=u, issued_on=date(2026, 3, 2), effective_on=date(2026, 6, 1)), Stage.PUBLISHED,
                          joint=True),
    "file_standard": Case(Stage.PUBLISHED, ADMINISTRATOR, lambda c, p, u, x:
                          services.file_standard(p, by=u, filed_on=date(2026, 3, 2)),
                          Stage.FILED),
    "mark_text_public": Case(Stage.PUBLISHED, ADMINISTRATOR, lambda c, p, u, x:
                             services.mark_text_public(p, by=u)),
    "terminate": Case(Stage.DRAFTING, ADMINISTRATOR, lambda c, p, u, x: services.terminate(
        p, by=u, reason="起草单位撤回"), Stage.TERMINATED),
    "terminate_joint": Case(Stage.DRAFTING, ADMINISTRATOR, lambda c, p, u, x:
                            services.terminate(p, by=u, reason="起草单位撤回"),
                            Stage.TERMINATED, joint=True),
}

MATRIX = [(name, who) for name in CASES for who in PERSONAS]


@pytest.mark.parametrize(("name", "who"), MATRIX, ids=[f"{n}-{w}" for n, w in MATRIX])
def test_permission_matrix(cast, clock, state_of, name, who):
    case = CASES[name]
    project = make_project(cast, stage=case.stage, joint=case.joint) if case.stage else None
    context = case.prepare(cast, project, clock) if case.prepare else None
    user = persona(cast, who)
    projects = Project.objects.count()

    if who not in case.allowed:
        before = state_of(project) if project else None
        with pytest.raises(PermissionDenied):
            case.call(cast, project, user, context)
        if project:
            assert state_of(project) == before
        assert Project.objects.count() == projects
        if context is not None:
            context.refresh_from_db()
            assert context.state == ExtensionRequest.State.PENDING
        return

    events = Project.objects.get(pk=project.pk).event_count if project else 0
    result = case.call(cast, project, user, context)
    if project is None:
        assert isinstance(result, Project)
        assert Project.objects.count() == projects + 1
        assert (result.stage, result.proposer) == (Stage.PROPOSED, user)
        return
    project = Project.objects.get(pk=project.pk)
    assert project.stage == (case.after or case.stage)
    assert project.event_count > events
    newest = ProjectEvent.objects.filter(project=project).order_by("-seq").first()
    assert newest.actor == user


# --- uploads: who may add which document --------------------------------------------------

DRAFT_KINDS = [DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION,
               DocumentKind.DISPOSITION_TABLE, DocumentKind.REVIEW_DRAFT,
               DocumentKind.APPROVAL_DRAFT]

UPLOADERS = {
    **{kind: frozenset({"drafter"}) for kind in DRAFT_KINDS},
    DocumentKind.PROPOSAL_FORM: frozenset({"department", "administrator"}),
    DocumentKind.APPROVAL_FORM: DRAFTING_SIDE,
    DocumentKind.REVIEW_MINUTES: frozenset({"expert", "administrator"}),
    DocumentKind.PUBLISHED_TEXT: ADMINISTRATOR,
    DocumentKind.OTHER: ADMINISTRATOR | DRAFTING_SIDE,
}
UPLOAD_MATRIX = [(kind, who) for kind in UPLOADERS for who in PERSONAS]


def test_every_document_kind_has_its_uploaders():
    assert set(UPLOADERS) == set(DocumentKind.values)


@pytest.mark.parametrize(("kind", "who"), UPLOAD_MATRIX,
                         ids=[f"{k}-{w}" for k, w in UPLOAD_MATRIX])
def test_upload_matrix(cast, clock, state_of, kind, who):
    project = make_project(cast, stage=Stage.DRAFTING)
    user = persona(cast, who)
    if who not in UPLOADERS[kind]:
        before = state_of(project)
        with pytest.raises(PermissionDenied):
            services.upload_document(project, by=user, kind=kind, upload=pdf_file())
        assert state_of(project) == before
        return
    document = services.upload_document(project, by=user, kind=kind, upload=pdf_file())
    assert (document.kind, document.uploaded_by) == (kind, user)


@pytest.mark.parametrize("kind", DRAFT_KINDS)
def test_only_members_of_the_drafting_organisations_upload_drafts(cast, clock, state_of, kind):
    project = make_project(cast, stage=Stage.DRAFTING)
    other_drafting = Organization.objects.create(name="另一起草单位",
                                                 kind=Organization.Kind.DRAFTING)
    other_drafter = User.objects.create_user("bieren", "bieren@example.com", "pw")
    Membership.objects.create(user=other_drafter, organization=other_drafting)
    former = User.objects.create_user("lizhi", "lizhi@example.com", "pw")
    Membership.objects.create(user=former, organization=cast.drafting, is_active=False)
    refused = [cast.admin, cast.superuser, cast.department_user, cast.experts[0],
               cast.partner_admin, cast.outsider, other_drafter, former]
    before = state_of(project)
    for user in refused:
        with pytest.raises(PermissionDenied):
            services.upload_document(project, by=user, kind=kind, upload=pdf_file())
    assert state_of(project) == before

    services.upload_document(project, by=cast.drafter, kind=kind, upload=pdf_file())
    assert list(ProjectDocument.objects.filter(project=project, kind=kind).values_list(
        "version", "uploaded_by")) == [(1, cast.drafter.pk)]


def test_a_second_drafting_organisation_may_upload_drafts(cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    second = Organization.objects.create(name="湖南省餐饮行业协会",
                                         kind=Organization.Kind.DRAFTING)
    colleague = User.objects.create_user("xiehui", "xiehui@example.com", "pw")
    Membership.objects.create(user=colleague, organization=second)
    with pytest.raises(PermissionDenied):
        services.upload_document(project, by=colleague, kind=DocumentKind.COMMENT_DRAFT,
                                 upload=pdf_file())
    services.change_participants(project, by=cast.admin, drafting_orgs=[cast.drafting, second])
    document = services.upload_document(Project.objects.get(pk=project.pk), by=colleague,
                                        kind=DocumentKind.COMMENT_DRAFT, upload=pdf_file())
    assert document.version == 1


@pytest.mark.parametrize("stage", [Stage.FILED, Stage.REJECTED])
def test_nobody_uploads_to_a_closed_project(cast, clock, state_of, stage):
    project = make_project(cast, stage=stage)
    before = state_of(project)
    for user, kind in [(cast.drafter, DocumentKind.COMMENT_DRAFT),
                       (cast.admin, DocumentKind.PUBLISHED_TEXT),
                       (cast.superuser, DocumentKind.OTHER)]:
        with pytest.raises(PermissionDenied):
            services.upload_document(project, by=user, kind=kind, upload=pdf_file())
    assert state_of(project) == before


# --- numbering adjustments, superusers, inactive accounts ---------------------------------


@pytest.mark.parametrize("who", PERSONAS)
def test_only_administrators_adjust_numbers(cast, clock, who):
    user = persona(cast, who)
    allowed = who in {"administrator", "partner_admin"}
    if not allowed:
        with pytest.raises(PermissionDenied):
            numbering.adjust("DB4301/T", last_sequence=10, by=user, reason="补录历史编号")
        assert numbering.preview("DB4301/T") == 1
        return
    adjustment = numbering.adjust("DB4301/T", last_sequence=10, by=user, reason="补录历史编号")
    assert (adjustment.from_value, adjustment.to_value, adjustment.by) == (0, 10, user)


def test_a_superuser_may_act_for_any_administration(cast, clock):
    project = make_project(cast, stage=Stage.SUBMITTED, joint=True)
    services.approve(project, by=cast.superuser)
    project = Project.objects.get(pk=project.pk)
    assert project.stage == Stage.APPROVED  # both jurisdictions approved at once
    assert list(project.jurisdictions.values_list("approved_by", flat=True)) == [
        cast.superuser.pk, cast.superuser.pk]


def test_an_inactive_administrator_may_do_nothing(cast, clock, state_of):
    project = make_project(cast, stage=Stage.PROPOSED)
    User.objects.filter(pk=cast.admin.pk).update(is_active=False)
    admin = User.objects.get(pk=cast.admin.pk)
    before = state_of(project)
    with pytest.raises(PermissionDenied):
        services.evaluate(project, by=admin, accept=True, opinion="同意")
    assert state_of(project) == before


def test_an_administrator_of_another_city_may_not_act(cast, clock, state_of):
    project = make_project(cast, stage=Stage.SUBMITTED)  # not joint: 株洲 takes no part
    before = state_of(project)
    for call in (lambda: services.approve(project, by=cast.partner_admin),
                 lambda: services.return_for_rework(project, by=cast.partner_admin,
                                                    reason="x"),
                 lambda: services.terminate(project, by=cast.partner_admin, reason="x")):
        with pytest.raises(PermissionDenied):
            call()
    assert state_of(project) == before


def test_a_refused_extension_decision_leaves_the_request_pending(cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    request = _extension_requested(cast, project, clock)
    with pytest.raises(PermissionDenied):
        services.decide_extension(request, by=cast.drafter, grant=True)
    request.refresh_from_db()
    assert (request.state, request.decided_by) == ("pending", None)
