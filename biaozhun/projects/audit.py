"""The per-project event chain: append one event, verify every chain.

Appending happens inside the service's transaction with the project row locked, so `seq` and
`prev_hash` cannot race; the hash covers the row's content and the previous hash.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from biaozhun.projects.models import Project, ProjectEvent

SYSTEM_LABEL = "系统"


def record_event(project: Project, *, kind: str, by=None, note: str = "",
                 from_stage: str = "", to_stage: str = "",
                 payload: dict | None = None) -> ProjectEvent:
    """Append an event to `project`'s chain. Call with the project row locked."""
    last = (ProjectEvent.objects.filter(project_id=project.pk).order_by("-seq")
            .values_list("seq", "hash").first())
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
    label = SYSTEM_LABEL if by is None else (str(by) or by.get_username())
    event = ProjectEvent(
        project_id=project.pk, seq=seq, kind=kind, actor=by, actor_label=label[:150],
        at=timezone.now(), from_stage=from_stage, to_stage=to_stage, note=note,
        payload=payload or {}, prev_hash=prev_hash)
    event.hash = event.compute_hash()
    event.save()
    Project.objects.filter(pk=project.pk).update(event_count=F("event_count") + 1)
    return event


@dataclass(frozen=True)
class BrokenLink:
    project_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"项目 {self.project_id} 事件 #{self.seq}：{self.reason}"


def verify_chain(events: Iterator[ProjectEvent] | list[ProjectEvent],
                 project_id: int) -> BrokenLink | None:
    """The first broken link of one project's events (given in seq order), or None."""
    expected_seq, prev_hash = 1, ""
    for event in events:
        if event.seq != expected_seq:
            return BrokenLink(project_id, expected_seq,
                              f"缺少事件（下一条为 #{event.seq}）")
        if event.prev_hash != prev_hash:
            return BrokenLink(project_id, event.seq, "与上一条事件的哈希不一致")
        if event.compute_hash() != event.hash:
            return BrokenLink(project_id, event.seq, "内容与其哈希不一致（已被修改）")
        expected_seq, prev_hash = event.seq + 1, event.hash
    return None


def verify_all(project_ids=None, *, chunk_size: int = 2000) -> tuple[int, list[BrokenLink]]:
    """Check every chain (or those of `project_ids`); returns (events read, broken links)."""
    events = ProjectEvent.objects.order_by("project_id", "seq")
    if project_ids is not None:
        events = events.filter(project_id__in=list(project_ids))
    counts = dict(Project.objects.values_list("pk", "event_count")) \
        if project_ids is None else dict(
            Project.objects.filter(pk__in=list(project_ids)).values_list("pk", "event_count"))
    broken: list[BrokenLink] = []
    read = 0
    current: list[ProjectEvent] = []
    current_id = None
    seen: set[int] = set()

    def finish(pid, rows):
        link = verify_chain(rows, pid)
        expected = counts.get(pid, 0)
        if link is None and expected != len(rows):
            why = "末尾事件被删除" if expected > len(rows) else "事件数记录被改动"
            link = BrokenLink(pid, min(expected, len(rows)) + 1,
                              f"事件数应为 {expected}，实有 {len(rows)}（{why}）")
        if link:
            broken.append(link)

    for event in events.iterator(chunk_size=chunk_size):
        read += 1
        if event.project_id != current_id:
            if current_id is not None:
                finish(current_id, current)
            current_id, current = event.project_id, []
            seen.add(event.project_id)
        current.append(event)
    if current_id is not None:
        finish(current_id, current)
    for pid, count in counts.items():
        if pid not in seen and count:
            broken.append(BrokenLink(pid, 1, f"事件数应为 {count}，实有 0（事件被删除）"))
    return read, broken
