"""The per-project event chain: append one event, verify every chain.

Appending happens inside the service's transaction with the project row locked, so `seq` and
`prev_hash` cannot race; the hash covers the row's content and the previous hash.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from biaozhun.core.audit import append_event, first_break, verify_chains
from biaozhun.projects.models import Project, ProjectEvent


def record_event(project: Project, *, kind: str, by=None, note: str = "",
                 from_stage: str = "", to_stage: str = "",
                 payload: dict | None = None) -> ProjectEvent:
    """Append an event to `project`'s chain. Call with the project row locked."""
    return append_event(ProjectEvent, project, owner_field="project_id", by=by, kind=kind,
                        note=note, from_stage=from_stage, to_stage=to_stage,
                        payload=payload or {})


@dataclass(frozen=True)
class BrokenLink:
    project_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"项目 {self.project_id} 事件 #{self.seq}：{self.reason}"


def verify_chain(events: Iterable[ProjectEvent], project_id: int) -> BrokenLink | None:
    """The first broken link of one project's events (given in seq order), or None."""
    found = first_break(events)
    return None if found is None else BrokenLink(project_id, *found)


def verify_all(project_ids=None, *, chunk_size: int = 2000) -> tuple[int, list[BrokenLink]]:
    """Check every chain (or those of `project_ids`); returns (events read, broken links)."""
    events = ProjectEvent.objects.order_by("project_id", "seq")
    projects = Project.objects.all()
    if project_ids is not None:
        events = events.filter(project_id__in=list(project_ids))
        projects = projects.filter(pk__in=list(project_ids))
    read, broken = verify_chains(events.iterator(chunk_size=chunk_size), "project_id",
                                 dict(projects.values_list("pk", "event_count")))
    return read, [BrokenLink(*link) for link in broken]
