"""The runner thread of `astara serve` queues scheduled jobs as `astara jobs run` does: several
server processes and a jobs service together still queue and run a slot once; a bad schedule file
does not stop the server, which logs why it queues nothing."""

from __future__ import annotations

import logging
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import Job
from astara.jobs import schedule
from astara.jobs.runner import Runner, start_in_server
from astara.runtime import Runtime
from astara.settings import Settings
from astara.web.app import create_app

PURGE = '[[job]]\nname = "purge"\nkind = "sharing.purge"\nevery = "1d"\n'


def _jobs(engine: Engine) -> list[tuple[str, str, str]]:
    with transaction(engine) as session:
        return [(j.kind, j.status, j.params["schedule"]) for j in session.scalars(select(Job))]


def _until_finished(engine: Engine, count: int) -> list[tuple[str, str, str]]:
    deadline = time.monotonic() + 60  # a bound on a hung runner, not a measure of speed
    while time.monotonic() < deadline:
        found = _jobs(engine)
        if len(found) >= count and all(status in ("done", "failed") for _, status, _ in found):
            return found
        time.sleep(0.1)
    return _jobs(engine)


def test_three_server_runners_and_the_jobs_service_run_a_slot_once(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    (settings.data_dir / schedule.FILE_NAME).write_text(PURGE, encoding="utf-8")
    loaded = schedule.read(settings)
    queue = schedule.scheduler(engine, loaded.entries)
    servers = [start_in_server(Runtime(settings), schedule=queue) for _ in range(3)]
    try:
        service = Runner(Runtime(settings), schedule=queue)
        service.run_once()
        assert _until_finished(engine, 1) == [("sharing.purge", "done", "purge")]
        for server in servers:
            server.runner.run_once()  # another look in the same slot queues nothing
        assert len(_jobs(engine)) == 1
    finally:
        for server in servers:
            server.stop()


def test_the_server_queues_and_runs_the_schedule_while_it_serves(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    (settings.data_dir / schedule.FILE_NAME).write_text(PURGE, encoding="utf-8")
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert _until_finished(engine, 1) == [("sharing.purge", "done", "purge")]


def test_a_bad_schedule_file_leaves_the_server_serving_and_is_logged(
    settings: Settings, engine: Engine, scope: Scope, caplog: pytest.LogCaptureFixture
) -> None:
    (settings.data_dir / schedule.FILE_NAME).write_text(PURGE.replace('"1d"', '"daily"'), encoding="utf-8")
    with caplog.at_level(logging.ERROR), TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "alive"}
    assert any(
        "no scheduled jobs are queued" in r.getMessage() and "field 'every'" in r.getMessage()
        for r in caplog.records
    )
    assert _jobs(engine) == []


def test_an_entry_of_an_agency_that_does_not_exist_is_skipped_and_the_others_queued(
    settings: Settings, engine: Engine, scope: Scope, caplog: pytest.LogCaptureFixture
) -> None:
    text = PURGE + '[[job]]\nname = "elsewhere"\nkind = "sharing.purge"\nevery = "1d"\nagency = "XX-NONE"\n'
    (settings.data_dir / schedule.FILE_NAME).write_text(text, encoding="utf-8")
    entries = schedule.read(settings).entries
    with caplog.at_level(logging.ERROR):
        assert Runner(Runtime(settings), schedule=schedule.scheduler(engine, entries)).run_once() == 1
    assert _jobs(engine) == [("sharing.purge", "done", "purge")]
    assert any(
        "'elsewhere' not queued" in r.getMessage() and "XX-NONE" in r.getMessage() for r in caplog.records
    )
    with transaction(engine) as session:
        planned = {p.entry.name: p for p in schedule.plan(session, entries)}
    assert planned["elsewhere"].problem is not None and "XX-NONE" in planned["elsewhere"].problem
