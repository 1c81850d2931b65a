"""Roles as groups and the demo accounts."""

import pytest

from biaozhun.accounts.models import User
from biaozhun.accounts.services import DEMO_ACCOUNTS, ensure_demo_accounts, ensure_roles

pytestmark = pytest.mark.django_db


def test_catalog_manager_role_grants_exactly_catalog_editing():
    group = ensure_roles()["目录管理员"]
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "add_importrun" in codenames
    assert "change_standard" in codenames
    assert "change_importrun" not in codenames
    assert "add_user" not in codenames


def test_ensure_roles_is_idempotent():
    first = ensure_roles()["目录管理员"].permissions.count()
    assert ensure_roles()["目录管理员"].permissions.count() == first


def test_demo_accounts_can_sign_in_with_printed_passwords(client):
    ensure_demo_accounts()
    for account in DEMO_ACCOUNTS:
        assert client.login(username=account.username, password=account.password)
    assert User.objects.get(username="admin").is_superuser
    catalog = User.objects.get(username="catalog")
    assert (catalog.is_superuser, catalog.has_perm("catalog.add_importrun")) == (False, True)


def test_demo_accounts_rerun_resets_password(client):
    ensure_demo_accounts()
    user = User.objects.get(username="catalog")
    user.set_password("changed")
    user.save()
    ensure_demo_accounts()
    assert client.login(username="catalog", password="biaozhun-catalog")
