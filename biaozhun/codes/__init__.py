"""Chinese and international standard numbers: parse, normalise, format and extract.

Pure Python, no Django. See README.md in this folder for the canonical forms and rules.
"""

from ._compare import format, is_newer, same_standard
from ._extract import extract
from ._model import ERROR_KINDS, CodeError, Match, StandardNumber, compact
from ._parse import code_norm, normalize, parse

__all__ = [
    "ERROR_KINDS",
    "CodeError",
    "Match",
    "StandardNumber",
    "code_norm",
    "compact",
    "extract",
    "format",
    "is_newer",
    "normalize",
    "parse",
    "same_standard",
]
