"""The identity resolver's candidates: a key too many records hold makes no pairs, the person still
meets through their other keys, and the pre-check never refuses a pair the matcher would accept."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.matching import blocks, identities, store
from astara.matching.keys import person_keys
from astara.matching.persons import facts
from astara.matching.service import could_match, match_records

# namesakes: one name, each born in another year
NAMESAKES = [
    {"name": "Ali Mammadov", "birth_date": f"{1950 + 3 * n}-06-01", "nationality": "AZ"} for n in range(6)
]
# one person, twice: the name in Latin and Cyrillic script, the same birth date
ONE_PERSON = [
    {"name": "Ali Mammadov", "birth_date": "1981-04-17", "nationality": "AZ"},
    {"name": "Али Мамедов", "birth_date": "1981-04-17", "nationality": "AZ"},
]


def _groups(engine: Engine, scope: Scope) -> set[tuple[str, ...]]:
    with transaction(engine) as session:
        return {tuple(i.members) for i in identities.repository.identities(session, scope, "person")}


def _add(engine: Engine, scope: Scope, record: dict[str, Any]) -> str:
    with transaction(engine) as session:
        entity, _ = store.create_entity(session, scope, "person", record)
        return str(entity.id)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_name_too_many_hold_is_skipped_and_the_person_still_meets_by_birth_date(
    engine: Engine, scope: Scope, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(blocks, "MAX_KEY_HOLDERS", 3)
    records = [*NAMESAKES, *ONE_PERSON]
    random.Random(seed).shuffle(records)
    ids: dict[str, dict[str, Any]] = {}
    for record in records:
        ids[_add(engine, scope, record)] = record
    person = tuple(sorted(ref for ref, r in ids.items() if r in ONE_PERSON))
    # the name-pair key both records share is held by all eight: it makes no pairs
    shared = set.intersection(*(person_keys(r) for r in ONE_PERSON))
    with transaction(engine) as session:
        held = blocks.Holders(session, scope, "person").of(shared)
        touched = identities._around(session, scope, "person", [person[0]]).refs
    assert any(key.startswith("n:") for key in shared) and not any(k.startswith("n:") for k in held)
    assert touched == set(person)  # the namesakes are not read
    incremental = _groups(engine, scope)
    assert incremental == {person}
    with transaction(engine) as session:
        identities.resolve(session, scope, ["person"])
    assert _groups(engine, scope) == incremental


def test_the_pre_check_never_refuses_a_pair_the_matcher_accepts() -> None:
    names = ["Rauf Quliyev", "Рауф Кулиев", "Rauf Guliyev", "Elvin Quliyeva"]
    dates = [None, "1970", "1970-01-01", "1970-01-02", "1970-03-05", "1970-05-03", "1971-01-01",
             "1972-01-01", "1970-02-30", "1970-12-31"]  # fmt: skip
    numbers = [None, "AA1234567", "AA 123 4567", "BB7654321"]
    countries = [None, "AZ", "RU", "IR"]
    records = [
        {k: v for k, v in {"name": n, "birth_date": d, "id_number": i, "nationality": c}.items() if v}
        for n, d, i, c in itertools.product(names, dates, numbers, countries)
    ]
    rng = random.Random(5)
    refused = 0
    for a, b in (rng.sample(records, 2) for _ in range(3000)):
        if not could_match(facts(a), facts(b)):
            refused += 1
            assert not match_records("person", a, b).match, (a, b)
    assert refused > 500  # most pairs of namesakes are settled without the matcher


def test_records_are_read_by_id_for_their_own_agency_only(
    engine: Engine, scope: Scope, scope_b: Scope
) -> None:
    theirs = [_add(engine, scope_b, r) for r in ONE_PERSON]
    mine = _add(engine, scope, NAMESAKES[0])
    with transaction(engine) as session:
        assert list(store.load_records(session, scope, "person", [*theirs, mine])) == [mine]
        assert sorted(store.load_records(session, scope_b, "person", [*theirs, mine])) == sorted(theirs)
