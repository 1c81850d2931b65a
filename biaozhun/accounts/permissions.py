"""Predicates (the `rules` package) other apps compose into their object rules.

Every predicate is False for anonymous and inactive users. Superusers pass role checks and
may manage any organisation's members, but are members of no organisation unless they join.
"""

import rules
from rules.predicates import Predicate

from biaozhun.accounts.models import Membership, Organization
from biaozhun.accounts.selectors import organization_ids


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _group_names(user) -> set[str]:
    # The same cache attribute rules' is_group_member uses, so both share one query.
    if not hasattr(user, "_group_names_cache"):
        user._group_names_cache = set(user.groups.values_list("name", flat=True))
    return user._group_names_cache


def has_role(name: str) -> Predicate:
    """A predicate: the user holds role `name` (see roles.py), or is a superuser."""

    @rules.predicate(f"has_role:{name}")
    def holds_role(user) -> bool:
        if not is_signed_in(user):
            return False
        return user.is_superuser or name in _group_names(user)

    return holds_role


def _organization_id(organization: Organization | int | None) -> int | None:
    return organization.pk if isinstance(organization, Organization) else organization


@rules.predicate
def is_member_of(user, organization: Organization | int | None) -> bool:
    """An active member (any role) of `organization`."""
    org_id = _organization_id(organization)
    return is_signed_in(user) and org_id is not None and org_id in organization_ids(user)


@rules.predicate
def can_manage_members(user, organization: Organization | int | None) -> bool:
    """An active manager of `organization`, or a superuser."""
    org_id = _organization_id(organization)
    if not is_signed_in(user) or org_id is None:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, organization_id=org_id, is_active=True,
                                     role=Membership.Role.MANAGER).exists()


# Object permissions answered by rules.permissions.ObjectPermissionBackend:
# user.has_perm("accounts.manage_members", organization).
rules.set_perm("accounts.manage_members", can_manage_members)
