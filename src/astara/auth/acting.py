"""Who acts, remembered for at most a second: a page resolves its session or token to the acting
user without reading the store each time, while a logout, a revoked token, a disabled user or a
changed role still takes effect within :data:`TTL` in every process.

A time limit rather than a revocation marker in the store: a marker would cost a statement on every
request and a schema change, and would miss a change written to the store directly (another
process, a restore); a one-second limit bounds every case by construction, at one look-up of each
credential a second in each process. Changes made through this process's services end its entries
at once (:func:`changed`, acted on by the web layer after the transaction commits).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Hashable

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope

TTL = 1.0  # seconds a remembered credential counts before the store is asked again
MOST = 10_000  # entries kept at most: a flood of credentials cannot grow the process
CHANGED = "astara_access_changed"  # in a session's info: this transaction changed who may act


def key(kind: str, secret: str) -> tuple[str, str]:
    """The entry of a credential: its kind and a digest (the plain token is not kept)."""
    return kind, hashlib.sha256(secret.encode()).hexdigest()


def changed(session: Session) -> None:
    """Mark ``session``'s transaction as ending or changing someone's access (logout, revoked token,
    disabled user, new role or password): remembered credentials are forgotten once it commits."""
    session.info[CHANGED] = True


class ActingCache:
    """Credential -> Scope for :data:`TTL` seconds of ``clock`` (injectable for tests)."""

    def __init__(self, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[Hashable, tuple[float, Scope]] = {}
        self._lock = threading.Lock()

    def get(self, credential: Hashable) -> Scope | None:
        entry = self._entries.get(credential)
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    def put(self, credential: Hashable, scope: Scope) -> None:
        now = self.clock()
        with self._lock:
            if len(self._entries) >= MOST:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= MOST:
                    self._entries.clear()
            self._entries[credential] = (now + self.ttl, scope)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
