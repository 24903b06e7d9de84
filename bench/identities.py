"""Resolved identities: a full run (``astara identities resolve``) and the incremental path, timed.

Synthetic people from ``link_scale.People``, each stored as several records (spellings in Latin,
Cyrillic or Persian script with typing slips, the same birth date; half with the same passport) with
their match keys, as the importer's bulk path writes them. Then :func:`identities.resolve` runs
over all of them (wall, CPU and peak memory: the machine may be shared), and ``--additions`` new
spellings of stored people are stored with their keys and resolved by
:func:`identities.resolve_entities` one by one (the incremental path: only the new record's
candidates, judged partners and their identities), timed p50/p95 with the number of records each
touched. Last, ``--events`` seizures of one country-year name two or three persons each, and the
network of that country-year (one node per identity) is timed. The share of people who end as
exactly one identity is printed.

Run: nice -n 10 .venv/bin/python bench/identities.py           # 5,000 people, 3 records each, SQLite
     nice -n 10 .venv/bin/python bench/identities.py --people 333334 --records 3   # 1,000,000 records
     .venv/bin/python bench/identities.py --people 20000 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
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
from astara.matching.store import KEYS_TABLE, write_keys


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--records", type=int, default=3, help="records of each person")
    parser.add_argument("--additions", type=int, default=100)
    parser.add_argument("--events", type=int, default=2000, help="seizures of the country-year network")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='identities-')) / 'store.sqlite3'}"
    engine = make_engine(url)
    print(f"store: {url}", flush=True)
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
    began, cpu = time.perf_counter(), time.process_time()
    with transaction(engine) as session:
        change = identities.resolve(session, scope, ["person"])[0]
    full, full_cpu = time.perf_counter() - began, time.process_time() - cpu
    with transaction(engine) as session:
        groups = [list(i.members) for i in repository.identities(session, scope, "person")]
    whole = sum(1 for g in groups if len(g) == args.records and len({truth[m] for m in g}) == 1)
    impure = sum(1 for g in groups if len({truth[m] for m in g}) > 1)
    print(
        f"{engine.dialect.name}: {args.people:,} people as {records:,} records; full resolution "
        f"{full:.1f} s wall, {full_cpu:.1f} s CPU ({records / full:,.0f} records/s): "
        f"{change['identities']:,} identities, {whole:,} people whole, {impure} identities mixing people, "
        f"{change['conflicts']} conflicts; peak memory {peak_mb():,.0f} MB, load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    walls, cpus, touched, joined = [], [], [], 0
    for n in rng.sample(range(args.people), min(args.additions, args.people)):
        p = everyone[n]
        record = {"name": people.render(p, rng.choice(["latn", "cyrl", "fa"]), True),
                  "birth_date": p["birth_date"], "nationality": p["nationality"]}  # fmt: skip
        pid = f"N{n:07d}"
        with transaction(engine) as session:  # the record and its keys, as the services write them
            session.add(Person(id=pid, agency_id=scope.agency_id, **record))
            session.flush()
            write_keys(session, scope, "person", "store", [(pid, record)])
        with transaction(engine) as session:
            touched.append(len(identities._neighbourhood(session, scope, "person", [pid])))
        began, cpu = time.perf_counter(), time.process_time()
        with transaction(engine) as session:
            identities.resolve_entities(session, scope, "person", [pid])
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        with transaction(engine) as session:
            joined += any(
                truth.get(m) == n for m in identities.members_of(session, scope, "person", [pid])[pid]
            )
    for values in (walls, cpus, touched):
        values.sort()

    def p95(values: list[Any]) -> Any:
        return values[int(0.95 * (len(values) - 1))]

    print(
        f"incremental, {len(walls)} new records one by one against {records:,}: resolution p50 "
        f"{statistics.median(walls):.1f} ms, p95 {p95(walls):.1f} ms wall (CPU p50 "
        f"{statistics.median(cpus):.1f} ms, p95 {p95(cpus):.1f} ms); records touched p50 "
        f"{statistics.median(touched):.0f}, max {touched[-1]}; joined their person {joined}/{len(walls)}; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    if args.events:
        network_of_a_year(engine, scope, rng, list(truth), args.events)


def peak_mb() -> float:
    """The process's peak resident memory so far (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def network_of_a_year(engine: Any, scope: Any, rng: Any, persons: list[str], events: int) -> None:
    """``events`` seizures in one country-year, each naming two or three of the stored persons, then
    :func:`astara.networks.service.network` of that country-year (identities as nodes), timed."""
    from astara.db.models import EventEntityLink, SeizureEvent
    from astara.networks.service import network

    with transaction(engine) as session:
        for e in range(events):
            session.add(SeizureEvent(id=f"E{e:08d}", agency_id=scope.agency_id, source_type="bench",
                                     date=dt.date(2017, 1 + e % 12, 1 + e % 28), country="AZ"))  # fmt: skip
        session.flush()  # the events before the links that name them
        for e in range(events):
            for pid in rng.sample(persons, rng.choice([2, 3])):
                link = EventEntityLink(agency_id=scope.agency_id, event_id=f"E{e:08d}", entity_type="person",
                                       entity_id=pid, role="driver")  # fmt: skip
                session.add(link)
    began, cpu = time.perf_counter(), time.process_time()
    with transaction(engine) as session:
        result = network(session, scope, ["country=AZ", "year=2017"])
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    nodes = sum(1 for n in result.nodes if n.kind != "event")
    print(
        f"network of AZ 2017: {result.events:,} events, {nodes:,} identity nodes, "
        f"{len(result.communities):,} communities: {wall:.1f} s wall, {used:.1f} s CPU; load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
