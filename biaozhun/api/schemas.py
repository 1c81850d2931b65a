"""Shapes shared by every endpoint: errors and the page envelope."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class NotFoundOut(Schema):
    detail: str
    suggestions: list[str] = []


class PageOut(Schema):
    """Envelope of a paginated list; each endpoint subclasses it with typed `results`."""

    count: int
    page: int
    page_size: int


MAX_PAGE_SIZE = 100
# Bounds on where a page may start: beyond them the database cannot take the offset (SQLite
# "datatype mismatch", PostgreSQL "bigint out of range") and the caller would get a 500.
MAX_PAGE = 1_000_000
MAX_OFFSET = 10**9


def page_slice(page: int, page_size: int) -> slice:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    start = (max(page, 1) - 1) * page_size
    return slice(start, start + page_size)
