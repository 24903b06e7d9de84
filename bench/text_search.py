"""The seizure list's text search over 1,000,000 synthetic events, with and without its index.

Builds a fresh SQLite store with the events of ``analysis.py`` given references (``AZ-2014-000123``)
and notes in Latin, Cyrillic and Persian script (a few words common, a courier's name rare),
written by driver-level ``executemany`` with the index's triggers set aside and the index
rebuilt once at the end, as a large import does. Then times, for a common word, a rare one, a
prefix and a two-word search: the list's count and first page through the FTS5 index
(``db/textsearch.py``) and through the ``ILIKE '%text%'`` over the same four columns that the
search was before it. With ``--database-url postgresql+psycopg://...`` the same on PostgreSQL (its
GIN index against the same ILIKE), the events written by COPY into a schema of their own.
Prints figures; asserts nothing. Needs no shared data.

Run: ``.venv/bin/python bench/text_search.py [--events 1000000] [--database-url URL]``
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, or_, text

sys.path.insert(0, str(Path(__file__).parent))
from analysis import EVENT_COLUMNS, _events  # the bench folder's own helpers
from astara.agencies.scope import Scope
from astara.agencies.service import create_agency
from astara.db import textsearch
from astara.db.engine import make_engine, transaction
from astara.db.models import Base
from astara.db.models import SeizureEvent as E
from astara.seizures import repository
from astara.seizures.dimensions import TEXT, text_search

COMMON = ["truck", "courier", "container", "грузовик", "курьер", "کامیون", "قاچاقچی", "border", "passenger"]
RARE = ["Rzayev", "Гусейнов", "رضایی", "Mammadli", "Алиев", "Karimov"]
SEARCHES = ["truck", "Rzayev", "гусейн", "رضایی", "courier border"]


def _rows(n: int, agency_id: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(11)
    for i, (event, _items) in enumerate(_events(n, agency_id)):
        words = rng.sample(COMMON, 3)
        if rng.random() < 0.001:  # about one event in a thousand names a courier
            words.append(rng.choice(RARE))
        year = event[2][:4]
        yield (*event, f"AZ-{year}-{i:06d}", " ".join(words))


def fill(engine: Engine, n: int) -> int:
    """``n`` events of one agency, written as a large import writes them; returns the agency id."""
    Base.metadata.create_all(engine)
    with transaction(engine) as session:
        agency_id = create_agency(session, "BENCH", "Bench agency", "AZ").agency_id
    columns = f"{EVENT_COLUMNS}, reference, notes"
    with engine.begin() as conn:
        suspended = textsearch.suspend(conn)
        start = time.perf_counter()
        if engine.dialect.name == "postgresql":
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor, cursor.copy(f"COPY seizure_events ({columns}) FROM STDIN") as copy:
                for row in _rows(n, agency_id):
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO seizure_events ({columns}) VALUES ({', '.join('?' * (32 + 2))})"
            batch: list[tuple[Any, ...]] = []
            for row in _rows(n, agency_id):
                batch.append(row)
                if len(batch) >= 50_000:
                    conn.exec_driver_sql(sql, batch)
                    batch = []
            if batch:
                conn.exec_driver_sql(sql, batch)
        print(f"  {n:,} events written in {time.perf_counter() - start:.1f} s")
        if suspended:
            start = time.perf_counter()
            textsearch.resume(conn)
            print(f"  FTS5 index rebuilt in one pass in {time.perf_counter() - start:.1f} s")
        conn.exec_driver_sql("ANALYZE")
    return agency_id


def timed(label: str, fn: Callable[[], Any], repeat: int = 3) -> Any:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<52} {best:8.3f} s")
    return result


def searches(engine: Engine, scope: Scope) -> None:
    print("count and first page (50, newest first), best of 3:")
    with transaction(engine) as session:
        for q in SEARCHES:
            indexed = text_search(q)
            like = f"%{q}%"
            # the search as it was: the whole text inside any of the four columns
            scan = [(TEXT, or_(*(c.ilike(like) for c in (E.place_text, E.reference, E.notes, E.admin_area))))]
            for name, conditions in (("index", indexed), ("ILIKE", scan)):
                total = timed(
                    f"{q!r} {name}: count",
                    lambda conditions=conditions: repository.count_events(session, scope, conditions),
                )
                timed(
                    f"{q!r} {name}: first page ({total:,} found)",
                    lambda conditions=conditions: repository.list_events(session, scope, conditions),
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url.startswith("postgresql"):
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = make_engine(args.database_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in args.database_url else "?"
            engine = make_engine(f"{args.database_url}{sep}options={quote(f'-csearch_path={schema}')}")
        else:
            admin, schema = None, ""
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            print(f"synthetic store on {engine.dialect.name}:")
            agency_id = fill(engine, args.events)
            searches(engine, Scope(agency_id=agency_id, agency_code="BENCH"))
        finally:
            engine.dispose()
            if admin is not None:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
