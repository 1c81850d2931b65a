"""Account pages: the account overview and personal API tokens. Sign-in, sign-out, password
change and reset are Django's views wired in urls.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from biaozhun.accounts import services
from biaozhun.accounts.forms import ApiTokenForm
from biaozhun.accounts.models import ApiToken
from biaozhun.accounts.selectors import api_tokens_of, get_api_token_for, memberships_of


@require_safe
@login_required
def profile(request):
    return render(request, "accounts/profile.html", {
        "memberships": memberships_of(request.user),
        "roles": sorted(request.user.groups.values_list("name", flat=True)),
        "token_count": api_tokens_of(request.user).filter(revoked_at__isnull=True).count(),
    })


@never_cache  # the response to a creation carries the secret
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tokens(request):
    """The user's tokens and the form to create one; a new secret is shown on this response
    only, never stored, never shown again."""
    form = ApiTokenForm(request.POST or None)
    created = secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            created, secret = services.create_api_token(
                user=request.user, name=form.cleaned_data["name"], by=request.user,
                expires_at=form.expires_at())
            form = ApiTokenForm()
        else:
            status = 422
    return render(request, "accounts/tokens.html", {
        "form": form, "tokens": api_tokens_of(request.user), "created": created,
        "secret": secret,
    }, status=status)


@require_POST
@login_required
def revoke_token(request, pk):
    try:
        token = get_api_token_for(request.user, pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    services.revoke_api_token(token, by=request.user)
    messages.success(request, _("令牌“%(name)s”已吊销，使用它的程序将无法再访问接口。")
                     % {"name": token.name})
    return redirect("accounts:tokens")
