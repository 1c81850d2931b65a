"""Who may do what in public participation. Each `can_<verb>` answers for the person only;
whether the consultation is open, or the project's stage allows it, the services check.

- A draft consultation (a project's 征求意见稿) is answered by the project's drafting
  organisations; every other kind by the administration that opened it.
- Moderation: the administration, and for a draft also the drafting organisations.
- A targeted (定向) consultation is seen and commented on only by those invited, the
  administration and the project's participants.
"""

from biaozhun.accounts.permissions import is_signed_in as _signed_in
from biaozhun.accounts.selectors import organization_ids
from biaozhun.consultations.models import Consultation, PublicProposal
from biaozhun.projects import permissions as project_perms


def administers_organization(user, administration_id: int | None) -> bool:
    """An administrator (role) working for that administration, or a superuser."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return (project_perms.is_administrator(user)
            and administration_id in organization_ids(user))


def administers(user, consultation: Consultation) -> bool:
    """The consultation's administration (for a project's consultation: any jurisdiction)."""
    if administers_organization(user, consultation.administration_id):
        return True
    project = consultation.project
    return project is not None and bool(project_perms.administers(user, project))


def _drafts(user, consultation: Consultation) -> bool:
    project = consultation.project
    return project is not None and bool(project_perms.drafts(user, project))


def is_invited(user, consultation: Consultation) -> bool:
    if not _signed_in(user):
        return False
    if consultation.invited_users.filter(pk=user.pk).exists():
        return True
    mine = organization_ids(user)
    return bool(mine) and consultation.invited_organizations.filter(pk__in=mine).exists()


def _participates(user, consultation: Consultation) -> bool:
    project = consultation.project
    if project is None or not _signed_in(user):
        return False
    return bool(project_perms.drafts(user, project)
                or project_perms.speaks_for_department(user, project)
                or project_perms.sits_on_committee(user, project)
                or project_perms.reviews(user, project)
                or project_perms.administers(user, project))


def can_view_consultation(user, consultation: Consultation) -> bool:
    if consultation.is_public:
        return True
    return (administers(user, consultation) or is_invited(user, consultation)
            or _participates(user, consultation))


def can_comment(user, consultation: Consultation) -> bool:
    """Anyone (guests included) on a public consultation; only invitees on a targeted one."""
    if consultation.is_public:
        return True
    return is_invited(user, consultation)


def can_import_comments(user, consultation: Consultation) -> bool:
    """Uploading many comments at once (the XLSX template) needs an account."""
    return _signed_in(user) and can_comment(user, consultation)


def can_answer(user, consultation: Consultation) -> bool:
    if consultation.kind == Consultation.Kind.DRAFT:
        return _drafts(user, consultation)
    return administers_organization(user, consultation.administration_id)


def can_moderate(user, consultation: Consultation) -> bool:
    if administers(user, consultation):
        return True
    return consultation.kind == Consultation.Kind.DRAFT and _drafts(user, consultation)


def can_see_disposition_work(user, consultation: Consultation) -> bool:
    """The working view of answers before they are published: who answers, and the
    administration."""
    return _drafts(user, consultation) or administers(user, consultation)


def can_open_consultation(user) -> bool:
    """Administrators open plan, review and targeted consultations (for their own
    administration; the service checks which)."""
    return _signed_in(user) and (user.is_superuser or project_perms.is_administrator(user))


def can_decide_proposal(user, proposal: PublicProposal) -> bool:
    return administers_organization(user, proposal.administration_id)
