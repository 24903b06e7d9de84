"""Three real Astara servers on loopback (two on SQLite, one on PostgreSQL), syncing over HTTP.

Checked on the wire and across processes: a field the agreement forbids is not in the HTTP body; a
pulling node killed in the middle of a sync (inside a transaction) loses and duplicates nothing
after restart; a replayed request is refused and logged; a retraction reaches every partner that
received the record and only those; clocks that differ by less than the allowed skew still sync,
and more is refused with a message naming the clock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select, text

from astara.db.engine import make_engine
from astara.db.models import AuditEntry, SharingReceived, SharingRefusal
from astara.sharing import client, feed, service
from astara.sharing.agreements import load_agreement_file
from astara.sharing.schemas import PartnerIn

from .conftest import EXAMPLE, Node, make_node, record_seizure
from .test_two_servers import ROOT, _env, _free_port

PG = os.environ.get("ASTARA_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not PG, reason="needs ASTARA_TEST_POSTGRES_URL for the PostgreSQL node")


@pytest.fixture
def pg_url() -> Iterator[str]:
    assert PG
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG else "?"
    try:
        yield f"{PG}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _link(a: Node, a_url: str, b: Node, b_url: str, agreement: Path) -> None:
    doc = load_agreement_file(agreement)
    for me, other, url in ((a, b, b_url), (b, a, a_url)):
        with me.unit() as (session, scope):
            service.add_partner(session, scope, PartnerIn(code=other.scope.agency_code, url=url,
                                                          key=other.keys.public_b64))  # fmt: skip
            service.add_agreement(session, scope, doc)


@pytest.fixture
def three(tmp_path: Path, pg_url: str) -> Iterator[dict[str, tuple[Node, str]]]:
    nodes = {
        "az": make_node(tmp_path / "az", "AZ-SCS", "State Customs Committee", "AZ"),
        "ir": make_node(tmp_path / "ir", "IR-ANP", "Anti-Narcotics Police", "IR"),
        "ge": make_node(tmp_path / "ge", "GE-MIA", "Ministry of Internal Affairs", "GE", pg_url),
    }
    urls = {k: f"http://127.0.0.1:{_free_port()}" for k in nodes}
    procs = []
    for k, node in nodes.items():
        env = {**_env(node), "ASTARA_DATABASE_URL": node.engine.url.render_as_string(hide_password=False)}
        port = urls[k].rsplit(":", 1)[1]
        cmd = [sys.executable, "-m", "uvicorn", "--factory", "astara.web.app:app_from_environment",
               "--host", "127.0.0.1", "--port", port, "--log-level", "warning"]  # fmt: skip
        procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT))
    try:
        for url in urls.values():
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{url}/api/sharing/key", timeout=5).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            else:
                pytest.fail(f"server {url} did not start")
        ge_doc = tmp_path / "az-ge.yaml"
        clause = "    categories: [seizure_facts]\n    exclude_fields: [reference]"
        ge_doc.write_text(
            EXAMPLE.read_text()
            .replace("IR-ANP", "GE-MIA")
            .replace("AZ-IR-BORDER-2024", "AZ-GE-2025")
            .replace(clause, clause + "\n    when:\n      transport: [rail]")
        )
        _link(nodes["az"], urls["az"], nodes["ir"], urls["ir"], EXAMPLE)
        _link(nodes["az"], urls["az"], nodes["ge"], urls["ge"], ge_doc)
        yield {k: (nodes[k], urls[k]) for k in nodes}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
        nodes["ge"].engine.dispose()


def _pull(node: Node, partner: str) -> Any:
    return service.pull(node.unit, node.keys, partner)  # over HTTP, with the real client


def _raw_feed(node: Node, url: str, to: str, after: int = 0) -> tuple[dict[str, str], bytes]:
    query = f"after={after}&limit=100"
    headers = feed.sign_request(node.keys, "GET", client.FEED_PATH, query, node.scope.agency_code, to)
    request = urllib.request.Request(f"{url}{client.FEED_PATH}?{query}", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return headers, response.read()


def _audit(node: Node, action: str) -> list[AuditEntry]:
    with node.unit() as (session, _):
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _refusal_reasons(node: Node) -> list[str]:
    """Refused partner requests are counted per minute (the minute becomes one audit entry)."""
    with node.unit() as (session, _):
        return list(session.scalars(select(SharingRefusal.reason)))


def test_a_forbidden_field_is_not_on_the_wire_and_a_replay_is_refused(
    three: dict[str, tuple[Node, str]],
) -> None:
    (az, az_url), (ir, _) = three["az"], three["ir"]
    record_seizure(az, "AZ-2025-8001", driver="Məmməd Rzayev", plate="10-AB-123")  # not validated
    headers, body = _raw_feed(ir, az_url, "AZ-SCS")
    page = json.loads(body)
    assert page["entries"] and b"10-AB-123" in body  # the plate is allowed (art6.2)
    for forbidden in ("Rzayev", "Məmməd", "informant K-7", "AZ-2025-8001", "false compartment"):
        assert forbidden.encode() not in body and json.dumps(forbidden)[1:-1].encode() not in body
    request = urllib.request.Request(f"{az_url}{client.FEED_PATH}?after=0&limit=100", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 401 and b"replay" in caught.value.read()
    assert any("replay" in reason for reason in _refusal_reasons(az))


def test_a_node_killed_mid_sync_loses_and_duplicates_nothing(three: dict[str, tuple[Node, str]]) -> None:
    (az, _), (ir, _) = three["az"], three["ir"]
    ids = {record_seizure(az, f"AZ-2025-81{i:02d}") for i in range(7)}
    killer = (
        "import os, signal\n"
        "from astara.cli import runtime\n"
        "from astara.sharing import client, service\n"
        "from astara.sharing.keys import load_or_create\n"
        "rt, calls = runtime(), []\n"
        "def fetch(*args):\n"
        "    page = client.fetch_feed(*args)\n"
        "    calls.append(1)\n"
        "    if len(calls) == 3:  # inside the third page's transaction, before it commits\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return page\n"
        "service.pull(rt.unit, load_or_create(rt.settings.data_dir), 'AZ-SCS', 2, fetch=fetch)\n"
    )
    done = subprocess.run([sys.executable, "-c", killer], env=_env(ir), cwd=ROOT, timeout=120)
    assert done.returncode == -9
    with ir.unit() as (session, _):
        assert len(session.scalars(select(SharingReceived)).all()) == 4  # two whole pages, no more
    command = [sys.executable, "-m", "astara", "sync", "pull", "AZ-SCS", "--format", "json"]
    restarted = subprocess.run(command, env=_env(ir), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert restarted.returncode == 0, restarted.stderr
    assert json.loads(restarted.stdout)["received"] == 3
    with ir.unit() as (session, _):
        rows = session.scalars(select(SharingReceived)).all()
    assert sorted(r.record_id for r in rows) == sorted(ids) and {r.version for r in rows} == {1}


def test_a_retraction_reaches_every_partner_that_received_it_and_only_those(
    three: dict[str, tuple[Node, str]],
) -> None:
    (az, _), (ir, _), (ge, _) = three["az"], three["ir"], three["ge"]
    road = record_seizure(az, "AZ-2025-8201", transport="truck")  # IR only (GE's agreement: rail)
    rail = record_seizure(az, "AZ-2025-8202", transport="rail")  # IR and GE
    assert _pull(ir, "AZ-SCS").received == 2 and _pull(ge, "AZ-SCS").received == 1
    with az.unit() as (session, scope):
        assert service.retract(session, scope, road, "wrong crossing") == ["IR-ANP"]
        assert service.retract(session, scope, rail, "duplicate") == ["GE-MIA", "IR-ANP"]
    ir_result, ge_result = _pull(ir, "AZ-SCS"), _pull(ge, "AZ-SCS")
    assert (ir_result.retracted, ir_result.receipts_accepted) == (2, 2)
    assert (ge_result.retracted, ge_result.receipts_accepted) == (1, 1)
    with ge.unit() as (session, _):
        held = session.scalars(select(SharingReceived)).all()
    assert [(r.record_id, r.record) for r in held] == [(rail, {})]
    with az.unit() as (session, scope):
        receipts = {(s.partner, s.receipts_received) for s in service.status(session, scope)}
    assert receipts == {("IR-ANP", 2), ("GE-MIA", 1)}


def test_clock_skew_within_the_limit_syncs_and_beyond_it_is_refused(
    three: dict[str, tuple[Node, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    (az, _), (ge, _) = three["az"], three["ge"]
    record_seizure(az, "AZ-2025-8301", transport="rail")
    real_now = feed.now
    monkeypatch.setattr(feed, "now", lambda: real_now() + feed.dt.timedelta(seconds=feed.MAX_SKEW - 60))
    assert _pull(ge, "AZ-SCS").received == 1  # GE's clock four minutes fast: fine
    record_seizure(az, "AZ-2025-8302", transport="rail")
    monkeypatch.setattr(feed, "now", lambda: real_now() - feed.dt.timedelta(seconds=feed.MAX_SKEW + 60))
    with pytest.raises(client.PartnerUnreachable, match="clock"):
        _pull(ge, "AZ-SCS")  # six minutes slow: refused, and GE is told why
    with ge.unit() as (session, scope):
        assert "clock" in (service.status(session, scope)[0].last_error or "")
    assert any("clock" in reason for reason in _refusal_reasons(az))
    monkeypatch.setattr(feed, "now", real_now)
    assert _pull(ge, "AZ-SCS").received == 1
