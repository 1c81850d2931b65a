"""Limits and periods of validity checking, overridable in settings (defaults below).

| setting | default | meaning |
|---|---|---|
| VALIDITY_MAX_UPLOAD_BYTES | 20 MB | largest file accepted |
| VALIDITY_MAX_TEXT_CHARS | 2,000,000 | largest pasted text (and text read from a file) |
| VALIDITY_MAX_REFERENCES | 20,000 | most reference occurrences in one check |
| VALIDITY_MAX_PDF_PAGES | 2,000 | longest PDF |
| VALIDITY_SYNC_MAX_BYTES | 256 KB | larger inputs run as a background job |
| VALIDITY_ANONYMOUS_HOURS | 24 | how long a report of an anonymous user is kept |
"""

from django.conf import settings

_DEFAULTS = {
    "VALIDITY_MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
    "VALIDITY_MAX_TEXT_CHARS": 2_000_000,
    "VALIDITY_MAX_REFERENCES": 20_000,
    "VALIDITY_MAX_PDF_PAGES": 2_000,
    "VALIDITY_SYNC_MAX_BYTES": 256 * 1024,
    "VALIDITY_ANONYMOUS_HOURS": 24,
}


def setting(name: str) -> int:
    value = getattr(settings, name, _DEFAULTS[name])
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, not {value!r}")
    return value
