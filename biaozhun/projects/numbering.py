"""Standard numbers for local standards: one sequence per issuer code, locked while used.

The next number is max(last number used, highest number of that issuer in the catalogue) + 1,
so the platform continues from numbers issued before it existed and never reuses one that an
import added later. Allocation happens inside the approving transaction with the sequence row
locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers),
so concurrent approvals get distinct, consecutive numbers and a rollback returns its number.
"""

from django.db import transaction

from biaozhun.accounts.models import Organization
from biaozhun.catalog.models import Nature, Standard
from biaozhun.projects.models import NumberAdjustment, NumberSequence


class NumberingError(Exception):
    """The administration has no region code, so it cannot issue local standard numbers."""


def issuer_for(administration: Organization, nature: str) -> str:
    code = getattr(administration, "local_issuer_code", "") or ""
    if not code:
        raise NumberingError(f"{administration} 未设置行政区划代码，无法编号。")
    return f"DB{code}" + ("" if nature == Nature.MANDATORY else "/T")


def catalog_max(issuer: str) -> int:
    """Highest sequence number of `issuer` in the catalogue (parts share their base number)."""
    best = 0
    for number in Standard.objects.filter(prefix=issuer).values_list("number", flat=True) \
            .iterator(chunk_size=5000):
        if number.isdigit():
            best = max(best, int(number))
    return best


def _locked(issuer: str) -> NumberSequence:
    row = NumberSequence.objects.select_for_update().filter(issuer=issuer).first()
    if row is None:
        # Two first allocations may race to create the row: one insert wins, the other waits
        # on the unique index and then locks the winner's row.
        NumberSequence.objects.bulk_create(
            [NumberSequence(issuer=issuer, last_sequence=0)], ignore_conflicts=True)
        row = NumberSequence.objects.select_for_update().get(issuer=issuer)
    return row


def allocate(issuer: str) -> int:
    """Take the next number of `issuer`. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate() must run inside a transaction")
    row = _locked(issuer)
    following = max(row.last_sequence, catalog_max(issuer)) + 1
    row.last_sequence = following
    row.save(update_fields=["last_sequence", "updated_at"])
    return following


def preview(issuer: str) -> int:
    """The number the next allocation would give now (not reserved)."""
    last = NumberSequence.objects.filter(issuer=issuer).values_list(
        "last_sequence", flat=True).first() or 0
    return max(last, catalog_max(issuer)) + 1


@transaction.atomic
def adjust(issuer: str, *, last_sequence: int, by, reason: str) -> NumberAdjustment:
    """Set the last used number of `issuer` (administrators only), keeping the reason."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from biaozhun.projects.permissions import can_adjust_numbers

    if not can_adjust_numbers(by):
        raise PermissionDenied
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请说明调整理由。"
    if last_sequence < 0:
        errors["last_sequence"] = "顺序号不能为负数。"
    if errors:
        raise ValidationError(errors)
    row = _locked(issuer)
    adjustment = NumberAdjustment.objects.create(
        sequence=row, from_value=row.last_sequence, to_value=last_sequence, reason=reason,
        by=by)
    row.last_sequence = last_sequence
    row.save(update_fields=["last_sequence", "updated_at"])
    return adjustment
