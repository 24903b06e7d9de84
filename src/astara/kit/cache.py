"""A small, thread-safe cache of figures that are slow to count (totals, summaries over big stores).

Entries live for ``ttl`` seconds and belong to one store (its URL) and one agency: a write through
this process forgets that agency's entries at once (``forget``); a write by another process (say, an
import run from the shell while the server runs) shows in the figures within ``ttl`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session

T = TypeVar("T")


class FigureCache:
    def __init__(
        self, ttl: float = 120.0, size: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl, self.size, self._clock = ttl, size, clock
        self._entries: OrderedDict[tuple[str, int, Hashable], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple[str, int, Hashable], threading.Lock] = {}

    def get(self, store: str, agency_id: int, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for (store, agency, key), or ``compute()`` stored for ``ttl`` seconds.

        One thread computes a missing value; others asking for the same key meanwhile wait for it
        rather than all running the same slow query at once. An expired value is recomputed by the
        first thread that asks; others meanwhile get the expired value at once instead of waiting
        (a write through this process has already removed it, see ``forget``).
        """
        full = (store, agency_id, key)
        hit = self._fresh(full)
        if hit is not None:
            return cast(T, hit[1])
        with self._lock:
            stale = self._entries.get(full)
            computing = self._computing.setdefault(full, threading.Lock())
        if stale is not None and not computing.acquire(blocking=False):
            return cast(T, stale[1])  # another thread is refreshing it
        if stale is None:
            computing.acquire()
        try:
            hit = self._fresh(full)  # computed by another thread while this one waited
            if hit is not None:
                return cast(T, hit[1])
            started = self._clock()
            value = compute()
            with self._lock:
                self._entries[full] = (started, value)
                self._entries.move_to_end(full)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._computing.pop(full, None)
            computing.release()

    def _fresh(self, full: tuple[str, int, Hashable]) -> tuple[float, Any] | None:
        with self._lock:
            hit = self._entries.get(full)
            if hit is None or self._clock() - hit[0] >= self.ttl:
                return None
            self._entries.move_to_end(full)
            return hit

    def forget(self, store: str, agency_id: int) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[:2] == (store, agency_id)]:
                del self._entries[key]


def store_of(session: Session) -> str:
    """The identity of the database a session works on (its URL, password hidden)."""
    return str(session.get_bind().engine.url)


figures = FigureCache()
"""Counts and summaries of seizure records, shared by the list, the pages and the API."""
