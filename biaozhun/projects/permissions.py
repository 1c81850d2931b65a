"""Who may do what to a project, now: roles (groups) plus object rules over memberships.

Each `can_<verb>(user, project)` answers for the person only; whether the stage allows the
move is `stages.ALLOWED` and the guards (services check both). Pages show an action only
when both say yes.
"""

import rules

from biaozhun.accounts import roles
from biaozhun.accounts.permissions import is_signed_in as _signed_in
from biaozhun.accounts.selectors import organization_ids
from biaozhun.projects.models import DocumentKind, Project


def _jurisdiction_ids(project: Project) -> set[int]:
    return {j.administration_id for j in project.jurisdiction_list}


def _drafting_ids(project: Project) -> set[int]:
    cache = getattr(project, "_drafting_ids", None)
    if cache is None:
        cache = {o.pk for o in project.drafting_orgs.all()}
        project._drafting_ids = cache
    return cache


def _reviewer_ids(project: Project) -> set[int]:
    cache = getattr(project, "_reviewer_ids", None)
    if cache is None:
        cache = {u.pk for u in project.reviewers.all()}
        project._reviewer_ids = cache
    return cache


def is_administrator(user) -> bool:
    """Staff of a standardization administration (role), wherever they work."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_bz_is_administrator", None)
    if cached is None:
        cached = user.groups.filter(name=roles.ADMINISTRATOR).exists()
        user._bz_is_administrator = cached
    return cached


@rules.predicate
def administers(user, project: Project) -> bool:
    """An administrator working for one of the project's jurisdictions (or a superuser)."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return is_administrator(user) and bool(organization_ids(user) & _jurisdiction_ids(project))


def administers_lead(user, project: Project) -> bool:
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return is_administrator(user) and project.administration_id in organization_ids(user)


@rules.predicate
def drafts(user, project: Project) -> bool:
    """A member of one of the project's drafting organisations."""
    return _signed_in(user) and bool(organization_ids(user) & _drafting_ids(project))


@rules.predicate
def speaks_for_department(user, project: Project) -> bool:
    """A member of the competent department or the proposing unit."""
    if not _signed_in(user):
        return False
    ids = {project.competent_department_id, project.proposing_unit_id} - {None}
    return bool(organization_ids(user) & ids)


@rules.predicate
def sits_on_committee(user, project: Project) -> bool:
    return (_signed_in(user) and project.committee_id is not None
            and project.committee_id in organization_ids(user))


@rules.predicate
def reviews(user, project: Project) -> bool:
    return _signed_in(user) and user.pk in _reviewer_ids(project)


def can_propose(user) -> bool:
    return _signed_in(user)


def can_evaluate(user, project: Project) -> bool:
    return administers(user, project)


def can_plan(user, project: Project) -> bool:
    return administers_lead(user, project)


def can_reject(user, project: Project) -> bool:
    return administers(user, project)


def can_terminate(user, project: Project) -> bool:
    return administers_lead(user, project)


def can_start_drafting(user, project: Project) -> bool:
    return administers(user, project) or speaks_for_department(user, project) \
        or drafts(user, project)


def can_open_public_comment(user, project: Project) -> bool:
    return administers(user, project) or speaks_for_department(user, project) \
        or drafts(user, project)


def can_close_public_comment(user, project: Project) -> bool:
    return administers(user, project)


def can_send_to_technical_review(user, project: Project) -> bool:
    return drafts(user, project) or speaks_for_department(user, project)


def can_set_reviewers(user, project: Project) -> bool:
    return administers(user, project) or sits_on_committee(user, project)


def can_vote(user, project: Project) -> bool:
    # Drafters never vote on their own draft, even when they sit on the panel.
    return reviews(user, project) and not drafts(user, project)


def can_submit_for_approval(user, project: Project) -> bool:
    return drafts(user, project) or speaks_for_department(user, project)


def can_return_for_rework(user, project: Project) -> bool:
    return administers(user, project) or sits_on_committee(user, project)


def can_approve(user, project: Project) -> bool:
    return administers(user, project)


def can_publish(user, project: Project) -> bool:
    return administers_lead(user, project)


def can_file(user, project: Project) -> bool:
    return administers_lead(user, project)


def can_request_extension(user, project: Project) -> bool:
    return drafts(user, project) or speaks_for_department(user, project)


def can_decide_extension(user, project: Project) -> bool:
    return administers_lead(user, project)


def can_change_participants(user, project: Project) -> bool:
    return administers_lead(user, project)


# Who may upload each kind of document. "Only members of a project's drafting organisations
# upload its drafts" (issue #6); the proposal and application forms come from the proposer
# side, minutes from the committee or the administration.
_DRAFTS = {DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION,
           DocumentKind.DISPOSITION_TABLE, DocumentKind.REVIEW_DRAFT,
           DocumentKind.APPROVAL_DRAFT}


def can_upload(user, project: Project, kind: str) -> bool:
    if not _signed_in(user) or project.is_closed:
        return False
    if kind in _DRAFTS:
        return drafts(user, project)
    if kind == DocumentKind.PROPOSAL_FORM:
        return (user.pk == project.proposer_id or speaks_for_department(user, project)
                or administers(user, project))
    if kind == DocumentKind.APPROVAL_FORM:
        return speaks_for_department(user, project) or drafts(user, project)
    if kind == DocumentKind.REVIEW_MINUTES:
        return sits_on_committee(user, project) or administers(user, project)
    if kind == DocumentKind.PUBLISHED_TEXT:
        return administers_lead(user, project)
    return (drafts(user, project) or speaks_for_department(user, project)
            or administers(user, project))


def uploadable_kinds(user, project: Project) -> list[tuple[str, str]]:
    return [(k, label) for k, label in DocumentKind.choices if can_upload(user, project, k)]


def can_adjust_numbers(user) -> bool:
    return _signed_in(user) and (user.is_superuser or is_administrator(user))


def can_run_reviews(user) -> bool:
    return can_adjust_numbers(user)


def can_see_dashboard(user) -> bool:
    return _signed_in(user) and (user.is_superuser or is_administrator(user) or
                                 user.groups.filter(name=roles.LEADERSHIP).exists())
