"""The search page: one box, facets, highlighted hits."""

from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from biaozhun.catalog.selectors import StandardFilters
from biaozhun.search import selectors

FACET_TITLES = {
    "level": _("标准级别"),
    "status": _("状态"),
    "nature": _("标准性质"),
    "issuer": _("标准代号"),
    "ics": _("ICS 一级类目"),
    "ccs": _("CCS 一级类目"),
    "decade": _("发布年代"),
}
EXAMPLES = ["GB/T 1.1—2020", "gbt1.1", "DB4301/T 12", "ISO 9001", "食品安全", "電動汽車 充電",
            '"生活饮用水" -检验', "GB 2760 防腐剂"]


def _page_number(value) -> int:
    return int(value) if str(value or "").isdigit() and 0 < int(value) <= 10_000 else 1


def _url(params: dict) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _facet_groups(result: selectors.SearchResult, q: str) -> list[dict]:
    """Each facet with, per value, the URL that adds it (or removes it when selected)."""
    current = {"q": q, **result.filters.active()}
    groups = []
    for name, values in result.facets.items():
        items = []
        for value in values:
            params = dict(current)
            if value.selected:
                params.pop(name, None)
            elif name == "decade":
                params.update(year_from=value.value, year_to=str(int(value.value) + 9))
            else:
                params[name] = value.value
            items.append({"value": value, "url": _url(params)})
        if items:
            groups.append({"name": name, "title": FACET_TITLES[name], "items": items})
    return groups


@require_safe
def search(request):
    q = request.GET.get("q", "")
    filters = StandardFilters.from_mapping(request.GET)
    result = selectors.search(q, filters, page=_page_number(request.GET.get("page")))
    q = result.query.raw
    active = {"q": q, **result.filters.active()}
    years = {k: active.pop(k) for k in ("year_from", "year_to") if k in active}
    context = {
        "q": q,
        "result": result,
        "filters": StandardFilters(q=q),  # the header search box shows the query
        "facet_groups": _facet_groups(result, q),
        "clear_filters_url": _url({"q": q}),
        "has_filters": bool(result.filters.active()),
        "years": years,
        # The main box keeps every filter; the year form supplies its own two.
        "hidden_filters": {k: v for k, v in {**active, **years}.items() if k != "q"},
        "facet_filters": {k: v for k, v in active.items() if k != "q"},
        "prev_url": _url({**active, **years, "page": result.page - 1})
        if result.page > 1 else "",
        "next_url": _url({**active, **years, "page": result.page + 1})
        if result.page < result.pages else "",
        "examples": EXAMPLES,
        "first_number": (result.page - 1) * result.page_size + 1,
    }
    return render(request, "search/search.html", context)
