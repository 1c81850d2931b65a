"""The home page: search, catalogue figures, what was just published and what starts soon."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from biaozhun.catalog import selectors
from biaozhun.catalog.forms import StandardFilterForm
from biaozhun.catalog.models import Level, Status


@require_safe
def home(request):
    by_level = selectors.count_by("level")
    by_status = selectors.count_by("status")
    return render(request, "portal/home.html", {
        "form": StandardFilterForm(),
        "level_counts": [(value, label, by_level.get(value, 0)) for value, label in Level.choices],
        "status_counts": [(value, label, by_status.get(value, 0))
                          for value, label in Status.choices],
        "total": sum(by_level.values()),
        "recent": selectors.recently_published(),
        "upcoming": selectors.soon_effective(timezone.localdate()),
    })
