"""Every write of an agency's seizure data moves its store version, in the writing transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope, scoped_delete, scoped_update
from astara.db import versions
from astara.db.engine import transaction
from astara.db.models import SeizureEvent, SeizureItem
from astara.errors import ImportFailed
from astara.news import service as news
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.seizures.service import create_seizure, update_seizure
from fixtures.make import TODAY, ids_row, import_file, large_imports_seen, write_ids

ARTICLES = Path(__file__).parents[1] / "news" / "articles"


def version(engine: Engine, scope: Scope) -> int:
    with transaction(engine) as session:
        return versions.current(session, scope.agency_id)


def seizure(reference: str = "V-1", quantity: float = 1) -> SeizureCreate:
    items = [SeizureItemIn(drug="heroin", quantity=quantity, unit="kg")]
    return SeizureCreate(reference=reference, date="2020-01-01", country="AZ", items=items)


def created(engine: Engine, scope: Scope, reference: str = "V-1") -> str:
    with transaction(engine) as session:
        return create_seizure(session, scope, seizure(reference), TODAY).id


def test_a_form_save_and_an_edit_move_only_that_agencys_version(
    engine: Engine, scope: Scope, scope_b: Scope
) -> None:
    assert version(engine, scope) == 0
    event_id = created(engine, scope)
    first, other = version(engine, scope), version(engine, scope_b)
    assert first > 0 and other == 0
    with transaction(engine) as session:
        update_seizure(session, scope, event_id, seizure(quantity=2), today=TODAY)
    assert version(engine, scope) > first and version(engine, scope_b) == 0


def test_an_import_moves_the_version_and_a_failed_one_does_not(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    import_file(engine, scope, write_ids(tmp_path / "a.csv", [ids_row(AMOUNT="5")]))
    after = version(engine, scope)
    assert after > 0
    bad = write_ids(tmp_path / "b.csv", [ids_row(AMOUNT="7"), ids_row(AMOUNT="not a number")])
    with pytest.raises(ImportFailed):
        import_file(engine, scope, bad)
    assert version(engine, scope) == after


def test_a_large_import_through_the_bulk_path_moves_the_version(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = large_imports_seen(monkeypatch, lambda connection: None)
    rows = [ids_row(SEIZURE_DATE=f"2017-01-{1 + i:02d}", AMOUNT=str(3 + i)) for i in range(5)]
    import_file(engine, scope, write_ids(tmp_path / "big.csv", rows))
    assert batches and version(engine, scope) > 0


def test_a_rolled_back_write_leaves_the_version(engine: Engine, scope: Scope) -> None:
    created(engine, scope)
    before = version(engine, scope)
    with pytest.raises(RuntimeError), transaction(engine) as session:
        create_seizure(session, scope, seizure("V-2"), TODAY)
        raise RuntimeError("the request failed after the write")
    assert version(engine, scope) == before


@pytest.mark.parametrize("how", ["orm delete", "scoped delete", "scoped update", "item edit"])
def test_deletes_and_updates_beside_the_services_move_the_version(
    engine: Engine, scope: Scope, scope_b: Scope, how: str
) -> None:
    event_id = created(engine, scope)
    before = version(engine, scope)
    with transaction(engine) as session:
        if how == "orm delete":
            session.delete(session.get(SeizureEvent, event_id))
        elif how == "scoped delete":
            session.execute(scoped_delete(SeizureEvent, scope).where(SeizureEvent.id == event_id))
        elif how == "scoped update":
            session.execute(scoped_update(SeizureEvent, scope).values(country="GE"))
        else:  # an item alone, its event not loaded
            item = session.scalars(select(SeizureItem).where(SeizureItem.event_id == event_id)).one()
            item.drug_text = "brown powder"
    assert version(engine, scope) > before
    assert version(engine, scope_b) == 0


def test_a_news_confirmation_moves_the_version(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        news.ingest(session, scope, news.read_paths([ARTICLES], published=dt.date(2025, 3, 14)))
        draft = news.list_drafts(session, scope, "open").items[0]
    before = version(engine, scope)
    with transaction(engine) as session:
        news.accept(session, scope, draft.id, today=TODAY)
    assert version(engine, scope) > before


def test_a_restore_moves_every_agencys_version_past_any_seen(
    engine: Engine, scope: Scope, scope_b: Scope
) -> None:
    created(engine, scope)
    seen = version(engine, scope)
    with transaction(engine) as session:
        versions.bump_all(session)
    assert version(engine, scope) > seen and version(engine, scope_b) > 0
