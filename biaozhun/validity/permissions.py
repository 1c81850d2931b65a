"""Who may see and change what in validity checking.

Anyone, signed in or not, may run a check. A signed-in user's report, watch lists and
notifications are theirs alone (others get 404, not 403, so that ids reveal nothing); an
anonymous report is a capability: whoever holds its link may read it until it expires.
"""

from django.utils import timezone

from biaozhun.accounts.permissions import is_signed_in as _signed_in
from biaozhun.validity.models import Notification, ValidityCheck, WatchList


def can_view_check(user, check: ValidityCheck) -> bool:
    if check.owner_id is None:
        return check.expires_at is None or check.expires_at > timezone.now()
    return _signed_in(user) and user.pk == check.owner_id


def can_delete_check(user, check: ValidityCheck) -> bool:
    return _signed_in(user) and user.pk == check.owner_id


def can_watch(user, check: ValidityCheck) -> bool:
    """Save a report's references as a watch list: any signed-in user who can see it."""
    return _signed_in(user) and can_view_check(user, check)


def can_manage_watch_list(user, watch_list: WatchList) -> bool:
    return _signed_in(user) and user.pk == watch_list.owner_id


def get_check_for(user, pk) -> ValidityCheck:
    """The check `pk` if `user` may see it; ValidityCheck.DoesNotExist otherwise."""
    check = ValidityCheck.objects.get(pk=pk)
    if not can_view_check(user, check):
        raise ValidityCheck.DoesNotExist
    return check


def get_watch_list_for(user, pk) -> WatchList:
    if not _signed_in(user):
        raise WatchList.DoesNotExist
    return WatchList.objects.get(pk=pk, owner=user)


def notifications_for(user):
    return Notification.objects.filter(user=user) if _signed_in(user) \
        else Notification.objects.none()
