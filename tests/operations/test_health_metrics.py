"""/healthz, /readyz and /metrics: a status for anyone, details and figures for the right tokens;
and JSON logs carrying the request's id."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.agencies.service import scope_for
from astara.auth.service import add_user, create_token
from astara.db.engine import transaction
from astara.settings import Settings
from astara.sharing import service as sharing
from astara.sharing.keys import key_dir, load_or_create
from astara.sharing.schemas import PartnerIn
from astara.web.app import create_app


def _bearer(engine: Engine, scope: Scope, role: str) -> dict[str, str]:
    with transaction(engine) as session:
        admin = scope_for(session, scope.agency_code, None)
        acting = admin
        if role != "administrator":
            name = f"{role}@{scope.agency_code.lower()}"
            add_user(session, admin, name, role, None)
            acting = scope_for(session, scope.agency_code, name)
        return {"Authorization": f"Bearer {create_token(session, acting, role)[1]}"}


@pytest.fixture
def client(settings: Settings) -> TestClient:
    load_or_create(settings.data_dir)
    return TestClient(create_app(settings))


def test_health_answers_anyone_and_readiness_details_only_an_administrator(
    client: TestClient, engine: Engine, scope: Scope
) -> None:
    assert client.get("/healthz").json() == {"status": "alive"}
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json() == {"status": "ready"}
    assert client.get("/readyz", headers=_bearer(engine, scope, "supervisor")).json() == {"status": "ready"}
    checks = client.get("/readyz", headers=_bearer(engine, scope, "administrator")).json()["checks"]
    assert checks["store"]["ok"] and checks["schema"]["ok"] and checks["keys"]["ok"]
    assert (
        checks["keys"]["fingerprint"]
        == load_or_create(client.app.state.runtime.settings.data_dir).fingerprint
    )  # type: ignore[attr-defined]


def test_readiness_fails_without_the_instance_key_or_with_an_old_schema(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    from astara.db.migrate import stamp

    client = TestClient(create_app(settings))
    admin = _bearer(engine, scope, "administrator")
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json() == {"status": "not ready"}
    checks = client.get("/readyz", headers=admin).json()["checks"]
    assert checks["keys"] == {"ok": False, "reason": f"no instance key in {key_dir(settings.data_dir)}"}
    load_or_create(settings.data_dir)
    stamp(engine, "0012")
    answer = client.get("/readyz", headers=admin)
    assert answer.status_code == 503
    assert "run `astara db upgrade`" in answer.json()["checks"]["schema"]["reason"]


def test_metrics_answer_only_a_supervisor_or_administrator_token(
    client: TestClient, engine: Engine, scope: Scope
) -> None:
    with transaction(engine) as session:
        admin = scope_for(session, scope.agency_code, None)
        key = load_or_create(client.app.state.runtime.settings.data_dir / "other").public_b64  # type: ignore[attr-defined]
        sharing.add_partner(session, admin, PartnerIn(code="IR-ANP", key=key, name="Partner"))
    assert client.get("/metrics").status_code == 401
    assert "IR-ANP" not in client.get("/metrics").text
    assert client.get("/metrics", headers={"Authorization": "Bearer astara_nonsense"}).status_code == 401
    assert client.get("/metrics", headers=_bearer(engine, scope, "analyst")).status_code == 403
    client.get("/api/seizures", headers=_bearer(engine, scope, "liaison"))
    answer = client.get("/metrics", headers=_bearer(engine, scope, "supervisor"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert 'astara_http_requests_total{method="GET",route="/api/seizures",status="200"} 1.0' in text
    assert 'astara_http_requests_total{method="GET",route="/metrics",status="403"} 1.0' in text
    assert (
        'astara_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/seizures"}' in text
    )
    assert 'astara_partner_backlog{partner="IR-ANP"} 0.0' in text
    assert "astara_audit_entries " in text and "astara_seizure_events 0.0" in text


def test_json_logs_carry_the_request_id(
    settings: Settings, engine: Engine, scope: Scope, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    try:
        client = TestClient(create_app(settings.model_copy(update={"log_format": "json"})))
        answer = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a"})
        assert answer.headers["x-request-id"] == "lb-7f3a"
        made = client.get("/healthz", headers={"X-Request-ID": "two words <b>"})
        assert made.headers["x-request-id"] != "two words <b>" and len(made.headers["x-request-id"]) == 32
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
        access = [line for line in lines if line["logger"] == "astara.access"]
        assert access[0]["request_id"] == "lb-7f3a"
        assert (access[0]["route"], access[0]["status"]) == ("/healthz", 200)
        assert access[1]["request_id"] == made.headers["x-request-id"]
    finally:
        root.handlers, root.level = kept[0], kept[1]


def test_readiness_details_give_each_jobs_last_run_and_outcome(
    client: TestClient, engine: Engine, scope: Scope, scope_b: Scope
) -> None:
    import datetime as dt

    from astara.db.models import Job

    at = dt.datetime(2026, 1, 15, 2, 30)
    with transaction(engine) as session:
        session.add_all([
            Job(id="a1", agency_id=scope.agency_id, kind="sharing.pull", status="done", finished_at=at),
            Job(id="a2", agency_id=scope.agency_id, kind="sharing.pull", status="failed",
                error="IR-ANP did not answer", finished_at=at + dt.timedelta(hours=1)),
            Job(id="a3", agency_id=scope.agency_id, kind="sharing.pull", status="queued"),
            Job(id="b1", agency_id=scope_b.agency_id, kind="imports.run", status="done", finished_at=at),
        ])  # fmt: skip
    jobs = client.get("/readyz", headers=_bearer(engine, scope, "administrator")).json()["jobs"]
    assert jobs == {
        "sharing.pull": {
            "last_status": "failed", "finished_at": "2026-01-15T03:30:00", "error": "IR-ANP did not answer",
            "queued": 1,
        }
    }  # fmt: skip


def test_readiness_details_give_each_scheduled_jobs_last_run_and_next_run(
    client: TestClient, settings: Settings, engine: Engine, scope: Scope
) -> None:
    from astara.jobs import schedule
    from astara.jobs.runner import Runner
    from astara.runtime import Runtime

    text = (
        '[[job]]\nname = "pull-ir"\nkind = "sharing.pull"\nevery = "15m"\nparams = { partner = "IR-ANP" }\n'
        '[[job]]\nname = "watch"\nkind = "matching.watch"\nevery = "1d"\n'
    )
    (settings.data_dir / schedule.FILE_NAME).write_text(text, encoding="utf-8")
    entries = schedule.read(settings).entries
    Runner(Runtime(settings), schedule=schedule.scheduler(engine, entries)).run_once()
    admin = client.get("/readyz", headers=_bearer(engine, scope, "administrator")).json()
    listed = {e["name"]: e for e in admin["schedule"]["entries"]}
    assert admin["schedule"]["problem"] is None
    assert listed["pull-ir"]["last"]["status"] == "failed"
    assert "IR-ANP is not a registered partner" in listed["pull-ir"]["last"]["error"]
    assert listed["watch"]["last"]["result"] == {"entries": 0, "alerts": 0}
    assert listed["watch"]["next_at"].endswith("T00:00:00Z")
    for headers in ({}, _bearer(engine, scope, "supervisor")):
        assert client.get("/readyz", headers=headers).json() == {"status": "ready"}

    (settings.data_dir / schedule.FILE_NAME).write_text(text.replace('"1d"', '"nightly"'), encoding="utf-8")
    answer = client.get("/readyz", headers=_bearer(engine, scope, "administrator"))
    assert answer.status_code == 200 and answer.json()["schedule"]["entries"] == []
    assert "job 2 'watch', field 'every'" in answer.json()["schedule"]["problem"]
