"""Template helpers of the validity pages."""

from django import template
from django.utils.html import format_html

from biaozhun.validity.reports import status_label

register = template.Library()


@register.filter
def ref_badge(status: str):
    """A badge with colour and text (the catalogue's badges plus 未收录 and 无效标准号)."""
    return format_html('<span class="badge badge-{}">{}</span>', status, status_label(status))


@register.filter
def locations_text(locations: list) -> str:
    labels = [loc.get("label", "") for loc in locations[:10]]
    text = "；".join(labels)
    return text + (" …" if len(locations) > 10 else "")
