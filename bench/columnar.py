"""The columnar snapshot at 1,000,000 synthetic items: a whole build, then a refresh after an import.

Builds the synthetic store of bench/analysis.py, then, in a child process (so that its peak memory
is the build's alone), the whole Parquet snapshot (:mod:`astara.analysis.columnar`); then imports
10,000 IDS rows into the store and times the refresh the next duckdb question makes (only the
import's own part is written), and checks that both engines still give the same figures.
Prints figures; asserts nothing. Needs no shared data.

Run: ``nice -n 10 PYTHONPATH=src .venv/bin/python bench/columnar.py [--items 1000000] [--rows 10000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import build  # (bench/analysis.py: the synthetic store)
from astara.agencies.service import scope_for
from astara.analysis import columnar
from astara.analysis.service import stats
from astara.db.engine import make_engine, transaction
from astara.imports.schemas import ImportOptions
from astara.imports.service import run_import

HEADER = (
    "REGION;SUBREGION;COUNTRY;ADMINISTRATIVE_DIVISION;PLACE;SEIZURE_DATE;DRUG_NAME;AMOUNT;DRUG_UNIT;"
    "HIDING_PLACE;INSTALLATION;TRANSPORT;PRODUCING_COUNTRY;DEPARTURE_COUNTRY;DESTINATION_COUNTRY;ROUTING"
)
DRUGS = ("Heroin", "Opium", "Cannabis resin", "Methamphetamine")


def ids_file(path: Path, rows: int) -> Path:
    """``rows`` distinct IDS rows (no two merge as duplicates)."""
    start = dt.date(2019, 1, 1)
    lines = [HEADER]
    for i in range(rows):
        day = start + dt.timedelta(days=i % 700)
        lines.append(
            f"Asia;Western Asia;Azerbaijan;;Astara;{day.isoformat()};{DRUGS[i % 4]};{1 + i / 1000:.3f};"
            "Kilogram;;;Road;Afghanistan;Afghanistan;Russian Federation;"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_snapshot(db: Path) -> None:
    """(child process) Build the whole snapshot; print its seconds and peak memory as JSON."""
    start, cpu = time.perf_counter(), time.process_time()
    files = columnar.snapshot(db)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(p.stat().st_size for paths in files.values() for p in paths)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--snapshot-of", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.snapshot_of:
        build_snapshot(args.snapshot_of)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        start = time.perf_counter()
        events, items = build(db, args.items)
        print(f"synthetic store: {events:,} events, {items:,} items in {time.perf_counter() - start:.1f} s")
        child = subprocess.run(
            [sys.executable, __file__, "--snapshot-of", str(db)], capture_output=True, text=True, check=True
        )
        whole = json.loads(child.stdout)
        print(
            f"whole snapshot: {whole['seconds']:.2f} s ({whole['cpu']:.2f} s CPU), "
            f"peak memory {whole['peak_mb']:.0f} MB (its own process), "
            f"{whole['bytes'] / 1e6:.0f} MB of Parquet"
        )
        engine = make_engine(f"sqlite:///{db}")
        with transaction(engine) as session:
            scope = scope_for(session, "BENCH", None)
            stats(session, scope, ["drug"], engine="duckdb")  # as a server that has answered before
            importlib.import_module("pyarrow.parquet")  # (and has written a part before)
            start = time.perf_counter()
            more = ids_file(Path(tmp) / "more.csv", args.rows)
            report = run_import(session, scope, more, ImportOptions(mapping="unodc_ids"))
        print(
            f"import of {args.rows:,} rows: {report.events_created:,} events "
            f"in {time.perf_counter() - start:.2f} s"
        )
        start, cpu = time.perf_counter(), time.process_time()
        columnar.snapshot(db)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"snapshot refresh after the import: {seconds:.2f} s ({cpu:.2f} s CPU; target 2 s)")
        start = time.perf_counter()
        columnar.snapshot(db)
        print(f"snapshot check when nothing changed: {(time.perf_counter() - start) * 1000:.1f} ms")
        with transaction(engine) as session:
            for by in (["drug"], ["country", "year"]):
                same = stats(session, scope, by) == stats(session, scope, by, engine="duckdb")
                label = " --by ".join(by)
                print(f"  stats --by {label}: same figures on both engines: {'yes' if same else 'NO'}")
        engine.dispose()


if __name__ == "__main__":
    main()
