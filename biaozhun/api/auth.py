"""API authentication: personal tokens (Authorization: Bearer bz_…) or the browser session.

Write endpoints of every app use `auth=token_or_session`. Read-only endpoints stay open.
"""

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from biaozhun.accounts.services import authenticate_api_token


class TokenAuth(HttpBearer):
    """A usable (unrevoked, unexpired) token of an active user; the request then acts as that
    user (`request.user`), so permission checks read the same as for pages."""

    def authenticate(self, request: HttpRequest, token: str):
        user = authenticate_api_token(token)
        if user is None:
            return None
        request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser session. Unsafe methods must carry the CSRF token; a request with
    no signed-in session is simply not authenticated (401), not refused for CSRF (403)."""

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # CSRF for POST, PUT, PATCH, DELETE, refused in the interface's words (ninja's own
        # check says "CSRF check Failed").
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, gettext("使用登录会话时，写请求须带 CSRF 令牌（X-CSRFToken）。"))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


token_or_session = [TokenAuth(), SessionAuth()]


def caller(request):
    """The caller of a public read: a bearer token's user, else the session's, else None.

    An unusable token on a public read is not an error; the caller is simply anonymous.
    """
    if request.headers.get("Authorization"):
        user = TokenAuth()(request)
        if user is not None:
            return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def writer(request):
    """The caller of a public write (open to anyone, signed in or not, such as a validity
    check): a bearer token's user; the session's user only when the request carries the
    CSRF token, else a page on another site could act in the signed-in user's name; anyone
    else is anonymous. Never refuses: the write goes ahead as anonymous."""
    if request.headers.get("Authorization"):
        user = TokenAuth()(request)
        if user is not None:
            return user
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user if check_csrf(request) is None else None
