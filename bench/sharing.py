"""Sharing throughput: records queued, signed, sent, verified and stored between two SQLite nodes.

Builds two fresh nodes (AZ-SCS and IR-ANP) with the shipped example agreement, stores N synthetic
seizures on AZ-SCS and queues them (the outbox hook), then IR-ANP pulls the whole feed: first with
the feed served in-process (signing and verification included, no HTTP), then from a real
``uvicorn`` server on loopback through the HTTP client. Prints figures and peak memory; asserts nothing.

Run: ``.venv/bin/python bench/sharing.py [--records 20000] [--page 500]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.agencies.service import create_agency
from astara.db.engine import make_engine, transaction
from astara.db.models import Base, SeizureEvent, SeizureItem
from astara.sharing import outbox, service, sync
from astara.sharing.agreements import load_agreement_file
from astara.sharing.feed import sign_request
from astara.sharing.keys import load_or_create
from astara.sharing.schemas import PartnerIn

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src/astara/sharing/examples/az-ir-border-services.yaml"


def node(root: Path, code: str) -> dict[str, Any]:
    root.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{root / 'astara.sqlite3'}")
    Base.metadata.create_all(engine)
    with transaction(engine) as session:
        scope = create_agency(session, code, code, code[:2])
    return {"engine": engine, "scope": scope, "keys": load_or_create(root), "root": root}


def unit_of(n: dict[str, Any]) -> Any:
    @contextmanager
    def unit() -> Iterator[tuple[Session, Scope]]:
        with transaction(n["engine"]) as session:
            yield session, n["scope"]

    return unit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--page", type=int, default=500)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="astara-sharing-bench-"))
    az, ir = node(tmp / "az", "AZ-SCS"), node(tmp / "ir", "IR-ANP")
    doc = load_agreement_file(EXAMPLE)
    for me, other in ((az, ir), (ir, az)):
        with unit_of(me)() as (session, scope):
            service.add_partner(
                session,
                scope,
                PartnerIn(code=other["scope"].agency_code, url="http://x", key=other["keys"].public_b64),
            )
            service.add_agreement(session, scope, doc)
    started = time.perf_counter()
    with unit_of(az)() as (session, scope):
        ids = []
        for i in range(args.records):
            event = SeizureEvent(
                id=f"ev{i:08d}",
                agency_id=scope.agency_id,
                source_type="api",
                country="AZ",
                date=None,
                departure_country="IR",
                transport="truck",
                tlp="amber",
                validation_status="validated",
                reference=f"AZ-B-{i}",
                place_text="Astara",
            )
            event.items = [
                SeizureItem(
                    position=1,
                    drug_code="heroin",
                    quantity=float(i % 500 + 1),
                    unit_code="kg",
                    kg=float(i % 500 + 1),
                )
            ]
            event.refresh_totals()
            session.add(event)
            ids.append(event.id)
        session.flush()
        created = time.perf_counter()
        queued = outbox.record_changed(session, scope, ids)
    done = time.perf_counter()
    print(f"records stored        {args.records:,} in {created - started:.2f} s")
    print(f"queued for IR-ANP     {queued:,} in {done - created:.2f} s ({queued / (done - created):,.0f}/s)")

    def fetch(url: str, keys: Any, sender: str, to: str, after: int, limit: int) -> dict[str, Any]:
        query = f"after={after}&limit={limit}"
        headers = sign_request(keys, "GET", "/api/sharing/feed", query, sender, to)
        with transaction(az["engine"]) as session:
            scope, partner = sync.partner_scope(session, headers, "GET", "/api/sharing/feed", query, b"")
            return sync.serve_feed(session, scope, az["keys"], partner.code, after, limit)

    t0 = time.perf_counter()
    result = service.pull(unit_of(ir), ir["keys"], "AZ-SCS", args.page, fetch=fetch)
    t1 = time.perf_counter()
    print(
        f"in-process pull       {result.received:,} in {t1 - t0:.2f} s "
        f"({result.received / (t1 - t0):,.0f}/s), "
        f"{result.pages} pages"
    )

    # The same feed over HTTP on loopback: a fresh receiver pulls from a real server.
    ir2 = node(tmp / "ir2", "IR-ANP")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with unit_of(az)() as (session, scope):
        service.add_partner(session, scope, PartnerIn(code="IR-ANP", url=None, key=ir2["keys"].public_b64))
    with unit_of(ir2)() as (session, scope):
        service.add_partner(
            session,
            scope,
            PartnerIn(code="AZ-SCS", url=f"http://127.0.0.1:{port}", key=az["keys"].public_b64),
        )
    env = {
        **os.environ,
        "ASTARA_DATA_DIR": str(az["root"]),
        "ASTARA_DATABASE_URL": str(az["engine"].url),
        "ASTARA_AGENCY": "AZ-SCS",
        "ASTARA_ENVIRONMENT": "test",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "astara.web.app:app_from_environment",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sharing/key", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        # The receiver runs in a process of its own, so its peak memory is the pull's alone.
        puller = (
            "import json, resource, sys, time\n"
            "from astara.db.engine import make_engine, transaction\n"
            "from astara.agencies.service import scope_for\n"
            "from astara.sharing import service\n"
            "from astara.sharing.keys import load_or_create\n"
            "from contextlib import contextmanager\nfrom pathlib import Path\n"
            "engine = make_engine(sys.argv[1])\n"
            "@contextmanager\n"
            "def unit():\n"
            "    with transaction(engine) as session:\n"
            "        yield session, scope_for(session, 'IR-ANP', None)\n"
            "t0 = time.perf_counter()\n"
            "r = service.pull(unit, load_or_create(Path(sys.argv[2])), 'AZ-SCS', int(sys.argv[3]))\n"
            "t1 = time.perf_counter()\n"
            "st = {x.split(':')[0]: int(x.split()[1]) for x in open('/proc/self/status') if 'kB' in x}\n"
            "print(json.dumps({'received': r.received, 'pages': r.pages, 'seconds': t1 - t0,\n"
            "    'rss_mb': st['VmHWM'] / 1024, 'anon_mb': st['RssAnon'] / 1024}))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", puller, str(ir2["engine"].url), str(ir2["root"]), str(args.page)],
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            raise SystemExit(out.stderr)
        result = json.loads(out.stdout)
        lines = Path(f"/proc/{server.pid}/status").read_text().splitlines()
        status = {line.split(":")[0]: int(line.split()[1]) for line in lines if "kB" in line}
    finally:
        server.terminate()
        server.wait()
    print(
        f"HTTP pull (loopback)  {result['received']:,} in {result['seconds']:.2f} s "
        f"({result['received'] / result['seconds']:,.0f}/s), "
        f"{result['pages']} pages"
    )
    # SQLite is read through a 1 GB mmap (db/engine.py): the peak RSS counts the database file's pages,
    # shared and reclaimable; the anonymous (heap) memory is what the sync itself holds.
    print(
        f"peak RSS: pulling process {result['rss_mb']:,.0f} MB "
        f"(heap {result['anon_mb']:,.0f} MB at the end), "
        f"serving process {status['VmHWM'] / 1024:,.0f} MB (heap {status['RssAnon'] / 1024:,.0f} MB)"
    )
    built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (bench process: builds the records) {built:,.0f} MB")


if __name__ == "__main__":
    main()
