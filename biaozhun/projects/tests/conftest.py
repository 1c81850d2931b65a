"""Fixtures of the lifecycle tests: the personas (`cast`), a frozen clock (`clock`) and a
snapshot of everything a refused call must leave unchanged (`state_of`)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from biaozhun.projects.tests.factories import make_cast


@pytest.fixture
def cast(db):
    """The personas of DOMAIN.md (see factories.Cast)."""
    return make_cast()


@dataclass
class Clock:
    """A settable "today": `timezone.now()` answers 10:00 local time on `today`, a
    microsecond later on every call so that events keep their order."""

    today: date
    _ticks: int = field(default=0)

    def now(self) -> datetime:
        self._ticks += 1
        local = datetime.combine(self.today, time(10, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
        return (local + timedelta(microseconds=self._ticks)).astimezone(ZoneInfo("UTC"))

    def advance(self, days: int) -> date:
        self.today += timedelta(days=days)
        return self.today


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Freeze today at Monday 2 March 2026 (a year with holiday data); move it with
    `clock.today = ...` or `clock.advance(n)`. Services, guards and `timezone.localdate()`
    all read `django.utils.timezone.now`, which this replaces."""
    frozen = Clock(date(2026, 3, 2))
    monkeypatch.setattr(timezone, "now", frozen.now)
    return frozen


@pytest.fixture
def state_of():
    """`state_of(project)`: every row a project service may write, to compare before and
    after a refused call."""
    from biaozhun.catalog.models import Standard, StandardAlias, StandardRelation
    from biaozhun.projects.models import (
        Deadline,
        ExtensionRequest,
        NumberAdjustment,
        NumberSequence,
        Project,
        ProjectEvent,
    )

    def snapshot(project) -> dict:
        fresh = Project.objects.get(pk=project.pk)
        return {
            "stage": fresh.stage,
            "stage_code": fresh.stage_code,
            "event_count": fresh.event_count,
            "events": ProjectEvent.objects.filter(project=fresh).count(),
            "updated_at": fresh.updated_at,
            "fields": (fresh.plan_year, fresh.comment_opens_on, fresh.comment_closes_on,
                       fresh.review_round, fresh.issuer, fresh.sequence, fresh.code,
                       fresh.issued_on, fresh.effective_on, fresh.filed_on, fresh.standard_id,
                       fresh.committee_id, fresh.competent_department_id),
            "drafting_orgs": sorted(fresh.drafting_orgs.values_list("pk", flat=True)),
            "reviewers": sorted(fresh.reviewers.values_list("pk", flat=True)),
            "documents": sorted(fresh.documents.values_list("kind", "version")),
            "votes": sorted(fresh.votes.values_list("round", "voter_id", "choice")),
            "deadlines": sorted(Deadline.objects.filter(project=fresh).values_list(
                "kind", "due_on", "met_at", "overdue_since")),
            "extensions": sorted(ExtensionRequest.objects.filter(project=fresh).values_list(
                "pk", "state")),
            "approvals": sorted(fresh.jurisdictions.values_list(
                "administration_id", "approved_at", "sequence", "code")),
            "sequences": sorted(NumberSequence.objects.values_list("issuer", "last_sequence")),
            "adjustments": NumberAdjustment.objects.count(),
            "projects": Project.objects.count(),
            "standards": sorted(Standard.objects.values_list("code", "status")),
            "aliases": StandardAlias.objects.count(),
            "relations": StandardRelation.objects.count(),
        }

    return snapshot
