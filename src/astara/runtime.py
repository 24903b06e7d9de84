"""What the adapters (CLI, API, pages) share: the settings, the engine, and who is acting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.agencies.service import scope_for
from astara.auth.acting import CHANGED, ActingCache
from astara.db.engine import make_engine, require_schema, transaction
from astara.db.models import User
from astara.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    agency: str | None = None  # overrides settings.agency (e.g. the CLI's --agency)
    user: str | None = None  # acts as this user of the agency; None: the agency's first administrator
    # told "acting as NAME (ROLE)" once, after the first unit that wrote commits (the CLI: on stderr)
    announce: Callable[[str], None] | None = field(default=None, repr=False)
    # the web's credentials -> who acts, for a second at most (see auth/acting.py)
    acting: ActingCache = field(default_factory=ActingCache, repr=False)
    _checked: bool = field(default=False, repr=False)
    _announced: bool = field(default=False, repr=False)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.effective_database_url)

    @contextmanager
    def session(self, *, check_schema: bool = True) -> Iterator[Session]:
        """One transaction; who acts is for the caller to establish (the API: the logged-in user)."""
        if check_schema and not self._checked:
            require_schema(self.engine)
            self._checked = True
        with transaction(self.engine) as session:
            session.info["data_dir"] = self.settings.data_dir  # where audit checkpoints are written
            yield session
        if session.info.get(CHANGED):  # committed: nobody acts on what this transaction ended
            self.acting.clear()

    @contextmanager
    def unit(self, *, check_schema: bool = True) -> Iterator[tuple[Session, Scope]]:
        """One transaction acting for the configured agency and user (the CLI: a shell on the server):
        ``user`` with that user's role, else the agency's administrator."""
        wrote: list[bool] = []
        with self.session(check_schema=check_schema) as session:
            via = "cli" if self.user else "cli-default"
            scope = scope_for(session, self.agency or self.settings.agency, self.user, via=via)
            user = session.get(User, scope.user_id) if scope.user_id is not None else None
            name = user.username if user is not None else f"no user of {scope.agency_code}"
            event.listen(session, "after_flush", lambda *_: wrote.append(True), once=True)
            yield session, scope
        if wrote and self.announce is not None and not self._announced:
            self._announced = True
            unset = "" if via == "cli" else "; ASTARA_USER is unset"
            self.announce(f"acting as {name} ({scope.role}{unset})")
