"""Recall equals a substring oracle: random 1–6 character queries over a generated catalogue."""

import random

import opencc
import pytest

from biaozhun.catalog.models import Standard
from biaozhun.catalog.synthetic import generate
from biaozhun.core.text import normalize, parse_terms
from biaozhun.search.backends import ID_MASK, get_backend
from biaozhun.search.index import computed_texts

pytestmark = pytest.mark.django_db

_CJK = ("\u4e00", "\u9fff")


def _cjk_runs(text: str) -> list[str]:
    runs, current = [], ""
    for char in text:
        if _CJK[0] <= char <= _CJK[1]:
            current += char
        else:
            if current:
                runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return runs


@pytest.fixture
def catalogue():
    generate(1500, seed=7)
    rows = list(Standard.objects.values_list("pk", "title_zh", "scope"))
    return {pk: (normalize(title), normalize(scope)) for pk, title, scope in rows}


def _queries(catalogue, rng: random.Random, count: int) -> list[str]:
    texts = [t for pair in catalogue.values() for t in pair]
    queries = []
    while len(queries) < count:
        runs = _cjk_runs(rng.choice(texts))
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.randint(1, min(6, len(run)))
        start = rng.randint(0, len(run) - size)
        queries.append(run[start:start + size])
    return queries


def _found(query: str) -> set[int]:
    keys = get_backend().keys(parse_terms(f'"{query}"'), limit=10**6)
    return {k & ID_MASK for k in keys}


def _oracle(catalogue, needle: str, fields: dict[int, list[str]]) -> set[int]:
    return {pk for pk, parts in fields.items() if any(needle in part for part in parts)}


def test_index_column_is_what_the_rows_say():
    generate(200, seed=3)
    stored = dict(Standard.objects.values_list("pk", "search_text"))
    assert dict(computed_texts(sorted(stored))) == stored


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_recall_and_precision_equal_a_substring_oracle(catalogue, script):
    # Every field that goes into the index, normalised; a query matches within one field.
    fields = {}
    for pk, code, title, title_en, scope, names in (
            (r.pk, r.code, r.title_zh, r.title_en, r.scope,
             [o.name for o in r.issuing_bodies.all()] + [o.name for o in r.drafting_orgs.all()]
             + ([r.committee.name] if r.committee_id else []))
            for r in Standard.objects.select_related("committee").prefetch_related(
                "issuing_bodies", "drafting_orgs")):
        fields[pk] = [normalize(p) for p in (code, title, title_en, scope, *names)]
    rng = random.Random(20261124 if script == "simplified" else 4)
    to_traditional = opencc.OpenCC("s2t")
    checked = 0
    for query in _queries(catalogue, rng, 120):
        typed = to_traditional.convert(query) if script == "traditional" else query
        needle = normalize(typed)
        assert _found(typed) == _oracle(catalogue, needle, fields), typed
        checked += 1
    assert checked == 120
