"""Which parts of the columnar snapshot (:mod:`astara.analysis.columnar`) changed since it was taken.

A part is an agency's events (with their items) of one import job, or those not imported (job
``""``). ``snapshot_parts`` counts, per part, the changes its rows saw; the snapshot keeps the
counts it was taken at and re-exports the parts whose count moved. On SQLite (the only store the
columnar engine reads) triggers count every update or delete of an event or an item. Inserts are
counted per transaction, not per row (an insert trigger, even one that does nothing, made SQLite
open a statement journal for each row of an import): events the ORM adds by
:mod:`astara.db.versions`, an import's new part by the importer (:func:`imported`). An item added to
or removed from a stored event changes the event's totals (:meth:`SeizureEvent.refresh_totals`),
which counts as an update of it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

_COUNT = (
    "INSERT INTO snapshot_parts (agency_id, import_job, changes) {values} "
    "ON CONFLICT (agency_id, import_job) DO UPDATE SET changes = snapshot_parts.changes + 1"
)


def _count(row: str) -> str:
    """The statement counting one change of the part ``row`` (an event row: ``old`` or ``new``) names."""
    return _COUNT.format(values=f"VALUES ({row}.agency_id, coalesce({row}.import_job_id, ''), 1)")


_ITEM_PART = "SELECT agency_id, coalesce(import_job_id, ''), 1 FROM seizure_events WHERE id = {row}.event_id"
SQLITE_TRIGGERS = {  # (names and columns are this module's constants)
    "snapshot_event_updated": f"AFTER UPDATE ON seizure_events BEGIN {_count('old')}; "
    + _COUNT.format(
        values="SELECT new.agency_id, coalesce(new.import_job_id, ''), 1 "
        "WHERE new.agency_id <> old.agency_id OR new.import_job_id IS NOT old.import_job_id"
    )
    + "; END",
    "snapshot_event_deleted": f"AFTER DELETE ON seizure_events BEGIN {_count('old')}; END",
    "snapshot_item_updated": "AFTER UPDATE ON seizure_items BEGIN "
    + _COUNT.format(values=_ITEM_PART.format(row="old"))
    + "; END",
    "snapshot_item_deleted": "AFTER DELETE ON seizure_items BEGIN "
    + _COUNT.format(values=_ITEM_PART.format(row="old"))
    + "; END",
}
# An INSERT ... SELECT needs a WHERE before ON CONFLICT (SQLite's grammar): the item triggers have one.


def install(connection: Connection) -> None:
    """The counting triggers (SQLite; other stores are not snapshot)."""
    if connection.dialect.name == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            connection.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def uninstall(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


_ONE = text(_COUNT.format(values="VALUES (:agency, :job, 1)"))


def imported(session: Session, agency_id: int, job_id: str) -> None:
    """Count the part an import wrote (its rows were inserted beside the ORM)."""
    counted(session, {(agency_id, job_id)})


def counted(session: Session, parts: set[tuple[int, str]]) -> None:
    """Count one change of each part (agency, import job or ``""``) events were inserted into."""
    for agency_id, job in sorted(parts):
        session.execute(
            text(_COUNT.format(values="VALUES (:agency, :job, 1)")), {"agency": agency_id, "job": job}
        )
