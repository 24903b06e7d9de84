"""What the adapters (CLI, API, pages) share: the settings, the engine, and who is acting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.agencies.service import scope_for
from astara.db.engine import make_engine, require_schema, transaction
from astara.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    agency: str | None = None  # overrides settings.agency (e.g. the CLI's --agency)
    user: str | None = None  # acts as this user of the agency; None: the agency's first administrator
    _checked: bool = field(default=False, repr=False)

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

    @contextmanager
    def unit(self, *, check_schema: bool = True) -> Iterator[tuple[Session, Scope]]:
        """One transaction acting for the configured agency and user (the CLI: a local, trusted shell)."""
        with self.session(check_schema=check_schema) as session:
            yield session, scope_for(session, self.agency or self.settings.agency, self.user)
