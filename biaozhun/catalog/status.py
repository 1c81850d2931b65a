"""The one rule that says what status an edition has on a given day.

Everything that shows or stores a status calls `derive_status`; `services.refresh_status`
applies it to the database in bulk.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from biaozhun.catalog.models import Status


@dataclass(frozen=True, slots=True)
class Successor:
    """What the rule needs to know of an edition that fully replaces another."""

    issued_on: date | None
    effective_on: date | None
    declared_status: str = ""

    def in_force_on(self, as_of: date) -> bool:
        start = self.effective_on or self.issued_on
        if start is None:
            # Undated successor: trust the source unless it says the successor is not yet out.
            return self.declared_status != Status.UPCOMING
        return start <= as_of

    def starts_on(self) -> date | None:
        return self.effective_on or self.issued_on


@dataclass(frozen=True, slots=True)
class DerivedStatus:
    status: str
    # For a current edition: the day it becomes superseded or abolished, when already known.
    pending_change_on: date | None = None


def derive_status(
    *,
    as_of: date,
    issued_on: date | None,
    effective_on: date | None,
    abolished_on: date | None,
    declared_status: str = "",
    successors: Iterable[Successor] = (),
) -> DerivedStatus:
    """Status of one edition on `as_of`.

    1. Not yet effective (effective date, or issue date when that is all we have, after
       `as_of`) → upcoming.
    2. A full replacement in force on `as_of` → superseded. A replacement published but not
       yet effective leaves the edition current, with `pending_change_on` set.
    3. Abolished on or before `as_of` → abolished.
    4. Where the dates say nothing, the status the source declared (abolished or superseded)
       is kept; otherwise current.
    Partial replacements never change the status of the edition they partly replace.
    """
    start = effective_on or issued_on
    if start is not None and start > as_of:
        return DerivedStatus(Status.UPCOMING)
    if start is None and declared_status == Status.UPCOMING:
        return DerivedStatus(Status.UPCOMING)

    pending: list[date] = []
    successors = list(successors)
    if any(s.in_force_on(as_of) for s in successors):
        return DerivedStatus(Status.SUPERSEDED)
    # Only a successor already published on `as_of` announces a change; one issued later
    # was unknown on that day.
    pending.extend(d for s in successors if (d := s.starts_on()) is not None
                   and (s.issued_on is None or s.issued_on <= as_of))

    if abolished_on is not None:
        if abolished_on <= as_of:
            return DerivedStatus(Status.ABOLISHED)
        pending.append(abolished_on)
    elif declared_status in (Status.ABOLISHED, Status.SUPERSEDED) and not successors:
        return DerivedStatus(declared_status)

    return DerivedStatus(Status.CURRENT, min(pending) if pending else None)
