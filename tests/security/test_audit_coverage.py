"""Hole 5, second half: accesses beyond sharing are audited, one entry each, naming who acted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.auth.service import create_token, revoke_token
from astara.db.engine import transaction
from astara.db.models import AuditEntry
from astara.exports.service import export
from astara.matching import store
from astara.seizures import service as seizures
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from fixtures.make import TODAY, ids_row, import_file, write_ids


def _seizure(reference: str) -> SeizureCreate:
    return SeizureCreate(reference=reference, date="2025-11-03", country="AZ",
                         items=[SeizureItemIn(drug="heroin", quantity=260, unit="kg")])  # fmt: skip


def _added(engine: Engine, act: Callable[[], Any]) -> list[AuditEntry]:
    """The audit entries ``act`` appended."""
    with transaction(engine) as session:
        last = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0
    act()
    with transaction(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq)))


def test_an_edit_is_one_entry(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        event_id = seizures.create_seizure(session, scope, _seizure("AZ-1"), today=TODAY).id

    def edit() -> None:
        with transaction(engine) as session:
            seizures.update_seizure(session, scope, event_id, _seizure("AZ-1b"), version=1, today=TODAY)

    (entry,) = _added(engine, edit)
    assert (entry.action, entry.record_id, entry.actor) == ("edit", event_id, f"user:{scope.user_id}")
    assert entry.details == {"version": 2}


def test_an_import_is_one_entry_with_counts_and_a_dry_run_none(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    path = write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT=str(n)) for n in range(1, 6)])
    assert _added(engine, lambda: import_file(engine, scope, path, dry_run=True)) == []
    (entry,) = _added(engine, lambda: import_file(engine, scope, path))
    assert (entry.action, entry.actor) == ("import", f"user:{scope.user_id}")
    assert entry.details["file"] == "ids.csv" and entry.details["rows"] == 5 and entry.details["created"] >= 1


def test_an_export_is_one_entry(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    def run() -> None:
        with transaction(engine) as session:
            export(session, scope, tmp_path / "out.csv", where=["country=AZ"])

    (entry,) = _added(engine, run)
    assert (entry.action, entry.actor) == ("export", f"user:{scope.user_id}")
    assert entry.details == {
        "file": "out.csv",
        "format": "csv",
        "layout": "astara",
        "rows": 0,
        "where": ["country=AZ"],
    }


def test_creating_and_revoking_a_token_are_one_entry_each(engine: Engine, scope: Scope) -> None:
    made: list[int] = []

    def create() -> None:
        with transaction(engine) as session:
            made.append(create_token(session, scope, "nightly report")[0].id)

    (entry,) = _added(engine, create)
    assert (entry.action, entry.details["change"], entry.details["name"]) == (
        "token",
        "create",
        "nightly report",
    )
    assert "prefix" in entry.details and entry.actor == f"user:{scope.user_id}"

    def revoke() -> None:
        with transaction(engine) as session:
            revoke_token(session, scope, made[0])

    (entry,) = _added(engine, revoke)
    assert (entry.action, entry.details["change"]) == ("token", "revoke")


def test_viewing_a_person_is_one_entry(engine: Engine, scope: Scope, api_client: TestClient) -> None:
    with transaction(engine) as session:
        person, _ = store.create_entity(session, scope, "person", {"name": "Məmməd Rzayev"})
    entries = _added(engine, lambda: api_client.get(f"/entities/person/{person.id}").raise_for_status())
    assert [(e.action, e.record_id) for e in entries] == [("view_nominal", person.id)]
    assert entries[0].actor.startswith(f"user:{scope.user_id}")  # then how: "(session)", "(token)"


def test_the_way_the_actor_was_established_is_in_the_actor(engine: Engine, scope: Scope) -> None:
    from dataclasses import replace

    def create() -> None:
        with transaction(engine) as session:
            create_token(session, replace(scope, via="cli-default"), "x")

    (entry,) = _added(engine, create)
    assert entry.actor == f"user:{scope.user_id} (cli-default)"
