"""Preconditions of stage moves beyond the transition table.

Each guard returns the reasons (Chinese, for people) why `project` may not enter `to_stage`
now; an empty list means yes. Other apps add guards with `register_guard` from their
AppConfig.ready() — the consultations app adds "every comment answered" — so this app never
imports them.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from biaozhun.projects.models import DocumentKind, Project, ReviewVote
from biaozhun.projects.stages import Stage

Guard = Callable[[Project], list[str]]
_GUARDS: dict[str, list[Guard]] = defaultdict(list)


def register_guard(to_stage: str, guard: Guard) -> None:
    if guard not in _GUARDS[to_stage]:
        _GUARDS[to_stage].append(guard)


def unregister_guard(to_stage: str, guard: Guard) -> None:
    if guard in _GUARDS[to_stage]:
        _GUARDS[to_stage].remove(guard)


def required_documents(to_stage: str) -> list[str]:
    kinds = settings.PROJECT_REQUIRED_DOCUMENTS.get(str(to_stage), [])
    unknown = [k for k in kinds if k not in DocumentKind.values]
    if unknown:
        raise ImproperlyConfigured(
            f"PROJECT_REQUIRED_DOCUMENTS[{to_stage!r}] names unknown kinds: {unknown}")
    return list(kinds)


def missing_documents(project: Project, to_stage: str) -> list[str]:
    wanted = required_documents(to_stage)
    if not wanted:
        return []
    present = getattr(project, "document_kinds", None)  # lists load them in one query
    if present is None:
        present = set(project.documents.filter(kind__in=wanted).values_list("kind",
                                                                            flat=True))
    return [k for k in wanted if k not in present]


def _documents(project: Project, to_stage: str) -> list[str]:
    return [f"缺少材料：{DocumentKind(k).label}" for k in missing_documents(project, to_stage)]


def _fraction(name: str) -> Fraction:
    raw = getattr(settings, name)
    try:
        value = Fraction(str(raw))
    except (ValueError, ZeroDivisionError) as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a fraction such as 2/3") from exc
    if not 0 < value <= 1:
        raise ImproperlyConfigured(f"{name}={raw!r} must be greater than 0 and at most 1")
    return value


@dataclass(frozen=True)
class VoteOutcome:
    panel: int
    present: int
    approve: int
    disapprove: int
    abstain: int
    quorum: Fraction
    majority: Fraction

    @property
    def quorum_met(self) -> bool:
        return self.panel > 0 and Fraction(self.present, self.panel) >= self.quorum

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.present > 0 and \
            Fraction(self.approve, self.present) >= self.majority

    def reasons(self) -> list[str]:
        if self.panel == 0:
            return ["尚未组建审查专家组"]
        out = []
        if not self.quorum_met:
            out.append(f"出席（表决）专家 {self.present}/{self.panel}，未达到 {self.quorum}")
        elif not self.passed:
            out.append(f"同意 {self.approve}/{self.present}，未达到出席专家的 {self.majority}")
        return out


def vote_outcome(project: Project) -> VoteOutcome:
    """Tally of the current round. Panel members who draft the standard are not counted."""
    from biaozhun.accounts.models import Membership

    drafters = set(Membership.objects.filter(
        organization__in=project.drafting_orgs.all(), is_active=True,
    ).values_list("user_id", flat=True))
    panel_ids = {u.pk for u in project.reviewers.all()} - drafters
    panel = list(panel_ids)
    choices = [c for voter, c in ReviewVote.objects.filter(
        project=project, round=project.review_round).values_list("voter_id", "choice")
        if voter in panel_ids]
    return VoteOutcome(
        panel=len(panel), present=len(choices),
        approve=choices.count(ReviewVote.Choice.APPROVE),
        disapprove=choices.count(ReviewVote.Choice.DISAPPROVE),
        abstain=choices.count(ReviewVote.Choice.ABSTAIN),
        quorum=_fraction("PROJECT_REVIEW_QUORUM"),
        majority=_fraction("PROJECT_REVIEW_MAJORITY"))


def _vote(project: Project) -> list[str]:
    return vote_outcome(project).reasons()


def _comment_period_over(project: Project) -> list[str]:
    closes = project.comment_closes_on
    if closes is None:
        return ["未设定征求意见截止日期"]
    today = timezone.localdate()
    if today <= closes:
        return [f"征求意见期至 {closes.isoformat()} 结束，尚未期满"]
    return []


def _all_approved(project: Project) -> list[str]:
    waiting = [str(j.administration) for j in project.jurisdictions.select_related(
        "administration") if j.approved_at is None]
    return [f"尚待批准：{name}" for name in waiting]


def reasons_against(project: Project, to_stage: str) -> list[str]:
    """Every reason, from every guard, that `project` may not enter `to_stage` now."""
    reasons = _documents(project, to_stage)
    builtin = {
        Stage.COMMENT_RESOLUTION: [_comment_period_over],
        Stage.SUBMITTED: [_vote],
        Stage.APPROVED: [_all_approved],
    }
    for guard in builtin.get(to_stage, []) + _GUARDS.get(str(to_stage), []):
        reasons.extend(guard(project))
    return reasons
