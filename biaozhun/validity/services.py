"""Writes of validity checking: run a check, keep watch lists, notify, purge. Views, API and
commands call these; the pure read path (`check_input`) is what the CLI and benchmark use."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from biaozhun import codes
from biaozhun.accounts.permissions import is_signed_in
from biaozhun.core.codes_text import describe
from biaozhun.validity import documents
from biaozhun.validity.conf import setting
from biaozhun.validity.models import (
    PROBLEMS,
    Notification,
    RefStatus,
    ValidityCheck,
    WatchedReference,
    WatchList,
)
from biaozhun.validity.permissions import can_delete_check, can_manage_watch_list, can_watch
from biaozhun.validity.resolution import Occurrence, resolve_all, summarize
from biaozhun.validity.selectors import catalog_snapshot

logger = logging.getLogger(__name__)


class CheckRejected(Exception):
    """The input cannot be checked (HTTP 422); `field` names the form field at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.message, self.field = message, field


class NotReady(Exception):
    """The report is not in a state that allows this (HTTP 409)."""


# --- the read path ----------------------------------------------------------------------------


def build_report(occurrences: list[Occurrence], as_of: date) -> dict:
    """The report (the stable JSON shape of the API) for the references found in an input."""
    resolutions = resolve_all(occurrences, catalog_snapshot(occurrences), as_of)
    return {
        "as_of": as_of.isoformat(),
        "summary": summarize(resolutions),
        "references": [r.as_dict() for r in resolutions],
    }


def check_input(*, text: str = "", name: str = "", data: bytes = b"", as_of: date,
                progress: documents.Progress | None = None) -> dict:
    """Read a text or a file, find its references and resolve them; DocumentError if the
    input cannot be read."""
    segments = (documents.read_upload(name, data, progress) if name
                else documents.read_text(text))
    return build_report(documents.find_references(segments), as_of)


def _counts(report: dict) -> tuple[int, int]:
    summary = report["summary"]
    return sum(summary.values()), sum(summary[s] for s in PROBLEMS)


# --- checks -------------------------------------------------------------------------------------


def start_check(*, text: str = "", upload: UploadedFile | None = None,
                as_of: date | None = None, by=None) -> ValidityCheck:
    """Check a text or a file: small inputs at once, large ones as a background job.

    Raises CheckRejected (nothing is stored) for an empty, oversized or unreadable input.
    A signed-in user's report is kept; an anonymous one expires.
    """
    as_of = as_of or timezone.localdate()
    if not (date(1900, 1, 1) <= as_of <= date(2100, 12, 31)):
        raise CheckRejected(_("核查日期超出范围。"), "as_of")
    if bool(text.strip()) == bool(upload):
        raise CheckRejected(_("请粘贴文本或上传一个文件（二者选一）。"))
    owner = by if by is not None and by.is_authenticated else None
    check = ValidityCheck(owner=owner, as_of=as_of)
    if owner is None:
        check.expires_at = timezone.now() + timedelta(hours=setting("VALIDITY_ANONYMOUS_HOURS"))
    data = b""
    try:
        if upload is not None:
            documents.check_upload_size(upload.size or 0)
            data = upload.read()
            documents.preflight(upload.name, data)
            check.source_name = upload.name[:255]
            size = len(data)
        else:
            documents.read_text(text)  # length limit
            check.source_name = _("粘贴的文本")
            size = len(text.encode())
        if size <= setting("VALIDITY_SYNC_MAX_BYTES"):
            report = check_input(text=text, name=upload.name if upload else "", data=data,
                                 as_of=as_of)
    except documents.DocumentError as exc:
        raise CheckRejected(str(exc), "file" if upload is not None else "text") from exc

    if size <= setting("VALIDITY_SYNC_MAX_BYTES"):
        check.state, check.report = ValidityCheck.State.SUCCEEDED, report
        check.reference_count, check.problem_count = _counts(report)
        check.finished_at = timezone.now()
        check.save()
        return check
    with transaction.atomic():
        if upload is not None:
            check.upload.save(upload.name, ContentFile(data), save=False)
        else:
            check.text = text
        check.save()
        from biaozhun.validity.tasks import run_check

        transaction.on_commit(lambda: run_check.enqueue(str(check.pk)))
    return check


def execute_check(check_id) -> ValidityCheck:
    """Run a queued check; the outcome (report or message) is stored on the record.

    A job delivered twice runs once. The input is deleted once the report exists.
    """
    check = ValidityCheck.objects.get(pk=check_id)
    if check.state != ValidityCheck.State.PENDING:
        return check
    ValidityCheck.objects.filter(pk=check.pk).update(state=ValidityCheck.State.RUNNING)

    def progress(done: int, total: int) -> None:
        ValidityCheck.objects.filter(pk=check.pk).update(processed_units=done,
                                                         total_units=max(total, done))

    try:
        if check.upload:
            with check.upload.open("rb") as handle:
                data = handle.read()
            report = check_input(name=check.source_name, data=data, as_of=check.as_of,
                                 progress=progress)
        else:
            report = check_input(text=check.text, as_of=check.as_of)
    except documents.DocumentError as exc:
        check.state, check.message = ValidityCheck.State.FAILED, str(exc)
    except Exception:
        logger.exception("validity check %s failed", check.pk)
        check.state, check.message = ValidityCheck.State.FAILED, _("核查出错，请稍后重试。")
    else:
        check.state, check.report = ValidityCheck.State.SUCCEEDED, report
        check.reference_count, check.problem_count = _counts(report)
    if check.upload:
        check.upload.delete(save=False)
    check.text = ""
    check.finished_at = timezone.now()
    check.save(update_fields=["state", "message", "report", "reference_count", "problem_count",
                              "upload", "text", "finished_at", "updated_at"])
    return check


@transaction.atomic
def delete_check(check: ValidityCheck, *, by) -> None:
    """Delete a kept report (its owner only)."""
    if not can_delete_check(by, check):
        raise PermissionDenied
    if check.upload:
        path = check.upload
        transaction.on_commit(lambda: path.delete(save=False))
    check.delete()


def purge_expired_checks(*, now=None) -> int:
    """Delete anonymous reports past their expiry; idempotent. Returns how many."""
    now = now or timezone.now()
    expired = ValidityCheck.objects.filter(owner__isnull=True, expires_at__lt=now)
    count = 0
    for check in expired.only("pk", "upload"):
        if check.upload:
            check.upload.delete(save=False)
        check.delete()
        count += 1
    return count


# --- watch lists --------------------------------------------------------------------------------


def _current_state(codes_to_check: list[str], on: date) -> dict[str, tuple[str, list[str]]]:
    """code_norm -> (status, codes in force) of each code on `on`, resolved in bulk."""
    occurrences = [Occurrence(code, codes.parse(code)) for code in codes_to_check]
    resolutions = resolve_all(occurrences, catalog_snapshot(occurrences), on)
    return {occurrence.key: (resolution.status, resolution.in_force)
            for occurrence, resolution in zip(occurrences, resolutions, strict=True)}


@transaction.atomic
def save_watch_list(check: ValidityCheck, *, by, name: str = "") -> WatchList:
    """Follow the parsed references of a finished report; their state today is the baseline."""
    if not can_watch(by, check):
        raise PermissionDenied
    if check.state != ValidityCheck.State.SUCCEEDED:
        raise NotReady(_("报告尚未完成，不能保存为关注清单。"))
    seen: dict[str, str] = {}
    for reference in check.report.get("references", []):
        if reference["code"]:
            seen.setdefault(codes.code_norm(reference["code"]), reference["code"])
    if not seen:
        raise NotReady(_("报告中没有可关注的标准号。"))
    today = timezone.localdate()
    state = _current_state(list(seen.values()), today)
    watch_list = WatchList.objects.create(
        owner=by, source_check=check,
        name=(name.strip() or check.source_name)[:200])
    WatchedReference.objects.bulk_create([
        WatchedReference(watch_list=watch_list, code=code, code_norm=norm,
                         status=state[norm][0], in_force=state[norm][1], checked_on=today)
        for norm, code in seen.items()])
    return watch_list


WATCH_LIST_NAME_MAX = WatchList._meta.get_field("name").max_length
WATCHED_CODE_MAX = WatchedReference._meta.get_field("code").max_length
# A list of 20,000 bad numbers must not answer with 20,000 messages.
MAX_ITEM_ERRORS = 100


def _parse_watched(text: str) -> tuple[codes.StandardNumber | None, str]:
    """The standard number `text` names, or None and why not (in the words of the report)."""
    too_long = _("标准号过长（最多 %(limit)s 个字符）。") % {"limit": WATCHED_CODE_MAX}
    if len(text) > WATCHED_CODE_MAX:
        return None, too_long
    try:
        number = codes.parse(text)
    except codes.CodeError as exc:
        return None, _("无法识别的标准号：%(reason)s") % {"reason": describe(exc)}
    if len(number.code) > WATCHED_CODE_MAX:  # repairs can lengthen a number a little
        return None, too_long
    return number, ""


@transaction.atomic
def create_watch_list(*, name: str, references: list[str], by) -> WatchList:
    """Follow the standard numbers listed, one per item, in any spelling the `codes` grammar
    reads (duplicates fold); their state today is the baseline. Signed-in users only.

    Raises ValidationError (nothing stored) for a blank or long `name`, an empty or too long
    list, or items that are not standard numbers, each message naming the item and why.
    """
    if not is_signed_in(by):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("请填写清单名称。")]
    elif len(name) > WATCH_LIST_NAME_MAX:
        errors["name"] = [_("清单名称不能超过 %(limit)s 个字符。") % {
            "limit": WATCH_LIST_NAME_MAX}]
    limit = setting("VALIDITY_MAX_REFERENCES")
    seen: dict[str, str] = {}
    if not references:
        errors["references"] = [_("请至少列出一个标准号。")]
    elif len(references) > limit:
        errors["references"] = [_("标准号过多（超过 %(limit)s 个），请分为几个清单。") % {
            "limit": f"{limit:,}"}]
    else:
        problems: list[str] = []
        for position, item in enumerate(references, 1):
            text = item.strip()
            if not text:
                problems.append(_("第 %(n)s 项为空。") % {"n": position})
                continue
            number, reason = _parse_watched(text)
            if number is None:
                shown = text if len(text) <= 40 else text[:40] + "…"
                problems.append(_("第 %(n)s 项“%(item)s”：%(reason)s") % {
                    "n": position, "item": shown, "reason": reason})
            else:
                seen.setdefault(number.code_norm, number.code)
        if len(problems) > MAX_ITEM_ERRORS:
            problems[MAX_ITEM_ERRORS:] = [_("另有 %(n)s 项有误。") % {
                "n": len(problems) - MAX_ITEM_ERRORS}]
        if problems:
            errors["references"] = problems
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    state = _current_state(list(seen.values()), today)
    watch_list = WatchList.objects.create(owner=by, name=name)
    WatchedReference.objects.bulk_create([
        WatchedReference(watch_list=watch_list, code=code, code_norm=norm,
                         status=state[norm][0], in_force=state[norm][1], checked_on=today)
        for norm, code in seen.items()])
    return watch_list


@transaction.atomic
def delete_watch_list(watch_list: WatchList, *, by) -> None:
    if not can_manage_watch_list(by, watch_list):
        raise PermissionDenied
    watch_list.delete()


def mark_notifications_read(*, by, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: all of them, or only those among `ids`
    (ids of others' notifications or of none are ignored). Returns how many were marked."""
    if by is None or not by.is_authenticated:
        raise PermissionDenied
    unread = Notification.objects.filter(user=by, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notify_watch_lists(*, today: date | None = None) -> int:
    """Compare every watched reference with its state today; for each watch list with
    changes, update the references, create one notification and e-mail the owner after the
    commit. Idempotent: a second run on the same day finds nothing. Returns notifications."""
    today = today or timezone.localdate()
    watched = list(WatchedReference.objects.select_related("watch_list__owner"))
    if not watched:
        return 0
    state = _current_state(sorted({w.code for w in watched}), today)
    changed: dict[int, list[tuple[WatchedReference, str, list[str]]]] = defaultdict(list)
    for reference in watched:
        status, in_force = state[reference.code_norm]
        if (status, in_force) != (reference.status, reference.in_force):
            changed[reference.watch_list_id].append((reference, status, in_force))
    sent = 0
    for changes in changed.values():
        with transaction.atomic():
            watch_list = changes[0][0].watch_list
            lines = []
            for reference, status, in_force in changes:
                line = _("%(code)s：%(old)s → %(new)s") % {
                    "code": reference.code, "old": RefStatus(reference.status).label,
                    "new": RefStatus(status).label}
                if in_force and in_force != [reference.code]:
                    line += _("（现行：%(codes)s）") % {"codes": "、".join(in_force)}
                lines.append(line)
                reference.status, reference.in_force, reference.checked_on = (
                    status, in_force, today)
            WatchedReference.objects.bulk_update(
                [c[0] for c in changes], ["status", "in_force", "checked_on"])
            notification = Notification.objects.create(
                user=watch_list.owner, kind=Notification.Kind.WATCH_STATUS_CHANGED,
                title=_("关注清单“%(name)s”中有 %(n)s 项标准状态变化") % {
                    "name": watch_list.name, "n": len(changes)},
                body="\n".join(lines), url=reverse("validity:watch_list", args=[watch_list.pk]))
            email = watch_list.owner.email
            if email:
                transaction.on_commit(lambda n=notification, to=email: send_mail(
                    n.title, n.body + "\n\n" + n.url, None, [to]))
        sent += 1
    return sent
