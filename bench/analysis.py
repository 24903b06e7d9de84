"""Statistics over 1,000,000 synthetic seizure items, and a yearly report for one country.

Builds a fresh embedded store (SQLite) with synthetic but plausible events (a quarter of them
with two items of two drugs), then times, in the library: ``astara stats`` questions (event-level, item-level,
filtered), trends, routes and hotspots; the same questions with ``engine="duckdb"`` (the same SQL on
DuckDB over a Parquet snapshot of the store, built once); and a bilateral yearly report for one
country as HTML and PDF.
Prints figures; asserts nothing. Needs no shared data.

Run: ``.venv/bin/python bench/analysis.py [--items 1000000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from astara.agencies.service import create_agency
from astara.db.engine import make_engine, transaction
from astara.db.models import Base
from astara.db.totals import shared_drug

COUNTRIES = ["AZ", "IR", "AF", "TR", "GE", "RU", "TM", "PK", "AM", "KZ"]
DRUGS = [("heroin", "opioids"), ("opium", "opioids"), ("hashish", "cannabis"), ("methamphetamine", "ats")]
PLACES = [
    ("az-ir-astara-road", "Astara", 38.436, 48.873),
    ("az-ir-bilasuvar-road", "Bilasuvar", 39.4481, 48.5428),
    ("geonames:587084", "Baku", 40.37767, 49.89201),
    (None, "Lenkoran", 38.7528669, 48.8475015),
]


def _events(
    n_events: int, agency_id: int, seed: int = 7
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    rng = random.Random(seed)
    start = dt.date(2011, 1, 1)
    for i in range(n_events):
        date = start + dt.timedelta(days=rng.randrange(6 * 365))
        country = rng.choices(COUNTRIES, weights=[20, 25, 15, 10, 8, 10, 4, 4, 2, 2])[0]
        departure = rng.choice([None, "IR", "AF", "TR", "PK"])
        destination = rng.choice([None, country, "RU", "TR", "UA"])
        place = rng.choice(PLACES)
        two = rng.random() < 0.25
        drugs = rng.sample(DRUGS, 2 if two else 1)
        kgs = [round(rng.lognormvariate(0, 2), 3) for _ in drugs]
        event_id = f"bench{i:010d}"
        event = (
            event_id,
            agency_id,
            date.isoformat(),
            "day",
            place[0],
            place[1],
            country,
            place[1],
            place[2],
            place[3],
            rng.choice([None, "AF"]),
            departure,
            "[]",
            destination,
            rng.choice([None, "road", "air", "sea"]),
            rng.choice([None, "body", "vehicle_hidden", "baggage"]),
            "[]",
            "[]",
            "import",
            "amber",
            "validated",
            "[]",
            sum(kgs),
            len(kgs),
            0,
            1,
            "[]",
            "2026-01-01 00:00:00",
            "2026-01-01 00:00:00",
            1,
            *shared_drug(drugs),  # as SeizureEvent.refresh_totals and the importer keep them
        )
        items = [
            (event_id, p, d[0], d[1], kg, "kg", kg, 1)
            for p, (d, kg) in enumerate(zip(drugs, kgs, strict=True))
        ]
        yield event, items


EVENT_COLUMNS = (
    "id, agency_id, date, date_precision, place_id, place_text, country, admin_area, lat, lon, "
    "producing_country, departure_country, transit_countries, destination_country, transport, concealment, "
    "conveyance_ids, "
    "participating_agencies, source_type, tlp, validation_status, quality_flags, total_kg, item_count, "
    "items_without_kg, duplicate_count, source_rows, created_at, updated_at, version, drug_code, drug_group"
)
ITEM_COLUMNS = "event_id, position, drug_code, drug_group, quantity, unit_code, kg, kg_exact"


def build(db: Path, n_items: int) -> tuple[int, int]:
    engine = make_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)
    with transaction(engine) as session:
        scope = create_agency(session, "BENCH", "Bench agency", "AZ")
    engine.dispose()
    conn = sqlite3.connect(db)
    n_events, items_written, batch_e, batch_i = 0, 0, [], []
    e_sql = f"INSERT INTO seizure_events ({EVENT_COLUMNS}) VALUES ({', '.join('?' * 32)})"
    i_sql = f"INSERT INTO seizure_items ({ITEM_COLUMNS}) VALUES ({', '.join('?' * 8)})"
    for event, items in _events(n_items, scope.agency_id):
        if items_written >= n_items:
            break
        batch_e.append(event)
        batch_i.extend(items)
        items_written += len(items)
        n_events += 1
        if len(batch_e) >= 50_000:
            conn.executemany(e_sql, batch_e)
            conn.executemany(i_sql, batch_i)
            batch_e, batch_i = [], []
    conn.executemany(e_sql, batch_e)
    conn.executemany(i_sql, batch_i)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return n_events, items_written


def timed(label: str, fn: Callable[[], Any], repeat: int = 3) -> Any:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<62} {best:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    args = parser.parse_args()
    from astara.agencies.scope import Scope
    from astara.analysis.flows import route_flows
    from astara.analysis.hotspots import hotspots
    from astara.analysis.service import stats
    from astara.analysis.trends import trends
    from astara.reports.schemas import ReportRequest
    from astara.reports.service import build_report, render_html, render_pdf

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        start = time.perf_counter()
        events, items = build(db, args.items)
        print(f"synthetic store: {events:,} events, {items:,} items in {time.perf_counter() - start:.1f} s")
        engine = make_engine(f"sqlite:///{db}")
        with transaction(engine) as session:
            scope = Scope(agency_id=1, agency_code="BENCH")
            print("library on the embedded store (SQLite), best of 3:")
            questions: list[tuple[list[str], list[str]]] = [
                (["departure_country"], ["country=AZ", "year=2016"]),
                (["country", "year"], []),
                (["quarter"], ["country=IR"]),
                (["drug"], []),
                (["drug"], ["country=AZ", "year=2016"]),
                (["month"], ["drug=heroin"]),
            ]
            answers = []
            for by, where in questions:
                label = f"stats --by {' --by '.join(by)}" + "".join(f" --where {w}" for w in where)
                answers.append(timed(label, lambda by=by, where=where: stats(session, scope, by, where)))
            start = time.perf_counter()
            stats(session, scope, ["year"], engine="duckdb")
            took = time.perf_counter() - start
            print(f"columnar snapshot of the store for the duckdb engine: {took:.1f} s (once per change)")
            print("library, --engine duckdb (the same SQL on the snapshot), best of 3:")
            for (by, where), store in zip(questions, answers, strict=True):
                label = f"stats --by {' --by '.join(by)}" + "".join(f" --where {w}" for w in where)
                result = timed(
                    label, lambda by=by, where=where: stats(session, scope, by, where, engine="duckdb")
                )
                print(f"  {'':<4}same figures as the sql engine: {'yes' if result == store else 'NO'}")
            print("library, sql engine:")
            timed(
                "trends --where country=AZ (monthly, 72 months)",
                lambda: trends(session, scope, ["country=AZ"]),
            )
            timed(
                "routes --where country=AZ --period 2016",
                lambda: route_flows(
                    session, scope, ["country=AZ", "year=2016"], baseline_where=["country=AZ", "year=2015"]
                ),
            )
            timed(
                "hotspots --level h3 --where year=2016",
                lambda: hotspots(session, scope, ["year=2016"], level="h3"),
            )
            request = ReportRequest(type="bilateral", country="AZ", period="2016", partner="IR")
            report = timed(
                "report: build (all figures, charts, maps)", lambda: build_report(session, scope, request), 1
            )
            timed("report: render HTML", lambda: render_html(report), 1)
            timed("report: render PDF", lambda: render_pdf(report), 1)


if __name__ == "__main__":
    main()
