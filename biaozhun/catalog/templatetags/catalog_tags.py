"""Small template helpers of the catalogue pages."""

from django import template
from django.utils.html import format_html

from biaozhun.catalog.models import Status

register = template.Library()

_LABELS = dict(Status.choices)


@register.filter
def status_badge(status: str):
    """A badge with colour *and* text, so that status never depends on colour alone."""
    if status not in _LABELS:
        return ""
    return format_html('<span class="badge badge-{}">{}</span>', status, _LABELS[status])


@register.filter
def isodate(value) -> str:
    """Dates as YYYY-MM-DD whatever the language: the form the national portals use."""
    return value.isoformat() if value else ""
