from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from biaozhun.accounts.models import Organization, User


@admin.register(User)
class BiaozhunUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "email", "is_staff", "is_active")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "short_name")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")
