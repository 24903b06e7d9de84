"""Failed-login counting, kept in the store so every worker process (and a restart) sees the same counts.

Three locks over the last ``WINDOW``: a user name after ``per_user`` failures (one account guessed
from anywhere), a (client, user name) pair after ``per_client_user`` (one place guessing one
account, which leaves the other users of that office alone), and a client after ``per_client``
failures over any names (one place trying many accounts).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from astara.auth import repository
from astara.db.models import LoginFailure, utcnow
from astara.errors import RateLimited
from astara.settings import Settings

WINDOW = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class LoginLimits:
    per_user: int = 10
    per_client_user: int = 5
    per_client: int = 100

    @classmethod
    def of(cls, settings: Settings) -> LoginLimits:
        return cls(settings.login_failures_per_user, settings.login_failures_per_client_user,
                   settings.login_failures_per_client)  # fmt: skip

    def keys(self, username: str, client: str) -> dict[str, int]:
        """Each key a failure counts under, with the failures that lock it."""
        name = username.strip().casefold()[:100]
        client = client[:64]
        return {f"user:{name}": self.per_user, f"pair:{client} {name}": self.per_client_user,
                f"client:{client}": self.per_client}  # fmt: skip


def check(session: Session, limits: LoginLimits, username: str, client: str) -> None:
    """Raise RateLimited while any key of this attempt has too many recent failures."""
    now = utcnow()
    for key, most in limits.keys(username, client).items():
        recent = repository.recent_failures(session, key, now - WINDOW, most)
        if len(recent) >= most:  # locked until the oldest of these leaves the window
            wait = max(math.ceil((recent[-1] + WINDOW - now).total_seconds()), 1)
            raise RateLimited(
                f"too many failed logins; try again in {wait} seconds", details=[{"retry_after": wait}]
            )


def failed(session: Session, limits: LoginLimits, username: str, client: str) -> None:
    """Count one failure under every key of this attempt; forget failures older than the window."""
    now = utcnow()
    repository.forget_failures_before(session, now - WINDOW)
    session.add_all(LoginFailure(key=key, at=now) for key in limits.keys(username, client))


def succeeded(session: Session, limits: LoginLimits, username: str, client: str) -> None:
    """The right password: this name's and this pair's failures are forgiven (the client's are not)."""
    user_key, pair_key, _ = limits.keys(username, client)
    repository.forget_failures(session, [user_key, pair_key])
