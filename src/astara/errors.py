"""One error family. Each carries an HTTP status and a CLI exit code; one JSON shape renders them."""

from __future__ import annotations

from functools import partial
from typing import Any


class AstaraError(Exception):
    """Base of every error Astara raises on purpose."""

    status_code = 500
    exit_code = 1
    code = "internal_error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the details (an import's worker process sends its errors to the importer)."""
        return (partial(type(self), details=self.details), (self.message,))

    def to_json(self) -> dict[str, Any]:
        """The one JSON error shape, used by the API and by ``--format json`` on the CLI."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(AstaraError):
    status_code = 422
    exit_code = 2
    code = "invalid_input"


class NotFound(AstaraError):
    status_code = 404
    exit_code = 3
    code = "not_found"


class Conflict(AstaraError):
    status_code = 409
    exit_code = 4
    code = "conflict"


class PermissionDenied(AstaraError):
    status_code = 403
    exit_code = 5
    code = "permission_denied"


class ImportFailed(AstaraError):
    """An import found bad rows; nothing was written. ``details`` lists row, column and reason."""

    status_code = 422
    exit_code = 6
    code = "import_failed"


class StoreError(AstaraError):
    """The database is missing, unreachable or not migrated."""

    status_code = 503
    exit_code = 7
    code = "store_unavailable"


class NotAuthenticated(AstaraError):
    """No valid session or API token, or a wrong user name or password."""

    status_code = 401
    exit_code = 8
    code = "not_authenticated"


class RateLimited(AstaraError):
    """Too many attempts (e.g. failed logins) in a short time; try again later."""

    status_code = 429
    exit_code = 9
    code = "rate_limited"


class TooLarge(AstaraError):
    """A request body (an upload) above its limit, refused before it is read."""

    status_code = 413
    exit_code = 12
    code = "too_large"
