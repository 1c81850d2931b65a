"""Sign-in forms with the lockout, and the API token form."""

import ipaddress
import math
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biaozhun.accounts import services
from biaozhun.accounts.selectors import sign_in_lockout


def client_ip(request) -> str | None:
    """The client's address. Behind ACCOUNTS_TRUSTED_PROXIES reverse proxies it is the entry
    that many places from the right of X-Forwarded-For (earlier entries can be forged)."""
    address = request.META.get("REMOTE_ADDR")
    proxies = settings.ACCOUNTS_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


class LockoutMixin:
    """Refuses sign-in while the username or the client address is locked out (even with the
    right password), and records every attempt that reaches the password check."""

    lockout_messages = {
        "locked_out": _("该用户名登录失败次数过多，已暂时锁定。请于 %(time)s 后（约 %(minutes)s "
                        "分钟后）再试；如忘记密码，可通过“忘记密码”重新设置。"),
        "ip_locked_out": _("您所在网络的登录失败次数过多，已暂时禁止登录。请于 %(time)s 后（约 "
                           "%(minutes)s 分钟后）再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        ip = client_ip(self.request) if self.request is not None else None
        now = timezone.now()
        lockout = sign_in_lockout(username=username, ip=ip, now=now)
        if lockout is not None:
            code = "ip_locked_out" if lockout.by_ip else "locked_out"
            until = timezone.localtime(lockout.until)
            time_format = "%H:%M" if until.date() == timezone.localdate(now) else "%m-%d %H:%M"
            minutes = max(1, math.ceil((lockout.until - now) / timedelta(minutes=1)))
            raise ValidationError(self.lockout_messages[code], code=code,
                                  params={"time": until.strftime(time_format),
                                          "minutes": minutes})
        try:
            cleaned = super().clean()
        except ValidationError:
            # Right password, refused for another reason (inactive, not staff): not a guess.
            if self.get_user() is None:
                services.record_sign_in_attempt(username=username, ip=ip, succeeded=False)
            raise
        services.record_sign_in_attempt(username=username, ip=ip, succeeded=True)
        return cleaned


class SignInForm(LockoutMixin, AuthenticationForm):
    """The site's sign-in form."""


class AdminSignInForm(LockoutMixin, AdminAuthenticationForm):
    """The admin site's sign-in form (staff only), under the same lockout."""


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [("30", _("30 天")), ("90", _("90 天")), ("365", _("1 年")),
                      ("", _("永不过期（可随时吊销）"))]

    name = forms.CharField(label=_("名称"), max_length=100,
                           help_text=_("用途说明，如“目录同步脚本”。"))
    expires_in_days = forms.ChoiceField(label=_("有效期"), choices=EXPIRY_CHOICES,
                                        initial="90", required=False)

    def expires_at(self):
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + timedelta(days=int(days)) if days else None
