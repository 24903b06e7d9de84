"""Page and API latency under load: 20 concurrent users against 1,000,000 stored seizures, or every
page on the demo data.

Builds (or reuses, with --db) an embedded SQLite store of synthetic seizure events (the generator of
bench/analysis.py), starts `astara serve` on loopback, logs in with an API token, then runs N
concurrent clients for a fixed time against each page, then against all of them mixed (each request
one page at random); prints p50/p95/p99 latency, requests per second and the server's CPU time a
request (from /proc, the server process and its workers) per page. The list and the API list are
also run against a bare reference on the same store (bench/reference_page.py: Starlette and sqlite3,
the same query, its own process), to read a page's CPU beside the least those rows cost.
Asserts nothing. Needs no shared data.

With ``--demo`` the store is ``astara demo``'s (the IDS regional subset, about 38,000 events) plus
about 1,000 open news drafts (bench/news_ingest.py's articles) and a finished job, and every page is
loaded: dashboard, lists with filters and text search, a record, its edit form, the map and its
points, News review, entities, sharing, audit and a job's page.

Run: ``.venv/bin/python bench/web_load.py [--events 1000000] [--users 20] [--seconds 20] [--db FILE]``
     ``.venv/bin/python bench/web_load.py --demo [--folder DIR] [--users 5] [--think 1] [--seconds 10]``
     ``.venv/bin/python bench/web_load.py --demo --pages news``: only News review (first, second and
     last page of the 1,000 open drafts)
     ``.venv/bin/python bench/web_load.py --stats --db FILE``: only `/api/stats` by single groupings,
     cold (202s followed to their job's answer) and cached
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analysis import build
from astara.agencies.service import scope_for
from astara.auth.service import create_token
from astara.db.engine import make_engine, transaction
from astara.db.migrate import stamp

PAGES = {
    "seizure list": "/",
    "list, AZ 2016": "/?country=AZ&year=2016",
    "list, heroin, page 3": "/?drug=heroin&page=3",
    "API list": "/api/seizures?limit=50",
    "dashboard": "/dashboard",
    "API stats by drug": "/api/stats?by=drug",
    "API stats by country, year": "/api/stats?by=country&by=year",
}


DEMO_AGENCY = "DEMO"
DEMO_ARTICLES = 1600  # about 1,000 of them tell of a seizure: the open drafts of News review


def demo_store(folder: Path) -> dict[str, str]:
    """``astara demo``'s store in ``folder`` (made once, then reused), with news drafts and a job;
    the pages to load, by name."""
    from news_ingest import compose

    from astara.db.models import NewsDraft, SeizureEvent
    from astara.jobs import service as jobs

    env = demo_env(folder)
    db = folder / "astara.sqlite3"
    if not db.exists():
        start = time.perf_counter()
        astara = [sys.executable, "-m", "astara"]
        subprocess.run(
            [*astara, "init", "--name", "Demonstration agency", "--country", "AZ"], env=env, check=True
        )
        subprocess.run([*astara, "demo", "--no-serve"], env=env, check=True, capture_output=True)
        feed = folder / "feed.jsonl"
        feed.write_text("".join(json.dumps(line) + "\n" for line in compose(DEMO_ARTICLES)), encoding="utf-8")
        subprocess.run([*astara, "news", "ingest", str(feed)], env=env, check=True, capture_output=True)
        print(f"demo store built in {time.perf_counter() - start:.0f} s")
    engine = make_engine(f"sqlite:///{db}")
    with transaction(engine) as session:
        scope = scope_for(session, DEMO_AGENCY, None)
        drafts = session.scalar(select(func.count()).select_from(NewsDraft).where(NewsDraft.status == "open"))
        events = session.scalar(select(func.count()).select_from(SeizureEvent))
        record = session.scalar(
            select(SeizureEvent.id).order_by(SeizureEvent.date.desc()).offset(100).limit(1)
        )
        job = jobs.list_jobs(session, scope, 1) or [
            jobs.enqueue(session, scope, "sharing.pull", {"partner": "XX"})
        ]
    engine.dispose()
    print(f"demo store: {events:,} events, {drafts:,} open news drafts ({db})")
    return {
        "dashboard": "/dashboard",
        "seizure list": "/",
        "list, RU heroin 2015": "/?country=RU&drug=heroin&year=2015",
        "list, text search": "/?q=astara",
        "list, search + sort": "/?q=heroin&sort=-kg",
        "record": f"/seizures/{record}",
        "edit form": f"/seizures/{record}/edit",
        "map page": "/map",
        "map points (API)": "/api/seizures/map",
        "news review": "/news",
        "news review, page 2": "/news?page=2",
        "news review, last page": f"/news?page={max(1, -(-drafts // 25))}",
        "entities": "/entities",
        "sharing": "/sharing",
        "audit": "/sharing/audit",
        "job page": f"/jobs/{job[0].id}",
    }


def demo_env(folder: Path) -> dict[str, str]:
    return {**os.environ, "ASTARA_DATA_DIR": str(folder), "ASTARA_AGENCY": DEMO_AGENCY,
            "ASTARA_DATABASE_URL": f"sqlite:///{folder / 'astara.sqlite3'}"}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], folder: Path, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    """``astara serve`` on a free loopback port, logging to ``folder/server.log``; returned once it
    answers (or after 30 s), with its address. The soak bench starts its server the same way."""
    port = free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "astara", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/healthz")
    return server, base


async def hammer(
    urls: dict[str, str], token: str, users: int, seconds: float, think: float
) -> dict[str, tuple[list[float], int]]:
    """``users`` clients, each sending its next request ``think`` seconds after the last answer
    (0: at once and all together, a stress test of throughput rather than of people reading pages),
    each request to one of ``urls`` at random (one: that page alone; several: the mix); latencies
    and errors by page."""
    seen: dict[str, tuple[list[float], list[int]]] = {name: ([], [0]) for name in urls}
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    names = list(urls)

    async def user(client: httpx.AsyncClient) -> None:
        if think:
            # people do not all click in the same millisecond: each arrives within the first think time
            await asyncio.sleep(random.uniform(0, think))
        while time.perf_counter() < deadline:
            name = random.choice(names)
            start = time.perf_counter()
            try:
                failed = (await client.get(urls[name], headers=headers)).status_code >= 400
            except httpx.TransportError:  # a connection the server dropped: an error, not the end of the run
                failed = True
            seen[name][0].append(time.perf_counter() - start)
            seen[name][1][0] += failed
            if think:
                await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))

    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(user(client) for _ in range(users)))
    return {name: (latencies, errors[0]) for name, (latencies, errors) in seen.items()}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` and every process under it (a server's workers),
    from /proc: what the server spent, apart from the clients'."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        spent[child] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    total, family = 0.0, {pid}
    for child in sorted(parents):  # (a child's id is usually above its parent's; else counted as alone)
        if child in family or parents[child] in family:
            family.add(child)
            total += spent[child]
    return total


# The reference's address of each page it serves (bench/reference_page.py): the same rows, bare.
REFERENCE = {"seizure list": "/", "API list": "/api/seizures?limit=50"}


def start_reference(db: Path, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (folder / "reference.log").open("w")
    script = Path(__file__).with_name("reference_page.py")
    server = subprocess.Popen(
        [sys.executable, str(script), "--db", str(db), "--port", str(port)], stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/")
    return server, base


def wait_for(url: str) -> None:
    """Until ``url`` answers at all (a server starting), for at most about half a minute."""
    for _ in range(150):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)


def measured(
    name: str,
    urls: dict[str, str],
    server: subprocess.Popen[bytes],
    token: str,
    args: argparse.Namespace,
    think: float,
) -> dict[str, tuple[list[float], int]]:
    """One run of ``urls`` (a page alone, or the mix), with the server's CPU time a request."""
    before = cpu_seconds(server.pid)
    seen = asyncio.run(hammer(urls, token, args.users, args.seconds, think))
    spent = cpu_seconds(server.pid) - before
    requests = sum(len(latencies) for latencies, _ in seen.values())
    cpu = spent * 1000 / requests if requests else float("nan")
    for page, (latencies, errors) in seen.items():
        label = name if len(seen) == 1 else f"  {page}"
        print(row(label, latencies, errors, args.seconds, cpu if len(seen) == 1 else None))
    if len(seen) > 1:
        print(f"{'  (the mix, CPU a request)':<28}{'':>9}{'':>8}{'':>9}{'':>9}{'':>9}{'':>8}{cpu:>9.2f}")
    return seen


def row(name: str, latencies: list[float], errors: int, seconds: float, cpu: float | None) -> str:
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100) if len(ms) > 1 else (ms or [float("nan")]) * 99
    cpu_text = f"{cpu:>9.2f}" if cpu is not None else ""
    return (f"{name:<28}{len(ms):>9,}{len(ms) / seconds:>8.1f}{q[49]:>9.0f}{q[94]:>9.0f}{q[98]:>9.0f}"
            f"{errors:>8}{cpu_text}")  # fmt: skip


STATS_GROUPINGS = ("drug", "departure_country", "year", "country", "transport", "drug_group", "month")


def stats_latency(
    base: str, token: str, groupings: tuple[str, ...] = STATS_GROUPINGS, cached: int = 20
) -> None:
    """`/api/stats?by=X` for single groupings, one client: cold (the first asking after the server
    started; a 202 is followed to its job's answer) and cached (the median of ``cached`` more)."""
    headers = {"Authorization": f"Bearer {token}"}
    print(f"\n/api/stats, one grouping at a time (cached: median of {cached})")
    print(f"{'by':<20}{'first':>7}{'first ms':>10}{'answer ms':>11}{'cached ms':>11}{'groups':>8}")
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
        for by in groupings:
            try:
                _stats_once(client, by, cached)
            except httpx.TransportError as exc:  # the server died (say, out of memory): say so, stop
                print(f"{by:<20} the server stopped answering ({exc}); see its log")
                return


def _stats_once(client: httpx.Client, by: str, cached: int) -> None:
    """One grouping: asked cold (a 202 followed to its answer), then ``cached`` times more."""
    start = time.perf_counter()
    first = client.get("/api/stats", params={"by": by})
    replied = time.perf_counter() - start
    answer = first.json()
    if first.status_code == 202:  # poll the job as a client would
        while (job := client.get(answer["job"]).json())["status"] not in ("done", "failed"):
            time.sleep(0.05)
        answer = (job.get("result") or {}).get("answer") or {"error": job.get("error")}
    answered = time.perf_counter() - start
    times = []
    for _ in range(cached):
        start = time.perf_counter()
        again = client.get("/api/stats", params={"by": by})
        times.append(time.perf_counter() - start)
        assert again.status_code == 200 and again.json() == answer, (by, again.status_code)
    print(f"{by:<20}{first.status_code:>7}{replied * 1000:>10.0f}{answered * 1000:>11.0f}"
          f"{statistics.median(times) * 1000:>11.1f}{len(answer.get('groups', [])):>8}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--db", type=Path, help="reuse (or create) this SQLite file")
    parser.add_argument("--think", type=float, nargs="+", default=[0.0, 1.0],
                        help="seconds a user waits between pages (each value is one run)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=1, help="server processes (astara serve --workers)")
    parser.add_argument("--demo", action="store_true", help="every page on the demo data (see above)")
    parser.add_argument("--folder", type=Path, help="--demo: reuse (or create) the demo store here")
    parser.add_argument("--pages", nargs="+", metavar="WORD", help="only pages whose names have these words")
    parser.add_argument(
        "--stats", action="store_true", help="only /api/stats, cold and cached (stats_latency)"
    )
    args = parser.parse_args()

    folder = args.folder or Path(tempfile.mkdtemp(prefix="astara-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    pages, agency = PAGES, "BENCH"
    db = args.db or folder / "load.sqlite3"
    if args.demo:
        pages, agency, db = demo_store(folder), DEMO_AGENCY, folder / "astara.sqlite3"
    if args.pages:
        pages = {name: path for name, path in pages.items() if any(w in name for w in args.pages)}
        if not pages:
            parser.error(f"no page's name contains {' or '.join(args.pages)}")
    elif not db.exists():
        start = time.perf_counter()
        events, items = build(db, int(args.events * 1.25))  # a quarter of the events have two items
        stamp(make_engine(f"sqlite:///{db}"))
        print(f"store: {events:,} events, {items:,} items built in {time.perf_counter() - start:.0f} s")
    engine = make_engine(f"sqlite:///{db}")
    with transaction(engine) as session:
        token = create_token(session, scope_for(session, agency, None), "load test")[1]
    engine.dispose()

    env = {**os.environ, "ASTARA_DATABASE_URL": f"sqlite:///{db}", "ASTARA_AGENCY": agency,
           "ASTARA_DATA_DIR": str(folder), "ASTARA_LOG_LEVEL": "warning"}  # fmt: skip
    server, base = start_server(env, folder, args.workers)
    reference, reference_base = start_reference(db, folder) if not args.demo else (None, "")
    try:
        if args.stats:
            stats_latency(base, token)
            args.think = []
        for think in args.think:
            print(f"\n{args.users} concurrent users, think time {think:g} s, {args.seconds:.0f} s a page, "
                  f"{args.workers} server process(es); CPU: the server's milliseconds a request")  # fmt: skip
            print(f"{'page':<28}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
                  f"{'errors':>8}{'CPU ms':>9}")  # fmt: skip
            for name, path in pages.items():
                warm = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=60)
                if warm.status_code >= 400:  # (a page that does not answer would be timed as fast)
                    print(f"{name}: {path} answered {warm.status_code}")
                measured(name, {name: base + path}, server, token, args, think)
                if reference is not None and name in REFERENCE:
                    httpx.get(reference_base + REFERENCE[name], timeout=60)
                    measured(f"  reference: {name}", {name: reference_base + REFERENCE[name]}, reference,
                             token, args, think)  # fmt: skip
            if len(pages) > 1:
                print(f"mixed: each request one of the {len(pages)} pages at random")
                mix = {name: base + path for name, path in pages.items()}
                measured("mix", mix, server, token, args, think)
    finally:
        for process in (server, reference):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
        print(f"server log: {folder / 'server.log'}")


if __name__ == "__main__":
    main()
