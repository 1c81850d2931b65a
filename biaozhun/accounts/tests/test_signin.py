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
