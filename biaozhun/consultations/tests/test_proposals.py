"""Proposals from the public (公开征集立项建议): submitting with the novelty check, accepting
into a project, declining with a reason the proposer sees."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from biaozhun.consultations import services
from biaozhun.consultations.models import PublicProposal
from biaozhun.consultations.selectors import proposal_by_receipt, received_proposals
from biaozhun.consultations.tests.factories import GUEST_IP, solved_challenge
from biaozhun.projects.models import EventKind, Project
from biaozhun.projects.stages import Stage


def proposal_data(cast, **fields) -> services.ProposalData:
    defaults = {"title": "湘菜 剁椒鱼头烹饪技术规范", "scope": "规定了剁椒鱼头的原料、工艺和质量要求。",
                "reasons": "长沙餐饮企业缺少统一的工艺要求。", "administration": cast.administration,
                "name": "赵六", "organization": "长沙市餐饮协会", "email": "zhaoliu@example.com"}
    return services.ProposalData(**{**defaults, **fields})


def _submit(cast, **fields) -> PublicProposal:
    return services.submit_proposal(by=None, data=proposal_data(cast, **fields),
                                    client_ip=GUEST_IP, challenge=solved_challenge())


def test_a_guest_proposes_and_gets_a_receipt(cast, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = _submit(cast)
    assert (proposal.title, proposal.scope, proposal.reasons, proposal.administration,
            proposal.proposer_name, proposal.proposer_organization, proposal.email,
            proposal.author, proposal.state, proposal.client_ip) == (
        "湘菜 剁椒鱼头烹饪技术规范", "规定了剁椒鱼头的原料、工艺和质量要求。",
        "长沙餐饮企业缺少统一的工艺要求。", cast.administration, "赵六", "长沙市餐饮协会",
        "zhaoliu@example.com", None, "received", GUEST_IP)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["zhaoliu@example.com"], "【立项建议回执】湘菜 剁椒鱼头烹饪技术规范")]
    assert settings.SITE_URL + proposal.get_receipt_url() in mail.outbox[0].body


def test_the_novelty_check_is_stored_with_the_proposal(cast, clock, monkeypatch):
    from biaozhun.search import similar

    calls = []

    def fake_similar(title, scope="", **kwargs):
        calls.append((title, scope))
        return ["edition"]

    monkeypatch.setattr(similar, "similar_standards", fake_similar)
    monkeypatch.setattr(similar, "similar_to_dicts", lambda results: [
        {"code": "SB/T 10000-2020", "title_zh": "剁椒鱼头", "score": 0.5}] * len(results))
    proposal = _submit(cast)
    assert calls == [("湘菜 剁椒鱼头烹饪技术规范", "规定了剁椒鱼头的原料、工艺和质量要求。")]
    assert proposal.novelty == [{"code": "SB/T 10000-2020", "title_zh": "剁椒鱼头", "score": 0.5}]


def test_a_signed_in_proposer_defaults_from_the_account(cast, clock):
    proposal = services.submit_proposal(
        by=cast.drafter, data=proposal_data(cast, name="", organization="", email=""))
    assert (proposal.proposer_name, proposal.proposer_organization, proposal.email,
            proposal.author) == ("qicao", "长沙市标准化研究院", "qicao@example.com", cast.drafter)


def test_a_guest_proposal_needs_the_challenge(cast, clock, state_of):
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.submit_proposal(by=None, data=proposal_data(cast), client_ip=GUEST_IP)
    assert refused.value.message_dict == {"challenge": ["请回答验证问题。"]}
    assert state_of() == before


def test_bad_proposals_are_refused_with_field_errors(cast, clock, state_of):
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        _submit(cast, title="", scope=" ", reasons="", name="", email="x@",
                administration=cast.department)
    assert refused.value.message_dict == {
        "title": ["请填写建议的标准名称。"], "scope": ["请填写范围和主要技术内容。"],
        "reasons": ["请填写理由和依据。"], "administration": ["请选择标准化行政主管部门。"],
        "name": ["请填写建议人姓名。"], "email": ["电子邮箱格式不正确。"]}
    assert state_of() == before


def test_the_public_list_shows_no_names_or_contact_details(cast, clock):
    _submit(cast)
    listed = received_proposals()
    assert [p.title for p in listed] == ["湘菜 剁椒鱼头烹饪技术规范"]
    deferred = listed[0].get_deferred_fields()
    assert {"proposer_name", "proposer_organization", "email", "client_ip"} <= deferred


# --- deciding ----------------------------------------------------------------------------------


def test_accepting_creates_a_proposed_project_with_its_first_event(
        cast, clock, django_capture_on_commit_callbacks):
    proposal = _submit(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        project = services.accept_proposal(proposal, by=cast.admin)
    project = Project.objects.get(pk=project.pk)
    assert (project.title, project.scope, project.stage, project.administration,
            project.proposer) == ("湘菜 剁椒鱼头烹饪技术规范", "规定了剁椒鱼头的原料、工艺和质量要求。",
                                  Stage.PROPOSED, cast.administration, cast.admin)
    assert project.reasons == ("长沙餐饮企业缺少统一的工艺要求。\n\n"
                               "（来自公开征集立项建议，建议人：赵六（长沙市餐饮协会））")
    first = project.events.order_by("seq").first()
    assert (first.seq, first.kind, first.actor, first.to_stage) == (
        1, EventKind.PROPOSED, cast.admin, Stage.PROPOSED)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.project, proposal.decided_by) == (
        "accepted", project, cast.admin)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["zhaoliu@example.com"], "【立项建议处理结果】湘菜 剁椒鱼头烹饪技术规范")]
    assert f"项目编号 {project.reference}" in mail.outbox[0].body


def test_declining_needs_a_reason_the_proposer_then_sees(
        cast, clock, state_of, django_capture_on_commit_callbacks):
    proposal = _submit(cast)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.decline_proposal(proposal, by=cast.admin, reason="  ")
    assert refused.value.message_dict == {"reason": ["请说明不予采纳的理由。"]}
    assert state_of() == before
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_proposal(proposal, by=cast.admin, reason="已有行业标准 SB/T 10000 覆盖。")
    seen = proposal_by_receipt(proposal.receipt)
    assert (seen.state, seen.decision_reason, seen.project) == (
        "declined", "已有行业标准 SB/T 10000 覆盖。", None)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["zhaoliu@example.com"], "【立项建议处理结果】湘菜 剁椒鱼头烹饪技术规范")]
    assert "已有行业标准 SB/T 10000 覆盖。" in mail.outbox[0].body
    assert Project.objects.count() == 0


def test_a_decided_proposal_cannot_be_decided_again(cast, clock, state_of):
    proposal = _submit(cast)
    services.decline_proposal(proposal, by=cast.admin, reason="重复")
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.accept_proposal(proposal, by=cast.admin)
    assert refused.value.message_dict == {"state": ["该建议已经处理。"]}
    with pytest.raises(ValidationError):
        services.decline_proposal(proposal, by=cast.admin, reason="再次")
    assert state_of() == before


def test_an_unknown_receipt_shows_nothing(cast, clock):
    assert proposal_by_receipt("nope") is None
    assert proposal_by_receipt("") is None


@pytest.mark.parametrize("persona, allowed", [
    ("anonymous", False), ("outsider", False), ("drafter", False), ("department", False),
    ("expert", False), ("administrator", True), ("partner_admin", False),
])
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_administration_addressed_decides(cast, clock, state_of, persona, allowed,
                                                   action):
    proposal = _submit(cast)
    by = cast.personas()[persona]
    before = state_of()

    def decide():
        if action == "accept":
            return services.accept_proposal(proposal, by=by)
        return services.decline_proposal(proposal, by=by, reason="理由")

    if allowed:
        decide()
        proposal.refresh_from_db()
        assert proposal.state == ("accepted" if action == "accept" else "declined")
    else:
        with pytest.raises(PermissionDenied):
            decide()
        assert state_of() == before
