"""Which parts of the columnar snapshot (:mod:`astara.analysis.columnar`) changed since it was taken.

A part is an agency's events (with their items) of one import job, or those not imported (job
``""``). ``snapshot_parts`` counts, per part, the changes its rows saw; the snapshot keeps the
counts it was taken at and re-exports the parts whose count moved. On SQLite (the only store the
columnar engine reads) triggers count: every update or delete of an event or an item, and every
event inserted outside an import. An import's new part is counted once, by the importer
(:func:`imported`), so its rows cost no trigger. An item added to or removed from a stored event
changes the event's totals (:meth:`SeizureEvent.refresh_totals`), which counts as an update of it.
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
    "snapshot_event_inserted": "AFTER INSERT ON seizure_events WHEN new.import_job_id IS NULL "
    f"BEGIN {_count('new')}; END",
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


def imported(session: Session, agency_id: int, job_id: str) -> None:
    """Count the part an import wrote (its rows were inserted beside the ORM, without triggers)."""
    session.execute(
        text(_COUNT.format(values="VALUES (:agency, :job, 1)")), {"agency": agency_id, "job": job_id}
    )
