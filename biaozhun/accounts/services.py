"""Account writes: roles as groups, and the demo accounts `make run` prints."""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from biaozhun.accounts.models import User

# Role name -> "app_label.codename" permissions it grants.
ROLES: dict[str, list[str]] = {
    "目录管理员": [
        f"catalog.{action}_{model}"
        for model in ("standard", "standardrelation", "adoption", "icsclass", "ccsclass",
                      "technicalcommittee", "region", "industrycode")
        for action in ("add", "change", "delete", "view")
    ] + ["catalog.add_importrun", "catalog.view_importrun", "accounts.view_organization",
         "accounts.add_organization", "accounts.change_organization"],
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "biaozhun-admin", "系统管理员（超级用户）"),
    DemoAccount("catalog", "biaozhun-catalog", "目录管理员"),
]


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create or update the role groups with exactly their permissions."""
    groups = {}
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label,
                                                 codename=codename))
        group.permissions.set(wanted)
        groups[name] = group
    return groups


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Demo accounts for a local trial (never in production: DEBUG must be on)."""
    groups = ensure_roles()
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.set_password(account.password)
        user.is_staff = True
        user.is_superuser = account.username == "admin"
        user.display_name = account.role
        user.save()
        if account.role in groups:
            user.groups.set([groups[account.role]])
    return DEMO_ACCOUNTS
