"""The command-line logic (plain functions) and, where Django is configured, the command."""

from __future__ import annotations

import io
import json

import pytest

from biaozhun.codes.cli import run_extract, run_normalize


def test_run_normalize():
    out = io.StringIO()
    errors = run_normalize(
        io.StringIO("GB/T 1.1—2020\n\nCOVID-19\nＩＳＯ　９００１：２０１５\n"), out
    )
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert errors == 1
    assert lines[0] == {
        "input": "GB/T 1.1—2020",
        "code": "GB/T 1.1-2020",
        "family": "national",
        "error": None,
    }
    assert lines[1]["code"] is None and "COVID" in lines[1]["error"]
    assert lines[2]["code"] == "ISO 9001:2015" and lines[2]["family"] == "international"
    assert "—" in out.getvalue()  # ensure_ascii=False


def test_run_extract():
    out = io.StringIO()
    text = "依据GB/T 1.1—2020和\nISO 9001:2015。"
    assert run_extract(text, out) == 2
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    for line in lines:
        assert text[line["start"] : line["end"]] == line["raw"]
    assert [x["code"] for x in lines] == ["GB/T 1.1-2020", "ISO 9001:2015"]


def test_management_command(tmp_path):
    pytest.importorskip("django")
    from django.conf import settings

    if not settings.configured:
        pytest.skip("Django settings are not configured")
    from django.core.management import call_command

    out = io.StringIO()
    call_command("codes", "normalize", stdin=io.StringIO("GBT 1.1-2020\n"), stdout=out)
    assert json.loads(out.getvalue())["code"] == "GB/T 1.1-2020"
    f = tmp_path / "t.txt"
    f.write_text("见GB 2760-2024。", encoding="utf-8")
    out = io.StringIO()
    call_command("codes", "extract", str(f), stdout=out)
    assert json.loads(out.getvalue()) == {
        "start": 1,
        "end": 13,
        "raw": "GB 2760-2024",
        "code": "GB 2760-2024",
    }
