"""Sign-in lockout: per username and per client address, on the site and in the admin."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from biaozhun.accounts import services
from biaozhun.accounts.forms import client_ip
from biaozhun.accounts.models import SignInAttempt, User
from biaozhun.accounts.selectors import sign_in_lockout

pytestmark = pytest.mark.django_db

LOCKED = "该用户名登录失败次数过多，已暂时锁定。"
IP_LOCKED = "您所在网络的登录失败次数过多，已暂时禁止登录。"


def sign_in(client, username, password, url="/accounts/login/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client, username, times, url="/accounts/login/", **extra):
    for _ in range(times):
        response = sign_in(client, username, "wrong", url, **extra)
        assert response.status_code == 200


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, carol):
    fail(client, "carol", 5)
    response = sign_in(client, "carol", "correct horse")
    page = response.content.decode()
    until = timezone.localtime(SignInAttempt.objects.latest("at").at + timedelta(minutes=15))
    assert response.status_code == 200
    assert not signed_in(client)
    assert LOCKED in page
    assert f"请于 {until:%H:%M} 后（约 15 分钟后）再试" in page
    # A refused attempt is not counted: the lock does not grow under attack.
    assert list(SignInAttempt.objects.values_list("succeeded", flat=True)) == [False] * 5


def test_four_failures_do_not_lock(client, carol):
    fail(client, "carol", 4)
    response = sign_in(client, "carol", "correct horse")
    assert (response.status_code, signed_in(client)) == (302, True)


def test_sign_in_works_again_after_the_window(client, carol):
    fail(client, "carol", 5)
    SignInAttempt.objects.update(at=timezone.now() - timedelta(minutes=15, seconds=1))
    response = sign_in(client, "carol", "correct horse")
    assert (response.status_code, signed_in(client)) == (302, True)


def test_still_locked_just_before_the_window_ends(client, carol):
    fail(client, "carol", 5)
    SignInAttempt.objects.update(at=timezone.now() - timedelta(minutes=14, seconds=50))
    response = sign_in(client, "carol", "correct horse")
    assert (LOCKED in response.content.decode(), signed_in(client)) == (True, False)


def test_a_success_clears_the_failure_count(client, carol):
    fail(client, "carol", 4)
    assert sign_in(client, "carol", "correct horse").status_code == 302
    client.post("/accounts/logout/")
    fail(client, "carol", 4)
    assert sign_in(client, "carol", "correct horse").status_code == 302


def test_the_username_is_counted_case_insensitively(client, carol):
    fail(client, "Carol", 3)
    fail(client, "CAROL", 2)
    assert LOCKED in sign_in(client, "carol", "correct horse").content.decode()
    assert set(SignInAttempt.objects.values_list("username", flat=True)) == {"carol"}


def test_a_lock_on_one_username_leaves_others_alone(client, carol, dave):
    fail(client, "carol", 5)
    assert sign_in(client, "dave", "battery staple").status_code == 302


def test_unknown_usernames_are_counted_too(client):
    fail(client, "nobody", 5)
    User.objects.create_user("nobody", password="pw-for-nobody")
    assert LOCKED in sign_in(client, "nobody", "pw-for-nobody").content.decode()


def test_settings_change_the_limit_and_the_window(client, carol, settings):
    settings.ACCOUNTS_LOCKOUT_FAILURES = 2
    settings.ACCOUNTS_LOCKOUT_MINUTES = 60
    fail(client, "carol", 2)
    page = sign_in(client, "carol", "correct horse").content.decode()
    assert (LOCKED in page, "约 60 分钟后" in page) == (True, True)


def test_one_address_is_locked_after_four_times_the_limit(client, carol):
    for n in range(20):
        sign_in(client, f"guess{n}", "wrong")
    response = sign_in(client, "carol", "correct horse")
    assert (IP_LOCKED in response.content.decode(), signed_in(client)) == (True, False)
    # From another address the same account signs in.
    response = sign_in(client, "carol", "correct horse", REMOTE_ADDR="10.0.0.7")
    assert (response.status_code, signed_in(client)) == (302, True)


def test_nineteen_failures_from_one_address_do_not_lock_it(client, carol):
    for n in range(19):
        sign_in(client, f"guess{n}", "wrong")
    assert sign_in(client, "carol", "correct horse").status_code == 302


def test_the_error_is_linked_to_the_fields(client, carol):
    fail(client, "carol", 5)
    page = sign_in(client, "carol", "correct horse").content.decode()
    assert 'id="form-errors"' in page
    assert 'aria-describedby="form-errors"' in page


# --- The admin sign-in ----------------------------------------------------------------------

@pytest.fixture
def staff(db):
    return User.objects.create_user("erin", password="staff password", is_staff=True)


def test_admin_sign_in_is_locked_out_too(client, staff):
    fail(client, "erin", 5, url="/admin/login/")
    response = sign_in(client, "erin", "staff password", url="/admin/login/")
    assert (LOCKED in response.content.decode(), signed_in(client)) == (True, False)


def test_site_failures_lock_the_admin_and_the_other_way_round(client, staff):
    fail(client, "erin", 3, url="/admin/login/")
    fail(client, "erin", 2)
    assert LOCKED in sign_in(client, "erin", "staff password", url="/admin/login/"
                             ).content.decode()


def test_admin_sign_in_still_works(client, staff):
    response = sign_in(client, "erin", "staff password", url="/admin/login/")
    assert (response.status_code, signed_in(client)) == (302, True)
    assert list(SignInAttempt.objects.values_list("username", "succeeded")) == [("erin", True)]


def test_a_non_staff_user_with_the_right_password_is_not_a_failure(client, carol):
    response = sign_in(client, "carol", "correct horse", url="/admin/login/")
    assert (response.status_code, signed_in(client)) == (200, False)
    assert SignInAttempt.objects.count() == 0


# --- The ledger ------------------------------------------------------------------------------

def _failures(username, times, *, ip="192.0.2.1"):
    for at in times:
        services.record_sign_in_attempt(username=username, ip=ip, succeeded=False, now=at)


def test_failures_spread_over_more_than_the_window_do_not_lock():
    now = timezone.now()
    _failures("carol", [now - timedelta(minutes=m) for m in (16, 12, 8, 4, 0)])
    assert sign_in_lockout(username="carol", ip="192.0.2.1", now=now) is None


def test_the_lock_runs_for_the_window_after_the_failure_that_reached_the_limit():
    now = timezone.now()
    times = [now - timedelta(minutes=m) for m in (10, 9, 8, 7, 6)]
    _failures("carol", times)
    lockout = sign_in_lockout(username="CAROL", ip=None, now=now)
    assert (lockout.by_ip, lockout.until) == (False, times[-1] + timedelta(minutes=15))
    assert sign_in_lockout(username="carol", ip=None,
                           now=times[-1] + timedelta(minutes=15)) is None


def test_prune_deletes_attempts_older_than_a_day():
    now = timezone.now()
    _failures("old", [now - timedelta(days=1, seconds=1)])
    _failures("recent", [now - timedelta(hours=23)])
    assert services.prune_sign_in_attempts(now=now) == 1
    assert list(SignInAttempt.objects.values_list("username", flat=True)) == ["recent"]


def test_recording_prunes_now_and_then(monkeypatch):
    monkeypatch.setattr(services, "PRUNE_EVERY", 1)
    _failures("old", [timezone.now() - timedelta(days=2)])
    services.record_sign_in_attempt(username="new", ip=None, succeeded=True)
    assert list(SignInAttempt.objects.values_list("username", flat=True)) == ["new"]


# --- The client address ----------------------------------------------------------------------

@pytest.mark.parametrize(("proxies", "meta", "expected"), [
    (0, {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "203.0.113.9"),
    (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"},
     "203.0.113.9"),
    (2, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.2"},
     "203.0.113.9"),
    (1, {"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),
    (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, None),
    (0, {"REMOTE_ADDR": ""}, None),
])
def test_client_ip(settings, proxies, meta, expected):
    settings.ACCOUNTS_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected
