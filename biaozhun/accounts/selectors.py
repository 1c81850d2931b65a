"""Reads about accounts that views and other apps' rules share."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from biaozhun.accounts.models import ApiToken, Membership, SignInAttempt


def organization_ids(user) -> frozenset[int]:
    """Ids of the organisations `user` is an active member of; empty for anonymous users.

    Cached on the user object, which lives for one request, as `_biaozhun_org_ids`.
    """
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_biaozhun_org_ids", None)
    if cached is None:
        cached = frozenset(Membership.objects.filter(user=user, is_active=True)
                           .values_list("organization_id", flat=True))
        user._biaozhun_org_ids = cached
    return cached


def memberships_of(user) -> QuerySet[Membership]:
    """Active memberships of `user` with their organisations, for the account page."""
    return (Membership.objects.filter(user=user, is_active=True)
            .select_related("organization").order_by("organization__name"))


def api_tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def get_api_token_for(user, pk) -> ApiToken:
    """The token `pk` if it belongs to `user`; ApiToken.DoesNotExist otherwise (ids reveal
    nothing: another user's token looks the same as a missing one)."""
    if user is None or not user.is_authenticated:
        raise ApiToken.DoesNotExist
    return ApiToken.objects.get(pk=pk, user=user)


@dataclass(frozen=True)
class Lockout:
    """Why sign-in is refused and until when."""

    by_ip: bool
    until: datetime


def _locked_until(times: list[datetime], *, limit: int, window: timedelta,
                  now: datetime) -> datetime | None:
    """With failure times ascending: the end of the latest lock, if one is still running.

    A lock starts at any failure that is the `limit`-th within `window` and lasts `window`.
    """
    until = None
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] <= window and times[i] + window > now:
            until = times[i] + window
    return until


def sign_in_lockout(*, username: str, ip: str | None, now: datetime | None = None
                    ) -> Lockout | None:
    """The running lockout for this username or client address, or None if sign-in may go on.

    Failures count from the username's last successful sign-in; the address limit is higher
    (an office shares one address) and counts every username.
    """
    now = now or timezone.now()
    limit = settings.ACCOUNTS_LOCKOUT_FAILURES
    window = timedelta(minutes=settings.ACCOUNTS_LOCKOUT_MINUTES)
    # A lock can only be running if its failures lie within the last two windows.
    since = now - 2 * window
    username = username.lower()
    recent = SignInAttempt.objects.filter(at__gte=since, at__lte=now)
    last_success = (recent.filter(username=username, succeeded=True)
                    .order_by("-at").values_list("at", flat=True).first())
    failures = recent.filter(username=username, succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    until = _locked_until(sorted(failures.values_list("at", flat=True)),
                          limit=limit, window=window, now=now)
    if until is not None:
        return Lockout(by_ip=False, until=until)
    if ip:
        ip_failures = recent.filter(ip=ip, succeeded=False).values_list("at", flat=True)
        until = _locked_until(sorted(ip_failures), limit=settings.ACCOUNTS_LOCKOUT_IP_FAILURES,
                              window=window, now=now)
        if until is not None:
            return Lockout(by_ip=True, until=until)
    return None
