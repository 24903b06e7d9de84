"""The list's text search through its index (SQLite FTS5, PostgreSQL full-text): words of any
script, case folded, the last one as a prefix; kept by every write, the importer's bulk paths too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SeizureEvent
from astara.seizures import service
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from fixtures.make import ids_row, import_file, large_imports_seen, write_ids


def _add(engine: Engine, scope: Scope, reference: str, place: str, notes: str = "") -> str:
    with transaction(engine) as session:
        created = service.create_seizure(
            session,
            scope,
            SeizureCreate(
                reference=reference,
                date="2018-03-02",
                country="AZ",
                place=place,
                notes=notes,
                items=[SeizureItemIn(drug="heroin", quantity=1, unit="kg")],
            ),
            today=dt.date(2026, 1, 1),
        )
        return created.id


def _found(engine: Engine, scope: Scope, q: str) -> list[str]:
    with transaction(engine) as session:
        return sorted(e.reference or "" for e in service.list_seizures(session, scope, q=q, limit=100).items)


def test_words_of_any_script_case_folded_and_the_last_as_a_prefix(engine: Engine, scope: Scope) -> None:
    _add(engine, scope, "AZ-2016-001", "Astara border post", "courier from Bandar Abbas")
    _add(engine, scope, "AZ-2016-002", "Москва, Шереметьево")
    _add(engine, scope, "AZ-2017-003", "بندر عباس", "کامیون یخچال‌دار")
    assert _found(engine, scope, "astara") == ["AZ-2016-001"]
    assert _found(engine, scope, "МОСКВА") == ["AZ-2016-002"]  # Cyrillic folded on both databases
    assert _found(engine, scope, "шереметь") == ["AZ-2016-002"]  # the last word as a prefix
    assert _found(engine, scope, "بندر عباس") == ["AZ-2017-003"]
    assert _found(engine, scope, "Bandar Abb") == ["AZ-2016-001"]
    assert _found(engine, scope, "2016") == ["AZ-2016-001", "AZ-2016-002"]  # a part of a reference
    assert _found(engine, scope, "AZ-2016-002") == ["AZ-2016-002"]
    assert _found(engine, scope, "astara moscow") == []  # every word must be there
    assert len(_found(engine, scope, " -- ")) == 3  # no word: no condition


def test_an_edited_or_deleted_event_is_found_by_its_new_text_only(engine: Engine, scope: Scope) -> None:
    event_id = _add(engine, scope, "R-1", "Astara")
    with transaction(engine) as session:
        session.get(SeizureEvent, event_id).place_text = "Lankaran"  # type: ignore[union-attr]
    assert _found(engine, scope, "Astara") == [] and _found(engine, scope, "Lankaran") == ["R-1"]
    with transaction(engine) as session:
        session.delete(session.get(SeizureEvent, event_id))
    assert _found(engine, scope, "Lankaran") == []


@pytest.mark.parametrize("large", [False, True], ids=["small import", "large import"])
def test_an_import_is_searchable(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    if large:
        large_imports_seen(monkeypatch, lambda connection: None)  # indexes set aside and rebuilt
    rows = [ids_row(PLACE="Bilasuvar KPP", SEIZURE_DATE="2016-05-01"), ids_row(PLACE="Horadiz", AMOUNT="5")]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    assert len(_found(engine, scope, "bilasuv")) == 1
    assert len(_found(engine, scope, "horadiz")) == 1
    _add(engine, scope, "AFTER-1", "Bilasuvar")  # the index is kept again after the import
    assert len(_found(engine, scope, "bilasuvar")) == 2
