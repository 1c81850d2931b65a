from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "biaozhun.accounts"
    label = "accounts"
    verbose_name = "账户与机构"

    def ready(self):
        from django.contrib import admin

        # Registers the object permissions (rules) this app defines.
        from biaozhun.accounts import permissions  # noqa: F401
        from biaozhun.accounts.forms import AdminSignInForm

        # /admin/login/ counts towards and obeys the same lockout as the site's sign-in.
        admin.site.login_form = AdminSignInForm
