"""The admin pages of organisations, memberships and the sign-in ledger."""

import pytest

from biaozhun.accounts.models import Organization, SignInAttempt

pytestmark = pytest.mark.django_db


def test_superuser_sees_organisation_with_credit_code_region_and_memberships(client, demo,
                                                                              changsha):
    client.force_login(demo["admin"])
    page = client.get(f"/admin/accounts/organization/{changsha.pk}/change/").content.decode()
    assert 'name="credit_code"' in page
    assert 'name="region_code" value="430100"' in page
    assert 'name="memberships-0-role"' in page  # the inline membership of guanli
    assert "标准化主管部门工作人员（长沙市）" in page
    listing = client.get("/admin/accounts/organization/?kind__exact=enterprise").content.decode()
    assert ("长沙示例食品有限公司" in listing, "长沙市市场监督管理局" in listing) == (True, False)


def test_the_admin_rejects_an_invalid_credit_code(client, demo):
    client.force_login(demo["admin"])
    response = client.post("/admin/accounts/organization/add/", {
        "name": "某公司", "kind": "enterprise", "credit_code": "91350100M000100Y44",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert "校验码不符：第 18 位应为“3”" in response.content.decode()
    assert not Organization.objects.filter(name="某公司").exists()


def test_an_administrator_may_edit_organisations_but_only_view_memberships(client, demo,
                                                                           changsha):
    client.force_login(demo["guanli"])
    assert client.get(f"/admin/accounts/organization/{changsha.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/membership/").status_code == 200
    assert client.get("/admin/accounts/membership/add/").status_code == 403
    assert client.get("/admin/accounts/organization/add/").status_code == 403


def test_the_sign_in_ledger_is_read_only(client, demo):
    SignInAttempt.objects.create(username="carol", ip="192.0.2.1", succeeded=False)
    client.force_login(demo["admin"])
    attempt = SignInAttempt.objects.get()
    assert client.get("/admin/accounts/signinattempt/").status_code == 200
    assert client.get("/admin/accounts/signinattempt/add/").status_code == 403
    page = client.get(f"/admin/accounts/signinattempt/{attempt.pk}/change/").content.decode()
    assert 'name="username"' not in page
