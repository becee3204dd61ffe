"""Who may do what: the one table of role permissions."""

from __future__ import annotations

ALL_ROLES = frozenset({"admin", "land_team", "architect", "policy", "viewer"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "read": ALL_ROLES,
    "case.write": frozenset({"admin", "land_team"}),
    "case.contacts": frozenset({"admin", "land_team"}),
    "case.restore": frozenset({"admin"}),
    "documents.read": frozenset({"admin", "land_team", "architect"}),
    "documents.write": frozenset({"admin", "land_team"}),
    "pilot.write": frozenset({"admin", "land_team", "architect"}),   # plan: edit stage, targets, notes
    "pilot.manage": frozenset({"admin", "land_team"}),              # add and remove pilot areas
    "pilot.review": frozenset({"admin", "architect"}),
    "fund.write": frozenset({"admin", "land_team"}),
    "import": frozenset({"admin", "land_team"}),
    "share.manage": frozenset({"admin", "policy"}),
    "audit.read": frozenset({"admin"}),
    "jobs.all": frozenset({"admin"}),  # see every user's background jobs
    "users.manage": frozenset({"admin"}),
    "regions.conflicts": frozenset({"admin"}),
}


def allowed(role: str | None, permission: str) -> bool:
    """True when `role` holds `permission`."""
    return role is not None and role in PERMISSIONS[permission]
