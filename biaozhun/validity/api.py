"""API of validity checking: `POST /validity-checks` and polling `GET /validity-checks/{id}`;
the caller's watch lists (`/watch-lists`) and notifications (`/notifications`)."""

import json
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import pydantic
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Q, Value, When
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus

from biaozhun.api.auth import caller, writer
from biaozhun.api.errors import (
    MESSAGES,
    Id,
    InvalidOut,
    NotFound,
    StrictIn,
    json_body,
    json_response,
    parse_body,
    parse_query,
    query_parameters,
    refusals,
)
from biaozhun.api.schemas import MAX_PAGE, MAX_PAGE_SIZE, ErrorOut, PageOut, page_slice
from biaozhun.validity import services
from biaozhun.validity.models import RefStatus, ValidityCheck, WatchList
from biaozhun.validity.permissions import get_check_for, get_watch_list_for, notifications_for

router = Router(tags=["标准有效性核查"])


class SummaryOut(Schema):
    current: int
    upcoming: int
    superseded: int
    abolished: int
    not_found: int
    invalid: int


class ReferenceOut(Schema):
    raw: str = Field(description="文中的原始写法（首次出现）")
    code: str | None = Field(description="规范化的标准号；无法识别时为 null")
    count: int = Field(description="出现次数（同一标准号的不同写法合并）")
    locations: list[dict] = Field(
        description="每次出现的位置：line / page / paragraph / table,row,column / "
                    "part(header|footer),section / sheet,cell 等键，以及可读的 label")
    status: str = Field(description="current | upcoming | superseded | abolished | "
                                    "not_found | invalid")
    resolved_to: str | None = Field(description="核查所依据的版本（未注明年号时为最新现行版本）")
    title: str = ""
    base: str | None = Field(None, description="修改单的基础标准")
    replaced_by: list[str] = Field(description="代替本版本的标准（现行时为已发布待实施的）")
    in_force: list[str] = Field(description="沿代替链找到的现行版本，即应改为引用的标准")
    replacement_effective_on: date | None = Field(description="代替标准的实施日期")
    effective_on: date | None = None
    abolished_on: date | None = None
    suggestions: list[str] = Field(description="未收录时相近的标准号")
    advice: str


class ReportOut(Schema):
    id: str
    url: str = Field(description="报告页面地址")
    as_of: date
    summary: SummaryOut
    references: list[ReferenceOut]


class JobOut(Schema):
    id: str
    state: str = Field(description="pending | running | succeeded | failed")
    progress: int = Field(description="百分比")
    poll_url: str
    url: str


class CheckIn(Schema):
    text: str
    as_of: date | None = None


def _report(check: ValidityCheck) -> dict:
    return {"id": str(check.pk), "url": check.get_absolute_url(), **check.report}


def _job(check: ValidityCheck) -> dict:
    return {"id": str(check.pk), "state": check.state, "progress": check.progress_percent,
            "poll_url": reverse("api:validity_check", args=[check.pk]),
            "url": check.get_absolute_url()}


@router.post("/validity-checks", url_name="validity_checks",
             response={200: ReportOut, 202: JobOut, 422: ErrorOut},
             summary="核查文本或文件中引用的标准")
def create_check(request, text: Annotated[str | None, Form()] = None,
                 as_of: Annotated[date | None, Form()] = None,
                 file: Annotated[UploadedFile | None, File()] = None):
    """Send `text` (a list, one number per line, or any text) or `file` (.txt .docx .pdf
    .xlsx .csv) as multipart/form-data, or `{"text": …, "as_of": …}` as JSON. Small inputs
    answer 200 with the report; large ones 202 with a job to poll at `poll_url`."""
    if request.content_type == "application/json":
        try:
            body = CheckIn.model_validate(json.loads(request.body or b"{}"))
        except (ValueError, pydantic.ValidationError):
            return HttpStatus(422, {"detail": _("请求体应为 JSON 对象：text（文本），as_of（可选，"
                                                "YYYY-MM-DD）。")})
        text, as_of = body.text, body.as_of
    try:
        check = services.start_check(text=text or "", upload=file, as_of=as_of,
                                     by=writer(request))
    except services.CheckRejected as exc:
        return HttpStatus(422, {"detail": exc.message})
    if check.state == ValidityCheck.State.SUCCEEDED:
        return HttpStatus(200, _report(check))
    return HttpStatus(202, _job(check))


@router.get("/validity-checks/{check_id}", url_name="validity_check",
            response={200: ReportOut, 202: JobOut, 404: ErrorOut, 422: ErrorOut},
            summary="核查结果（后台任务进行中时返回进度）")
def get_check(request, check_id: UUID):
    try:
        check = get_check_for(caller(request), check_id)
    except ValidityCheck.DoesNotExist:
        return HttpStatus(404, {"detail": _("没有这份报告，或报告已过期。")})
    if check.state == ValidityCheck.State.SUCCEEDED:
        return HttpStatus(200, _report(check))
    if check.state == ValidityCheck.State.FAILED:
        return HttpStatus(422, {"detail": check.message})
    return HttpStatus(202, _job(check))


# --- Watch lists and notifications ----------------------------------------------------------------
#
# A caller's own data: a bearer token's user, or the signed-in session (writes only with the
# CSRF token, `api.auth.writer`). Anyone else gets 401; another user's list is 404, as on the
# pages. Refusals answer in the shape of every app (`api.errors.refusals`).


class NotAuthenticated(Exception):
    """No usable caller for an endpoint that works on the caller's own data (HTTP 401)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _unauthenticated(exc: NotAuthenticated) -> JsonResponse:
    response = json_response(401, {"detail": exc.detail})
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _not_ready(exc: services.NotReady) -> JsonResponse:
    return json_response(409, {"detail": str(exc)})


_refusals = refusals({NotAuthenticated: _unauthenticated, services.NotReady: _not_ready})

# Documents how the caller is identified; the endpoints themselves check with reader/writer.
_SECURITY = {"security": [{"TokenAuth": []}, {"SessionAuth": []}]}
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 422: InvalidOut}
WRITE_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}
MAX_READ_IDS = 1000


def _reader(request):
    user = caller(request)
    if user is None:
        raise NotAuthenticated(_("需要认证：请在请求头中提供 API 令牌（Authorization: Bearer …），"
                                 "或先登录。"))
    return user


def _writer(request):
    user = writer(request)
    if user is None:
        raise NotAuthenticated(_("需要认证：请在请求头中提供 API 令牌（Authorization: Bearer …）；"
                                 "使用登录会话时，写请求须带 CSRF 令牌（X-CSRFToken）。"))
    return user


def _messages() -> dict[str, str]:
    """Messages of body and query errors (built per request: they are translated)."""
    return {**MESSAGES,
            "uuid_parsing": _("应为报告的 id（UUID）。"),
            "uuid_type": _("应为报告的 id（UUID）。"),
            "string_too_long": _("清单名称不能超过 %(limit)s 个字符。") % {
                "limit": services.WATCH_LIST_NAME_MAX},
            "too_long": _("一次最多 %(limit)s 项。") % {"limit": MAX_READ_IDS}}


class WatchedReferenceOut(Schema):
    code: str = Field(description="标准号（规范写法）")
    status: str = Field(description="current | upcoming | superseded | abolished | "
                                    "not_found | invalid")
    status_label: str
    in_force: list[str] = Field(description="沿代替链找到的现行版本")
    checked_on: date = Field(description="最近一次核查的日期（状态变化时更新）")


class WatchListSummaryOut(Schema):
    id: int
    name: str
    created_at: datetime
    check_id: str | None = Field(description="来源报告的 id；由标准号清单创建或报告已删除时为 null")
    total: int = Field(description="关注的标准数")
    summary: SummaryOut = Field(description="按状态计数（与核查报告的 summary 相同）")
    url: str = Field(description="清单页面地址")
    api_url: str


class WatchListOut(WatchListSummaryOut):
    references: list[WatchedReferenceOut]


class WatchListPageOut(PageOut):
    results: list[WatchListSummaryOut]


class WatchListIn(StrictIn):
    name: str = Field("", max_length=services.WATCH_LIST_NAME_MAX,
                      description="清单名称；由报告创建时可省略（默认为报告的来源名称）")
    references: list[str] | None = Field(
        None, description="标准号，每项一个，任意常见写法；重复的合并（与 check_id 二者选一）")
    check_id: UUID | None = Field(
        None, description="一份已完成的核查报告的 id：关注其中识别出的全部标准号")


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="watch_status_changed：关注的标准状态变化")
    title: str
    body: str
    url: str = Field(description="相关页面地址")
    created_at: datetime
    read_at: datetime | None = Field(description="已读时间；未读为 null")


class NotificationPageOut(PageOut):
    unread: int = Field(description="未读通知总数")
    results: list[NotificationOut]


class WatchListQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class NotificationQuery(WatchListQuery):
    unread: bool = Field(False, description="只列未读通知（unread=1）")


class NotificationsReadIn(StrictIn):
    ids: list[Id] | None = Field(None, max_length=MAX_READ_IDS,
                                 description="要标为已读的通知 id；省略时全部标为已读")


class NotificationsReadOut(Schema):
    marked: int = Field(description="本次标为已读的通知数")
    unread: int = Field(description="仍未读的通知数")


def _status_counts() -> dict:
    return {f"n_{status}": Count("references", filter=Q(references__status=status))
            for status in RefStatus.values}


def _watch_list(watch_list: WatchList, counts: dict[str, int]) -> dict:
    return {"id": watch_list.pk, "name": watch_list.name, "created_at": watch_list.created_at,
            "check_id": str(watch_list.source_check_id) if watch_list.source_check_id else None,
            "total": sum(counts.values()), "summary": counts,
            "url": watch_list.get_absolute_url(),
            "api_url": reverse("api:watch_list", args=[watch_list.pk])}


def _watch_list_detail(watch_list: WatchList) -> dict:
    references = list(watch_list.references.all())
    counts = dict.fromkeys(RefStatus.values, 0)
    for reference in references:
        counts[reference.status] += 1
    return {**_watch_list(watch_list, counts), "references": [
        {"code": r.code, "status": r.status, "status_label": str(RefStatus(r.status).label),
         "in_force": r.in_force, "checked_on": r.checked_on} for r in references]}


def _own_watch_list(user, watch_list_id: int) -> WatchList:
    try:
        return get_watch_list_for(user, watch_list_id)
    except WatchList.DoesNotExist:
        raise NotFound(_("没有这个关注清单。")) from None


@router.get("/watch-lists", url_name="watch_lists",
            response={200: WatchListPageOut, **READ_ERRORS},
            openapi_extra={**query_parameters(WatchListQuery), **_SECURITY},
            summary="我的关注清单")
@_refusals
def list_watch_lists(request):
    """调用者（API 令牌或登录会话）的关注清单，新建的在前，分页返回；每个清单附按状态的计数。"""
    user = _reader(request)
    params = parse_query(request, WatchListQuery, messages=_messages())
    queryset = WatchList.objects.filter(owner=user)
    page = (queryset.annotate(**_status_counts()).order_by("-created_at", "-pk")
            [page_slice(params.page, params.page_size)])
    return {"count": queryset.count(), "page": params.page, "page_size": params.page_size,
            "results": [_watch_list(w, {s: getattr(w, f"n_{s}") for s in RefStatus.values})
                        for w in page]}


@router.post("/watch-lists", url_name="watch_lists",
             response={201: WatchListOut, **WRITE_ERRORS},
             openapi_extra={**json_body(WatchListIn), **_SECURITY},
             summary="新建关注清单")
@_refusals
def create_watch_list(request):
    """由标准号清单 `{"name": …, "references": ["GB/T 1.1-2020", …]}` 或一份已完成的核查报告
    `{"name": …, "check_id": …}` 新建关注清单；以今天的状态为基准，此后状态变化时发出通知。
    清单中任何一项不是有效的标准号时返回 422，逐项说明（第几项，从 1 数起，及原因），
    不保存任何内容。
    报告须为调用者的报告或仍在有效期内的匿名报告（否则 404），且已完成（否则 409）。"""
    user = _writer(request)
    data = parse_body(request, WatchListIn, messages=_messages())
    if (data.references is None) == (data.check_id is None):
        raise ValidationError({"__all__": _("请提供 references（标准号清单）或 check_id"
                                            "（报告 id），二者选一。")})
    if data.check_id is not None:
        try:
            check = get_check_for(user, data.check_id)
        except ValidityCheck.DoesNotExist:
            raise NotFound(_("没有这份报告，或报告已过期。")) from None
        watch_list = services.save_watch_list(check, by=user, name=data.name)
    else:
        watch_list = services.create_watch_list(name=data.name, references=data.references,
                                                by=user)
    return HttpStatus(201, _watch_list_detail(watch_list))


@router.get("/watch-lists/{int:watch_list_id}", url_name="watch_list",
            response={200: WatchListOut, 401: ErrorOut, 404: ErrorOut},
            openapi_extra=_SECURITY, summary="关注清单详情")
@_refusals
def get_watch_list(request, watch_list_id: int):
    """一个关注清单及其中每个标准的状态、现行版本和最近核查日期；他人的清单返回 404。"""
    return _watch_list_detail(_own_watch_list(_reader(request), watch_list_id))


@router.delete("/watch-lists/{int:watch_list_id}", url_name="watch_list",
               response={204: None, 401: ErrorOut, 404: ErrorOut},
               openapi_extra=_SECURITY, summary="删除关注清单")
@_refusals
def delete_watch_list(request, watch_list_id: int):
    """删除调用者的关注清单（此后不再通知）；他人的清单返回 404。"""
    user = _writer(request)
    services.delete_watch_list(_own_watch_list(user, watch_list_id), by=user)
    return HttpStatus(204, None)


@router.get("/notifications", url_name="notifications",
            response={200: NotificationPageOut, **READ_ERRORS},
            openapi_extra={**query_parameters(NotificationQuery), **_SECURITY},
            summary="我的通知")
@_refusals
def list_notifications(request):
    """调用者的通知：未读的在前，各自按时间从新到旧，分页返回；`unread=1` 只列未读通知。"""
    user = _reader(request)
    params = parse_query(request, NotificationQuery, messages=_messages())
    mine = notifications_for(user)
    totals = mine.aggregate(all=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    queryset = mine.filter(read_at__isnull=True) if params.unread else mine
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
    page = queryset.order_by(unread_first, "-created_at", "-pk")[
        page_slice(params.page, params.page_size)]
    return {"count": totals["unread"] if params.unread else totals["all"],
            "page": params.page, "page_size": params.page_size, "unread": totals["unread"],
            "results": list(page)}


@router.post("/notifications/read", url_name="notifications_read",
             response={200: NotificationsReadOut, 401: ErrorOut, 422: InvalidOut},
             openapi_extra={**json_body(NotificationsReadIn, required=False), **_SECURITY},
             summary="将通知标为已读")
@_refusals
def read_notifications(request):
    """将调用者的通知标为已读：`{"ids": [1, 2]}` 只标这些（他人的或不存在的 id 不计），
    省略 `ids`（或不带请求体）时全部标为已读。已读的通知保持原来的已读时间。"""
    user = _writer(request)
    data = parse_body(request, NotificationsReadIn, messages=_messages())
    marked = services.mark_notifications_read(by=user, ids=data.ids)
    unread = notifications_for(user).filter(read_at__isnull=True).count()
    return {"marked": marked, "unread": unread}
