"""Memberships, roles and the permission predicates, for every persona."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError

from biaozhun.accounts import roles
from biaozhun.accounts.models import Membership, Organization, User
from biaozhun.accounts.permissions import (
    can_manage_members,
    has_role,
    is_member_of,
    is_signed_in,
)
from biaozhun.accounts.selectors import organization_ids
from biaozhun.accounts.services import ensure_roles

pytestmark = pytest.mark.django_db

ENTERPRISE = "长沙示例食品有限公司"
COMMITTEE = "长沙市食品安全标准化技术委员会"

# persona -> (signed in, 标准化管理员, 领导, 目录管理员, member of 长沙市局, manages 长沙市局,
#             manages the enterprise, member of the committee)
MATRIX = {
    "anonymous": (False, False, False, False, False, False, False, False),
    "gongzhong": (True, False, False, False, False, False, False, False),
    "admin": (True, True, True, True, False, True, True, False),
    "catalog": (True, False, False, True, False, False, False, False),
    "guanli": (True, True, False, False, True, True, False, False),
    "zhuzhou": (True, True, False, False, False, False, False, False),
    "xiangtan": (True, True, False, False, False, False, False, False),
    "bumen": (True, False, False, False, False, False, False, False),
    "qicao": (True, False, False, False, False, False, False, False),
    "zhuanjia1": (True, False, False, False, False, False, False, True),
    "zhuanjia3": (True, False, False, False, False, False, False, True),
    "qiye": (True, False, False, False, False, False, True, False),
    "shetuan": (True, False, False, False, False, False, False, False),
    "lingdao": (True, False, True, False, False, False, False, False),
}


@pytest.mark.parametrize("persona", MATRIX)
def test_predicates_for_each_persona(demo, changsha, persona):
    user = AnonymousUser() if persona == "anonymous" else demo[persona]
    enterprise = Organization.objects.get(name=ENTERPRISE)
    committee = Organization.objects.get(name=COMMITTEE)
    assert (
        is_signed_in(user),
        has_role(roles.ADMINISTRATOR)(user),
        has_role(roles.LEADERSHIP)(user),
        has_role(roles.CATALOG)(user),
        is_member_of(user, changsha),
        can_manage_members(user, changsha),
        can_manage_members(user, enterprise),
        is_member_of(user, committee),
    ) == MATRIX[persona]


@pytest.mark.parametrize("persona", ["admin", "guanli", "qiye"])
def test_an_inactive_user_passes_no_predicate(demo, changsha, persona):
    user = demo[persona]
    user.is_active = False
    user.save()
    assert (is_signed_in(user), has_role(roles.ADMINISTRATOR)(user),
            is_member_of(user, changsha), can_manage_members(user, changsha)) == \
        (False, False, False, False)


def test_predicates_accept_an_organisation_id_or_none(demo, changsha):
    guanli = demo["guanli"]
    assert (is_member_of(guanli, changsha.pk), can_manage_members(guanli, changsha.pk),
            is_member_of(guanli, None), can_manage_members(demo["admin"], None)) == \
        (True, True, False, False)


def test_an_inactive_membership_counts_for_nothing(demo, changsha):
    Membership.objects.filter(user=demo["guanli"]).update(is_active=False)
    guanli = User.objects.get(username="guanli")
    assert (is_member_of(guanli, changsha), can_manage_members(guanli, changsha),
            organization_ids(guanli)) == (False, False, frozenset())


def test_a_member_who_is_not_manager_cannot_manage_members(demo, changsha):
    Membership.objects.filter(user=demo["guanli"]).update(role=Membership.Role.MEMBER)
    guanli = User.objects.get(username="guanli")
    assert (is_member_of(guanli, changsha), can_manage_members(guanli, changsha)) == \
        (True, False)


def test_manage_members_is_an_object_permission(demo, changsha):
    """rules.permissions.ObjectPermissionBackend answers user.has_perm(…, organization)."""
    assert demo["guanli"].has_perm("accounts.manage_members", changsha)
    assert not demo["zhuzhou"].has_perm("accounts.manage_members", changsha)
    assert not demo["guanli"].has_perm("accounts.manage_members")
    # Model permissions still come from the groups.
    assert demo["guanli"].has_perm("accounts.change_organization")
    assert not demo["guanli"].has_perm("accounts.add_organization")


# --- organization_ids ------------------------------------------------------------------------

def test_organization_ids_are_the_active_memberships(demo, changsha):
    guanli = demo["guanli"]
    other = Organization.objects.get(name="湖南省市场监督管理局")
    Membership.objects.create(user=guanli, organization=other, is_active=False)
    assert organization_ids(guanli) == frozenset({changsha.pk})


def test_organization_ids_are_cached_on_the_user(demo, django_assert_num_queries):
    user = User.objects.get(username="zhuanjia2")
    with django_assert_num_queries(1):
        first = organization_ids(user)
        second = organization_ids(user)
    committee = Organization.objects.get(name=COMMITTEE)
    assert (first, second, user._biaozhun_org_ids) == ({committee.pk},) * 3


def test_organization_ids_of_anonymous_and_none_are_empty(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert organization_ids(AnonymousUser()) == frozenset()
        assert organization_ids(None) == frozenset()


def test_one_membership_per_user_and_organisation(demo, changsha):
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=demo["guanli"], organization=changsha)


def test_membership_str():
    membership = Membership(user=User(username="qicao"), organization=Organization(name="某院"),
                            role=Membership.Role.MANAGER)
    assert str(membership) == "qicao @ 某院（管理员）"


# --- Roles -----------------------------------------------------------------------------------

def _codenames(group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")}


def test_role_groups_and_their_exact_permissions():
    groups = ensure_roles()
    assert set(groups) == {"目录管理员", "标准化管理员", "领导"}
    assert _codenames(groups[roles.ADMINISTRATOR]) == {
        "accounts.view_organization", "accounts.change_organization", "accounts.view_membership"}
    assert _codenames(groups[roles.LEADERSHIP]) == set()


def test_ensure_roles_refuses_a_permission_that_does_not_exist(monkeypatch):
    monkeypatch.setitem(roles.ROLES, roles.LEADERSHIP, ["projects.view_dashboard_nonexistent"])
    with pytest.raises(ImproperlyConfigured, match=r"projects\.view_dashboard_nonexistent"):
        ensure_roles()


def test_ensure_roles_removes_a_permission_granted_by_hand():
    group = ensure_roles()[roles.LEADERSHIP]
    group.permissions.add(Permission.objects.get(codename="add_user"))
    assert ensure_roles()[roles.LEADERSHIP].permissions.count() == 0


def test_has_role_shares_one_query_per_user(demo, django_assert_num_queries):
    user = User.objects.get(username="lingdao")
    with django_assert_num_queries(1):
        assert (has_role(roles.LEADERSHIP)(user), has_role(roles.ADMINISTRATOR)(user)) == \
            (True, False)
