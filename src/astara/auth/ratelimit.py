"""Failed-login counting: after too many failures for one user name or one client, wait.

Kept in the process's memory: one server process per instance is the supported deployment; a
restart forgets the counts (the argon2id cost still slows any guessing).
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from astara.errors import RateLimited


class LoginLimiter:
    def __init__(
        self,
        max_failures: int = 5,
        window_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def check(self, *keys: str) -> None:
        """Raise RateLimited when any key (user name, client address) has too many recent failures."""
        now = self._clock()
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.max_failures:
                    wait = math.ceil(self.window - (now - failures[0]))
                    raise RateLimited(
                        f"too many failed logins; try again in {max(wait, 1)} seconds",
                        details=[{"retry_after": max(wait, 1)}],
                    )

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
