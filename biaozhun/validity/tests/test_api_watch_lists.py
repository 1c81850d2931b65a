"""The API of watch lists and notifications: /api/v1/watch-lists, /api/v1/notifications.

Personas: alice owns the data, bob is another signed-in user, anonymous has no caller. Alice
calls with a bearer token (`token`), with her session and the CSRF token (`session`), or with
her session but no CSRF token (`forged`: what a page on another site can make her browser
send), which counts as anonymous for writes.
"""

import json
from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from biaozhun.accounts.services import create_api_token
from biaozhun.validity import services
from biaozhun.validity.models import Notification, ValidityCheck, WatchedReference, WatchList

pytestmark = pytest.mark.django_db

LISTS = "/api/v1/watch-lists"
NOTIFICATIONS = "/api/v1/notifications"
READ = "/api/v1/notifications/read"
SIGN_IN = "需要认证：请在请求头中提供 API 令牌（Authorization: Bearer …），或先登录。"
SIGN_IN_TO_WRITE = ("需要认证：请在请求头中提供 API 令牌（Authorization: Bearer …）；"
                    "使用登录会话时，写请求须带 CSRF 令牌（X-CSRFToken）。")
NO_LIST = {"detail": "没有这个关注清单。"}
UNKNOWN_CHECK = "8c4c3fd4-7f2a-4c55-9a57-0d5b8f6b3c11"
# As of 1 June 2024 in the catalogue fixture (see conftest.catalog).
CONTRACT = ["gb/t1.1-2009", "GB 2760-2014", "GB/T 400-2000", "GB 9999-2020", "GB/T 1.1-2009"]
CONTRACT_ROWS = [
    {"code": "GB 2760-2014", "status": "current", "status_label": "现行",
     "in_force": ["GB 2760-2014"], "checked_on": "2024-06-01"},
    {"code": "GB 9999-2020", "status": "not_found", "status_label": "未收录",
     "in_force": [], "checked_on": "2024-06-01"},
    {"code": "GB/T 1.1-2009", "status": "superseded", "status_label": "被代替",
     "in_force": ["GB/T 1.1-2020"], "checked_on": "2024-06-01"},
    {"code": "GB/T 400-2000", "status": "abolished", "status_label": "废止",
     "in_force": [], "checked_on": "2024-06-01"},
]
CONTRACT_SUMMARY = {"current": 1, "upcoming": 0, "superseded": 1, "abolished": 1,
                    "not_found": 1, "invalid": 0}


@pytest.fixture
def clock(monkeypatch):
    """Today is 1 June 2024 (10:00 in Beijing) until a test sets `clock.today`."""
    frozen = SimpleNamespace(today=date(2024, 6, 1))
    monkeypatch.setattr(timezone, "now", lambda: datetime.combine(
        frozen.today, time(2), tzinfo=UTC))
    return frozen


class Caller:
    """A client calling as one persona, in one way; JSON in, JSON out."""

    def __init__(self, user=None, how: str = "anonymous"):
        self.client = Client(enforce_csrf_checks=True)
        self.csrf = None
        if how == "token":
            secret = create_api_token(user=user, name="ERP 同步", by=user)[1]
            self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        elif how in ("session", "forged"):
            self.client.force_login(user)
            if how == "session":
                self.client.get("/check/")  # the page sets the CSRF cookie
                self.csrf = self.client.cookies["csrftoken"].value
        elif how == "bad-token":
            self.client = Client(HTTP_AUTHORIZATION="Bearer bz_not-a-token")

    def _headers(self) -> dict:
        return {"HTTP_X_CSRFTOKEN": self.csrf} if self.csrf else {}

    def get(self, url, params=None):
        return self.client.get(url, params or {})

    def post(self, url, body=None):
        data = body if isinstance(body, str | bytes) else b"" if body is None else json.dumps(body)
        return self.client.post(url, data, content_type="application/json", **self._headers())

    def delete(self, url):
        return self.client.delete(url, **self._headers())


@pytest.fixture
def as_alice(alice):
    def make(how: str = "token") -> Caller:
        return Caller(alice, how)
    return make


def as_persona(persona: str, alice, bob) -> Caller:
    """`alice-token`, `alice-session`, `alice-forged`, `bob-token`, `anonymous`, `bad-token`."""
    if persona in ("anonymous", "bad-token"):
        return Caller(how=persona)
    name, how = persona.split("-")
    return Caller({"alice": alice, "bob": bob}[name], how)


def database() -> tuple:
    """Every row these endpoints may write, to compare before and after a refusal."""
    return (
        list(WatchList.objects.order_by("pk").values_list("pk", "owner_id", "name",
                                                          "source_check_id")),
        list(WatchedReference.objects.order_by("pk").values_list(
            "watch_list_id", "code", "code_norm", "status", "in_force", "checked_on")),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
    )


@pytest.fixture
def contract(catalog, alice, clock):
    """Alice's watch list "合同 A", made from a list of numbers on 1 June 2024."""
    return services.create_watch_list(name="合同 A", references=CONTRACT, by=alice)


def summary_of(watch_list: WatchList, summary: dict, total: int, check_id=None,
               created_at="2024-06-01T02:00:00Z") -> dict:
    return {"id": watch_list.pk, "name": watch_list.name, "created_at": created_at,
            "check_id": check_id, "total": total, "summary": summary,
            "url": f"/check/watch-lists/{watch_list.pk}/",
            "api_url": f"/api/v1/watch-lists/{watch_list.pk}"}


# --- GET /watch-lists -----------------------------------------------------------------------------


def test_list_shows_the_callers_lists_newest_first_with_counts_by_status(
        catalog, alice, bob, as_alice, clock, contract, django_assert_num_queries):
    empty = services.create_watch_list(name="空白", references=["GB/T 1001-2019"], by=alice)
    services.create_watch_list(name="鲍勃的", references=["GB/T 1.1-2020"], by=bob)
    # made first, but dated later: the date orders, not the id
    WatchList.objects.filter(pk=contract.pk).update(
        created_at=datetime(2024, 6, 1, 3, tzinfo=UTC))
    caller = as_alice()
    caller.get(LISTS)  # the token's first use is noted once
    with django_assert_num_queries(3):  # token, count, page with the counts
        response = caller.get(LISTS)
    assert response.status_code == 200
    assert response.json() == {"count": 2, "page": 1, "page_size": 20, "results": [
        summary_of(contract, CONTRACT_SUMMARY, 4, created_at="2024-06-01T03:00:00Z"),
        summary_of(empty, {**dict.fromkeys(CONTRACT_SUMMARY, 0), "current": 1}, 1),
    ]}


def test_list_pages(catalog, alice, as_alice, clock):
    made = [services.create_watch_list(name=f"清单 {n}", references=["GB/T 1001-2019"],
                                       by=alice) for n in range(3)]
    body = as_alice().get(LISTS, {"page": 2, "page_size": 2}).json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 2, 2)
    assert [r["id"] for r in body["results"]] == [made[0].pk]


def test_list_of_a_session_needs_no_csrf_token(contract, as_alice):
    response = as_alice("forged").get(LISTS)
    assert (response.status_code, response.json()["count"]) == (200, 1)


@pytest.mark.parametrize("persona", ["anonymous", "bad-token"])
def test_list_without_a_caller_is_401_in_chinese(contract, alice, bob, persona):
    response = as_persona(persona, alice, bob).get(LISTS)
    assert (response.status_code, response.json()) == (401, {"detail": SIGN_IN})
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(("url", "page", "message"), [
    (LISTS, "0", "不能小于 1。"), (LISTS, str(10**20), "不能大于 1000000。"),
    (NOTIFICATIONS, str(10**20), "不能大于 1000000。")])
def test_a_bad_page_is_422_not_a_database_error(as_alice, alice, url, page, message):
    response = as_alice().get(url, {"page": page})
    assert (response.status_code, response.json()) == (422, _errors(page=[message]))


# --- POST /watch-lists from numbers --------------------------------------------------------------


@pytest.mark.parametrize("how", ["token", "session"])
def test_create_from_numbers_parses_folds_and_records_todays_state(catalog, alice, as_alice,
                                                                    clock, how):
    response = as_alice(how).post(LISTS, {"name": " 合同 A ", "references": CONTRACT})
    assert response.status_code == 201
    watch_list = WatchList.objects.get()
    assert (watch_list.owner, watch_list.name, watch_list.source_check) == (alice, "合同 A", None)
    assert response.json() == {**summary_of(watch_list, CONTRACT_SUMMARY, 4),
                               "references": CONTRACT_ROWS}
    assert list(watch_list.references.values_list("code_norm", flat=True)) == [
        "GB2760-2014", "GB9999-2020", "GB/T1.1-2009", "GB/T400-2000"]


def test_a_list_made_by_the_api_is_notified_when_a_status_changes(catalog, as_alice, clock):
    caller = as_alice()
    watch_list_id = caller.post(LISTS, {"name": "合同 A", "references": CONTRACT}).json()["id"]
    clock.today = date(2025, 3, 1)  # GB 2760-2024 has taken effect
    assert services.notify_watch_lists() == 1
    notes = caller.get(NOTIFICATIONS).json()["results"]
    assert [(n["title"], n["body"], n["url"]) for n in notes] == [(
        "关注清单“合同 A”中有 1 项标准状态变化", "GB 2760-2014：现行 → 被代替（现行：GB 2760-2024）",
        f"/check/watch-lists/{watch_list_id}/")]
    rows = caller.get(f"{LISTS}/{watch_list_id}").json()["references"]
    assert rows[0] == {"code": "GB 2760-2014", "status": "superseded", "status_label": "被代替",
                       "in_force": ["GB 2760-2024"], "checked_on": "2025-03-01"}


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("bad-token", 401), ("alice-forged", 401),
    ("alice-session", 201), ("alice-token", 201)])
def test_create_permissions(catalog, alice, bob, clock, persona, status):
    before = database()
    response = as_persona(persona, alice, bob).post(
        LISTS, {"name": "合同 A", "references": ["GB/T 1.1-2020"]})
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"detail": SIGN_IN_TO_WRITE}
        assert database() == before
    else:
        assert list(WatchList.objects.values_list("owner__username", "name")) == [
            ("alice", "合同 A")]


def _errors(**errors) -> dict:
    return {"detail": "；".join(m for messages in errors.values() for m in messages),
            "errors": errors}


@pytest.mark.parametrize(("body", "expected"), [
    ({"name": "合同 A", "references": ["GB/T 1.1-2020", "XYZ 1-2020", "  ",
                                      "GB/T 1.1-2020 标准化工作导则", "DB99/T 1-2020",
                                      "GB/T 1." + "1" * 130]},
     _errors(references=[
         "第 2 项“XYZ 1-2020”：无法识别的标准号：未知的标准代号“XYZ”",
         "第 3 项为空。",
         "第 4 项“GB/T 1.1-2020 标准化工作导则”：无法识别的标准号："
         "“GB/T 1.1-2020”之后有无法识别的文字“标准化工作导则”",
         "第 5 项“DB99/T 1-2020”：无法识别的标准号："
         "地方标准代号“DB99”中的省级行政区划代码“99”不存在",
         f"第 6 项“GB/T 1.{'1' * 33}…”：标准号过长（最多 120 个字符）。"])),
    ({"name": "  ", "references": []},
     _errors(name=["请填写清单名称。"], references=["请至少列出一个标准号。"])),
    ({"references": ["GB/T 1.1-2020"]}, _errors(name=["请填写清单名称。"])),
    ({"name": "长" * 201, "references": ["GB/T 1.1-2020"]},
     _errors(name=["清单名称不能超过 200 个字符。"])),
    ({"name": "合同 A", "references": ["GB/T 1.1-2020", 2760]},
     _errors(references=["应为字符串。"])),
    ({"name": "合同 A", "references": "GB/T 1.1-2020"}, _errors(references=["应为数组。"])),
    ({"name": "合同 A", "references": ["GB/T 1.1-2020\x00"]},
     _errors(references=["不能包含 NUL（\\0）字符。"])),
    ({"name": "合同 A"},
     _errors(__all__=["请提供 references（标准号清单）或 check_id（报告 id），二者选一。"])),
    ({"name": "合同 A", "references": ["GB/T 1.1-2020"],
      "check_id": UNKNOWN_CHECK},
     _errors(__all__=["请提供 references（标准号清单）或 check_id（报告 id），二者选一。"])),
    ({"name": "合同 A", "references": ["GB/T 1.1-2020"], "owner": 2},
     _errors(owner=["不支持此字段。"])),
    ("[", _errors(__all__=["请求体应为 JSON 对象。"])),
])
def test_create_with_bad_input_is_422_and_stores_nothing(catalog, as_alice, clock, body,
                                                         expected):
    before = database()
    response = as_alice().post(LISTS, body)
    assert (response.status_code, response.json()) == (422, expected)
    assert database() == before


def test_create_with_more_numbers_than_the_limit_is_422(catalog, as_alice, clock, settings):
    settings.VALIDITY_MAX_REFERENCES = 2
    response = as_alice().post(LISTS, {"name": "合同 A", "references": ["GB 1-2000"] * 3})
    assert (response.status_code, response.json()) == (
        422, _errors(references=["标准号过多（超过 2 个），请分为几个清单。"]))
    assert WatchList.objects.count() == 0


def test_a_hundred_bad_numbers_are_reported_then_counted(catalog, as_alice, clock):
    response = as_alice().post(LISTS, {"name": "合同 A", "references": ["XYZ 1-2020"] * 103})
    messages = response.json()["errors"]["references"]
    assert (response.status_code, len(messages), messages[-1]) == (422, 101, "另有 3 项有误。")
    assert WatchList.objects.count() == 0


def test_the_service_refuses_anonymous_callers_before_reading_the_list(catalog, clock):
    with pytest.raises(PermissionDenied):
        services.create_watch_list(name="", references=["XYZ"], by=None)
    assert WatchList.objects.count() == 0


def test_the_service_raises_validation_errors_by_field(catalog, alice, clock):
    with pytest.raises(ValidationError) as refused:
        services.create_watch_list(name="", references=["GB/T 1.1-2020", "XYZ"], by=alice)
    assert refused.value.message_dict == {
        "name": ["请填写清单名称。"],
        "references": ["第 2 项“XYZ”：无法识别的标准号：未知的标准代号“XYZ”"]}
    assert WatchList.objects.count() == 0


# --- POST /watch-lists from a report --------------------------------------------------------------


def _report(owner, text="GB 2760-2014\nGB/T 1.1-2009\nXYZ 1-2020\nGB 2760-2014") -> ValidityCheck:
    return services.start_check(text=text, by=owner)


def test_create_from_a_report_follows_its_parsed_references(catalog, alice, as_alice, clock):
    check = _report(alice)
    response = as_alice().post(LISTS, {"check_id": str(check.pk)})
    assert response.status_code == 201
    watch_list = WatchList.objects.get()
    assert (watch_list.name, watch_list.source_check) == ("粘贴的文本", check)
    assert response.json() == {
        **summary_of(watch_list, {**CONTRACT_SUMMARY, "abolished": 0, "not_found": 0}, 2,
                     check_id=str(check.pk)),
        "references": [CONTRACT_ROWS[0], CONTRACT_ROWS[2]]}


def test_create_from_an_anonymous_report_by_its_link_as_on_the_page(catalog, as_alice, clock):
    check = _report(None)
    response = as_alice().post(LISTS, {"name": "合同 B", "check_id": str(check.pk)})
    assert response.status_code == 201
    assert WatchList.objects.get().source_check == check


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("alice-forged", 401), ("bob-token", 404), ("alice-session", 201)])
def test_create_from_a_report_permissions(catalog, alice, bob, clock, persona, status):
    check = _report(alice)
    before = database()
    response = as_persona(persona, alice, bob).post(LISTS, {"check_id": str(check.pk)})
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "没有这份报告，或报告已过期。"}
    assert (database() == before) == (status != 201)


@pytest.mark.parametrize(("make", "status", "detail"), [
    (lambda alice: services.start_check(text="GB 1-2000\n" * 5, by=alice), 409,
     "报告尚未完成，不能保存为关注清单。"),
    (lambda alice: _report(alice, text="XYZ 1-2020"), 409, "报告中没有可关注的标准号。"),
    (lambda alice: ValidityCheck(pk=UNKNOWN_CHECK), 404, "没有这份报告，或报告已过期。"),
])
def test_create_from_a_report_that_cannot_be_followed_stores_nothing(
        catalog, alice, as_alice, clock, settings, django_capture_on_commit_callbacks,
        make, status, detail):
    settings.VALIDITY_SYNC_MAX_BYTES = 20  # the first report is a queued job
    with django_capture_on_commit_callbacks(execute=False):
        check = make(alice)
    before = database()
    response = as_alice().post(LISTS, {"check_id": str(check.pk)})
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert database() == before


def test_create_from_a_report_with_a_bad_id_is_422(as_alice, alice):
    response = as_alice().post(LISTS, {"check_id": "42"})
    assert (response.status_code, response.json()) == (
        422, _errors(check_id=["应为报告的 id（UUID）。"]))


# --- GET /watch-lists/{id} ------------------------------------------------------------------------


def test_detail_lists_every_reference(contract, as_alice, django_assert_num_queries):
    caller = as_alice()
    caller.get(LISTS)
    with django_assert_num_queries(3):  # token, list, references
        response = caller.get(f"{LISTS}/{contract.pk}")
    assert response.status_code == 200
    assert response.json() == {**summary_of(contract, CONTRACT_SUMMARY, 4),
                               "references": CONTRACT_ROWS}


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("bob-token", 404), ("alice-forged", 200), ("alice-token", 200)])
def test_detail_is_the_owners_only(contract, alice, bob, persona, status):
    response = as_persona(persona, alice, bob).get(f"{LISTS}/{contract.pk}")
    assert response.status_code == status
    if status == 404:
        assert response.json() == NO_LIST


@pytest.mark.parametrize("watch_list_id", ["999", str(2**70)])
def test_detail_of_an_unknown_list_is_404(as_alice, alice, watch_list_id):
    response = as_alice().get(f"{LISTS}/{watch_list_id}")
    assert (response.status_code, response.json()) == (404, NO_LIST)


# --- DELETE /watch-lists/{id} ---------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("bad-token", 401), ("alice-forged", 401), ("bob-token", 404),
    ("alice-session", 204), ("alice-token", 204)])
def test_delete_permissions(contract, alice, bob, persona, status):
    before = database()
    response = as_persona(persona, alice, bob).delete(f"{LISTS}/{contract.pk}")
    assert response.status_code == status
    if status == 204:
        assert (response.content, WatchList.objects.count(),
                WatchedReference.objects.count()) == (b"", 0, 0)
    else:
        assert response.json() == {401: {"detail": SIGN_IN_TO_WRITE}, 404: NO_LIST}[status]
        assert database() == before


def test_deleting_an_unknown_list_is_404(contract, as_alice):
    before = database()
    response = as_alice().delete(f"{LISTS}/{contract.pk + 1}")
    assert (response.status_code, response.json()) == (404, NO_LIST)
    assert database() == before


# --- Notifications --------------------------------------------------------------------------------


@pytest.fixture
def inbox(alice, bob):
    """Alice: read one old, unread one old and one new; bob: one unread."""
    def note(user, title, day, read=False):
        made = Notification.objects.create(
            user=user, kind=Notification.Kind.WATCH_STATUS_CHANGED, title=title,
            body=f"{title} 正文", url="/check/watch-lists/1/")
        stamp = datetime.combine(day, time(2), tzinfo=UTC)
        Notification.objects.filter(pk=made.pk).update(
            created_at=stamp, read_at=stamp if read else None)
        made.refresh_from_db()
        return made

    return SimpleNamespace(
        newest_read=note(alice, "已读，最新", date(2024, 6, 3), read=True),
        old=note(alice, "未读，较早", date(2024, 6, 1)),
        new=note(alice, "未读，较新", date(2024, 6, 2)),
        bobs=note(bob, "鲍勃的", date(2024, 6, 4)))


def _note(n: Notification) -> dict:
    stamp = n.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": n.pk, "kind": "watch_status_changed", "title": n.title,
            "body": n.body, "url": n.url, "created_at": stamp,
            "read_at": stamp if n.read_at else None}


def test_notifications_unread_first_then_newest(inbox, as_alice, django_assert_num_queries):
    caller = as_alice()
    caller.get(NOTIFICATIONS)
    with django_assert_num_queries(3):  # token, counts, page
        response = caller.get(NOTIFICATIONS)
    assert response.status_code == 200
    assert response.json() == {"count": 3, "page": 1, "page_size": 20, "unread": 2, "results": [
        _note(inbox.new), _note(inbox.old), _note(inbox.newest_read)]}


def test_notifications_unread_only(inbox, as_alice):
    body = as_alice("session").get(NOTIFICATIONS, {"unread": "1"}).json()
    assert (body["count"], body["unread"], [n["id"] for n in body["results"]]) == (
        2, 2, [inbox.new.pk, inbox.old.pk])


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 401), ("bad-token", 401)])
def test_notifications_without_a_caller_are_401(inbox, alice, bob, persona, status):
    response = as_persona(persona, alice, bob).get(NOTIFICATIONS)
    assert (response.status_code, response.json()) == (status, {"detail": SIGN_IN})


def test_notifications_with_a_bad_filter_are_422(as_alice, alice):
    response = as_alice().get(NOTIFICATIONS, {"unread": "maybe"})
    assert (response.status_code, response.json()) == (
        422, _errors(unread=["应为 true 或 false。"]))


def test_mark_some_read_ignores_ids_not_the_callers(inbox, as_alice, clock):
    already = inbox.newest_read.read_at
    response = as_alice().post(READ, {"ids": [inbox.old.pk, inbox.bobs.pk,
                                              inbox.newest_read.pk, 9999]})
    assert (response.status_code, response.json()) == (200, {"marked": 1, "unread": 1})
    read = dict(Notification.objects.values_list("pk", "read_at"))
    assert read == {inbox.newest_read.pk: already, inbox.old.pk: timezone.now(),
                    inbox.new.pk: None, inbox.bobs.pk: None}


@pytest.mark.parametrize("body", [None, {}, {"ids": None}, b""])
def test_mark_all_read(inbox, as_alice, clock, body):
    response = as_alice("session").post(READ, body)  # None: no body at all
    assert (response.status_code, response.json()) == (200, {"marked": 2, "unread": 0})
    assert list(Notification.objects.filter(read_at__isnull=True).values_list(
        "title", flat=True)) == ["鲍勃的"]


def test_an_empty_list_of_ids_marks_nothing(inbox, as_alice):
    before = database()
    assert as_alice().post(READ, {"ids": []}).json() == {"marked": 0, "unread": 2}
    assert database() == before


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 401), ("bad-token", 401), ("alice-forged", 401), ("bob-token", 200)])
def test_mark_read_permissions(inbox, alice, bob, persona, status):
    """Nobody marks alice's notifications but alice; bob's call marks only his own."""
    before = database()
    response = as_persona(persona, alice, bob).post(READ, {"ids": [inbox.old.pk]})
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"detail": SIGN_IN_TO_WRITE}
    else:
        assert response.json() == {"marked": 0, "unread": 1}
    assert database() == before


@pytest.mark.parametrize(("body", "expected"), [
    ({"ids": [0]}, _errors(ids=["不能小于 1。"])),
    ({"ids": ["x"]}, _errors(ids=["应为整数。"])),
    ({"ids": list(range(1, 1002))}, _errors(ids=["一次最多 1000 项。"])),
    ({"ids": 1}, _errors(ids=["应为数组。"])),
    ({"all": True}, _errors(all=["不支持此字段。"])),
    ("[]", _errors(__all__=["请求体应为 JSON 对象。"])),
])
def test_mark_read_with_bad_input_is_422_and_changes_nothing(inbox, as_alice, body,
                                                             expected):
    before = database()
    response = as_alice().post(READ, body)
    assert (response.status_code, response.json()) == (422, expected)
    assert database() == before


# --- The schema -----------------------------------------------------------------------------------


def test_schema_documents_the_endpoints_and_how_to_authenticate(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operations = {(path, method) for path, item in paths.items()
                  if path.startswith((LISTS, NOTIFICATIONS)) for method in item}
    assert operations == {(LISTS, "get"), (LISTS, "post"), (f"{LISTS}/{{watch_list_id}}", "get"),
                          (f"{LISTS}/{{watch_list_id}}", "delete"), (NOTIFICATIONS, "get"),
                          (READ, "post")}
    for path, method in operations:
        assert paths[path][method]["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    body = paths[LISTS]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"name", "references", "check_id"}
