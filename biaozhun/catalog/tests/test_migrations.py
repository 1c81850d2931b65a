"""Data migrations of the catalogue, run on rows as older code wrote them."""

import importlib

import pytest
from django.apps import apps

from biaozhun.catalog.models import RelationKind, Standard, StandardRelation
from biaozhun.catalog.tests.factories import make_standard

pytestmark = pytest.mark.django_db

digit_gap = importlib.import_module("biaozhun.catalog.migrations.0006_digit_gap_keys")


def test_keys_stripped_of_the_digit_gap_are_recomputed_and_relations_linked():
    new = make_standard("DB31 123-2020")
    old = make_standard("DB31 123-2010")
    synthetic = make_standard("DB31/T 101991-2005")
    untouched = make_standard("GB/T 1.1-2020")
    # As the bulk loader and the generator wrote them before.
    Standard.objects.filter(pk=new.pk).update(code_norm="DB31123-2020", undated_norm="DB31123")
    Standard.objects.filter(pk=old.pk).update(code_norm="DB31123-2010", undated_norm="DB31123")
    Standard.objects.filter(pk=synthetic.pk).update(undated_norm="DB31/T10-1991")
    StandardRelation.objects.create(
        kind=RelationKind.REPLACES, source=new, source_code=new.code,
        source_code_norm="DB31123-2020", target=None, target_code="DB31 123-2010",
        target_code_norm="DB31 123-2010")

    for _ in range(2):  # idempotent
        digit_gap.recompute_keys(apps, None)

    assert sorted(Standard.objects.values_list("code", "code_norm", "undated_norm")) == [
        ("DB31 123-2010", "DB31 123-2010", "DB31 123"),
        ("DB31 123-2020", "DB31 123-2020", "DB31 123"),
        ("DB31/T 101991-2005", "DB31/T101991-2005", "DB31/T101991"),
        ("GB/T 1.1-2020", "GB/T1.1-2020", "GB/T1.1")]
    relation = StandardRelation.objects.get()
    assert (relation.source_code_norm, relation.target_code_norm) == (
        "DB31 123-2020", "DB31 123-2010")
    assert (relation.source_id, relation.target_id) == (new.pk, old.pk)
    assert Standard.objects.get(pk=untouched.pk).code_norm == "GB/T1.1-2020"
