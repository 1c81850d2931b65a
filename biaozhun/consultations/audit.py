"""The event chain of each consultation without a project: append one event, verify them all.

A project's (draft) consultation is recorded in the project's chain (`projects.audit`); plan,
review and targeted consultations have no project, so their openings, closings, answers,
groupings and moderation are chained here, per consultation, the same way. Appending happens
inside the service's transaction with the consultation row locked (or just created), so `seq`
and `prev_hash` cannot race. `biaozhun verify_audit` runs `verify_all` through the verifier
registry of `biaozhun.core.audit` (registered in `AppConfig.ready`).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from biaozhun.consultations.models import Consultation, ConsultationEvent
from biaozhun.core.audit import append_event, first_break, verify_chains


def record_event(consultation: Consultation, *, kind: str, by=None, note: str = "",
                 payload: dict | None = None) -> ConsultationEvent:
    """Append an event to `consultation`'s chain. Call with the consultation row locked;
    refused for a project's consultation, whose events belong to the project."""
    if consultation.project_id is not None:
        raise ValueError("a project's consultation is recorded in the project's events")
    return append_event(ConsultationEvent, consultation, owner_field="consultation_id", by=by,
                        kind=kind, note=note, payload=payload or {})


@dataclass(frozen=True)
class BrokenLink:
    consultation_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"征求意见 {self.consultation_id} 事件 #{self.seq}：{self.reason}"


def verify_chain(events: Iterable[ConsultationEvent],
                 consultation_id: int) -> BrokenLink | None:
    """The first broken link of one consultation's events (given in seq order), or None.
    The same checks as a project's chain: numbering, previous hash, own hash."""
    found = first_break(events)
    return None if found is None else BrokenLink(consultation_id, *found)


def verify_all(consultation_ids=None, *,
               chunk_size: int = 2000) -> tuple[int, list[BrokenLink]]:
    """Check every chain (or those of `consultation_ids`); returns (events read, broken
    links). A chain shorter than `Consultation.event_count` lost its last events."""
    events = ConsultationEvent.objects.order_by("consultation_id", "seq")
    consultations = Consultation.objects.filter(event_count__gt=0)
    if consultation_ids is not None:
        events = events.filter(consultation_id__in=list(consultation_ids))
        consultations = consultations.filter(pk__in=list(consultation_ids))
    read, broken = verify_chains(events.iterator(chunk_size=chunk_size), "consultation_id",
                                 dict(consultations.values_list("pk", "event_count")))
    return read, [BrokenLink(*link) for link in broken]
