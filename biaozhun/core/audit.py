"""Hash-chained audit trails kept by domain apps (a project's, a consultation's): appending
an event, checking chains, and the registry through which `biaozhun verify_audit` checks them
all.

The command lives in `projects`, which must not import the apps above it (e.g.
`consultations`); each such app registers a verifier here from its `AppConfig.ready()`, and the
command runs every registered one after the project chains.
"""

from collections.abc import Callable, Iterable, Mapping

from django.db.models import F
from django.utils import timezone

# verify() -> (events read, broken links); a link's str() is the line the command prints.
ChainVerifier = Callable[[], tuple[int, Iterable[object]]]
_VERIFIERS: dict[str, ChainVerifier] = {}


def register_verifier(name: str, verify: ChainVerifier) -> None:
    """Add (or replace) the verifier of the trails called `name`; idempotent."""
    _VERIFIERS[name] = verify


def unregister_verifier(name: str) -> None:
    _VERIFIERS.pop(name, None)


def registered_verifiers() -> list[tuple[str, ChainVerifier]]:
    """The verifiers in the order they were registered."""
    return list(_VERIFIERS.items())


# --- Appending ------------------------------------------------------------------------------

SYSTEM_LABEL = "系统"  # the actor of what the system does by itself (closing periods, …)


def append_event(model, owner, *, owner_field: str, by=None, **fields):
    """Append a `model` event (a `core.models.ChainedEvent`) to `owner`'s chain: the next
    `seq`, the previous event's hash, the actor and its label, now; then count it on
    `owner.event_count`. Call inside the write's transaction with the owner row locked (or
    just created), so `seq` and `prev_hash` cannot race."""
    last = (model.objects.filter(**{owner_field: owner.pk}).order_by("-seq")
            .values_list("seq", "hash").first())
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
    label = SYSTEM_LABEL if by is None else (str(by) or by.get_username())
    event = model(**{owner_field: owner.pk}, seq=seq, actor=by, actor_label=label[:150],
                  at=timezone.now(), prev_hash=prev_hash, **fields)
    event.hash = event.compute_hash()
    event.save()
    type(owner).objects.filter(pk=owner.pk).update(event_count=F("event_count") + 1)
    return event


# --- Checking chains ------------------------------------------------------------------------
# Shared by every trail whose events are `core.models.ChainedEvent`s numbered 1, 2, … per owner
# (a project, a consultation); each app wraps the results in its own BrokenLink.


def first_break(events: Iterable) -> tuple[int, str] | None:
    """(seq, reason) of the first broken link of one owner's events given in seq order."""
    expected_seq, prev_hash = 1, ""
    for event in events:
        if event.seq != expected_seq:
            return expected_seq, f"缺少事件（下一条为 #{event.seq}）"
        if event.prev_hash != prev_hash:
            return event.seq, "与上一条事件的哈希不一致"
        if event.compute_hash() != event.hash:
            return event.seq, "内容与其哈希不一致（已被修改）"
        expected_seq, prev_hash = event.seq + 1, event.hash
    return None


def verify_chains(events: Iterable, owner: str,
                  counts: Mapping[int, int]) -> tuple[int, list[tuple[int, int, str]]]:
    """Walk `events` ordered by (`owner` id, seq) and check each owner's chain, and that it has
    as many events as its stored count (`counts`: owner id -> event_count), so deleting the
    last events is found too. Returns (events read, [(owner id, seq, reason), …])."""
    broken: list[tuple[int, int, str]] = []
    read = 0
    current: list = []
    current_id = None
    seen: set[int] = set()

    def finish(owner_id, rows):
        found = first_break(rows)
        expected = counts.get(owner_id, 0)
        if found is None and expected != len(rows):
            why = "末尾事件被删除" if expected > len(rows) else "事件数记录被改动"
            found = (min(expected, len(rows)) + 1,
                     f"事件数应为 {expected}，实有 {len(rows)}（{why}）")
        if found:
            broken.append((owner_id, *found))

    for event in events:
        read += 1
        owner_id = getattr(event, owner)
        if owner_id != current_id:
            if current_id is not None:
                finish(current_id, current)
            current_id, current = owner_id, []
            seen.add(owner_id)
        current.append(event)
    if current_id is not None:
        finish(current_id, current)
    for owner_id, count in counts.items():
        if owner_id not in seen and count:
            broken.append((owner_id, 1, f"事件数应为 {count}，实有 0（事件被删除）"))
    return read, broken
