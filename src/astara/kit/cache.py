"""A small, thread-safe cache of figures that are slow to count (totals, summaries over big stores).

Entries belong to one store (its URL), one agency and the agency's store version
(:mod:`astara.db.versions`), which every write of the agency's seizure data moves in its own
transaction. Asked through :func:`store_of` (which carries the session), the cache reads that
version (one indexed row, once a transaction) and keeps nothing of an older one: a write by any
process, another server worker or an import from the shell, shows in the next answer. An entry
checked against a version lives at most ``versioned_ttl`` seconds (so that figures relative to the
day move on), one read without a session at most ``ttl`` seconds. A transaction that has written
seizure data gets figures computed afresh and not kept: they include what it has not committed.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session

from astara.db import versions

T = TypeVar("T")
Key = tuple[str, int, Hashable]


class Store(str):
    """A store's identity (its URL, password hidden), with the session it is read through."""

    session: Session | None

    def __new__(cls, url: str, session: Session | None = None) -> Store:
        made = super().__new__(cls, url)
        made.session = session
        return made


class FigureCache:
    def __init__(
        self,
        ttl: float = 120.0,
        size: int = 512,
        clock: Callable[[], float] = time.monotonic,
        versioned_ttl: float = 3600.0,
    ) -> None:
        self.ttl, self.size, self._clock = ttl, size, clock
        # A version check already catches every write, so its entries need not expire every two
        # minutes: an expiry makes one request recount a million events while the others wait.
        self.versioned_ttl = versioned_ttl
        # (store, agency, key) -> (store version or None, when computed, value)
        self._entries: OrderedDict[Key, tuple[int | None, float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Key, threading.Lock] = {}

    def get(self, store: str, agency_id: int, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for (store, agency, key) at the agency's current version, or ``compute()``.

        One thread computes a missing value; others asking for the same key meanwhile wait for it
        rather than all running the same slow query at once. A value of the current version older
        than ``ttl`` is recomputed by the first thread that asks; others meanwhile get it at once
        instead of waiting. A value of an older version is never returned.
        """
        if _writing(store):
            return compute()
        version = _version(store, agency_id)
        full = (str(store), agency_id, key)
        hit = self._fresh(full, version)
        if hit is not None:
            return cast(T, hit[2])
        with self._lock:
            stale = self._entries.get(full)
            if stale is not None and stale[0] != version:
                stale = None
            computing = self._computing.setdefault(full, threading.Lock())
        if stale is not None and not computing.acquire(blocking=False):
            return cast(T, stale[2])  # another thread is refreshing it
        if stale is None:
            computing.acquire()
        try:
            hit = self._fresh(full, version)  # computed by another thread while this one waited
            if hit is not None:
                return cast(T, hit[2])
            started = self._clock()
            value = compute()
            if _writing(store):
                return value  # (the computation wrote: not a figure of the committed store)
            self._keep(full, version, started, value)
            return value
        finally:
            with self._lock:
                self._computing.pop(full, None)
            computing.release()

    def peek(self, store: str, agency_id: int, key: Hashable) -> Any | None:
        """The value kept for (store, agency, key) at the agency's current version, else None;
        nothing is computed and nothing waits."""
        if _writing(store):
            return None
        hit = self._fresh((str(store), agency_id, key), _version(store, agency_id))
        return None if hit is None else hit[2]

    def put(self, store: str, agency_id: int, key: Hashable, value: Any) -> None:
        """Keep ``value``, computed just now outside the cache, for the agency's current version."""
        if not _writing(store):
            self._keep((str(store), agency_id, key), _version(store, agency_id), self._clock(), value)

    def _keep(self, full: Key, version: int | None, started: float, value: Any) -> None:
        with self._lock:
            self._entries[full] = (version, started, value)
            self._entries.move_to_end(full)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def _fresh(self, full: Key, version: int | None) -> tuple[int | None, float, Any] | None:
        with self._lock:
            hit = self._entries.get(full)
            ttl = self.ttl if version is None else self.versioned_ttl
            if hit is None or hit[0] != version or self._clock() - hit[1] >= ttl:
                return None
            self._entries.move_to_end(full)
            return hit

    def forget(self, store: str, agency_id: int) -> None:
        """Drop the agency's entries in this process (writes need not: they move the version)."""
        with self._lock:
            for key in [k for k in self._entries if k[:2] == (str(store), agency_id)]:
                del self._entries[key]


def _writing(store: str) -> bool:
    """Whether the store is read through a transaction that has changed seizure data."""
    session = getattr(store, "session", None)
    return session is not None and versions.pending(session)


def _version(store: str, agency_id: int) -> int | None:
    session = getattr(store, "session", None)
    return None if session is None else versions.current(session, agency_id)


def store_of(session: Session) -> Store:
    """The identity of the database a session works on (its URL, password hidden), read through it."""
    return Store(str(session.get_bind().engine.url), session)


figures = FigureCache()
"""Counts and summaries of seizure records, shared by the list, the pages and the API."""
