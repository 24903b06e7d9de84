"""Backup and restore of the demo store: time and size of each step; asserts nothing.

Loads the shipped demo data (39,945 IDS rows) into a fresh store, then times ``create_backup``
encrypted and unencrypted, ``verify_backup``, and ``restore_backup`` into a second, empty store,
and prints the file sizes. SQLite by default; ``--database-url postgresql+psycopg://...`` (an empty
database or schema) for PostgreSQL, whose restore goes into a new database on the same server.

Run: ``.venv/bin/python bench/backup_restore.py [--database-url URL]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from astara.agencies.service import ensure_agency
from astara.db.engine import make_engine, transaction
from astara.db.migrate import upgrade
from astara.demo.service import load_demo
from astara.operations.backup import create_backup, verify_backup
from astara.operations.restore import restore_backup
from astara.settings import Settings
from astara.sharing.keys import load_or_create

PASSPHRASE = "a passphrase for the benchmark"


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    out = fn()
    print(f"{label:<34} {time.perf_counter() - started:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="astara-bench-backup-"))
    url = args.database_url or f"sqlite:///{root / 'a' / 'astara.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        scope = ensure_agency(session, "DEMO", "Demonstration agency", None)
        report = timed("load the demo data", lambda: load_demo(session, scope))
    print(f"  {report.summary().splitlines()[0]}")
    engine.dispose()
    settings = Settings(environment="test", data_dir=root / "a", database_url=url, agency="DEMO")
    load_or_create(settings.data_dir)
    encrypted = root / "e.backup"
    path, manifest = timed("backup, encrypted", lambda: create_backup(settings, encrypted, PASSPHRASE))
    plain, _ = timed("backup, --no-encrypt", lambda: create_backup(settings, root / "p.backup", None))
    timed("backup --verify (encrypted)", lambda: verify_backup(path, PASSPHRASE))
    second, database = f"sqlite:///{root / 'b' / 'astara.sqlite3'}", None
    if make_url(url).get_backend_name() != "sqlite":
        database = f"bench_{uuid.uuid4().hex[:8]}"
        with make_engine(url.split("?")[0], isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        second = make_url(url).set(database=database, query={}).render_as_string(False)
    there = Settings(environment="test", data_dir=root / "b", database_url=second, agency="DEMO")
    try:
        timed("restore (encrypted) elsewhere", lambda: restore_backup(there, path, PASSPHRASE))
    finally:
        if database:
            with make_engine(url.split("?")[0], isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
    store_bytes = max(f["bytes"] for m, f in manifest["files"].items() if m.startswith("store/"))
    print(
        f"store copy {store_bytes / 1e6:.1f} MB; backup file {path.stat().st_size / 1e6:.1f} MB encrypted,"
        f" {plain.stat().st_size / 1e6:.1f} MB not; {manifest['tables']['seizure_events']:,} events"
    )


if __name__ == "__main__":
    main()
