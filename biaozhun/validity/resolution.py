"""Resolve references to the catalogue as of a date: pure logic over a `Snapshot`.

`selectors.catalog_snapshot` fills the snapshot in a few bulk queries (editions of every
referenced standard, then the replacement chains hop by hop); nothing here touches the
database, so the rules are tested and benchmarked on plain data. Statuses always come from
`catalog.status.derive_status` for the report's date, never from the stored status.
"""

from __future__ import annotations

from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from django.utils.translation import get_language, gettext

from biaozhun import codes
from biaozhun.catalog.models import RelationKind, Status
from biaozhun.catalog.status import Successor, derive_status
from biaozhun.validity.models import RefStatus

MAX_SUGGESTIONS = 5
_translations: dict[tuple[str | None, str], str] = {}


_language: ContextVar[str | None] = ContextVar("validity_language", default=None)


def _(message: str) -> str:
    """gettext, memoised per language: a report calls it once or twice per reference, and
    Django's get_language() costs more than the rules themselves at 10,000 references/s."""
    key = (_language.get() or get_language(), message)
    if key not in _translations:
        _translations[key] = gettext(message)
    return _translations[key]


@dataclass(frozen=True, slots=True)
class Edition:
    """The columns of a catalogue edition that resolution needs."""

    code: str
    code_norm: str
    undated_norm: str
    year: int | None
    amendment: str
    title: str
    issued_on: date | None
    effective_on: date | None
    abolished_on: date | None
    declared_status: str = ""

    @property
    def starts_on(self) -> date | None:
        return self.effective_on or self.issued_on


@dataclass(frozen=True, slots=True)
class Link:
    """A relation: `source` replaces / partially replaces / amends `target` (by code key)."""

    kind: str
    source_code: str
    source_norm: str
    target_norm: str


@dataclass
class Snapshot:
    """The part of the catalogue a batch of references needs, keyed by `code_norm`."""

    editions: dict[str, Edition] = field(default_factory=dict)
    by_undated: dict[str, list[Edition]] = field(default_factory=lambda: defaultdict(list))
    # target code_norm -> relations pointing at it (its successors and amendments)
    links_to: dict[str, list[Link]] = field(default_factory=lambda: defaultdict(list))
    # undated key -> codes close to an unknown number (same prefix, similar number)
    nearby: dict[str, list[str]] = field(default_factory=dict)

    def add_edition(self, edition: Edition) -> None:
        if edition.code_norm not in self.editions:
            self.editions[edition.code_norm] = edition
            self.by_undated[edition.undated_norm].append(edition)

    def add_link(self, link: Link) -> None:
        self.links_to[link.target_norm].append(link)


@dataclass
class Occurrence:
    """One place a reference appears: raw text, parsed number or why it does not parse
    (`core.codes_text.describe`, in the language of the check), location."""

    raw: str
    number: codes.StandardNumber | None
    error: str = ""
    location: dict = field(default_factory=dict)

    @cached_property
    def key(self) -> str:
        if self.number is not None:
            return self.number.code_norm
        return "!" + "".join(self.raw.upper().split())

    @cached_property
    def undated_key(self) -> str | None:
        if self.number is None:
            return None
        return self.number.undated_norm

    @cached_property
    def base_key(self) -> str | None:
        """For an amendment (修改单) reference, the key of the edition it amends."""
        if self.number is None or not self.number.amendment:
            return None
        return replace(self.number, amendment=None).code_norm


@dataclass
class Resolution:
    """One distinct reference of a report: the JSON shape of `references[]`."""

    raw: str
    code: str | None
    count: int
    locations: list[dict]
    status: str
    resolved_to: str | None = None
    title: str = ""
    base: str | None = None
    replaced_by: list[str] = field(default_factory=list)
    in_force: list[str] = field(default_factory=list)
    replacement_effective_on: date | None = None
    effective_on: date | None = None
    abolished_on: date | None = None
    suggestions: list[str] = field(default_factory=list)
    advice: str = ""

    def as_dict(self) -> dict:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "raw": self.raw, "code": self.code, "count": self.count,
            "locations": self.locations, "status": str(self.status),
            "resolved_to": self.resolved_to, "title": self.title, "base": self.base,
            "replaced_by": self.replaced_by, "in_force": self.in_force,
            "replacement_effective_on": iso(self.replacement_effective_on),
            "effective_on": iso(self.effective_on), "abolished_on": iso(self.abolished_on),
            "suggestions": self.suggestions, "advice": self.advice,
        }


def fold_occurrences(occurrences: list[Occurrence]) -> list[list[Occurrence]]:
    """Group occurrences of the same reference, in order of first appearance."""
    groups: dict[str, list[Occurrence]] = {}
    for occurrence in occurrences:
        groups.setdefault(occurrence.key, []).append(occurrence)
    return list(groups.values())


class Resolver:
    """Resolves references against one snapshot on one day; caches edition statuses."""

    def __init__(self, snapshot: Snapshot, as_of: date):
        self.snapshot, self.as_of = snapshot, as_of
        _language.set(get_language())
        self._status: dict[str, tuple[str, date | None]] = {}
        # amendment code_norm -> the code_norm of the edition it amends
        self._amendment_base = {link.source_norm: link.target_norm
                                for links in snapshot.links_to.values() for link in links
                                if link.kind == RelationKind.AMENDS}

    # --- statuses of editions ---------------------------------------------------------------

    def _full_successors(self, norm: str) -> list[Edition]:
        editions = self.snapshot.editions
        return [editions[link.source_norm] for link in self.snapshot.links_to.get(norm, ())
                if link.kind == RelationKind.REPLACES and link.source_norm in editions]

    def status_of(self, edition: Edition) -> tuple[str, date | None]:
        """(status, pending_change_on) of an edition on the resolver's day."""
        cached = self._status.get(edition.code_norm)
        if cached is not None:
            return cached
        self._status[edition.code_norm] = (Status.CURRENT, None)  # guards against cycles
        derived = derive_status(
            as_of=self.as_of, issued_on=edition.issued_on, effective_on=edition.effective_on,
            abolished_on=edition.abolished_on, declared_status=edition.declared_status,
            successors=[Successor(s.issued_on, s.effective_on, s.declared_status)
                        for s in self._full_successors(edition.code_norm)])
        result = (derived.status, derived.pending_change_on)
        base_norm = self._amendment_base.get(edition.code_norm)
        if base_norm and base_norm in self.snapshot.editions:
            # An amendment follows its base when the base is superseded or abolished.
            base_status = self.status_of(self.snapshot.editions[base_norm])[0]
            if base_status in (Status.SUPERSEDED, Status.ABOLISHED):
                result = (base_status, None)
        self._status[edition.code_norm] = result
        return result

    def in_force_from(self, edition: Edition, seen: set[str] | None = None) -> list[Edition]:
        """The editions in force that took over from `edition`, through splits, merges and
        several hops; partial replacements count only after an abolition."""
        seen = set() if seen is None else seen
        if edition.code_norm in seen:
            return []
        seen.add(edition.code_norm)
        status = self.status_of(edition)[0]
        if status == Status.CURRENT:
            return [edition]
        if status == Status.UPCOMING:
            return []
        kinds = ((RelationKind.REPLACES,) if status == Status.SUPERSEDED
                 else (RelationKind.REPLACES, RelationKind.PARTIALLY_REPLACES))
        result: list[Edition] = []
        editions = self.snapshot.editions
        for link in self.snapshot.links_to.get(edition.code_norm, ()):
            successor = editions.get(link.source_norm)
            if link.kind in kinds and successor is not None:
                for found in self.in_force_from(successor, seen):
                    if found not in result:
                        result.append(found)
        return result

    # --- references ---------------------------------------------------------------------------

    def resolve(self, group: list[Occurrence]) -> Resolution:
        first = group[0]
        result = Resolution(raw=first.raw, code=None, count=len(group),
                            locations=[o.location for o in group], status=RefStatus.INVALID)
        number = first.number
        if number is None:
            result.advice = _("无法识别的标准号：%(reason)s") % {"reason": _reason(first.error)}
            return result
        result.code = number.code
        if number.year is None:
            return self._resolve_undated(first, result)
        edition = self.snapshot.editions.get(number.code_norm)
        if number.amendment:
            base = self.snapshot.editions.get(first.base_key or "")
            result.base = base.code if base else None
            if edition is None and base is not None:
                self._describe(base, result)
                result.advice = _("目录未收录该修改单，按其基础标准 %(base)s 核查：%(advice)s") % {
                    "base": base.code, "advice": result.advice}
                return result
        if edition is None:
            return self._not_found(first, result)
        self._describe(edition, result)
        base = self.snapshot.editions.get(first.base_key or "") if number.amendment else None
        if base is not None and result.status in (Status.SUPERSEDED, Status.ABOLISHED):
            # The amendment went with its base: its replacements are the base's.
            of_base = Resolution(raw=first.raw, code=None, count=0, locations=[], status="")
            self._describe(base, of_base)
            result.replaced_by, result.in_force = of_base.replaced_by, of_base.in_force
            result.replacement_effective_on = of_base.replacement_effective_on
            result.abolished_on, result.advice = of_base.abolished_on, of_base.advice
        if result.base:
            result.advice = _("修改单，基础标准 %(base)s。%(advice)s") % {
                "base": result.base, "advice": result.advice}
        return result

    def _resolve_undated(self, occurrence: Occurrence, result: Resolution) -> Resolution:
        editions = [e for e in self.snapshot.by_undated.get(occurrence.undated_key or "", ())
                    if not e.amendment]
        if not editions:
            return self._not_found(occurrence, result)
        by_status: dict[str, list[Edition]] = defaultdict(list)
        for edition in editions:
            by_status[self.status_of(edition)[0]].append(edition)

        def newest(items: list[Edition]) -> Edition:
            return max(items, key=lambda e: (e.year or 0, e.starts_on or date.min, e.code))

        if by_status[Status.CURRENT]:
            chosen = newest(by_status[Status.CURRENT])
        elif by_status[Status.UPCOMING]:
            chosen = min(by_status[Status.UPCOMING],
                         key=lambda e: (e.starts_on or date.max, e.code))
        else:
            chosen = newest(editions)
        self._describe(chosen, result)
        result.advice = _("未注明年号，按最新版本 %(code)s 核查。%(advice)s") % {
            "code": chosen.code, "advice": result.advice}
        return result

    def _not_found(self, occurrence: Occurrence, result: Resolution) -> Resolution:
        result.status = RefStatus.NOT_FOUND
        key = occurrence.undated_key or ""
        siblings = sorted(self.snapshot.by_undated.get(key, ()),
                          key=lambda e: (self.status_of(e)[0] != Status.CURRENT,
                                         -(e.year or 0), e.code))
        suggestions = [e.code for e in siblings if e.code_norm != occurrence.key]
        if not suggestions:
            suggestions = list(self.snapshot.nearby.get(key, ()))
        result.suggestions = suggestions[:MAX_SUGGESTIONS]
        if result.suggestions:
            result.advice = _("目录中没有该标准号，请核对。相近的标准：%(codes)s") % {
                "codes": "、".join(result.suggestions)}
        else:
            result.advice = _("目录中没有该标准号，请核对标准号或向发布机构查询。")
        return result

    def _describe(self, edition: Edition, result: Resolution) -> None:
        """Fill status, replacements and advice for a reference that resolves to `edition`."""
        status, pending = self.status_of(edition)
        result.status, result.resolved_to, result.title = status, edition.code, edition.title
        result.effective_on = edition.starts_on
        result.abolished_on = edition.abolished_on
        links = self.snapshot.links_to.get(edition.code_norm, ())
        full = [link for link in links if link.kind == RelationKind.REPLACES]
        partial = [link for link in links if link.kind == RelationKind.PARTIALLY_REPLACES]
        editions = self.snapshot.editions
        in_force = [e.code for e in self.in_force_from(edition)]
        if status == Status.CURRENT:
            # Successors published by the day but not yet effective (one not yet published
            # on the report's date is not mentioned: the reader could not have known it).
            upcoming = [e for link in full if (e := editions.get(link.source_norm)) is not None
                        and self.status_of(e)[0] == Status.UPCOMING
                        and (e.issued_on is None or e.issued_on <= self.as_of)]
            result.in_force = [edition.code]
            if upcoming:
                result.replaced_by = [e.code for e in upcoming]
                result.replacement_effective_on = min(
                    (e.starts_on for e in upcoming if e.starts_on), default=None)
                result.advice = _("现行。%(codes)s 已发布，将于 %(day)s 实施并代替本标准，"
                                  "请关注过渡安排。") % {
                    "codes": "、".join(result.replaced_by),
                    "day": _day(result.replacement_effective_on)}
            elif pending and edition.abolished_on == pending:
                result.advice = _("现行，将于 %(day)s 废止。") % {"day": _day(pending)}
            else:
                result.advice = _("现行有效。")
        elif status == Status.UPCOMING:
            result.advice = _("已发布，尚未实施，将于 %(day)s 实施。") % {
                "day": _day(edition.starts_on)}
        elif status == Status.SUPERSEDED:
            result.replaced_by = [link.source_code for link in full]
            starts = [editions[link.source_norm].starts_on for link in full
                      if link.source_norm in editions
                      and editions[link.source_norm].starts_on is not None
                      and editions[link.source_norm].starts_on <= self.as_of]
            result.replacement_effective_on = min(starts, default=None)
            result.in_force = in_force
            result.advice = _("已被 %(by)s 代替（%(day)s 起）。") % {
                "by": "、".join(result.replaced_by), "day": _day(result.replacement_effective_on)}
            result.advice += _advise_in_force(in_force)
        elif status == Status.ABOLISHED:
            result.replaced_by = [link.source_code for link in full + partial]
            result.in_force = in_force
            if edition.abolished_on:
                result.advice = _("已于 %(day)s 废止。") % {"day": _day(edition.abolished_on)}
            else:
                result.advice = _("已废止。")
            result.advice += _advise_in_force(in_force) if in_force else _("无替代标准。")


def _advise_in_force(in_force: list[str]) -> str:
    if not in_force:
        return _("目录中没有现行的替代版本。")
    return _("请改为引用 %(codes)s。") % {"codes": "、".join(in_force)}


def _day(value: date | None) -> str:
    return value.isoformat() if value else _("日期不详")


def _reason(error: str) -> str:
    return error or _("格式不正确")


def summarize(resolutions: list[Resolution]) -> dict[str, int]:
    summary = {status: 0 for status in RefStatus.values}
    for resolution in resolutions:
        summary[resolution.status] += 1
    return summary


def resolve_all(occurrences: list[Occurrence], snapshot: Snapshot, as_of: date
                ) -> list[Resolution]:
    """Fold duplicates and resolve each distinct reference, in order of first appearance."""
    resolver = Resolver(snapshot, as_of)
    return [resolver.resolve(group) for group in fold_occurrences(occurrences)]
