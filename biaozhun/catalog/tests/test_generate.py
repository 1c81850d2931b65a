"""Synthetic catalogue generation for scale tests."""

import pytest
from django.core.management import CommandError, call_command

from biaozhun.catalog.models import RelationKind, Standard, StandardRelation

pytestmark = pytest.mark.django_db


def test_generate_makes_flagged_rows_of_every_level_with_chains():
    call_command("generate", count=400, verbosity=0)
    assert Standard.objects.count() == 400
    assert Standard.objects.filter(is_synthetic=False).count() == 0
    levels = set(Standard.objects.values_list("level", flat=True))
    assert levels == {"national", "industry", "local", "group", "enterprise", "international"}
    relation = StandardRelation.objects.filter(kind=RelationKind.REPLACES).first()
    assert relation.source.undated_norm == relation.target.undated_norm
    assert relation.source.year > relation.target.year
    assert relation.target.status == "superseded"


def test_generate_twice_adds_new_codes():
    call_command("generate", count=50, verbosity=0)
    call_command("generate", count=50, verbosity=0)
    assert Standard.objects.count() == 100


def test_generate_refuses_non_positive_count():
    with pytest.raises(CommandError, match="正整数"):
        call_command("generate", count=0)
