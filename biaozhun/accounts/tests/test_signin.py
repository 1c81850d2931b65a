"""Minimal sign-in and sign-out (Django's auth views)."""

import pytest

from biaozhun.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol():
    return User.objects.create_user("carol", password="correct horse")


def test_sign_in_page_and_header_link(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="username"' in page
    assert 'href="/accounts/login/?next=/accounts/login/"' in page


def test_sign_in_goes_to_next_and_header_shows_the_user(client, carol):
    response = client.post("/accounts/login/", {"username": "carol", "password": "correct horse",
                                                "next": "/check/"})
    assert (response.status_code, response["Location"]) == (302, "/check/")
    assert "carol" in client.get("/check/").content.decode()


def test_wrong_password_stays_signed_out(client, carol):
    response = client.post("/accounts/login/", {"username": "carol", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post(client, carol):
    client.force_login(carol)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_header_name_links_to_the_account_page(client, carol):
    client.force_login(carol)
    page = client.get("/check/").content.decode()
    assert '<li class="account"><a href="/accounts/">carol</a>' in page
    page = client.get("/accounts/").content.decode()
    assert '<a href="/accounts/" aria-current="page">carol</a>' in page


def test_sign_in_without_next_goes_to_the_account_page(client, carol):
    response = client.post("/accounts/login/", {"username": "carol", "password": "correct horse"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/")


def test_account_page_needs_sign_in(client):
    response = client.get("/accounts/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/accounts/")


def test_account_page_shows_memberships_roles_and_links(client, demo):
    client.force_login(demo["qiye"])
    page = client.get("/accounts/").content.decode()
    assert "<td>长沙示例食品有限公司</td><td>企业</td><td>管理员</td>" in page
    assert 'href="/accounts/tokens/"' in page
    assert 'href="/accounts/password/"' in page
    client.force_login(demo["gongzhong"])
    page = client.get("/accounts/").content.decode()
    assert "您不属于任何机构。" in page


def test_account_page_query_count(client, demo, django_assert_num_queries):
    client.force_login(demo["guanli"])
    # session, user, groups, token count, memberships
    with django_assert_num_queries(5):
        assert client.get("/accounts/").status_code == 200
