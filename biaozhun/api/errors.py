"""Refusals as API responses, and the parsing of JSON bodies and query strings that produces them.

Every app's api module answers in one error shape, `{"detail": "..."}`, extended per status:
not found 404 (`NotFound`), `PermissionDenied` 403, `ValidationError` 422 with `errors` by
field (`InvalidOut`). Each app adds its own refusals (409 conflicts, 429 rate limits...) by
passing a mapping `{ExceptionClass: handler}` to `refusals`, so this module never imports an
app. Bodies and query strings are parsed here (`parse_body`, `parse_query`) rather than by
ninja, so that a malformed date or an unknown field answers 422 in that same shape; the
OpenAPI helpers `json_body` and `query_parameters` document what those parse.
"""

import functools
import json
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

__all__ = [
    "MESSAGES",
    "Handler",
    "Id",
    "InvalidOut",
    "NotFound",
    "StrictIn",
    "field_errors",
    "install_handlers",
    "invalid",
    "json_body",
    "json_response",
    "parse_body",
    "parse_query",
    "pydantic_errors",
    "query_parameters",
    "refusals",
    "refuse_nul",
]


# --- Shapes -------------------------------------------------------------------------------------


class InvalidOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(
        description="逐字段的错误信息；`__all__` 为不属于某一字段的错误")


class StrictIn(Schema):
    """Base of every JSON body: an unknown field is a 422 (`extra_forbidden`), not ignored."""

    model_config = pydantic.ConfigDict(extra="forbid")


# Ids within the range of a 64-bit key: a larger number must be a 422, not a database error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class NotFound(Exception):
    """An unknown object named in the path; answered 404 with `detail`."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


# --- Responses ----------------------------------------------------------------------------------


def json_response(status: int, payload: dict) -> JsonResponse:
    """`payload` as JSON with `status`, Chinese text unescaped."""
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def field_errors(exc: ValidationError, default: str = "__all__") -> dict[str, list[str]]:
    """A Django ValidationError as messages by field; one without fields goes under `default`."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {default: [str(m) for m in exc.messages]}


def invalid(errors: dict[str, list[str]]) -> JsonResponse:
    """The 422 response (`InvalidOut`): every message joined in `detail`, and `errors`."""
    detail = "；".join(m for messages in errors.values() for m in messages)
    return json_response(422, {"detail": detail or "提交的内容有误。", "errors": errors})


Handler = Callable[[Any], JsonResponse]


def refusals(handlers: Mapping[type[Exception], Handler] | None = None):
    """A decorator turning the services' refusals into responses; a refusal never becomes a 500.

    `NotFound` answers 404 and `PermissionDenied` 403; then `handlers` are tried in their order
    (the first whose class matches answers); last, `ValidationError` answers 422.
    """
    handlers = dict(handlers or {})
    extra = tuple(handlers)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                return json_response(404, {"detail": exc.detail})
            except PermissionDenied:
                return json_response(403, {"detail": "无权执行此操作。"})
            except extra as exc:
                handler = next(h for cls, h in handlers.items() if isinstance(exc, cls))
                return handler(exc)
            except ValidationError as exc:
                return invalid(field_errors(exc))

        return wrapper

    return decorate


# --- Parsing ------------------------------------------------------------------------------------


# pydantic error types → messages for people; anything else keeps pydantic's own text.
_DATE = "日期格式应为 YYYY-MM-DD。"
MESSAGES: dict[str, str] = {
    "missing": "必填。",
    "extra_forbidden": "不支持此字段。",
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_parsing": _DATE,
    "date_type": _DATE,
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "int_from_float": "应为整数。",
    "bool_parsing": "应为 true 或 false。",
    "bool_type": "应为 true 或 false。",
    "string_type": "应为字符串。",
    "list_type": "应为数组。",
}


def _message(error: Any, messages: Mapping[str, str]) -> str:
    kind = error["type"]
    if kind in messages:
        return messages[kind]
    if kind == "literal_error":
        return f"可选值：{error['ctx']['expected']}。"
    if kind == "less_than_equal":
        return f"不能大于 {error['ctx']['le']}。"
    if kind == "greater_than_equal":
        return f"不能小于 {error['ctx']['ge']}。"
    return error["msg"]


def pydantic_errors(exc: pydantic.ValidationError,
                    messages: Mapping[str, str] = MESSAGES) -> dict[str, list[str]]:
    """pydantic's errors as messages by top-level field, each message once.

    `messages` maps error types to text; types it lacks get a message naming the allowed values
    or the bound (`literal_error`, `less_than_equal`, `greater_than_equal`), else pydantic's.
    """
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__all__"
        message = _message(error, messages)
        errors.setdefault(field, [])
        if message not in errors[field]:
            errors[field].append(message)
    return errors


_NUL = "不能包含 NUL（\\0）字符。"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def refuse_nul(data: dict) -> None:
    """ValidationError (→ 422) naming each field of `data` that holds a NUL character.

    PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
    """
    fields = [str(k).replace("\x00", "") for k, v in data.items() if _has_nul(k) or _has_nul(v)]
    if fields:
        raise ValidationError({field: _NUL for field in fields})


def parse_body(request: HttpRequest, schema: type[Schema], *,
               messages: Mapping[str, str] = MESSAGES, allow_nul: bool = False):
    """The JSON body validated by `schema`; ValidationError (→ 422) when it is not.

    A NUL character anywhere in the body is refused (`refuse_nul`) unless `allow_nul`.
    """
    raw: Any = {}
    if request.body:
        try:
            raw = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise ValidationError({"__all__": "请求体应为 JSON 对象。"}) from None
    if not isinstance(raw, dict):
        raise ValidationError({"__all__": "请求体应为 JSON 对象。"})
    if not allow_nul:
        refuse_nul(raw)
    try:
        return schema.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError(pydantic_errors(exc, messages)) from None


def parse_query(request: HttpRequest, schema: type[Schema], *,
                messages: Mapping[str, str] = MESSAGES):
    """The query string validated by `schema`; ValidationError (→ 422) when it is not."""
    params = request.GET.dict()
    refuse_nul(params)
    try:
        return schema.model_validate(params)
    except pydantic.ValidationError as exc:
        raise ValidationError(pydantic_errors(exc, messages)) from None


# --- OpenAPI for what is parsed here --------------------------------------------------------------


def query_parameters(schema: type[Schema]) -> dict:
    """`openapi_extra` for query parameters parsed by `parse_query`."""
    spec = schema.model_json_schema()
    return {"parameters": [
        {"in": "query", "name": name, "required": name in spec.get("required", []),
         "description": prop.get("description", ""),
         "schema": {k: v for k, v in prop.items() if k != "description"}}
        for name, prop in spec["properties"].items()]}


def json_body(schema: type[Schema], *, required: bool = True) -> dict:
    """`openapi_extra` for a JSON body parsed by `parse_body`."""
    return {"requestBody": {"required": required, "content": {
        "application/json": {"schema": schema.model_json_schema()}}}}


# --- What ninja itself refuses --------------------------------------------------------------------

# ninja's own messages → ours; the source of each error location → the part naming the field.
_SOURCES = {"query", "path", "body", "form", "file", "header", "cookie"}


def _request_errors(exc: RequestInvalid) -> dict[str, list[str]]:
    """ninja's parameter errors (locations such as ("query", "page") or ("body", "payload",
    "name", 0)) by field, in the same words as `pydantic_errors`."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [part for part in error.get("loc", ()) if isinstance(part, str)]
        if loc and loc[0] in _SOURCES:
            source, loc = loc[0], loc[1:]
            if source == "body" and len(loc) > 1:
                loc = loc[1:]  # ("body", <parameter>, <field>, ...)
        field = loc[0] if loc else "__all__"
        message = _message(error, MESSAGES) if "type" in error else str(error.get("msg", ""))
        errors.setdefault(field, [])
        if message not in errors[field]:
            errors[field].append(message)
    return errors


def install_handlers(api) -> None:
    """Answer what ninja refuses before a view runs in the shape and language of the rest:
    parameter errors 422 with `errors` by field, a missing or unusable credential 401 (with
    `WWW-Authenticate: Bearer`), other HTTP errors (e.g. `auth.SessionAuth`'s CSRF refusal)
    as `{"detail"}`."""

    @api.exception_handler(RequestInvalid)
    def _invalid(request, exc):
        return invalid(_request_errors(exc))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        response = json_response(401, {"detail": gettext(
            "需要认证：请在请求头中提供 API 令牌（Authorization: Bearer …），或先登录。")})
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        return json_response(exc.status_code, {"detail": exc.message})

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return json_response(404, {"detail": gettext("没有这个对象。")})
