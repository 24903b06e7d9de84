"""Resolved identities: a full run (``astara identities resolve``) and the incremental path, timed.

Synthetic people from ``link_scale.People``, each stored as several records (spellings in Latin,
Cyrillic or Persian script with typing slips, the same birth date; half with the same passport) with
their match keys, as the importer's bulk path writes them. Then :func:`identities.resolve` runs over
all of them, and ``--additions`` new spellings of stored people go through
:func:`astara.matching.store.create_entity` (one transaction each: keys, the neighbourhood redone,
the watch lists), timed p50/p95. The share of people who end as exactly one identity is printed.

Run: .venv/bin/python bench/identities.py                      # 5,000 people, 3 records each, SQLite
     .venv/bin/python bench/identities.py --people 20000 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table

sys.path.insert(0, str(Path(__file__).parent))

from link_scale import People

from astara.agencies.service import create_agency
from astara.db.bulk import insert_adapted, insert_sql
from astara.db.engine import make_engine, transaction
from astara.db.models import Base, Person, utcnow
from astara.matching import identities, repository
from astara.matching.keys import person_keys
from astara.matching.store import KEYS_TABLE, create_entity


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--records", type=int, default=3, help="records of each person")
    parser.add_argument("--additions", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='identities-')) / 'store.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with transaction(engine) as session:
        scope = create_agency(session, "AZ-SCS", "State Customs Committee", "AZ")
    people = People(5)
    rng = people.rng
    truth: dict[str, int] = {}
    everyone: list[dict[str, str]] = []
    now = "2026-01-01 00:00:00.000000" if engine.dialect.name == "sqlite" else utcnow()
    with transaction(engine) as session:
        columns = ["id", "agency_id", "name", "birth_date", "nationality", "id_number", "created_at"]
        person_sql = insert_sql(session, cast(Table, Person.__table__), columns)
        key_sql = insert_sql(session, KEYS_TABLE, ["agency_id", "kind", "source", "entity_id", "key"])
        rows: list[tuple[Any, ...]] = []
        keys: list[tuple[Any, ...]] = []
        for n in range(args.people):
            p = people.person()
            p["passport"] = f"K{n:08d}" if n % 2 else ""
            everyone.append(p)
            for r in range(args.records):
                record = {"name": people.render(p, rng.choice(["latn", "cyrl", "fa"]), r > 0),
                          "birth_date": p["birth_date"], "nationality": p["nationality"],
                          "id_number": p["passport"] or None}  # fmt: skip
                pid = f"P{n:07d}{r}"
                truth[pid] = n
                values = [record[k] for k in ("name", "birth_date", "nationality", "id_number")]
                rows.append((pid, scope.agency_id, *values, now))
                keys.extend((scope.agency_id, "person", "store", pid, k) for k in person_keys(record))
        insert_adapted(session, person_sql, rows)
        insert_adapted(session, key_sql, keys)
    records = len(truth)
    began = time.perf_counter()
    with transaction(engine) as session:
        change = identities.resolve(session, scope, ["person"])[0]
    full = time.perf_counter() - began
    with transaction(engine) as session:
        groups = [list(i.members) for i in repository.identities(session, scope, "person")]
    whole = sum(1 for g in groups if len(g) == args.records and len({truth[m] for m in g}) == 1)
    impure = sum(1 for g in groups if len({truth[m] for m in g}) > 1)
    times = []
    for n in rng.sample(range(args.people), min(args.additions, args.people)):
        p = everyone[n]
        fields = {"name": people.render(p, rng.choice(["latn", "cyrl", "fa"]), True),
                  "birth_date": p["birth_date"], "nationality": p["nationality"]}  # fmt: skip
        began = time.perf_counter()
        with transaction(engine) as session:
            create_entity(session, scope, "person", fields)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    print(
        f"{engine.dialect.name}: {args.people:,} people as {records:,} records; full resolution "
        f"{full:.1f} s ({records / full:,.0f} records/s): {change['identities']:,} identities, "
        f"{whole:,} people whole, {impure} identities mixing people, {change['conflicts']} conflicts; "
        f"{len(times)} records added one by one: p50 {statistics.median(times):.1f} ms, "
        f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms"
    )


if __name__ == "__main__":
    main()
