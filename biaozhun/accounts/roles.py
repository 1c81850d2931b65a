"""Role names (Django groups) and the model permissions each grants.

Object and state rules (e.g. "only the administration that owns the project may approve it")
are predicates in each app's permissions.py; a role only opens the door. Apps that add models
list their permissions here; `ensure_roles()` fails loudly on a permission that does not exist.
"""

CATALOG = "目录管理员"
"""Catalogue manager: edits the catalogue and starts imports."""

ADMINISTRATOR = "标准化管理员"
"""Staff of a standardisation administration: approves, numbers, publishes, files and reviews
local standards (object rules also require membership of the project's administration)."""

LEADERSHIP = "领导"
"""Leadership and supervisors: read dashboards."""

# Role name -> "app_label.codename" permissions it grants, exactly.
ROLES: dict[str, list[str]] = {
    CATALOG: [
        f"catalog.{action}_{model}"
        for model in ("standard", "standardrelation", "adoption", "icsclass", "ccsclass",
                      "technicalcommittee", "region", "industrycode")
        for action in ("add", "change", "delete", "view")
    ] + ["catalog.add_importrun", "catalog.view_importrun", "accounts.view_organization",
         "accounts.add_organization", "accounts.change_organization"],
    ADMINISTRATOR: ["accounts.view_organization", "accounts.change_organization",
                    "accounts.view_membership"],
    LEADERSHIP: [],
}
