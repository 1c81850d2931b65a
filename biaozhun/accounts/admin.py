from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from biaozhun.accounts import services
from biaozhun.accounts.models import ApiToken, Membership, Organization, SignInAttempt, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "is_active")


@admin.register(User)
class BiaozhunUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "email", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "short_name", "credit_code", "region_code")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "credit_code")
    fields = ("name", "short_name", "kind", "credit_code", "region_code", "website")
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "is_active", "updated_at")
    list_filter = ("role", "is_active", "organization__kind")
    search_fields = ("user__username", "user__display_name", "organization__name")
    autocomplete_fields = ("user", "organization")
    list_select_related = ("user", "organization")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners on the account page; here they can only be read and
    revoked (the secret is not stored, only its hash)."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at",
                    "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at",
                       "expires_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_revoke_permission(self, request):
        # The service lets owners and superusers revoke; here only superusers see others'.
        return request.user.is_superuser

    @admin.action(description=_("吊销所选令牌"), permissions=["revoke"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        for token in tokens:
            services.revoke_api_token(token, by=request.user)
        self.message_user(request, ngettext("已吊销 %(n)d 个令牌。", "已吊销 %(n)d 个令牌。",
                                            len(tokens)) % {"n": len(tokens)}, messages.SUCCESS)


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    """The lockout ledger, read-only. A superuser may delete a username's recent failures to
    lift a lockout early."""

    list_display = ("at", "username", "ip", "succeeded")
    list_filter = ("succeeded",)
    search_fields = ("username", "ip")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
