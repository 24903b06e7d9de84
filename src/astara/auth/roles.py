"""What each role may do. Roles are not a ladder: a liaison officer shares, an analyst records.

=============  ==========================================================================
analyst        read and write the agency's seizure records, imports, news review, matching
liaison        read records; partners, agreements, sync, hit/no-hit requests
supervisor     everything an analyst and a liaison officer may do, plus the audit log
administrator  everything, plus users, API tokens of others and instance settings
=============  ==========================================================================
"""

from __future__ import annotations

from astara.agencies.scope import Scope
from astara.errors import PermissionDenied

ROLES = ("analyst", "liaison", "supervisor", "administrator")
PERMISSIONS: dict[str, frozenset[str]] = {
    "records.read": frozenset(ROLES),
    "records.write": frozenset({"analyst", "supervisor", "administrator"}),
    "sharing": frozenset({"liaison", "supervisor", "administrator"}),
    "audit.read": frozenset({"supervisor", "administrator"}),
    "users.manage": frozenset({"administrator"}),
}


def allowed(scope: Scope, permission: str) -> bool:
    return scope.role in PERMISSIONS[permission]


def require(scope: Scope, permission: str) -> None:
    """Raise PermissionDenied unless the acting user's role grants ``permission``."""
    if not allowed(scope, permission):
        roles = ", ".join(sorted(PERMISSIONS[permission]))
        raise PermissionDenied(f"this needs the role {roles}; you are {scope.role}")
