"""Watch lists: saved from a report, notified (in-app and e-mail) when a status changes."""

from datetime import date

import pytest
from django.core import mail

from biaozhun.validity.models import Notification, WatchedReference
from biaozhun.validity.services import notify_watch_lists, save_watch_list, start_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def watch_list(catalog, alice):
    check = start_check(text="GB 2760-2014\nGB/T 1.1-2020\nXYZ 1-2020", by=alice)
    return save_watch_list(check, by=alice, name="合同 A")


def test_saving_keeps_every_parsed_reference_with_todays_state(watch_list):
    rows = list(watch_list.references.values_list("code", "status"))
    # the catalogue fixture's "today" is the real day: GB 2760-2024 took effect in 2025
    assert sorted(code for code, _ in rows) == ["GB 2760-2014", "GB/T 1.1-2020"]


def test_a_status_change_notifies_once_in_app_and_by_mail(watch_list, alice,
                                                           django_capture_on_commit_callbacks):
    WatchedReference.objects.filter(code="GB/T 1.1-2020").update(status="upcoming")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_watch_lists() == 1
    note = Notification.objects.get()
    assert (note.user, note.title) == (alice, "关注清单“合同 A”中有 1 项标准状态变化")
    assert note.body == "GB/T 1.1-2020：即将实施 → 现行"
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_watch_lists() == 0  # idempotent
    assert (Notification.objects.count(), len(mail.outbox)) == (1, 1)


def test_as_of_a_later_day_the_superseded_edition_is_reported(watch_list):
    WatchedReference.objects.filter(code="GB 2760-2014").update(status="current",
                                                                 in_force=["GB 2760-2014"])
    assert notify_watch_lists(today=date(2025, 3, 1)) == 1
    assert Notification.objects.get().body == (
        "GB 2760-2014：现行 → 被代替（现行：GB 2760-2024）")


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 302), ("bob", 404),
                                                  ("alice", 302)])
def test_delete_watch_list_permissions(client, watch_list, alice, bob, persona, status):
    if persona != "anonymous":
        client.force_login({"alice": alice, "bob": bob}[persona])
    response = client.post(f"/check/watch-lists/{watch_list.pk}/delete")
    assert response.status_code == status
    assert type(watch_list).objects.filter(pk=watch_list.pk).exists() == (persona != "alice")


def test_watch_list_page_is_the_owners_only(client, watch_list, alice, bob):
    client.force_login(bob)
    assert client.get(f"/check/watch-lists/{watch_list.pk}/").status_code == 404
    client.force_login(alice)
    page = client.get(f"/check/watch-lists/{watch_list.pk}/").content.decode()
    assert "GB/T 1.1-2020" in page


def test_notifications_page_and_mark_read(client, alice, bob):
    Notification.objects.create(user=alice, kind="watch_status_changed", title="A 变化")
    Notification.objects.create(user=bob, kind="watch_status_changed", title="B 变化")
    client.force_login(alice)
    page = client.get("/check/notifications/").content.decode()
    assert "A 变化" in page and "B 变化" not in page
    assert client.post("/check/notifications/read").status_code == 302
    assert list(Notification.objects.filter(read_at__isnull=False).values_list(
        "title", flat=True)) == ["A 变化"]


def test_anonymous_cannot_mark_notifications_read(client, alice):
    Notification.objects.create(user=alice, kind="watch_status_changed", title="A")
    assert client.post("/check/notifications/read").status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_notify_command_also_purges(watch_list):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("notify_watch_lists", stdout=out)
    assert out.getvalue().strip() == "已发送 0 条通知，删除 0 份过期报告。"
