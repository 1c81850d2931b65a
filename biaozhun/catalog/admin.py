"""Admin for staff: search and filter the catalogue, upload imports and follow them."""

import csv
import io
import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from biaozhun.catalog.importing.runs import can_import, start_import
from biaozhun.catalog.models import (
    Adoption,
    CCSClass,
    ICSClass,
    ImportRun,
    IndustryCode,
    Region,
    Standard,
    StandardAlias,
    StandardRelation,
    TechnicalCommittee,
)


class AdoptionInline(admin.TabularInline):
    model = Adoption
    extra = 0
    fields = ("adopted_code", "degree")


class AliasInline(admin.TabularInline):
    model = StandardAlias
    extra = 0
    readonly_fields = ("code_norm",)


class OutgoingRelationInline(admin.TabularInline):
    model = StandardRelation
    fk_name = "source"
    extra = 0
    fields = ("kind", "target_code", "target")
    raw_id_fields = ("target",)
    verbose_name = _("本标准代替/修改的标准")
    verbose_name_plural = verbose_name


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("code", "title_zh", "level", "status", "issued_on", "effective_on")
    list_filter = ("level", "status", "nature", "public_text", "is_sample", "is_synthetic")
    search_fields = ("code", "code_norm", "title_zh", "title_en")
    date_hierarchy = "issued_on"
    show_full_result_count = False
    list_select_related = True
    raw_id_fields = ("competent_department", "proposing_unit", "committee", "import_run")
    autocomplete_fields = ("ics", "ccs", "issuing_bodies", "drafting_orgs")
    readonly_fields = ("code_norm", "undated_norm", "status", "pending_change_on", "imported_at",
                       "created_at", "updated_at")
    inlines = [AdoptionInline, OutgoingRelationInline, AliasInline]
    fieldsets = (
        (None, {"fields": ("code", "code_norm", "undated_norm", "level", "nature", "prefix",
                           "issuer_code", "number", "part", "year", "amendment",
                           "edition_note")}),
        (_("名称与范围"), {"fields": ("title_zh", "title_en", "scope")}),
        (_("日期与状态"), {"fields": ("issued_on", "effective_on", "abolished_on",
                                  "first_issued_on", "reviewed_on", "review_conclusion",
                                  "declared_status", "status", "pending_change_on")}),
        (_("分类与机构"), {"fields": ("ics", "ccs", "issuing_bodies", "competent_department",
                                  "proposing_unit", "committee", "drafting_orgs",
                                  "drafters")}),
        (_("文本"), {"fields": ("text_file", "public_text")}),
        (_("来源"), {"fields": ("is_sample", "is_synthetic", "import_run", "imported_at",
                              "created_at", "updated_at")}),
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from biaozhun.catalog.services import refresh_status

        refresh_status(ids=[form.instance.pk])


@admin.register(ICSClass)
class ICSClassAdmin(admin.ModelAdmin):
    list_display = ("code", "title_zh", "title_en", "depth")
    search_fields = ("code", "title_zh", "title_en")
    list_filter = ("depth",)
    raw_id_fields = ("parent",)


@admin.register(CCSClass)
class CCSClassAdmin(admin.ModelAdmin):
    list_display = ("code", "title_zh", "depth")
    search_fields = ("code", "title_zh")
    list_filter = ("depth",)
    raw_id_fields = ("parent",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "edition")
    search_fields = ("code", "name")


@admin.register(IndustryCode)
class IndustryCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "industry", "ministry")
    search_fields = ("code", "industry")


@admin.register(TechnicalCommittee)
class TechnicalCommitteeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "secretariat")
    search_fields = ("code", "name")
    raw_id_fields = ("secretariat",)


class ImportUploadForm(forms.ModelForm):
    class Meta:
        model = ImportRun
        fields = ("upload", "skip_invalid")

    def clean_upload(self):
        from django.conf import settings

        upload = self.cleaned_data["upload"]
        if not upload:
            raise forms.ValidationError(_("请选择要导入的文件。"))
        suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in ("csv", "tsv", "xlsx", "json"):
            raise forms.ValidationError(_("只支持 CSV、TSV、XLSX 或 JSON 文件。"))
        if upload.size > settings.CATALOG_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大（上限 %(mb)d MB）。") % {"mb": settings.CATALOG_IMPORT_MAX_BYTES >> 20})
        return upload


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Uploading creates a run and queues the job; the change page shows progress and report."""

    list_display = ("id", "source_name", "state", "progress", "created_count", "updated_count",
                    "rejected_count", "started_by", "created_at")
    list_filter = ("state",)
    readonly_fields = ("source_name", "kind", "state", "progress", "total_rows",
                       "processed_rows", "created_count", "updated_count", "rejected_count",
                       "dangling_count", "message", "report_links", "started_by",
                       "started_at", "finished_at")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("upload", "skip_invalid") if obj is None else self.readonly_fields

    def has_add_permission(self, request):
        return can_import(request.user)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        run = start_import(form.cleaned_data["upload"],
                           skip_invalid=form.cleaned_data["skip_invalid"], by=request.user)
        obj.pk = run.pk
        messages.info(request, _("已加入后台任务队列，本页面显示进度。"))

    def response_add(self, request, obj, post_url_continue=None):
        return redirect(reverse("admin:catalog_importrun_change", args=[obj.pk]))

    @admin.display(description=_("进度"))
    def progress(self, obj):
        return format_html('<progress max="100" value="{}">{}%</progress> {}%',
                           obj.progress_percent, obj.progress_percent, obj.progress_percent)

    @admin.display(description=_("报告"))
    def report_links(self, obj):
        if obj.state not in (ImportRun.State.SUCCEEDED, ImportRun.State.FAILED):
            return _("任务完成后可下载报告（刷新本页查看进度）。")
        url = reverse("admin:catalog_importrun_report", args=[obj.pk])
        return format_html('<a href="{}?format=json">JSON</a> · <a href="{}?format=csv">'
                           'CSV（错误清单）</a>', url, url)

    def get_urls(self):
        return [path("<int:pk>/report/", self.admin_site.admin_view(self.report_view),
                     name="catalog_importrun_report"), *super().get_urls()]

    def report_view(self, request, pk):
        run = get_object_or_404(ImportRun, pk=pk)
        if not self.has_view_permission(request, run):
            return HttpResponse(status=403)
        if request.GET.get("format") == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["row", "column", "reason", "value"])
            for error in run.report.get("errors", []):
                writer.writerow([error["row"], error["column"], error["reason"],
                                 error.get("value", "")])
            response = HttpResponse("\ufeff" + buffer.getvalue(),
                                    content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
            return response
        response = HttpResponse(json.dumps(run.report, ensure_ascii=False, indent=1),
                                content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-report.json"'
        return response
