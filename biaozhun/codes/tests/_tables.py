"""Loading the table-driven cases."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def rows(name: str) -> list[list[str]]:
    out = []
    for line in (HERE / name).read_text(encoding="utf-8").split("\n"):
        if not line.strip() or line.startswith("#"):
            continue
        out.append([c.replace("\\n", "\n") for c in line.split("\t")])
    return out


def value(text: str):
    """Field values in the table: None, ints, an adoption "code|degree", or strings."""
    if text == "None":
        return None
    if text.isdigit() and len(text) == 4:
        return int(text)
    return text
