"""The one place that says which moves of a local standard project are legal.

Stages follow DOMAIN.md (立项 → 起草 → 征求意见 → 审查 → 报批 → 批准/编号/发布 → 备案) with
the ISO / GB/T 16733 stage code stored on every project. `ALLOWED` is enforced by
`services.change_stage`; the help page draws it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("立项申请")
    EVALUATED = "evaluated", _("立项评估")
    PLANNED = "planned", _("列入计划")
    DRAFTING = "drafting", _("起草")
    EXTENDED = "extended", _("延期起草")
    PUBLIC_COMMENT = "public_comment", _("征求意见")
    COMMENT_RESOLUTION = "comment_resolution", _("意见处理")
    TECHNICAL_REVIEW = "technical_review", _("技术审查")
    SUBMITTED = "submitted", _("报批")
    APPROVED = "approved", _("批准编号")
    PUBLISHED = "published", _("发布")
    FILED = "filed", _("备案")
    REJECTED = "rejected", _("不予立项")
    TERMINATED = "terminated", _("终止")


# ISO / GB/T 16733 stage codes (phase.subphase): .00 registered, .20 under way, .60 completed,
# .98 abandoned, .99 approved to go on.
STAGE_CODES: dict[str, str] = {
    Stage.PROPOSED: "10.00",
    Stage.EVALUATED: "10.60",
    Stage.PLANNED: "10.99",
    Stage.DRAFTING: "20.20",
    Stage.EXTENDED: "20.93",
    Stage.PUBLIC_COMMENT: "30.20",
    Stage.COMMENT_RESOLUTION: "30.60",
    Stage.TECHNICAL_REVIEW: "40.20",
    Stage.SUBMITTED: "50.00",
    Stage.APPROVED: "50.99",
    Stage.PUBLISHED: "60.00",
    Stage.FILED: "60.60",
    Stage.REJECTED: "10.98",
    Stage.TERMINATED: "20.98",
}

_WORKING = (Stage.DRAFTING, Stage.EXTENDED, Stage.PUBLIC_COMMENT, Stage.COMMENT_RESOLUTION,
            Stage.TECHNICAL_REVIEW, Stage.SUBMITTED)

ALLOWED: dict[str, frozenset[str]] = {
    Stage.PROPOSED: frozenset({Stage.EVALUATED, Stage.REJECTED}),
    Stage.EVALUATED: frozenset({Stage.PLANNED, Stage.REJECTED}),
    Stage.PLANNED: frozenset({Stage.DRAFTING, Stage.TERMINATED}),
    Stage.DRAFTING: frozenset({Stage.PUBLIC_COMMENT, Stage.EXTENDED, Stage.TERMINATED}),
    # An extension keeps the project drafting under a later deadline.
    Stage.EXTENDED: frozenset({Stage.PUBLIC_COMMENT, Stage.TERMINATED}),
    Stage.PUBLIC_COMMENT: frozenset({Stage.COMMENT_RESOLUTION, Stage.TERMINATED}),
    # A second round of comments when the draft changed substantially.
    Stage.COMMENT_RESOLUTION: frozenset({Stage.TECHNICAL_REVIEW, Stage.PUBLIC_COMMENT,
                                         Stage.TERMINATED}),
    # A review that does not pass sends the draft back for rework.
    Stage.TECHNICAL_REVIEW: frozenset({Stage.SUBMITTED, Stage.COMMENT_RESOLUTION,
                                       Stage.TERMINATED}),
    Stage.SUBMITTED: frozenset({Stage.APPROVED, Stage.TECHNICAL_REVIEW, Stage.TERMINATED}),
    Stage.APPROVED: frozenset({Stage.PUBLISHED}),
    Stage.PUBLISHED: frozenset({Stage.FILED}),
    Stage.FILED: frozenset(),
    Stage.REJECTED: frozenset(),
    Stage.TERMINATED: frozenset(),
}

TERMINAL = frozenset(stage for stage, exits in ALLOWED.items() if not exits)
# Stages in which the drafting plan deadline runs.
WORKING_STAGES = frozenset(_WORKING)
# The main line, in order, for progress bars and the help page.
MAIN_LINE = (Stage.PROPOSED, Stage.EVALUATED, Stage.PLANNED, Stage.DRAFTING,
             Stage.PUBLIC_COMMENT, Stage.COMMENT_RESOLUTION, Stage.TECHNICAL_REVIEW,
             Stage.SUBMITTED, Stage.APPROVED, Stage.PUBLISHED, Stage.FILED)


def stage_code(stage: str) -> str:
    return STAGE_CODES[stage]


class InvalidTransition(Exception):
    """A move the transition table does not allow, or whose preconditions are not met."""

    def __init__(self, from_stage: str, to_stage: str, reasons: list[str] | None = None):
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.reasons = reasons or []
        label_from = Stage(from_stage).label if from_stage in Stage.values else from_stage
        label_to = Stage(to_stage).label if to_stage in Stage.values else to_stage
        detail = "；".join(str(r) for r in self.reasons)
        super().__init__(f"{label_from} → {label_to}" + (f"：{detail}" if detail else ""))
