"""The store's schema revision against the code's, and upgrading it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from astara.db.engine import head_revision, stored_revision, transaction
from astara.errors import StoreError
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.db import migrate
    from astara.matching import store
else:
    migrate = deferred("astara.db.migrate", "Alembic loads only when the store is upgraded")
    store = deferred("astara.matching.store", "the matcher loads only when keys must be rebuilt")


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: no schema yet
    head: str

    @property
    def status(self) -> str:
        if self.current is None:
            return "empty"
        if self.current == self.head:
            return "current"
        return "behind" if self.current < self.head else "ahead"

    def describe(self) -> str:
        at, head = self.current, self.head
        return {
            "empty": f"no schema yet: `astara db upgrade` (or `astara init`) creates revision {head}",
            "current": f"schema revision {at}: current",
            "behind": f"schema revision {at}; this Astara needs {head}: run `astara db upgrade`",
            "ahead": f"schema revision {at} is newer than this Astara's {head}: upgrade Astara",
        }[self.status]


def schema_state(engine: Engine) -> SchemaState:
    try:
        with engine.connect() as connection:
            current = stored_revision(connection)
    except Exception as exc:  # the driver's own errors vary; all mean "cannot reach the store"
        raise StoreError(f"cannot open the database at {engine.url.render_as_string()}: {exc}") from exc
    return SchemaState(str(current) if current else None, head_revision())


def upgrade_store(engine: Engine) -> SchemaState:
    state = schema_state(engine)
    if state.status == "ahead":
        raise StoreError(state.describe())
    migrate.upgrade(engine)
    return schema_state(engine)


def rekey_if_stale(engine: Engine) -> list[str] | None:
    """After an upgrade: when this version files entities under other match keys than the store holds,
    rebuild every agency's keys (one transaction) and return the agencies' codes; None when current.

    A candidate query looks up the keys of its record as this version computes them, so keys written
    by an older version would miss matches silently.
    """
    with transaction(engine) as session:
        return None if store.keys_current(session) else store.rekey_store(session)
