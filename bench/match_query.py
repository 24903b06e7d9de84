"""Candidate queries against 1,000,000 stored persons: ``astara match query``'s service, timed.

The persons are synthetic, made by ``link_scale.People`` (given names from the matching layer's table
of equivalents, surnames with each country's suffix rules, written in Latin, Cyrillic or Persian
script, skewed so that a few names are very common). They are written with driver-level inserts
together with their match keys (as the importer's bulk path writes them). Then 200 stored persons are
looked up again, each written in another script with typing slips, through
:func:`astara.matching.store.query` (one transaction each, as a command or request runs it): keys,
index look-up, loading and scoring every candidate with the matcher. p50/p95/p99 are printed with the
number of candidates read per query and how often the person was found as a match.

Run: .venv/bin/python bench/match_query.py                        # 1,000,000 persons, SQLite
     .venv/bin/python bench/match_query.py --persons 100000
     .venv/bin/python bench/match_query.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, text

sys.path.insert(0, str(Path(__file__).parent))

from link_scale import People

from astara.agencies.service import create_agency
from astara.db.bulk import insert_adapted, insert_sql
from astara.db.engine import make_engine, transaction
from astara.db.models import Base, Person, utcnow
from astara.matching.keys import person_keys
from astara.matching.store import KEYS_TABLE, query

BATCH = 50_000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='match-query-')) / 'store.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with transaction(engine) as session:
        scope = create_agency(session, "AZ-SCS", "State Customs Committee", "AZ")
    people = People(args.seed)
    rng = people.rng
    stored: list[tuple[str, dict[str, str]]] = []  # a sample to query for later
    sample_every = max(args.persons // (args.queries * 5), 1)
    start = time.perf_counter()
    key_rows = 0
    now = "2026-01-01 00:00:00.000000" if engine.dialect.name == "sqlite" else utcnow()
    with transaction(engine) as session:
        person_sql = insert_sql(
            session,
            cast(Table, Person.__table__),
            ["id", "agency_id", "name", "birth_date", "nationality", "created_at"],
        )
        key_sql = insert_sql(session, KEYS_TABLE, ["agency_id", "kind", "source", "entity_id", "key"])
        for first in range(0, args.persons, BATCH):
            persons: list[tuple[Any, ...]] = []
            keys: list[tuple[Any, ...]] = []
            for n in range(first, min(first + BATCH, args.persons)):
                p = people.person()
                p["script"] = rng.choice(["latn", "cyrl", "fa"])
                name = people.render(p, p["script"], False)
                pid = f"P{n:08d}"
                persons.append((pid, scope.agency_id, name, p["birth_date"], p["nationality"], now))
                record = {"name": name, "birth_date": p["birth_date"]}
                keys.extend((scope.agency_id, "person", "store", pid, k) for k in person_keys(record))
                if n % sample_every == 0:
                    stored.append((pid, p))
            insert_adapted(session, person_sql, persons)
            insert_adapted(session, key_sql, keys)
            key_rows += len(keys)
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE persons"))
            conn.execute(text("ANALYZE match_keys"))
    print(
        f"stored {args.persons:,} persons and {key_rows:,} match keys in {time.perf_counter() - start:.0f} s "
        f"({engine.dialect.name})"
    )
    chosen = rng.sample(stored, min(args.queries, len(stored)))
    times: list[float] = []
    considered: list[int] = []
    found = 0
    for pid, p in chosen:
        script = rng.choice([s for s in ("latn", "cyrl", "fa") if s != p["script"]])
        record = {
            "name": people.render(p, script, True),
            "birth_date": p["birth_date"],
            "nationality": p["nationality"],
        }
        began = time.perf_counter()
        with transaction(engine) as session:
            result = query(session, scope, "person", record, limit=10)
        times.append((time.perf_counter() - began) * 1000)
        considered.append(result["considered"])
        found += any(c["entity_id"] == pid and c["match"] for c in result["candidates"])
    times.sort()

    def pct(q: float) -> float:
        return times[min(len(times) - 1, int(q * len(times)))]

    print(
        f"{len(times)} candidate queries against {args.persons:,} persons: "
        f"p50 {statistics.median(times):.1f} ms, "
        f"p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms, max {times[-1]:.1f} ms; candidates read per query: "
        f"median {statistics.median(considered):.0f}, max {max(considered)}; the person found as a match in "
        f"{found} of {len(times)} (another script, with typing slips)"
    )


if __name__ == "__main__":
    main()
