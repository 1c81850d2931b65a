"""Sign-in and sign-out (with the lockout form), password change and reset, the account page
and API tokens."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from biaozhun.accounts import views
from biaozhun.accounts.forms import SignInForm

app_name = "accounts"

# The admin app ships registration/password_*.html and is installed first, so these pages use
# their own template names (a same-named template here would never be found).
urlpatterns = [
    path("", views.profile, name="profile"),
    path("login/", auth_views.LoginView.as_view(
        redirect_authenticated_user=True, authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:home"), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(
        template_name="registration/change_password.html",
        success_url=reverse_lazy("accounts:password_change_done")), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/change_password_done.html"), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="registration/reset_form.html",
        email_template_name="registration/reset_email.txt",
        subject_template_name="registration/reset_subject.txt",
        extra_email_context={"site_name": settings.SITE_NAME},
        success_url=reverse_lazy("accounts:password_reset_done")), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="registration/reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="registration/reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/reset_complete.html"), name="password_reset_complete"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]
