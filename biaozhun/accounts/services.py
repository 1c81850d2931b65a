"""Account writes: roles as groups, sign-in attempts, API tokens, and the demo accounts
`make run` prints."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils import timezone

from biaozhun.accounts import roles
from biaozhun.accounts.models import ApiToken, Membership, Organization, SignInAttempt, User
from biaozhun.accounts.roles import ROLES

__all__ = [
    "DEMO_ACCOUNTS", "ROLES", "DemoAccount", "DemoOrganization", "authenticate_api_token",
    "create_api_token", "ensure_demo_accounts", "ensure_roles", "prune_sign_in_attempts",
    "record_sign_in_attempt", "revoke_api_token",
]


# --- Roles ---------------------------------------------------------------------------------

@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create or update the role groups with exactly their permissions (idempotent)."""
    groups = {}
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            try:
                wanted.append(Permission.objects.get(content_type__app_label=app_label,
                                                     codename=codename))
            except Permission.DoesNotExist:
                raise ImproperlyConfigured(
                    f"Role {name!r} lists {perm!r}, which no migrated model defines.") from None
        group.permissions.set(wanted)
        groups[name] = group
    return groups


# --- Sign-in attempts (the lockout ledger) ---------------------------------------------------

# Pruning runs on one insert in this many; cheap, and no periodic job to forget.
PRUNE_EVERY = 100


def record_sign_in_attempt(*, username: str, ip: str | None, succeeded: bool,
                           now: datetime | None = None) -> SignInAttempt:
    """Log one sign-in attempt; a success ends the username's run of failures."""
    attempt = SignInAttempt.objects.create(username=username.lower(), ip=ip or None,
                                           succeeded=succeeded, at=now or timezone.now())
    if attempt.pk % PRUNE_EVERY == 0:
        prune_sign_in_attempts(now=attempt.at)
    return attempt


def prune_sign_in_attempts(*, now: datetime | None = None) -> int:
    """Delete attempts older than a day (or two lockout windows, if longer). Returns rows."""
    now = now or timezone.now()
    keep = max(timedelta(days=1), 2 * timedelta(minutes=settings.ACCOUNTS_LOCKOUT_MINUTES))
    deleted, _ = SignInAttempt.objects.filter(at__lt=now - keep).delete()
    return deleted


# --- API tokens ----------------------------------------------------------------------------

TOKEN_PREFIX = "bz_"
# last_used_at is written at most this often per token: a busy client must not write per call.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _may_act_for(by, user) -> bool:
    return bool(by is not None and by.is_authenticated and by.is_active
                and (by.pk == user.pk or by.is_superuser))


@transaction.atomic
def create_api_token(*, user: User, name: str, by: User,
                     expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user` (by themselves or a superuser). Returns the token and its
    secret, which is never stored and cannot be shown again."""
    if not _may_act_for(by, user):
        raise PermissionDenied
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)  # 30 bytes -> 40 URL-safe characters
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=secret[:8],
                                    key_hash=hash_token_secret(secret), expires_at=expires_at)
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User) -> ApiToken:
    """Revoke `token` (its owner or a superuser); revoking twice keeps the first time."""
    if not _may_act_for(by, token.user):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_api_token(secret: str, *, now: datetime | None = None) -> User | None:
    """The active user whose usable token has this secret, or None; notes the use."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = now or timezone.now()
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=hash_token_secret(secret), revoked_at__isnull=True).first())
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Demo accounts -------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoOrganization:
    name: str
    kind: str
    region_code: str = ""
    credit_code: str = ""


# A made-up enterprise registered in Changsha (430100); the check characters are computed by
# validators.validate_credit_code (tests check it), so imports and forms accept it.
DEMO_ENTERPRISE_CREDIT_CODE = "91430100MA4T00019U"

_Kind = Organization.Kind
DEMO_ORGANIZATIONS = [
    DemoOrganization("湖南省市场监督管理局", _Kind.ADMINISTRATION, region_code="430000"),
    DemoOrganization("长沙市市场监督管理局", _Kind.ADMINISTRATION, region_code="430100"),
    DemoOrganization("株洲市市场监督管理局", _Kind.ADMINISTRATION, region_code="430200"),
    DemoOrganization("湘潭市市场监督管理局", _Kind.ADMINISTRATION, region_code="430300"),
    DemoOrganization("长沙市工业和信息化局", _Kind.DEPARTMENT),
    DemoOrganization("长沙市标准化研究院", _Kind.DRAFTING),
    DemoOrganization("湖南省食品质量监督检验研究院", _Kind.DRAFTING),
    DemoOrganization("长沙市食品安全标准化技术委员会", _Kind.COMMITTEE),
    DemoOrganization("长沙示例食品有限公司", _Kind.ENTERPRISE,
                     credit_code=DEMO_ENTERPRISE_CREDIT_CODE),
    DemoOrganization("长沙市食品行业协会", _Kind.SOCIAL),
]


@dataclass(frozen=True)
class DemoAccount:
    """One persona of DOMAIN.md; the password is always `biaozhun-<username>`."""

    username: str
    persona: str
    groups: tuple[str, ...] = ()
    organization: str | None = None
    membership_role: str = Membership.Role.MEMBER
    is_staff: bool = False
    is_superuser: bool = False
    # Filled in from the fields above.
    password: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "password", f"biaozhun-{self.username}")

    @property
    def role(self) -> str:
        """What load_sample prints: role groups, else the membership, else the persona."""
        if self.is_superuser:
            return "系统管理员（超级用户）"
        parts = list(self.groups)
        if self.organization:
            role = Membership.Role(self.membership_role).label
            parts.append(f"{self.organization}{role}")
        return "、".join(str(p) for p in parts) or "—"


_MANAGER = Membership.Role.MANAGER
DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员（超级用户）", is_staff=True, is_superuser=True),
    DemoAccount("catalog", "目录管理员", groups=(roles.CATALOG,), is_staff=True),
    DemoAccount("guanli", "标准化主管部门工作人员（长沙市）", groups=(roles.ADMINISTRATOR,),
                organization="长沙市市场监督管理局", membership_role=_MANAGER, is_staff=True),
    DemoAccount("zhuzhou", "标准化主管部门工作人员（株洲市）", groups=(roles.ADMINISTRATOR,),
                organization="株洲市市场监督管理局", is_staff=True),
    DemoAccount("xiangtan", "标准化主管部门工作人员（湘潭市）", groups=(roles.ADMINISTRATOR,),
                organization="湘潭市市场监督管理局", is_staff=True),
    DemoAccount("bumen", "行业主管部门工作人员（提出单位）", organization="长沙市工业和信息化局"),
    DemoAccount("qicao", "起草单位起草组成员", organization="长沙市标准化研究院"),
    DemoAccount("zhuanjia1", "标准化技术委员会委员（审查专家）",
                organization="长沙市食品安全标准化技术委员会"),
    DemoAccount("zhuanjia2", "标准化技术委员会委员（审查专家）",
                organization="长沙市食品安全标准化技术委员会"),
    DemoAccount("zhuanjia3", "标准化技术委员会委员（审查专家）",
                organization="长沙市食品安全标准化技术委员会"),
    DemoAccount("qiye", "企业标准化负责人", organization="长沙示例食品有限公司",
                membership_role=_MANAGER),
    DemoAccount("shetuan", "社会团体工作人员", organization="长沙市食品行业协会"),
    DemoAccount("gongzhong", "社会公众"),
    DemoAccount("lingdao", "领导 / 督查", groups=(roles.LEADERSHIP,)),
]


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Demo organisations and one account per persona, for a local trial (load_sample calls
    it only with DEBUG on). Idempotent: a rerun resets passwords, groups and memberships."""
    groups = ensure_roles()
    organizations = {}
    for demo in DEMO_ORGANIZATIONS:
        # Only the fields the demo sets: an administrator's own edits to the rest survive.
        defaults = {"kind": demo.kind}
        defaults.update({f: getattr(demo, f) for f in ("region_code", "credit_code")
                         if getattr(demo, f)})
        organization, _ = Organization.objects.update_or_create(name=demo.name,
                                                                defaults=defaults)
        organizations[demo.name] = organization
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.set_password(account.password)
        user.is_active = True
        user.is_staff = account.is_staff
        user.is_superuser = account.is_superuser
        user.display_name = account.persona
        user.save()
        user.groups.set([groups[name] for name in account.groups])
        keep = []
        if account.organization:
            membership, _ = Membership.objects.update_or_create(
                user=user, organization=organizations[account.organization],
                defaults={"role": account.membership_role, "is_active": True})
            keep.append(membership.pk)
        Membership.objects.filter(user=user).exclude(pk__in=keep).delete()
    return DEMO_ACCOUNTS
