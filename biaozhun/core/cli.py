"""Argument types shared by the management commands."""

import argparse
from datetime import date


def iso_date(text: str) -> date:
    """`--date YYYY-MM-DD` for argparse; a bad value is a usage error naming the value."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: 日期格式应为 YYYY-MM-DD") from None
