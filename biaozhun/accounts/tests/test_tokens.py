"""Personal API tokens: the page, the services, and the API authentication they feed."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from ninja import NinjaAPI

from biaozhun.accounts.models import ApiToken, User
from biaozhun.accounts.services import create_api_token, revoke_api_token
from biaozhun.api.auth import token_or_session

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"bz_[A-Za-z0-9_-]{40}")

# A tiny API of its own: the project's API has no write endpoint using tokens yet.
test_api = NinjaAPI(urls_namespace="accounts_test_api", docs_url=None)


@test_api.get("/whoami", auth=token_or_session)
def whoami(request):
    return {"username": request.user.username, "auth": request.auth.username}


@test_api.post("/whoami", auth=token_or_session)
def whoami_post(request):
    return {"username": request.user.username}


urlpatterns = [path("test-api/", test_api.urls), path("", include("config.urls"))]
with_test_api = pytest.mark.urls(__name__)


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def token(carol):
    return create_api_token(user=carol, name="同步脚本", by=carol)


# --- The page ---------------------------------------------------------------------------------

def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/accounts/tokens/")
    assert (response.status_code, response["Location"]) == \
        (302, "/accounts/login/?next=/accounts/tokens/")


def test_creating_shows_the_secret_once_and_stores_only_its_hash(client, carol):
    client.force_login(carol)
    response = client.post("/accounts/tokens/", {"name": "目录同步", "expires_in_days": "30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secrets_shown = set(SECRET.findall(page))
    assert len(secrets_shown) == 1
    secret = secrets_shown.pop()
    assert "离开本页后将无法再次查看该密钥" in page
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix, token.key_hash) == \
        (carol, "目录同步", secret[:8], hashlib.sha256(secret.encode()).hexdigest())
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    # Nowhere else: the row holds no secret, and the list shows the prefix only.
    assert secret not in {str(v) for v in ApiToken.objects.values_list(
        "name", "prefix", "key_hash").get()}
    page = client.get("/accounts/tokens/").content.decode()
    assert (secret in page, f"{secret[:8]}…" in page) == (False, True)


def test_a_token_without_expiry(client, carol):
    client.force_login(carol)
    client.post("/accounts/tokens/", {"name": "长期", "expires_in_days": ""})
    assert ApiToken.objects.get().expires_at is None


def test_a_token_needs_a_name(client, carol):
    client.force_login(carol)
    response = client.post("/accounts/tokens/", {"name": "", "expires_in_days": "30"})
    assert response.status_code == 422
    assert 'aria-describedby="id_name_errors id_name_helptext"' in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_the_list_shows_only_ones_own_tokens(client, carol, dave):
    create_api_token(user=dave, name="戴夫的令牌", by=dave)
    create_api_token(user=carol, name="卡罗尔的令牌", by=carol)
    client.force_login(carol)
    page = client.get("/accounts/tokens/").content.decode()
    assert ("卡罗尔的令牌" in page, "戴夫的令牌" in page) == (True, False)


def test_revoking(client, carol, token):
    client.force_login(carol)
    response = client.post(f"/accounts/tokens/{token[0].pk}/revoke/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/tokens/")
    token[0].refresh_from_db()
    assert token[0].revoked_at is not None
    assert "令牌“同步脚本”已吊销" in client.get("/accounts/tokens/").content.decode()


def test_another_user_cannot_revoke(client, dave, token):
    client.force_login(dave)
    response = client.post(f"/accounts/tokens/{token[0].pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_anonymous_cannot_revoke(client, token):
    response = client.post(f"/accounts/tokens/{token[0].pk}/revoke/")
    assert (response.status_code, response["Location"]) == \
        (302, f"/accounts/login/?next=/accounts/tokens/{token[0].pk}/revoke/")
    assert ApiToken.objects.get().revoked_at is None


def test_revoking_needs_post(client, carol, token):
    client.force_login(carol)
    assert client.get(f"/accounts/tokens/{token[0].pk}/revoke/").status_code == 405
    assert ApiToken.objects.get().revoked_at is None


def test_the_page_needs_the_csrf_token(carol):
    client = Client(enforce_csrf_checks=True)
    client.force_login(carol)
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert ApiToken.objects.count() == 0


# --- The services -----------------------------------------------------------------------------

def test_the_secret_format(carol):
    token, secret = create_api_token(user=carol, name=" 空白 ", by=carol)
    assert SECRET.fullmatch(secret)
    assert (token.name, token.prefix, token.revoked_at, token.last_used_at) == \
        ("空白", secret[:8], None, None)


def test_one_user_cannot_create_or_revoke_for_another(carol, dave, token):
    with pytest.raises(PermissionDenied):
        create_api_token(user=carol, name="x", by=dave)
    with pytest.raises(PermissionDenied):
        revoke_api_token(token[0], by=dave)
    assert (ApiToken.objects.count(), ApiToken.objects.get().revoked_at) == (1, None)


def test_a_superuser_may_revoke_anyones_token(token):
    root = User.objects.create_superuser("root", password="x")
    assert revoke_api_token(token[0], by=root).revoked_at is not None


def test_revoking_twice_keeps_the_first_time(carol, token):
    first = revoke_api_token(token[0], by=carol).revoked_at
    assert revoke_api_token(token[0], by=carol).revoked_at == first


# --- TokenAuth and SessionAuth ------------------------------------------------------------------

@with_test_api
def test_a_token_authenticates_its_user(client, token):
    response = client.get("/test-api/whoami", **bearer(token[1]))
    assert (response.status_code, response.json()) == \
        (200, {"username": "carol", "auth": "carol"})


@with_test_api
def test_use_is_noted_at_most_once_a_minute(client, token, django_assert_num_queries):
    client.get("/test-api/whoami", **bearer(token[1]))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only, no write
        client.get("/test-api/whoami", **bearer(token[1]))
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=1))
    client.get("/test-api/whoami", **bearer(token[1]))
    assert ApiToken.objects.get().last_used_at > first


@with_test_api
def test_a_revoked_token_fails(client, carol, token):
    revoke_api_token(token[0], by=carol)
    response = client.get("/test-api/whoami", **bearer(token[1]))
    assert (response.status_code, response.json()) == (401, {"detail": "Unauthorized"})


@with_test_api
def test_an_expired_token_fails(client, token):
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/test-api/whoami", **bearer(token[1])).status_code == 401


@with_test_api
def test_a_token_of_an_inactive_user_fails(client, carol, token):
    carol.is_active = False
    carol.save()
    assert client.get("/test-api/whoami", **bearer(token[1])).status_code == 401


@with_test_api
@pytest.mark.parametrize("header", [None, "Bearer", "Bearer bz_unknown", "Token {secret}",
                                    "Bearer {secret}x"])
def test_missing_or_wrong_credentials_fail(client, token, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header.format(secret=token[1])}
    assert client.get("/test-api/whoami", **extra).status_code == 401
    assert ApiToken.objects.get().last_used_at is None


@with_test_api
def test_a_token_needs_no_csrf_token(token):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/test-api/whoami", **bearer(token[1]))
    assert (response.status_code, response.json()) == (200, {"username": "carol"})


@with_test_api
def test_a_session_reads_without_csrf_but_writes_only_with_it(carol):
    client = Client(enforce_csrf_checks=True)
    client.force_login(carol)
    assert client.get("/test-api/whoami").json() == {"username": "carol", "auth": "carol"}
    assert client.post("/test-api/whoami").status_code == 403
    client.get("/accounts/tokens/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post("/test-api/whoami", HTTP_X_CSRFTOKEN=csrf)
    assert (response.status_code, response.json()) == (200, {"username": "carol"})


@with_test_api
def test_anonymous_writes_are_unauthorised_not_forbidden():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/test-api/whoami").status_code == 401


# --- Admin ------------------------------------------------------------------------------------

def test_admin_shows_the_hash_read_only_and_revokes(client, token):
    root = User.objects.create_superuser("root", password="x")
    client.force_login(root)
    page = client.get(f"/admin/accounts/apitoken/{token[0].pk}/change/").content.decode()
    assert token[0].key_hash in page
    assert 'name="key_hash"' not in page
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = client.post("/admin/accounts/apitoken/", {
        "action": "revoke", admin.helpers.ACTION_CHECKBOX_NAME: [token[0].pk]})
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
