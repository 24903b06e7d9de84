"""Import the full UNODC IDS zip and time it against a raw load of the same CSV; then time stats.

Prints figures; asserts nothing. Each measured step runs in its own process so that peak memory
(max RSS) belongs to that step alone. Besides the wall time, the import's CPU time (its process
and its worker's) is printed: on a shared machine it varies less than the wall time.

``--repeat N`` runs the reference and the import N times, one after the other in turn, each into
a fresh store, and prints the medians: on a shared machine one reference run varied between
1.2 s and 2.3 s, enough to move the ratio from 4x to 8x on its own.

    PYTHONPATH=src python bench/import_ids.py [--file the.zip] [--import-only] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IDS_ZIP = ROOT.parent / "shared" / "data" / "unodc_ids" / "drug-trafficking-unodc.zip"
ASTARA = [sys.executable, "-m", "astara"]


CPU_SECONDS: list[float] = []  # the last step's CPU time (user + system, its children's too)


def raw_load(db: Path, ids_zip: Path) -> tuple[float, int]:
    """The reference: the CSV straight into one SQLite table, no parsing beyond splitting.

    Returns its wall seconds (its CPU seconds in :data:`CPU_SECONDS`) and the rows loaded.
    """
    cpu = time.process_time()
    start = time.perf_counter()
    with zipfile.ZipFile(ids_zip) as z:
        name = z.namelist()[0]
        with z.open(name) as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter=";")
            header = next(reader)
            conn = sqlite3.connect(db)
            cols = ", ".join(f'"{h}" TEXT' for h in header)
            conn.execute(f"CREATE TABLE ids ({cols})")
            conn.executemany(f"INSERT INTO ids VALUES ({', '.join('?' * len(header))})", reader)
            conn.commit()
            n = conn.execute("SELECT count(*) FROM ids").fetchone()[0]
            conn.close()
    seconds = time.perf_counter() - start
    CPU_SECONDS[:] = [time.process_time() - cpu]
    return seconds, n


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; return seconds, its peak RSS in MB, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS[:] = [after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime]
    peak = after.ru_maxrss
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, file=sys.stderr)
        raise SystemExit(f"{' '.join(args)} failed with {proc.returncode}")
    return seconds, max(peak, before.ru_maxrss) / 1024, proc.stdout


QUESTIONS = [
    (["departure_country"], ["country=AZ", "year=2016"]),
    (["drug"], []),
    (["country", "year"], []),
    (["month"], ["drug=heroin"]),
]
STATS_IN_LIBRARY = """
import json, sys, time
from astara.analysis.service import stats
from astara.runtime import Runtime
from astara.settings import Settings
by, where = json.loads(sys.argv[1])
rt = Runtime(Settings())
with rt.unit() as (session, scope):
    start = time.perf_counter()
    stats(session, scope, by, where)
    print(time.perf_counter() - start)
"""


def store_env(tmpdir: Path, args: argparse.Namespace) -> dict[str, str]:
    """The environment of a command on the benchmark's store in ``tmpdir`` (or at ``--database-url``)."""
    env = {**os.environ, "ASTARA_DATA_DIR": str(tmpdir), "ASTARA_AGENCY": "BENCH"}
    if args.database_url:
        env["ASTARA_DATABASE_URL"] = args.database_url
    return env


def import_once(tmpdir: Path, args: argparse.Namespace) -> tuple[float, float, float, dict[str, Any]]:
    """Import the file into a fresh store in ``tmpdir``: wall and CPU seconds, peak MB, the report."""
    env = store_env(tmpdir, args)
    run_child([*ASTARA, "init"], env)
    command = [*ASTARA, "import", str(args.file), "--mapping", "unodc_ids", "--keep-valid",
               "--rejects", str(tmpdir / "rejects.csv"), "--format", "json"]  # fmt: skip
    seconds, peak_mb, out = run_child(command, env)
    return seconds, CPU_SECONDS[0], peak_mb, json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="store to import into (default: a fresh SQLite file)")
    parser.add_argument("--file", type=Path, default=IDS_ZIP, help=f"the IDS zip (default: {IDS_ZIP})")
    parser.add_argument("--import-only", action="store_true", help="time the import, not the statistics")
    parser.add_argument("--repeat", type=int, default=1, help="reference and import runs, in turn")
    args = parser.parse_args()
    if not args.file.exists():
        print(f"skipped: {args.file} is not present")
        return
    if args.database_url and args.repeat > 1:
        raise SystemExit("--repeat needs a fresh store each run: it works on SQLite only")
    references: list[tuple[float, float]] = []
    imports: list[tuple[float, float, float]] = []
    for run in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory() as tmp:
            reference, rows = raw_load(Path(tmp) / "raw.sqlite3", args.file)
            references.append((reference, CPU_SECONDS[0]))
        with tempfile.TemporaryDirectory() as tmp:
            tmpdir = Path(tmp)
            seconds, cpu, peak_mb, report = import_once(tmpdir, args)
            imports.append((seconds, cpu, peak_mb))
            print(f"run {run}: reference {rows:,} rows in {reference:.2f} s ({references[-1][1]:.2f} s CPU); "
                  f"import {seconds:.2f} s ({cpu:.2f} s CPU), {seconds / reference:.1f} x")  # fmt: skip
            if run == args.repeat:
                print_report(report)
                if not args.import_only:
                    time_stats(tmpdir, args)
    reference = statistics.median(r[0] for r in references)
    seconds = statistics.median(i[0] for i in imports)
    print(
        f"median of {args.repeat}: reference raw load into SQLite {reference:.2f} s wall, "
        f"{statistics.median(r[1] for r in references):.2f} s CPU; astara import {seconds:.2f} s wall "
        f"({seconds / reference:.1f} x the reference), {statistics.median(i[1] for i in imports):.2f} s CPU, "
        f"peak memory {max(i[2] for i in imports):.0f} MB"
    )


def print_report(report: dict[str, Any]) -> None:
    print(
        f"astara import: {report['rows_read']:,} rows -> {report['events_created']:,} events, "
        f"{report['exact_duplicate_rows']:,} exact duplicate rows merged, "
        f"{report['near_duplicates']:,} near duplicates flagged, {report['rejected_rows']:,} rejected"
    )
    reasons: dict[str, int] = {}
    for e in report["errors"]:
        key = e["column"] + ": " + e["reason"].split("'")[0].strip()
        reasons[key] = reasons.get(key, 0) + 1
    print("  rejects by reason:", json.dumps(reasons, ensure_ascii=False))


def time_stats(tmpdir: Path, args: argparse.Namespace) -> None:
    """``astara stats`` over the imported store: in the library and as a command."""
    env = store_env(tmpdir, args)
    for by, where in QUESTIONS:
        words = [w for b in by for w in ("--by", b)] + [w for c in where for w in ("--where", c)]
        seconds, _, _ = run_child([*ASTARA, "stats", *words, "--format", "json"], env)
        _, _, inner = run_child([sys.executable, "-c", STATS_IN_LIBRARY, json.dumps([by, where])], env)
        print(f"astara stats {' '.join(words)}: {float(inner):.3f} s in the library, "
              f"{seconds:.2f} s as a command")  # fmt: skip


if __name__ == "__main__":
    main()
