"""Near duplicates need a compatible place as well as country, date, drug and quantity; the row
parser and the column parser flag the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SeizureEvent, SeizureItem
from astara.imports import service
from fixtures.make import ids_row, import_file, write_ids


def _rows() -> list[list[str]]:
    """Heroin seized in Azerbaijan on one day, 41 g each time, at places near and far."""
    return [
        ids_row(AMOUNT="41"),  # row 2: the Astara road crossing
        ids_row(AMOUNT="41", PLACE="Astara"),  # 3: the Astara district, about 17 km away: a duplicate of 2
        ids_row(AMOUNT="41", PLACE="Baku", ADMINISTRATIVE_DIVISION=""),  # 4: 300 km away
        ids_row(AMOUNT="41", PLACE="Lankaran", ADMINISTRATIVE_DIVISION="Lankaran"),  # 5: about 35 km away
        ids_row(AMOUNT="41", PLACE="Tall reed farm", ADMINISTRATIVE_DIVISION=""),  # 6: not in the gazetteer
        ids_row(AMOUNT="41", PLACE="tall  REED farm", ADMINISTRATIVE_DIVISION=""),  # 7: its text: of 6
        ids_row(AMOUNT="41", PLACE="", ADMINISTRATIVE_DIVISION=""),  # 8: no place at all
        ids_row(AMOUNT="41.02", PLACE="", ADMINISTRATIVE_DIVISION=""),  # 9: no place either: of 8
        ids_row(AMOUNT="41", PLACE="Baku", ADMINISTRATIVE_DIVISION="", SEIZURE_DATE="2016-05-29"),  # 10
        ids_row(AMOUNT="0.041", DRUG_UNIT="Kilogram", PLACE="Baku", ADMINISTRATIVE_DIVISION=""),  # 11: of 4
    ]


def _pairs(engine: Engine) -> dict[int, int]:
    """Each flagged event's first row -> the first row of the event it may duplicate."""
    with transaction(engine) as session:
        events = session.scalars(select(SeizureEvent)).all()
        first_row = {e.id: e.source_rows[0] for e in events}
        return {
            e.source_rows[0]: first_row[e.possible_duplicate_of] for e in events if e.possible_duplicate_of
        }


EXPECTED = {3: 2, 7: 6, 9: 8, 11: 4}


@pytest.mark.parametrize("by_columns", [False, True])
def test_near_duplicates_need_a_compatible_place(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_columns: bool
) -> None:
    monkeypatch.setattr(service, "BY_COLUMNS", by_columns)
    monkeypatch.setattr(service, "BATCH", 3)  # duplicates and their originals in different chunks
    report = import_file(engine, scope, write_ids(tmp_path / "near.csv", _rows()))
    assert report.events_created == 10
    assert report.near_duplicates == len(EXPECTED)
    assert _pairs(engine) == EXPECTED
    with transaction(engine) as session:
        flagged = session.scalars(select(SeizureEvent).where(SeizureEvent.possible_duplicate_of.is_not(None)))
        assert all(any("same country, date, drug, place and quantity" in f for f in e.quality_flags)
                   for e in flagged)  # fmt: skip


def test_both_parsers_flag_the_same_rows(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ids(tmp_path / "near.csv", [*_rows(), *_rows()[::-1]])
    monkeypatch.setattr(service, "BATCH", 4)
    found = []
    for by_columns in (False, True):
        monkeypatch.setattr(service, "BY_COLUMNS", by_columns)
        report = import_file(engine, scope, path, duplicates="keep")
        with transaction(engine) as session:
            events = session.scalars(select(SeizureEvent)).all()
            flags = sorted((e.id, e.possible_duplicate_of, e.quality_flags) for e in events)
            found.append((report.near_duplicates, report.duplicate_examples, flags))
            session.execute(delete(SeizureItem))
            session.execute(delete(SeizureEvent))
    assert found[0] == found[1]
    assert found[0][0] > len(EXPECTED)  # the repeated rows are flagged too
