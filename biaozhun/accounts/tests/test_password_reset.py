"""Password reset by e-mail, and password change."""

import re

import pytest
from django.core import mail

from biaozhun.accounts.models import User

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def request_reset(client, email):
    return client.post("/accounts/password/reset/", {"email": email})


def test_the_reset_page_has_a_labelled_email_field(client):
    page = client.get("/accounts/password/reset/").content.decode()
    assert '<label for="id_email">电子邮件</label>' in page
    assert 'name="email"' in page


def test_the_sign_in_page_links_to_the_reset(client):
    assert 'href="/accounts/password/reset/"' in client.get("/accounts/login/").content.decode()


def test_a_known_address_gets_one_mail_with_a_working_link(client, carol):
    response = request_reset(client, "carol@example.com")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/sent/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == (["carol@example.com"], "重新设置您在标准化工作平台的密码")
    assert "您好，carol：" in message.body
    path = LINK.search(message.body).group(1)

    # Django swaps the token for a session marker and redirects to the form.
    response = client.get(path)
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    assert "设置新密码" in client.get(form_url).content.decode()

    response = client.post(form_url, {"new_password1": "a new long passphrase",
                                      "new_password2": "a new long passphrase"})
    assert (response.status_code, response["Location"]) == \
        (302, "/accounts/password/reset/complete/")
    assert "密码已重设" in client.get("/accounts/password/reset/complete/").content.decode()
    carol.refresh_from_db()
    assert (carol.check_password("a new long passphrase"), carol.check_password("correct horse")) \
        == (True, False)
    # The link works once.
    assert "该链接无效" in client.get(path, follow=True).content.decode()


def test_the_address_is_matched_case_insensitively(client, carol):
    request_reset(client, "Carol@Example.COM")
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]


def test_an_unknown_address_sends_nothing_but_looks_the_same(client, carol):
    known = request_reset(client, "carol@example.com")
    mail.outbox.clear()
    unknown = request_reset(client, "nobody@example.com")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


def test_an_inactive_user_gets_no_mail(client, carol):
    carol.is_active = False
    carol.save()
    request_reset(client, "carol@example.com")
    assert mail.outbox == []


def test_a_forged_link_is_refused(client, carol):
    page = client.get("/accounts/password/reset/MQ/bad-token/", follow=True).content.decode()
    assert "该链接无效，可能已被使用或已过期。" in page


def test_mismatched_new_passwords_are_shown_next_to_the_field(client, carol):
    request_reset(client, "carol@example.com")
    path = LINK.search(mail.outbox[0].body).group(1)
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": "a new long passphrase",
                                      "new_password2": "another passphrase"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="id_new_password2_errors id_new_password2_helptext"' in page
    assert '<div class="field-error" id="id_new_password2_errors"><p>输入的两个密码不一致。</p>' \
        in page
    carol.refresh_from_db()
    assert carol.check_password("correct horse")


# --- Password change ---------------------------------------------------------------------------

def test_password_change_needs_sign_in(client):
    response = client.get("/accounts/password/")
    assert (response.status_code, response["Location"]) == \
        (302, "/accounts/login/?next=/accounts/password/")


def test_password_change(client, carol):
    client.force_login(carol)
    assert '<label for="id_old_password">' in client.get("/accounts/password/").content.decode()
    response = client.post("/accounts/password/", {
        "old_password": "correct horse", "new_password1": "a new long passphrase",
        "new_password2": "a new long passphrase"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/done/")
    carol.refresh_from_db()
    assert carol.check_password("a new long passphrase")
    # The session survives the change.
    assert client.get("/accounts/password/done/").status_code == 200


def test_password_change_with_a_wrong_old_password_changes_nothing(client, carol):
    client.force_login(carol)
    response = client.post("/accounts/password/", {
        "old_password": "wrong", "new_password1": "a new long passphrase",
        "new_password2": "a new long passphrase"})
    assert response.status_code == 200
    assert 'aria-describedby="id_old_password_errors"' in response.content.decode()
    assert User.objects.get(pk=carol.pk).check_password("correct horse")
