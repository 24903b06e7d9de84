"""Heavy questions off the request path: a slow answer is a job to poll (202), a known one is at once
(200), the CLI and the API print the same figures, and a job's answer stays its agency's."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.agencies.service import scope_for
from astara.analysis import questions
from astara.analysis.service import stats
from astara.auth.service import add_user, create_token, scope_of
from astara.db.engine import make_engine, transaction
from astara.errors import InvalidInput
from astara.jobs import pool
from astara.kit.cache import figures, store_of
from astara.settings import Settings
from fixtures.cli import run_cli
from fixtures.make import ids_row, import_file, write_ids


@pytest.fixture
def loaded(engine: Engine, scope: Scope, tmp_path: Path) -> Scope:
    rows = [ids_row(AMOUNT=str(10 + i), SEIZURE_DATE=f"2016-0{1 + i % 9}-05") for i in range(12)]
    rows += [ids_row(DRUG_NAME="Opium", DRUG_UNIT="Kilogram", AMOUNT="2", DEPARTURE_COUNTRY="Turkey")]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    return scope


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Every question's computation waits for this event: a question as slow as the test wants."""
    release = threading.Event()
    for kind, compute in list(questions.COMPUTE.items()):

        def slow(*args: Any, _compute: Any = compute) -> Any:
            release.wait(120)
            return _compute(*args)

        monkeypatch.setitem(questions.COMPUTE, kind, slow)
    yield release
    release.set()


def _impatient(settings: Settings, token: str) -> TestClient:
    """A client of an app that answers 202 at once for anything not already known."""
    from astara.web.app import create_app

    app = create_app(settings.model_copy(update={"question_wait_seconds": 0}))
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def _finished(client: TestClient, address: str) -> dict[str, Any]:
    """The job at ``address`` once it has ended (polled as a client would)."""
    for _ in range(2400):
        job: dict[str, Any] = client.get(address).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {address} did not end")


def _direct(engine: Engine, scope: Scope, by: str) -> dict[str, Any]:
    with transaction(engine) as session:
        return stats(session, scope, [by]).model_dump(mode="json")


def test_a_slow_question_answers_202_and_its_job_gives_the_direct_answer(
    settings: Settings, api_token: str, engine: Engine, loaded: Scope, held: threading.Event
) -> None:
    client = _impatient(settings, api_token)
    asked = client.get("/api/stats", params={"by": "drug"})
    assert asked.status_code == 202
    address = asked.json()["job"]
    assert asked.headers["location"] == address and address.startswith("/api/jobs/")
    assert client.get(address).json()["status"] in ("queued", "running")
    held.set()
    job = _finished(client, address)
    assert job["status"] == "done" and job["kind"] == "analysis.question"
    direct = _direct(engine, loaded, "drug")
    assert job["result"]["answer"] == direct
    again = client.get("/api/stats", params={"by": "drug"})  # known now: at once
    assert again.status_code == 200 and again.json() == direct


def test_a_known_answer_is_200_without_computing_again(
    api_client: TestClient, engine: Engine, loaded: Scope, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api_client.get("/api/stats", params={"by": "year", "where": ["drug=heroin"]})
    assert first.status_code == 200 and first.json() == _direct_where(engine, loaded)

    def must_not_run(*_args: Any) -> Any:
        raise AssertionError("a cached question was computed again")

    monkeypatch.setitem(questions.COMPUTE, "stats", must_not_run)
    second = api_client.get("/api/stats", params={"where": ["drug=heroin"], "by": "year", "sort": "events"})
    assert second.status_code == 200 and second.json() == first.json()


def _direct_where(engine: Engine, scope: Scope) -> dict[str, Any]:
    with transaction(engine) as session:
        return stats(session, scope, ["year"], ["drug=heroin"]).model_dump(mode="json")


def test_a_bad_question_is_refused_at_once_naming_the_field(api_client: TestClient, loaded: Scope) -> None:
    refused = api_client.get("/api/stats", params={"by": "colour"})
    assert refused.status_code == 422 and "colour" in refused.json()["error"]["message"]
    with pytest.raises(InvalidInput, match="sort"):
        questions.normalise("stats", {"by": ["drug"], "sort": "size"})


def test_the_same_question_asked_differently_is_one_cache_entry() -> None:
    one = questions.normalise("stats", {"by": ["drug"], "where": ["year=2016", "country=AZ"]})
    two = questions.normalise(
        "stats", {"where": ["country=AZ", "year=2016"], "by": ["drug"], "sort": "events"}
    )
    assert questions.key(one) == questions.key(two)
    assert questions.key(one) != questions.key(questions.normalise("stats", {"by": ["year"]}))


def test_another_agency_or_another_analyst_cannot_read_the_answer(
    settings: Settings, api_token: str, engine: Engine, loaded: Scope, scope_b: Scope, held: threading.Event
) -> None:
    client = _impatient(settings, api_token)
    address = client.get("/api/stats", params={"by": "drug"}).json()["job"]
    with transaction(engine) as session:
        foreign = create_token(session, scope_b, "b")[1]
        analyst = add_user(session, loaded, "farid@az-scs", "analyst", None)
        session.flush()
        colleague = create_token(session, scope_of(session, analyst), "c")[1]
    for token in (foreign, colleague):
        other = TestClient(client.app, headers={"Authorization": f"Bearer {token}"})
        refused = other.get(address)
        assert refused.status_code == 404 and "answer" not in refused.text
    held.set()
    assert _finished(client, address)["status"] == "done"
    for token in (foreign, colleague):
        other = TestClient(client.app, headers={"Authorization": f"Bearer {token}"})
        assert other.get(address).status_code == 404


def test_an_agency_may_have_only_so_many_questions_at_once(
    settings: Settings,
    api_token: str,
    loaded: Scope,
    held: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pool, "PER_AGENCY", 2)
    client = _impatient(settings, api_token)
    first = client.get("/api/stats", params={"by": "drug"})
    second = client.get("/api/trends")
    assert first.status_code == second.status_code == 202
    again = client.get("/api/stats", params={"by": "drug"})  # the same question: the same job, not a third
    assert again.status_code == 202 and again.json()["job"] == first.json()["job"]
    refused = client.get("/api/stats", params={"by": "year"})
    assert refused.status_code == 429
    message = refused.json()["error"]["message"]
    assert "AZ-SCS has reached its limit of 2 questions" in message and "ask again" in message
    held.set()
    for asked in (first, second):
        assert _finished(client, asked.json()["job"])["status"] == "done"
    assert client.get("/api/stats", params={"by": "year"}).status_code in (200, 202)  # room again


def test_the_dashboard_shows_its_progress_while_waiting_in_english_and_persian(
    settings: Settings, api_token: str, loaded: Scope, held: threading.Event
) -> None:
    client = _impatient(settings, api_token)
    english = client.get("/dashboard")
    assert english.status_code == 202
    assert "Working out the figures" in english.text and 'http-equiv="refresh"' in english.text
    assert "This page reloads itself" in english.text
    persian = client.get("/dashboard", headers={"Accept-Language": "fa"})
    assert persian.status_code == 202
    assert "در حال محاسبهٔ ارقام" in persian.text and 'dir="rtl"' in persian.text
    assert "Working out" not in persian.text
    jobs = [
        page.text.split('href="/jobs/')[1].split('"')[0] for page in (english, persian)
    ]  # the link to each job's own page
    held.set()
    for job_id in jobs:
        assert _finished(client, f"/api/jobs/{job_id}")["status"] == "done"
    shown = client.get("/dashboard")
    assert shown.status_code == 200 and "Working out the figures" not in shown.text
    assert client.get(f"/jobs/{jobs[0]}").status_code == 200  # the job's page, without the answer


def test_astara_stats_and_the_api_print_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings, tmp_path: Path
) -> None:
    rows = [ids_row(AMOUNT=str(i + 1)) for i in range(5)]
    rows += [ids_row(DRUG_NAME="Opium", DRUG_UNIT="Kilogram", AMOUNT="3")]
    path = write_ids(tmp_path / "ids.csv", rows)
    assert run_cli(monkeypatch, capsys, "init")[0] == 0
    assert run_cli(monkeypatch, capsys, "import", str(path), "--mapping", "unodc_ids")[0] == 0
    code, out, _ = run_cli(monkeypatch, capsys, "stats", "--by", "drug", "--format", "json")
    assert code == 0
    printed = json.loads(out)
    engine = make_engine(cli_env.effective_database_url)
    with transaction(engine) as session:
        scope = scope_for(session, "AZ-SCS", None)
        token = create_token(session, scope, "api")[1]
        figures.forget(store_of(session), scope.agency_id)  # the API works the answer out afresh
    from astara.web.app import create_app

    client = TestClient(create_app(cli_env.model_copy(update={"secret_key": "k" * 32})),
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    answered = client.get("/api/stats", params={"by": "drug"})
    engine.dispose()
    assert answered.status_code == 200
    assert answered.json() == printed
    assert [(g["key"], g["events"], g["kg"]) for g in printed["groups"]] == [
        ("heroin", 5, 0.015),
        ("opium", 1, 3.0),
    ]
