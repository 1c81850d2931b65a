"""Guests: name, organisation, verified e-mail and the challenge. Anti-abuse: rate limits per
address and per account, the challenge wrong / expired / reused / forged."""

import hashlib
import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from biaozhun.consultations import abuse, services
from biaozhun.consultations.models import Comment, PublicProposal
from biaozhun.consultations.selectors import unanswered_count, visible_comments
from biaozhun.consultations.tests.factories import (
    GUEST_IP,
    answer_of,
    draft_consultation,
    filled_template,
    guest,
    member,
    plan_consultation,
    solved_challenge,
)


def _travel(monkeypatch, seconds: float) -> None:
    """Signatures read `time.time()`, not the test clock."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


def test_a_guest_comment_waits_for_e_mail_verification(cast, clock,
                                                      django_capture_on_commit_callbacks):
    consultation = draft_consultation(cast)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.submit_comment(consultation, by=None, data=guest(),
                                          client_ip=GUEST_IP, challenge=solved_challenge())
    assert (comment.number, comment.author, comment.name, comment.organization, comment.email,
            comment.verified_at, comment.client_ip) == (
        1, None, "王芳", "长沙某餐饮有限公司", "wangfang@example.com", None, GUEST_IP)
    consultation.refresh_from_db()
    assert consultation.comment_count == 0
    assert list(visible_comments(consultation)) == []
    assert unanswered_count(consultation.project) == 0
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["wangfang@example.com"], f"【请确认邮箱】{consultation.title} 第 1 条意见")]
    body = mail.outbox[0].body
    prefix = settings.SITE_URL + reverse("consultations:verify", args=["TOKEN"]).replace(
        "TOKEN/", "")
    link = re.search(re.escape(prefix) + r"(\S+)/\n", body)
    assert services.verify_comment(link[1]).pk == comment.pk
    assert settings.SITE_URL + comment.get_receipt_url() in body


def test_verifying_counts_the_comment_once(cast, clock):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                      challenge=solved_challenge())
    token = services.verification_token(comment)
    verified = services.verify_comment(token)
    assert verified.pk == comment.pk and verified.verified_at is not None
    again = services.verify_comment(token)
    assert again.verified_at == verified.verified_at
    consultation.refresh_from_db()
    assert consultation.comment_count == 1
    assert unanswered_count(consultation.project) == 1


def test_an_expired_verification_link_is_refused(cast, clock, state_of, monkeypatch):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                      challenge=solved_challenge())
    token = services.verification_token(comment)
    before = state_of()
    _travel(monkeypatch, 72 * 3600 + 5)
    with pytest.raises(ValidationError) as refused:
        services.verify_comment(token)
    assert refused.value.message_dict == {"token": ["确认链接已过期（有效期 72 小时）。"]}
    assert state_of() == before


@pytest.mark.parametrize("token", ["", "garbage", "1:abc:def"])
def test_a_bad_verification_link_is_refused(cast, clock, token):
    with pytest.raises(ValidationError) as refused:
        services.verify_comment(token)
    assert refused.value.message_dict == {"token": ["确认链接无效。"]}


def test_an_anonymous_user_object_is_a_guest(cast, clock):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=AnonymousUser(), data=guest(),
                                      client_ip=GUEST_IP, challenge=solved_challenge())
    assert (comment.author, comment.verified_at) == (None, None)


def test_guests_must_give_name_organisation_and_e_mail(cast, clock, state_of):
    consultation = draft_consultation(cast)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=None,
                                data=guest(name="", organization=" ", email=""),
                                client_ip=GUEST_IP, challenge=solved_challenge())
    assert refused.value.message_dict == {
        "name": ["请填写姓名。"], "organization": ["请填写单位。"],
        "email": ["请填写电子邮箱，用于确认意见。"]}
    assert state_of() == before


def test_a_guest_without_a_challenge_is_refused(cast, clock, state_of):
    consultation = draft_consultation(cast)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP)
    assert refused.value.message_dict == {"challenge": ["请回答验证问题。"]}
    assert state_of() == before


def test_field_errors_and_the_challenge_error_come_together(cast, clock):
    consultation = draft_consultation(cast)
    token, answer = solved_challenge()
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=None, data=guest(email=""),
                                client_ip=GUEST_IP, challenge=(token, int(answer) + 1))
    assert refused.value.message_dict == {"email": ["请填写电子邮箱，用于确认意见。"],
                                          "challenge": ["验证问题回答错误，请回答新的问题。"]}


def test_a_wrong_answer_is_refused_and_nothing_is_stored(cast, clock, state_of):
    consultation = draft_consultation(cast)
    token, answer = solved_challenge()
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                challenge=(token, str(int(answer) + 1)))
    assert refused.value.message_dict == {"challenge": ["验证问题回答错误，请回答新的问题。"]}
    assert state_of() == before


def test_a_challenge_is_accepted_once(cast, clock):
    consultation = draft_consultation(cast)
    challenge = solved_challenge()
    services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                            challenge=challenge)
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                challenge=challenge)
    assert refused.value.message_dict == {"challenge": ["验证问题已使用过，请回答新的问题。"]}
    assert Comment.objects.count() == 1


def test_a_wrong_answer_uses_the_challenge_up(cast, clock):
    token, answer = solved_challenge()
    with pytest.raises(ValidationError):
        abuse.check_challenge(token, "99")
    with pytest.raises(ValidationError) as refused:
        abuse.check_challenge(token, answer)
    assert refused.value.message_dict == {"challenge": ["验证问题已使用过，请回答新的问题。"]}


def test_an_expired_challenge_is_refused(cast, clock, monkeypatch):
    token, answer = solved_challenge()
    _travel(monkeypatch, 30 * 60 + 5)
    with pytest.raises(ValidationError) as refused:
        abuse.check_challenge(token, answer)
    assert refused.value.message_dict == {"challenge": ["验证问题已过期，请回答新的问题。"]}


def test_a_challenge_just_inside_its_validity_is_accepted(cast, clock, monkeypatch):
    token, answer = solved_challenge()
    _travel(monkeypatch, 29 * 60)
    abuse.check_challenge(token, answer)


def test_a_forged_challenge_is_refused(cast, clock):
    token, answer = solved_challenge()
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(ValidationError) as refused:
        abuse.check_challenge(forged, answer)
    assert refused.value.message_dict == {"challenge": ["验证问题无效，请回答新的问题。"]}


def test_the_token_does_not_give_the_answer_away():
    from django.core import signing

    challenge = abuse.new_challenge()
    data = signing.TimestampSigner(salt=abuse.CHALLENGE_SALT).unsign_object(challenge.token)
    assert set(data) == {"h", "n"}
    answer = answer_of(challenge.question)
    # A keyed hash: without SECRET_KEY the 19 possible answers cannot be tried against it.
    assert data["h"] == abuse._answer_hash(data["n"], answer)
    assert data["h"] != hashlib.sha256(f"{data['n']}:{answer}".encode()).hexdigest()


@pytest.mark.parametrize("spelled", ["{}", " {} ", "full", "chinese"])
def test_answers_may_be_written_in_full_width_digits_or_chinese(cast, clock, spelled):
    challenge = abuse.new_challenge()
    answer = answer_of(challenge.question)
    if spelled == "full":
        text = "".join(chr(ord(d) + 0xFEE0) for d in str(answer))
    elif spelled == "chinese":
        text = "零一二三四五六七八九十"[answer] if answer <= 10 else "十" + "一二三四五六七八九"[answer - 11]
    else:
        text = spelled.format(answer)
    abuse.check_challenge(challenge.token, text)


def test_questions_are_chinese_sums_or_differences_of_small_numbers():
    for _ in range(50):
        challenge = abuse.new_challenge()
        assert challenge.question.endswith("等于几？（请填阿拉伯数字）")
        assert 0 <= answer_of(challenge.question) <= 18


def test_questions_and_refusals_follow_the_interface_language(cast, clock):
    from django.utils import translation

    with translation.override("en"):
        challenge = abuse.new_challenge()
        match = re.fullmatch(r"What is (\w+) (plus|minus) (\w+)\? \(Answer in digits\.\)",
                             challenge.question)
        assert match, challenge.question
        a, b = (abuse._ENGLISH_NUMERALS.index(match[i]) for i in (1, 3))
        answer = a + b if match[2] == "plus" else a - b
        abuse.check_challenge(challenge.token, abuse._ENGLISH_NUMERALS[answer].title())
        with pytest.raises(ValidationError) as refused:
            abuse.check_challenge(challenge.token, str(answer))
        assert refused.value.message_dict == {
            "challenge": ["This question has already been used; please answer the new one."]}
        assert str(abuse.RateLimited(61)) == "Too many submissions; try again in 2 minutes."
    with translation.override("zh-hant"):
        challenge = abuse.new_challenge()
        assert re.fullmatch(r"[一二三四五六七八九][加減][一二三四五六七八九]等於幾？"
                            r"（請填阿拉伯數字）", challenge.question), challenge.question


# --- rate limits -------------------------------------------------------------------------------


def test_the_thirty_first_comment_from_one_address_within_an_hour_is_refused(
        cast, clock, state_of):
    consultation = plan_consultation(cast)
    users = [cast.outsider, cast.drafter, cast.department_user]
    for i in range(30):
        services.submit_comment(consultation, by=users[i % 3], data=member(),
                                client_ip=GUEST_IP)
    before = state_of()
    with pytest.raises(abuse.RateLimited) as refused:
        services.submit_comment(consultation, by=cast.experts[0], data=member(),
                                client_ip=GUEST_IP)
    assert refused.value.retry_after_seconds == 3600
    assert str(refused.value) == "提交过于频繁，请 60 分钟后再试。"
    assert state_of() == before
    other = services.submit_comment(consultation, by=cast.experts[0], data=member(),
                                    client_ip="198.51.100.9")
    assert other.number == 31


def test_the_address_limit_applies_to_guests(cast, clock, state_of, settings):
    settings.CONSULTATION_RATE_LIMITS = {"comment": {"per_ip_hour": 2}}
    consultation = plan_consultation(cast)
    for _ in range(2):
        services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                challenge=solved_challenge())
    before = state_of()
    with pytest.raises(abuse.RateLimited):
        services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                challenge=solved_challenge())
    assert state_of() == before


def test_the_account_limit_counts_across_addresses(cast, clock, state_of, settings):
    settings.CONSULTATION_RATE_LIMITS = {"comment": {"per_ip_hour": 30, "per_user_hour": 3}}
    consultation = plan_consultation(cast)
    for i in range(3):
        services.submit_comment(consultation, by=cast.outsider, data=member(),
                                client_ip=f"198.51.100.{i + 1}")
    before = state_of()
    with pytest.raises(abuse.RateLimited):
        services.submit_comment(consultation, by=cast.outsider, data=member(),
                                client_ip="198.51.100.99")
    assert state_of() == before
    assert services.submit_comment(consultation, by=cast.drafter, data=member(),
                                   client_ip="198.51.100.99").number == 4


def test_the_limit_lifts_when_the_window_has_passed(cast, clock, settings):
    settings.CONSULTATION_RATE_LIMITS = {"comment": {"per_ip_hour": 1}}
    consultation = plan_consultation(cast)
    services.submit_comment(consultation, by=cast.outsider, data=member(), client_ip=GUEST_IP)
    with pytest.raises(abuse.RateLimited):
        services.submit_comment(consultation, by=cast.outsider, data=member(),
                                client_ip=GUEST_IP)
    clock.advance(1)
    assert services.submit_comment(consultation, by=cast.outsider, data=member(),
                                   client_ip=GUEST_IP).number == 2


def test_an_xlsx_import_counts_as_one_submission(cast, clock, settings):
    settings.CONSULTATION_RATE_LIMITS = {"comment": {"per_user_hour": 2}}
    consultation = plan_consultation(cast)
    rows = [("5.1", "", "技术性", f"意见 {i}", "", "") for i in range(5)]
    imported = services.import_comments(consultation, by=cast.drafter,
                                        upload=filled_template(consultation, rows))
    assert len(imported) == 5
    services.submit_comment(consultation, by=cast.drafter, data=member())
    with pytest.raises(abuse.RateLimited):
        services.submit_comment(consultation, by=cast.drafter, data=member())


def test_the_eleventh_proposal_from_one_address_in_a_day_is_refused(cast, clock, state_of):
    from biaozhun.consultations.tests.test_proposals import proposal_data

    for _ in range(10):
        services.submit_proposal(by=cast.outsider, data=proposal_data(cast), client_ip=GUEST_IP)
    before = state_of()
    with pytest.raises(abuse.RateLimited) as refused:
        services.submit_proposal(by=cast.outsider, data=proposal_data(cast),
                                 client_ip=GUEST_IP)
    assert refused.value.retry_after_seconds == 86400
    assert state_of() == before
    assert PublicProposal.objects.count() == 10
