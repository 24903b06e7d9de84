"""Soak: `astara serve` on PostgreSQL under 20 bounded users and a partner pulling every few seconds.

Creates a database of its own (``--database``, dropped at the end), an agency AZ-SCS with
``--events`` seizures shared with partner IR-ANP (each queued in the outbox), starts `astara serve`
on loopback and, for ``--minutes``, runs ``--users`` clients that each load a page, wait
``--think`` seconds and load the next (bounded: at most one request in flight per user), while the
partner signs and pulls the feed every ``--pull-every`` seconds and one seizure is added through
the API per pull, so the feed never runs dry. Prints, per minute: requests, p95 latency, the
server's RSS and errors; then the totals. Asserts nothing.

Run: ``.venv/bin/python bench/soak.py [--minutes 10] [--users 20] [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from astara.agencies.service import create_agency, scope_for
from astara.auth.service import create_token
from astara.db.bulk_load import refresh_statistics
from astara.db.engine import make_engine, transaction
from astara.db.migrate import upgrade
from astara.db.models import SeizureEvent, SeizureItem
from astara.sharing import outbox, service
from astara.sharing.agreements import load_agreement_file
from astara.sharing.feed import sign_request
from astara.sharing.keys import load_or_create
from astara.sharing.schemas import PartnerIn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_load import start_server

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src/astara/sharing/examples/az-ir-border-services.yaml"
KEEPALIVE_SECONDS = 2.0
PAGES = ["/", "/?drug=heroin&page=2", "/api/seizures?limit=50", "/dashboard", "/sharing", "/audit"]


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children (uvicorn workers)."""
    total = 0
    pids = [pid, *(int(p) for p in _children(pid))]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def build(url: str, events: int, folder: Path) -> tuple[str, Any]:
    """The agency's store, partner and agreement; an API token and the partner's keys."""
    engine = make_engine(url)
    upgrade(engine)
    partner_keys = load_or_create(folder / "partner")
    with transaction(engine) as session:
        scope = create_agency(session, "AZ-SCS", "AZ-SCS", "AZ")
    load_or_create(folder)
    with transaction(engine) as session:
        scope = scope_for(session, "AZ-SCS", None)
        service.add_partner(session, scope, PartnerIn(code="IR-ANP", url=None, key=partner_keys.public_b64))
        service.add_agreement(session, scope, load_agreement_file(EXAMPLE))
        ids = []
        for i in range(events):
            event = SeizureEvent(
                id=f"soak{i:08d}",
                agency_id=scope.agency_id,
                source_type="api",
                country="AZ",
                departure_country="IR",
                transport="truck",
                tlp="amber",
                validation_status="validated",
                reference=f"AZ-S-{i}",
                place_text="Astara",
            )
            kg = float(i % 300 + 1)
            event.items = [SeizureItem(position=1, drug_code="heroin", quantity=kg, unit_code="kg", kg=kg)]
            event.refresh_totals()
            session.add(event)
            ids.append(event.id)
        session.flush()
        outbox.record_changed(session, scope, ids)
        token = create_token(session, scope, "soak")[1]
        # as an import does, and autovacuum would within a minute: without statistics PostgreSQL
        # walks every item for every event of a drug filter (seconds a page at 5,000 events)
        refresh_statistics(session)
    engine.dispose()
    return token, partner_keys


by_path: dict[str, list[float]] = {}  # "GET /path" -> seconds of each answer, the whole run


class Minute:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.why: dict[str, int] = {}
        self.pulls = 0
        self.pulled = 0


async def soak(base: str, token: str, partner: Any, args: argparse.Namespace, pid: int) -> list[Minute]:
    started = time.perf_counter()
    deadline = started + args.minutes * 60
    minutes = [Minute() for _ in range(int(args.minutes) + 1)]
    by_path.clear()
    rss: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}

    def now_minute() -> Minute:
        return minutes[min(int((time.perf_counter() - started) // 60), len(minutes) - 1)]

    async def timed(client: httpx.AsyncClient, method: str, path: str, **kw: Any) -> httpx.Response | None:
        t0 = time.perf_counter()
        try:
            answer = await client.request(method, base + path, **kw)
        except httpx.HTTPError as exc:
            failed(f"{method} {path.split('?')[0]}: {type(exc).__name__}")
            return None
        minute = now_minute()
        minute.latencies.append(time.perf_counter() - t0)
        by_path.setdefault(f"{method} {path.split('?')[0] if 'feed' in path else path}", []).append(
            time.perf_counter() - t0
        )
        if answer.status_code >= 400:
            failed(f"{method} {path.split('?')[0]}: {answer.status_code}")
        return answer

    def failed(why: str) -> None:
        minute = now_minute()
        minute.errors += 1
        minute.why[why] = minute.why.get(why, 0) + 1

    async def user(client: httpx.AsyncClient) -> None:
        await asyncio.sleep(random.random() * args.think)
        while time.perf_counter() < deadline:
            await timed(client, "GET", random.choice(PAGES), headers=headers)
            await asyncio.sleep(args.think)

    async def partner_pulls(client: httpx.AsyncClient) -> None:
        after, n = 0, 0
        while time.perf_counter() < deadline:
            n += 1
            body = {
                "date": "2026-01-02",
                "country": "AZ",
                "reference": f"SOAK-NEW-{n}",
                "tlp": "amber",
                "items": [{"drug": "heroin", "quantity": 1 + n % 9, "unit": "kg"}],
            }
            await timed(client, "POST", "/api/seizures", headers=headers, json=body)
            query = f"after={after}&limit=200"
            signed = sign_request(partner, "GET", "/api/sharing/feed", query, "IR-ANP", "AZ-SCS")
            answer = await timed(client, "GET", f"/api/sharing/feed?{query}", headers=signed)
            if answer is not None and answer.status_code == 200:
                page = answer.json()
                minute = now_minute()
                minute.pulls += 1
                minute.pulled += len(page["entries"])
                after = int(page["next_cursor"])
            await asyncio.sleep(args.pull_every)

    async def memory() -> None:
        while (left := deadline - time.perf_counter()) > 0:
            await asyncio.sleep(min(60.0, left))
            rss.append(rss_mb(pid))

    # idle connections dropped before uvicorn's 5 s keep-alive ends them: at equal timeouts the client
    # may send on a connection the server is closing, a ReadError that is the bench's, not Astara's
    limits = httpx.Limits(max_connections=args.users + 2, keepalive_expiry=KEEPALIVE_SECONDS)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(user(client) for _ in range(args.users)), partner_pulls(client), memory())
    for minute, mb in zip(minutes, rss, strict=False):
        minute.rss = mb  # type: ignore[attr-defined]
    return minutes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server's maintenance database (the soak creates its own beside it)",
    )
    parser.add_argument("--database", default="soak_bench")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a user waits between pages")
    parser.add_argument("--pull-every", type=float, default=3.0, help="seconds between the partner's pulls")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{args.database}"'))
        connection.execute(text(f'CREATE DATABASE "{args.database}"'))
    url = make_url(args.url).set(database=args.database).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="astara-soak-"))
    server = None
    try:
        t0 = time.perf_counter()
        token, partner = build(url, args.events, folder)
        print(f"store: {args.events:,} seizures queued for IR-ANP, built in {time.perf_counter() - t0:.0f} s")
        env = {
            **os.environ,
            "ASTARA_DATABASE_URL": url,
            "ASTARA_AGENCY": "AZ-SCS",
            "ASTARA_DATA_DIR": str(folder),
            "ASTARA_LOG_LEVEL": "warning",
        }
        server, base = start_server(env, folder, args.workers)
        print(
            f"server RSS at start {rss_mb(server.pid):,.0f} MB; {args.users} users, think {args.think:g} s, "
            f"partner pull every {args.pull_every:g} s, {args.minutes:g} min, {os.cpu_count()} cores (shared)"
        )
        minutes = asyncio.run(soak(base, token, partner, args, server.pid))
        print(
            f"{'minute':>6}{'requests':>10}{'p95 ms':>9}{'p50 ms':>9}{'RSS MB':>9}"
            f"{'pulls':>7}{'records':>9}{'errors':>8}"
        )
        all_ms: list[float] = []
        errors = 0
        for n, minute in enumerate(minutes, 1):
            if not minute.latencies and not minute.errors:
                continue
            ms = sorted(x * 1000 for x in minute.latencies)
            all_ms += ms
            errors += minute.errors
            q = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
            mb = getattr(minute, "rss", float("nan"))
            print(
                f"{n:>6}{len(ms):>10,}{q[94]:>9.0f}{q[49]:>9.0f}{mb:>9.0f}{minute.pulls:>7}{minute.pulled:>9,}"
                f"{minute.errors:>8}"
            )
        q = statistics.quantiles(sorted(all_ms), n=100)
        why: dict[str, int] = {}
        for minute in minutes:
            for reason, count in minute.why.items():
                why[reason] = why.get(reason, 0) + count
        for reason, count in sorted(why.items()):
            print(f"error: {reason} x{count}")
        print(f"total: {len(all_ms):,} requests, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms, errors {errors}")
        for path, seconds in sorted(by_path.items()):
            ms = sorted(x * 1000 for x in seconds)
            q = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
            print(f"  {path:<40}{len(ms):>7,} requests  p50 {q[49]:>7.0f} ms  p95 {q[94]:>7.0f} ms")
        print(f"server log: {folder / 'server.log'}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
