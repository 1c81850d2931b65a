"""Command-line logic for ``manage.py codes``, kept free of Django so it can be tested alone."""

from __future__ import annotations

import json
from typing import IO

from ._extract import extract
from ._model import CodeError
from ._parse import parse


def run_normalize(stdin: IO[str], stdout: IO[str]) -> int:
    """One reference per input line -> one JSON object per line. Returns the error count."""
    errors = 0
    for line in stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            n = parse(text)
            out = {"input": text, "code": n.code, "family": n.family, "error": None}
        except CodeError as e:
            errors += 1
            out = {"input": text, "code": None, "family": None, "error": str(e)}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return errors


def run_extract(text: str, stdout: IO[str]) -> int:
    """One JSON object per reference found; offsets are characters of the decoded text."""
    found = extract(text)
    for m in found:
        out = {"start": m.start, "end": m.end, "raw": m.raw, "code": m.code}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return len(found)
