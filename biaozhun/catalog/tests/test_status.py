"""The status rule, as a pure function and as stored by refresh_status."""

from datetime import date

import pytest

from biaozhun.catalog.models import RelationKind, Standard, Status
from biaozhun.catalog.services import refresh_status
from biaozhun.catalog.status import DerivedStatus, Successor, derive_status
from biaozhun.catalog.tests.factories import make_standard, relate

DAY = date(2024, 6, 1)


def derive(**kwargs):
    values = {"as_of": DAY, "issued_on": None, "effective_on": None, "abolished_on": None}
    values.update(kwargs)
    return derive_status(**values)


def test_effective_edition_without_successor_is_current():
    assert derive(issued_on=date(2020, 1, 1), effective_on=date(2020, 7, 1)) == DerivedStatus(
        Status.CURRENT)


def test_edition_not_yet_effective_is_upcoming():
    assert derive(issued_on=date(2024, 2, 8), effective_on=date(2025, 2, 8)).status == \
        Status.UPCOMING


def test_edition_effective_today_is_current():
    assert derive(effective_on=DAY).status == Status.CURRENT


def test_issue_date_stands_in_when_effective_date_is_missing():
    assert derive(issued_on=date(2024, 6, 2)).status == Status.UPCOMING


def test_successor_in_force_supersedes():
    successor = Successor(issued_on=date(2020, 3, 1), effective_on=date(2020, 10, 1))
    assert derive(effective_on=date(2010, 1, 1), successors=[successor]).status == \
        Status.SUPERSEDED


def test_successor_published_but_not_effective_leaves_edition_current_and_says_when():
    successor = Successor(issued_on=date(2024, 2, 8), effective_on=date(2025, 2, 8))
    assert derive(effective_on=date(2015, 5, 24), successors=[successor]) == DerivedStatus(
        Status.CURRENT, pending_change_on=date(2025, 2, 8))


def test_merge_one_of_two_successors_in_force_is_enough():
    later = Successor(issued_on=date(2024, 1, 1), effective_on=date(2025, 1, 1))
    earlier = Successor(issued_on=date(2023, 1, 1), effective_on=date(2023, 6, 1))
    assert derive(effective_on=date(2000, 1, 1), successors=[later, earlier]).status == \
        Status.SUPERSEDED


def test_abolished_on_or_before_the_day():
    assert derive(effective_on=date(2000, 1, 1), abolished_on=DAY).status == Status.ABOLISHED


def test_future_abolition_is_current_with_pending_date():
    assert derive(effective_on=date(2000, 1, 1), abolished_on=date(2025, 1, 1)) == DerivedStatus(
        Status.CURRENT, pending_change_on=date(2025, 1, 1))


def test_superseded_takes_precedence_over_abolished():
    successor = Successor(issued_on=date(2019, 1, 1), effective_on=date(2019, 7, 1))
    assert derive(effective_on=date(2000, 1, 1), abolished_on=date(2019, 7, 1),
                  successors=[successor]).status == Status.SUPERSEDED


def test_declared_abolished_without_dates_is_kept():
    assert derive(declared_status=Status.ABOLISHED).status == Status.ABOLISHED


def test_declared_superseded_without_known_successor_is_kept():
    assert derive(effective_on=date(2000, 1, 1), declared_status=Status.SUPERSEDED).status == \
        Status.SUPERSEDED


def test_declared_superseded_but_successor_not_yet_effective_is_current():
    successor = Successor(issued_on=date(2024, 5, 1), effective_on=date(2024, 12, 1))
    assert derive(effective_on=date(2000, 1, 1), declared_status=Status.SUPERSEDED,
                  successors=[successor]).status == Status.CURRENT


def test_undated_successor_counts_as_in_force_unless_declared_upcoming():
    assert derive(successors=[Successor(None, None, Status.CURRENT)]).status == Status.SUPERSEDED
    assert derive(successors=[Successor(None, None, Status.UPCOMING)]).status == Status.CURRENT


def test_dates_override_a_declared_status():
    assert derive(effective_on=date(2030, 1, 1), declared_status=Status.CURRENT).status == \
        Status.UPCOMING


@pytest.mark.django_db
def test_refresh_stores_status_through_relations():
    old = make_standard("GB 2760-2014", issued_on=date(2014, 12, 24),
                        effective_on=date(2015, 5, 24))
    new = make_standard("GB 2760-2024", issued_on=date(2024, 2, 8),
                        effective_on=date(2025, 2, 8))
    relate(new, old, as_of=DAY)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, old.pending_change_on) == (Status.CURRENT, date(2025, 2, 8))
    assert new.status == Status.UPCOMING

    assert refresh_status(as_of=date(2025, 2, 8)) == 2
    assert dict(Standard.objects.values_list("code", "status")) == {
        "GB 2760-2014": Status.SUPERSEDED, "GB 2760-2024": Status.CURRENT}


@pytest.mark.django_db
def test_refresh_is_idempotent():
    make_standard("GB/T 1.1-2020", issued_on=date(2020, 3, 31), effective_on=date(2020, 10, 1),
                  status=Status.UPCOMING)
    assert refresh_status(as_of=DAY) == 1
    assert refresh_status(as_of=DAY) == 0


@pytest.mark.django_db
def test_partial_replacement_leaves_the_older_edition_current():
    old = make_standard("GB/T 100-2000", effective_on=date(2000, 1, 1))
    new = make_standard("GB/T 200-2020", effective_on=date(2020, 1, 1))
    relate(new, old, RelationKind.PARTIALLY_REPLACES, as_of=DAY)
    old.refresh_from_db()
    assert old.status == Status.CURRENT


@pytest.mark.django_db
def test_amendment_follows_its_superseded_base():
    base = make_standard("GB 2762-2017", effective_on=date(2017, 9, 17))
    amendment = make_standard("GB 2762-2017/XG1-2021", effective_on=date(2021, 3, 1))
    newer = make_standard("GB 2762-2022", effective_on=date(2023, 6, 30))
    relate(amendment, base, RelationKind.AMENDS, refresh=False)
    relate(newer, base, as_of=date(2024, 1, 1))
    amendment.refresh_from_db()
    assert amendment.status == Status.SUPERSEDED


@pytest.mark.django_db
def test_split_one_edition_replaced_by_two():
    old = make_standard("GB/T 300-2000", effective_on=date(2000, 1, 1))
    first = make_standard("GB/T 300.1-2020", effective_on=date(2020, 1, 1))
    second = make_standard("GB/T 300.2-2021", effective_on=date(2021, 1, 1))
    relate(first, old, refresh=False)
    relate(second, old, as_of=date(2020, 6, 1))
    old.refresh_from_db()
    assert (old.status, old.pending_change_on) == (Status.SUPERSEDED, None)


def test_successor_not_yet_published_on_the_day_announces_nothing():
    successor = Successor(issued_on=date(2024, 8, 1), effective_on=date(2025, 2, 1))
    assert derive(effective_on=date(2015, 1, 1), successors=[successor]) == DerivedStatus(
        Status.CURRENT, pending_change_on=None)
