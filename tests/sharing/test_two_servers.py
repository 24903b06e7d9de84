"""Two real Astara servers on loopback, each with its own SQLite database, syncing over HTTP.

AZ-SCS records a seizure through its REST API; IR-ANP pulls with ``astara sync pull``; a correction
and a retraction follow, and the retraction comes back as a signed receipt AZ-SCS can show.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from astara.auth.service import create_token
from astara.db.engine import transaction
from astara.db.models import SeizureEvent, SharingRefusal
from astara.sharing import outbox, service

from .conftest import TODAY, Node, make_node

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(node: Node) -> dict[str, str]:
    return {
        **os.environ,
        "ASTARA_ENVIRONMENT": "test",
        "ASTARA_DATA_DIR": str(node.data_dir),
        "ASTARA_DATABASE_URL": str(node.engine.url),
        "ASTARA_AGENCY": node.scope.agency_code,
        "ASTARA_LOG_LEVEL": "WARNING",
    }


def _http(
    method: str, url: str, token: str | None = None, body: Any = None, headers: dict[str, str] | None = None
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json",
        **({"Authorization": f"Bearer {token}"} if token else {}),
        **(headers or {}),
    })  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Node, str, Node, str]]:
    az = make_node(tmp_path / "az", "AZ-SCS", "State Customs Committee", "AZ")
    ir = make_node(tmp_path / "ir", "IR-ANP", "Anti-Narcotics Police", "IR")
    ports = {"az": _free_port(), "ir": _free_port()}
    urls = {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}
    procs = []
    for name, node in (("az", az), ("ir", ir)):
        cmd = [sys.executable, "-m", "uvicorn", "--factory", "astara.web.app:app_from_environment",
               "--host", "127.0.0.1", "--port", str(ports[name]), "--log-level", "warning"]  # fmt: skip
        procs.append(subprocess.Popen(cmd, env=_env(node), cwd=ROOT))
    try:
        for url in urls.values():
            for _ in range(200):
                try:
                    _http("GET", f"{url}/api/sharing/key")
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            else:
                pytest.fail(f"server {url} did not start")
        yield az, urls["az"], ir, urls["ir"]
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)


def _cli(node: Node, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "astara", *args], env=_env(node), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_two_servers_sync_a_record_a_correction_and_a_retraction(
    servers: tuple[Node, str, Node, str],
) -> None:
    az, az_url, ir, ir_url = servers
    example = ROOT / "src/astara/sharing/examples/az-ir-border-services.yaml"
    for node, other, url in ((az, ir, ir_url), (ir, az, az_url)):
        key = _http("GET", f"{url}/api/sharing/key")["public_key"]  # exchanged out of band in real life
        assert key == other.keys.public_b64
        done = _cli(node, "partner", "add", other.scope.agency_code, "--url", url, "--key", key)
        assert done.returncode == 0, done.stderr
        assert other.keys.fingerprint in done.stdout
        assert _cli(node, "agreement", "add", str(example)).returncode == 0
    with transaction(az.engine) as session:
        token = create_token(session, az.scope, "liaison")[1]
    created = _http("POST", f"{az_url}/api/seizures", token, {
        "reference": "AZ-2025-7001", "date": "2025-11-03", "place": "Astara", "country": "AZ",
        "departure_country": "IR", "transport": "truck", "notes": "source: informant K-7",
        "items": [{"drug": "heroin", "quantity": 260, "unit": "kg"}],
    })  # fmt: skip
    record_id = created["id"]

    pulled = _cli(ir, "sync", "pull", "AZ-SCS", "--format", "json")
    assert pulled.returncode == 0, pulled.stderr
    assert json.loads(pulled.stdout)["received"] == 1

    with transaction(az.engine) as session:  # a correction: 260 kg was 515 kg
        event = session.get(SeizureEvent, record_id)
        assert event is not None
        event.items[0].kg = 515.0
        event.refresh_totals()
        session.flush()
        outbox.record_changed(session, az.scope, [record_id], TODAY)
    assert json.loads(_cli(ir, "sync", "pull", "AZ-SCS", "--format", "json").stdout)["received"] == 1

    retracted = _http(
        "POST", f"{az_url}/api/sharing/records/{record_id}/retract", token, {"reason": "wrong crossing"}
    )
    assert retracted["partners"] == ["IR-ANP"]
    result = json.loads(_cli(ir, "sync", "pull", "AZ-SCS", "--format", "json").stdout)
    assert result["retracted"] == 1 and result["receipts_accepted"] == 1

    with transaction(ir.engine) as session:
        versions = service.show_received(session, ir.scope, "AZ-SCS", record_id)
    assert [v.version for v in versions] == [1, 2]
    assert all(v.retracted_at is not None and v.record == {} for v in versions)
    [status] = _http("GET", f"{az_url}/api/sharing/status", token)
    assert status["receipts_received"] == 1 and status["backlog"] == 0
    assert _cli(az, "audit", "verify").returncode == 0
    assert _cli(ir, "audit", "verify").returncode == 0


def test_a_server_refuses_and_logs_a_wrongly_signed_request(servers: tuple[Node, str, Node, str]) -> None:
    az, az_url, ir, _ = servers
    with transaction(az.engine) as session:
        service.add_partner(
            session, az.scope, service.PartnerIn(code="IR-ANP", url=None, key=ir.keys.public_b64)
        )
    from astara.sharing.feed import sign_request

    headers = sign_request(ir.keys, "GET", "/api/sharing/feed", "after=0&limit=10", "IR-ANP", "AZ-SCS")
    assert _http("GET", f"{az_url}/api/sharing/feed?after=0&limit=10", headers=headers)["entries"] == []
    headers["X-Astara-Signature"] = headers["X-Astara-Signature"][:-6] + "AAAAA="
    with pytest.raises(urllib.error.HTTPError) as caught:
        _http("GET", f"{az_url}/api/sharing/feed?after=0&limit=10", headers=headers)
    assert caught.value.code == 401
    with transaction(az.engine) as session:  # counted; the minute becomes one "refused" audit entry
        counts = list(session.scalars(select(SharingRefusal.count)))
    assert counts == [1]
