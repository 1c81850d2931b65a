"""Public pages of the catalogue: list, detail, free text, classification and body browsing."""

import mimetypes
from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from biaozhun import codes
from biaozhun.accounts.models import Organization
from biaozhun.catalog import selectors
from biaozhun.catalog.exporting import CONTENT_TYPES, FORMATS, export_standards
from biaozhun.catalog.forms import SORT_CHOICES, StandardFilterForm
from biaozhun.catalog.models import (
    CCSClass,
    ICSClass,
    Level,
    Nature,
    Standard,
    Status,
    TechnicalCommittee,
)
from biaozhun.catalog.selectors import StandardFilters


class CappedPaginator(Paginator):
    """A paginator that stops counting at `cap`; `capped` tells the page to say "more than".

    Counting a million rows costs more than showing a page, and nobody pages past the cap.
    """

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = selectors.COUNT_CAP if cap is None else cap

    @cached_property
    def _bounded(self) -> int:
        return selectors.capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return min(self._bounded, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._bounded > self.cap


def _paginate(request, queryset, per_page: int | None = None):
    paginator = CappedPaginator(queryset, per_page or settings.CATALOG_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


_LABELS = {"level": dict(Level.choices), "status": dict(Status.choices),
           "nature": dict(Nature.choices), "sort": dict(SORT_CHOICES)}


def _chips(filters: StandardFilters) -> list[dict]:
    """One removable chip per active filter: label, shown value and the URL without it."""
    form = StandardFilterForm()
    active = filters.active()
    chips = []
    for name, value in active.items():
        rest = {k: v for k, v in active.items() if k != name}
        if filters.sort != selectors.DEFAULT_SORT:
            rest["sort"] = filters.sort
        shown = _LABELS.get(name, {}).get(value, value)
        chips.append({"label": form.fields[name].label, "value": shown,
                      "remove": "?" + urlencode(rest) if rest else "?"})
    return chips


@require_safe
def standard_list(request):
    filters = StandardFilters.from_mapping(request.GET)
    form = StandardFilterForm(request.GET or None)
    queryset = selectors.summaries(selectors.filter_standards(filters))
    page = _paginate(request, queryset)
    query = filters.active()
    if filters.sort != selectors.DEFAULT_SORT:
        query["sort"] = filters.sort
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "standards": page.object_list,
        "chips": _chips(filters),
        "export_query": urlencode(query),
        "export_formats": FORMATS,
    }
    template = "catalog/standard_list.html"
    if request.htmx and not request.htmx.boosted:
        template = "catalog/_standard_results.html"
    return render(request, template, context)


@require_safe
def standard_export(request):
    """The filtered list as CSV, XLSX or JSON, refused above `EXPORT_CAP` rows."""
    fmt = request.GET.get("fmt", "csv")
    if fmt not in FORMATS:
        raise Http404(_("不支持的导出格式"))
    filters = StandardFilters.from_mapping(request.GET)
    queryset = selectors.filter_standards(filters)
    if selectors.capped_count(queryset, selectors.EXPORT_CAP) > selectors.EXPORT_CAP:
        return render(request, "catalog/export_too_large.html",
                      {"cap": selectors.EXPORT_CAP, "query": urlencode(filters.active())},
                      status=400)
    chinese = request.GET.get("chinese") == "1"
    response = HttpResponse(export_standards(queryset, fmt, chinese=chinese),
                            content_type=CONTENT_TYPES[fmt])
    filename = f"standards-{date.today():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _not_found(request, text: str):
    unknown = selectors.suggestions_for(text)
    return render(request, "catalog/standard_not_found.html",
                  {"code": text, "reason": unknown.reason, "suggestions": unknown.suggestions},
                  status=404)


@require_safe
def standard_detail(request, code: str):
    """One edition by its canonical code; other spellings redirect there permanently."""
    standard = selectors.detail_queryset().filter(code=code).first()
    if standard is None:
        try:
            canonical = selectors.canonical_code(code)
        except codes.CodeError:
            canonical = None
        if canonical is not None and canonical != code:
            return redirect("catalog:standard_detail", canonical, permanent=True)
        return _not_found(request, code)
    lineage = selectors.lineage(standard)
    return render(request, "catalog/standard_detail.html", {
        "standard": standard,
        "lineage": lineage,
        "text_exists": bool(standard.text_file),
    })


@require_safe
def standard_text(request, code: str):
    """The full text, inline (or `?download=1` as attachment); staff may read private texts."""
    standard = Standard.objects.filter(code=code).only(
        "code", "text_file", "public_text").first()
    if standard is None:
        try:
            canonical = selectors.canonical_code(code)
        except codes.CodeError:
            canonical = None
        if canonical is None:
            raise Http404(_("目录中没有该标准"))
        target = redirect("catalog:standard_text", canonical, permanent=True)
        if request.GET:
            target["Location"] += "?" + request.GET.urlencode()
        return target
    if not standard.text_file:
        raise Http404(_("该标准没有文本"))
    if not standard.public_text and not request.user.is_staff:
        raise Http404(_("该标准文本未公开"))
    name = PurePosixPath(standard.text_file.name).name
    suffix = PurePosixPath(name).suffix.lower()
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    try:
        handle = standard.text_file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("文本文件缺失")) from error
    filename = standard.code.replace("/", "_").replace(":", "_") + suffix
    return FileResponse(handle, content_type=content_type,
                        as_attachment=request.GET.get("download") == "1", filename=filename)


# --- Classifications --------------------------------------------------------------------------


def _ancestors(model, codes_above: list[str]):
    return list(model.objects.filter(code__in=codes_above).order_by("depth", "code"))


@require_safe
def ics_list(request):
    roots = ICSClass.objects.filter(parent__isnull=True).prefetch_related("children")
    return render(request, "catalog/ics_list.html", {"nodes": roots})


@require_safe
def ics_detail(request, code: str):
    node = get_object_or_404(ICSClass, code=code)
    parts = code.split(".")
    above = [".".join(parts[:i]) for i in range(1, len(parts))]
    page = _paginate(request, selectors.summaries(
        selectors.filter_standards(StandardFilters(ics=code))))
    return render(request, "catalog/ics_detail.html", {
        "node": node,
        "ancestors": _ancestors(ICSClass, above),
        "children": list(node.children.order_by("code")),
        "page": page,
        "standards": page.object_list,
        "list_query": urlencode({"ics": code}),
    })


@require_safe
def ccs_list(request):
    roots = CCSClass.objects.filter(parent__isnull=True).prefetch_related("children")
    return render(request, "catalog/ccs_list.html", {"nodes": roots})


@require_safe
def ccs_detail(request, code: str):
    node = get_object_or_404(CCSClass, code=code)
    ancestors = []
    if node.parent_id:
        ancestors = list(CCSClass.objects.filter(
            Q(pk=node.parent_id) | Q(children__pk=node.parent_id)).distinct().order_by("depth"))
    page = _paginate(request, selectors.summaries(
        selectors.filter_standards(StandardFilters(ccs=code))))
    return render(request, "catalog/ccs_detail.html", {
        "node": node,
        "ancestors": ancestors,
        "children": list(node.children.order_by("code")),
        "page": page,
        "standards": page.object_list,
        "list_query": urlencode({"ccs": code}),
    })


# --- Organisations and committees -------------------------------------------------------------


@require_safe
def organization_list(request):
    q = selectors.clean_text(request.GET.get("q", ""))[:100]
    queryset = Organization.objects.order_by("name")
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    page = _paginate(request, queryset, 50)
    return render(request, "catalog/organization_list.html",
                  {"page": page, "organizations": page.object_list, "q": q})


ORGANIZATION_ROLES = (
    ("issued", "issuing_bodies", gettext_lazy("发布的标准")),
    ("drafted", "drafting_orgs", gettext_lazy("起草的标准")),
    ("proposed", "proposing_unit", gettext_lazy("提出的标准")),
    ("supervised", "competent_department", gettext_lazy("主管的标准")),
)
ORGANIZATION_SECTION_SIZE = 20


@require_safe
def organization_detail(request, pk: int):
    organization = get_object_or_404(Organization, pk=pk)
    sections = []
    for key, field, title in ORGANIZATION_ROLES:
        queryset = selectors.summaries(Standard.objects.filter(**{field: organization}))
        rows = list(queryset.order_by("-issued_on", "code")[:ORGANIZATION_SECTION_SIZE + 1])
        sections.append({
            "key": key,
            "title": title,
            "standards": rows[:ORGANIZATION_SECTION_SIZE],
            "more": len(rows) > ORGANIZATION_SECTION_SIZE,
        })
    return render(request, "catalog/organization_detail.html",
                  {"organization": organization, "sections": sections,
                   "committees": list(organization.technicalcommittee_set.order_by("code"))})


@require_safe
def committee_list(request):
    q = selectors.clean_text(request.GET.get("q", ""))[:100]
    queryset = TechnicalCommittee.objects.select_related("secretariat").order_by("code", "name")
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(code__icontains=q))
    page = _paginate(request, queryset, 50)
    return render(request, "catalog/committee_list.html",
                  {"page": page, "committees": page.object_list, "q": q})


@require_safe
def committee_detail(request, pk: int):
    committee = get_object_or_404(TechnicalCommittee.objects.select_related("secretariat"),
                                  pk=pk)
    page = _paginate(request, selectors.summaries(
        committee.standards.order_by("code")))
    return render(request, "catalog/committee_detail.html",
                  {"committee": committee, "page": page, "standards": page.object_list})
