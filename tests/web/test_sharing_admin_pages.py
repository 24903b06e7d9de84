"""Partners, agreements and "Pull now" in the browser: what a liaison officer sees, and what an
analyst is refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.auth.service import add_user, create_token, scope_of
from astara.db.engine import transaction
from astara.db.models import Job
from astara.jobs.runner import Runner
from astara.runtime import Runtime
from astara.settings import Settings
from astara.sharing.keys import load_or_create
from astara.sharing.service import PULL_JOB, pull_job

EXAMPLE = Path(__file__).resolve().parents[2] / "src/astara/sharing/examples/az-ir-border-services.yaml"


def _register(client: TestClient, tmp_path: Path, **values: str) -> Any:
    partner_key = load_or_create(tmp_path / "partner").public_b64
    form = {"code": "IR-ANP", "name": "Anti-Narcotics Police", "url": "https://astara.anp.example",
            "key": partner_key, "csrf_token": "-", **values}  # fmt: skip
    return client.post("/partners", data=form)


def test_registering_a_partner_shows_its_fingerprint_to_confirm_by_voice(
    api_client: TestClient, tmp_path: Path
) -> None:
    page = _register(api_client, tmp_path)
    fingerprint = load_or_create(tmp_path / "partner").fingerprint
    assert page.status_code == 200 and page.url.path == "/partners"
    assert "IR-ANP is registered" in page.text and fingerprint in page.text
    assert "by telephone" in page.text
    assert fingerprint in api_client.get("/sharing").text


def test_a_bad_key_or_address_is_shown_at_its_field_with_the_values_kept(
    api_client: TestClient, tmp_path: Path
) -> None:
    page = _register(api_client, tmp_path, key="not a key!", url="ftp://anp.example")
    assert page.status_code == 422
    key_error = re.search(r'id="pe-key">(.*?)</span>', page.text, re.S)
    assert key_error and "not valid base64" in key_error.group(1)
    assert 'value="IR-ANP"' in page.text and "not a key!" in page.text
    assert "IR-ANP is registered" not in page.text and "No partner is registered yet." in page.text


def test_an_agreement_loads_and_a_bad_one_shows_the_field_in_error(api_client: TestClient) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    bad = text.replace("retention_days: 1825", "retention_days: forever")
    page = api_client.post("/agreements", data={"text": bad, "csrf_token": "-"})
    assert page.status_code == 422
    problems = re.search(r'id="agreement-problems">(.*?)</ul>', page.text, re.S)
    assert problems and "retention_days" in problems.group(1) and "valid integer" in problems.group(1)
    assert "retention_days: forever" in page.text  # the text is kept to correct
    broken = api_client.post("/agreements", data={"text": "code: [unclosed", "csrf_token": "-"})
    assert broken.status_code == 422 and "not valid YAML at line" in broken.text
    loaded = api_client.post("/agreements", data={"text": text, "csrf_token": "-"})
    assert loaded.status_code == 200 and "Agreement AZ-IR-BORDER-2024 is loaded." in loaded.text


def test_explain_says_why_a_record_is_not_shared(api_client: TestClient, tmp_path: Path) -> None:
    _register(api_client, tmp_path)
    api_client.post("/agreements", data={"text": EXAMPLE.read_text(encoding="utf-8"), "csrf_token": "-"})
    page = api_client.get("/agreements", params={"partner": "IR-ANP", "record": "nope"})
    assert page.status_code == 200 and "no record &#39;nope&#39;" in page.text


def test_pull_now_queues_a_job_and_its_page_follows_it_to_the_end(
    api_client: TestClient, tmp_path: Path, settings: Settings, engine: Engine
) -> None:
    _register(api_client, tmp_path)
    status = api_client.get("/sharing")
    assert "Pull now" in status.text and 'href="/partners"' in status.text
    started = api_client.post("/sharing/pull", data={"partner": "IR-ANP", "csrf_token": "-"})
    assert started.status_code == 200 and started.url.path.startswith("/jobs/")
    assert "Pull from IR-ANP" in started.text and "Waiting to start" in started.text
    assert 'http-equiv="refresh"' in started.text  # it refreshes itself while the job waits or runs
    again = api_client.post("/sharing/pull", data={"partner": "IR-ANP", "csrf_token": "-"})
    assert again.url.path == started.url.path  # one pull at a time per partner

    def empty_feed(*_: Any) -> dict[str, Any]:
        return {"entries": []}

    def work(w: Any, params: dict[str, Any]) -> dict[str, Any]:
        return pull_job(w, params, fetch=empty_feed)

    assert Runner(Runtime(settings), kinds={PULL_JOB: work}).run_once() == 1
    done = api_client.get(started.url.path)
    assert "Finished" in done.text and "Records received" in done.text
    assert 'http-equiv="refresh"' not in done.text
    assert api_client.get(f"/api/jobs/{started.url.path.rsplit('/', 1)[1]}").json()["status"] == "done"


def test_an_analyst_is_refused_the_pages_and_the_pull(
    api_client: TestClient, tmp_path: Path, engine: Engine, scope: Scope
) -> None:
    _register(api_client, tmp_path)
    with transaction(engine) as session:
        analyst = add_user(session, scope, "farid@az-scs", "analyst", None)
        session.flush()
        token = create_token(session, scope_of(session, analyst), "analyst")[1]
    client = TestClient(api_client.app, headers={"Authorization": f"Bearer {token}"})
    for path in ("/partners", "/agreements"):
        page = client.get(path)
        assert page.status_code == 403 and "this needs the role" in page.text and "<html" in page.text
    refused = client.post("/sharing/pull", data={"partner": "IR-ANP", "csrf_token": "-"})
    assert refused.status_code == 403 and "this needs the role" in refused.text
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0
