"""Every docid of the ISO and IEC catalogues parses and has a stable canonical form."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from biaozhun import codes

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
FILES = ["iso/iso_catalog.csv", "iec/iec_catalog.csv"]


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_catalogue_docids(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (reference data lives outside the repository)")
    failures = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            docid = row["docid"]
            try:
                once = codes.normalize(docid)
                twice = codes.normalize(once)
            except codes.CodeError as e:
                failures.append(f"{docid!r}: {e}")
                continue
            if once != twice:
                failures.append(f"{docid!r}: {once!r} -> {twice!r}")
            n = codes.parse(docid)
            if n.family not in ("international", "foreign"):
                failures.append(f"{docid!r}: family {n.family}")
    assert not failures, "\n".join(failures[:50])


@pytest.mark.slow
def test_sports_sample_codes():
    path = DATA / "cn-sample" / "sports_standards.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent (reference data lives outside the repository)")
    failures = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                once = codes.normalize(row["code"])
            except codes.CodeError as e:
                failures.append(f"{row['code']!r}: {e}")
                continue
            assert codes.normalize(once) == once
    assert not failures, "\n".join(failures[:50])
