"""E-mail subscriptions: double opt-in, one-click unsubscribe, subscribing again."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from biaozhun.consultations import services
from biaozhun.consultations.models import Subscription
from biaozhun.consultations.tests.factories import plan_consultation


def _subscribe(capture, email="Reader@Example.com", category="draft") -> Subscription:
    with capture(execute=True):
        return services.subscribe(email=email, category=category)


def test_subscribing_mails_a_confirmation_link(db, django_capture_on_commit_callbacks):
    subscription = _subscribe(django_capture_on_commit_callbacks)
    assert (subscription.email, subscription.category, subscription.confirmed_at,
            subscription.unsubscribed_at, subscription.is_active) == (
        "reader@example.com", "draft", None, None, False)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["reader@example.com"], "【订阅确认】标准征求意见稿征求意见通知")]
    body = mail.outbox[0].body
    assert settings.SITE_URL + reverse("consultations:confirm_subscription",
                                       args=[subscription.token]) in body
    assert settings.SITE_URL + reverse("consultations:unsubscribe",
                                       args=[subscription.token]) in body


def test_confirming_activates_the_subscription_once(db, django_capture_on_commit_callbacks):
    subscription = _subscribe(django_capture_on_commit_callbacks)
    confirmed = services.confirm_subscription(subscription.token)
    assert confirmed.is_active is True
    again = services.confirm_subscription(subscription.token)
    assert again.confirmed_at == confirmed.confirmed_at


def test_subscribing_again_while_active_sends_nothing(db, django_capture_on_commit_callbacks):
    subscription = _subscribe(django_capture_on_commit_callbacks)
    services.confirm_subscription(subscription.token)
    mail.outbox.clear()
    again = _subscribe(django_capture_on_commit_callbacks, email="reader@example.com")
    assert (again.pk, again.token, again.is_active) == (subscription.pk, subscription.token,
                                                        True)
    assert mail.outbox == []


def test_subscribing_again_while_pending_resends_the_same_link_after_the_quiet_period(
        db, django_capture_on_commit_callbacks):
    subscription = _subscribe(django_capture_on_commit_callbacks)
    again = _subscribe(django_capture_on_commit_callbacks)
    assert (again.pk, again.token) == (subscription.pk, subscription.token)
    assert len(mail.outbox) == 1  # asked again at once: no second mail
    Subscription.objects.update(confirmation_sent_at=timezone.now() - timedelta(
        minutes=settings.SUBSCRIPTION_RESEND_MINUTES + 1))
    _subscribe(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].body == mail.outbox[0].body
    assert Subscription.objects.count() == 1


def test_unsubscribing_takes_one_click_and_is_idempotent(db,
                                                        django_capture_on_commit_callbacks):
    subscription = _subscribe(django_capture_on_commit_callbacks)
    services.confirm_subscription(subscription.token)
    gone = services.unsubscribe(subscription.token)
    assert gone.unsubscribed_at is not None and gone.is_active is False
    assert services.unsubscribe(subscription.token).unsubscribed_at == gone.unsubscribed_at


def test_an_old_confirmation_link_does_not_resubscribe(db, django_capture_on_commit_callbacks):
    subscription = _subscribe(django_capture_on_commit_callbacks)
    services.unsubscribe(subscription.token)
    with pytest.raises(ValidationError) as refused:
        services.confirm_subscription(subscription.token)
    assert refused.value.message_dict == {
        "token": ["该订阅已退订，如需继续接收通知请重新订阅。"]}
    assert Subscription.objects.get().confirmed_at is None


def test_an_unsubscribed_address_may_subscribe_again_with_a_new_token(
        db, django_capture_on_commit_callbacks):
    subscription = _subscribe(django_capture_on_commit_callbacks)
    services.confirm_subscription(subscription.token)
    services.unsubscribe(subscription.token)
    mail.outbox.clear()
    again = _subscribe(django_capture_on_commit_callbacks)
    assert again.pk == subscription.pk
    assert again.token != subscription.token
    assert (again.confirmed_at, again.unsubscribed_at) == (None, None)
    assert len(mail.outbox) == 1 and again.token in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.confirm_subscription(subscription.token)
    assert services.confirm_subscription(again.token).is_active is True


@pytest.mark.parametrize("call", ["confirm", "unsubscribe"])
@pytest.mark.parametrize("token", ["", "unknown-token"])
def test_unknown_tokens_are_refused(db, call, token):
    service = services.confirm_subscription if call == "confirm" else services.unsubscribe
    with pytest.raises(ValidationError) as refused:
        service(token)
    assert refused.value.message_dict == {"token": ["链接无效。"]}


@pytest.mark.parametrize("email, category, errors", [
    ("", "draft", {"email": ["请填写电子邮箱。"]}),
    ("not-an-address", "draft", {"email": ["电子邮箱格式不正确。"]}),
    ("a@example.com", "sports", {"category": ["订阅类别无效。"]}),
])
def test_bad_subscriptions_are_refused(db, email, category, errors):
    with pytest.raises(ValidationError) as refused:
        services.subscribe(email=email, category=category)
    assert refused.value.message_dict == errors
    assert Subscription.objects.count() == 0


def test_only_active_subscribers_hear_of_new_consultations(
        cast, clock, django_capture_on_commit_callbacks):
    active = _subscribe(django_capture_on_commit_callbacks, "on@example.com", "plan")
    services.confirm_subscription(active.token)
    gone = _subscribe(django_capture_on_commit_callbacks, "off@example.com", "all")
    services.confirm_subscription(gone.token)
    services.unsubscribe(gone.token)
    _subscribe(django_capture_on_commit_callbacks, "pending@example.com", "plan")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation = plan_consultation(cast)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["on@example.com"], f"【征求意见】{consultation.title}")]
    unsubscribe = settings.SITE_URL + reverse("consultations:unsubscribe", args=[active.token])
    assert mail.outbox[0].extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"

