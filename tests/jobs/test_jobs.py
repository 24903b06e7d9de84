"""Jobs: queued once, claimed by exactly one runner, progress visible while they run, failures
told in words, a dead runner's job retried then failed, and each agency sees only its own."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import Job, utcnow
from astara.errors import InvalidInput, NotFound
from astara.jobs import repository, service
from astara.jobs.runner import INTERNAL, STALE_AFTER, Runner
from astara.jobs.service import Work
from astara.runtime import Runtime
from astara.settings import Settings


def _queue(engine: Engine, scope: Scope, params: dict[str, Any] | None = None) -> str:
    with transaction(engine) as session:
        return service.enqueue(session, scope, "sharing.pull", params or {"partner": "IR-ANP"}).id


def _job(engine: Engine, scope: Scope, job_id: str) -> Any:
    with transaction(engine) as session:
        return service.get_job(session, scope, job_id)


def _runner(settings: Settings, **kinds: Any) -> Runner:
    return Runner(Runtime(settings), kinds={"sharing.pull": kinds["work"]} if kinds else {})


def test_a_queued_job_is_waiting_with_an_unguessable_id(engine: Engine, scope: Scope) -> None:
    job = _job(engine, scope, _queue(engine, scope))
    assert (job.status, job.progress_done, job.created_by) == ("queued", 0, scope.user_id)
    assert len(job.id) >= 32 and job.id != _queue(engine, scope)
    with transaction(engine) as session, pytest.raises(InvalidInput, match="no job kind"):
        service.enqueue(session, scope, "mine.bitcoin", {})


def test_asking_twice_for_the_same_job_while_it_waits_queues_one(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        first = service.enqueue(session, scope, "sharing.pull", {"partner": "IR-ANP"}, once=True)
        again = service.enqueue(session, scope, "sharing.pull", {"partner": "IR-ANP"}, once=True)
        other = service.enqueue(session, scope, "sharing.pull", {"partner": "GE-RS"}, once=True)
    assert first.id == again.id != other.id


def test_two_concurrent_claimers_get_the_job_exactly_once(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    job_id = _queue(engine, scope)
    runners = [_runner(settings), _runner(settings)]
    start = threading.Barrier(2)
    won: list[Any] = []

    def claim(runner: Runner) -> None:
        start.wait()
        won.append(runner.claim_next())

    threads = [threading.Thread(target=claim, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [c for c in won if c is not None]
    assert len(won) == 2 and [c.job_id for c in claimed] == [job_id]
    assert runners[0].claim_next() is None and _job(engine, scope, job_id).status == "running"


def test_progress_is_visible_from_another_session_while_the_job_runs(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    reported, release = threading.Event(), threading.Event()

    def work(w: Work, params: dict[str, Any]) -> dict[str, Any]:
        with w.unit() as (_session, acting):
            assert acting.user_id == scope.user_id and acting.via == "job"
            w.progress(40, 100, "rows written")
            reported.set()
            release.wait(10)  # the job's own transaction is still open here
        return {"received": 3}

    job_id = _queue(engine, scope)
    runner = _runner(settings, work=work)
    thread = threading.Thread(target=runner.run_once)
    thread.start()
    try:
        assert reported.wait(10)
        seen = _job(engine, scope, job_id)
        assert (seen.status, seen.progress_done, seen.progress_total, seen.progress_message) == (
            "running", 40, 100, "rows written")  # fmt: skip
    finally:
        release.set()
        thread.join()
    done = _job(engine, scope, job_id)
    assert (done.status, done.result, done.error) == ("done", {"received": 3}, None)
    assert done.finished_at is not None


def test_a_failure_is_told_in_words_and_an_unexpected_one_as_internal_error(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    def refused(w: Work, params: dict[str, Any]) -> None:
        raise NotFound("IR-ANP is not a registered partner")

    first = _queue(engine, scope)
    _runner(settings, work=refused).run_once()
    assert (_job(engine, scope, first).status, _job(engine, scope, first).error) == (
        "failed", "IR-ANP is not a registered partner")  # fmt: skip

    def broken(w: Work, params: dict[str, Any]) -> None:
        raise KeyError("secret internals")

    second = _queue(engine, scope)
    _runner(settings, work=broken).run_once()
    failed = _job(engine, scope, second)
    assert failed.status == "failed" and failed.error == INTERNAL and "secret" not in (failed.error or "")


def test_a_dead_runners_job_is_run_again_then_failed(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    job_id = _queue(engine, scope)
    dead = _runner(settings)
    first = dead.claim_next()
    assert first is not None
    later = utcnow() + STALE_AFTER + dt.timedelta(seconds=1)
    assert dead.reap(later) == 1  # its heartbeat stopped: queued again
    assert _job(engine, scope, job_id).status == "queued"
    second = dead.claim_next()
    assert second is not None and second.token != first.token
    with transaction(engine) as session:  # the first runner wakes up: its token no longer holds the job
        assert not repository.write(session, job_id, first.token, status="done")
    assert dead.reap(later + STALE_AFTER * 2) == 1
    failed = _job(engine, scope, job_id)
    assert (failed.status, failed.attempts) == ("failed", 2)
    assert failed.error == "the worker running this job stopped; it was tried 2 times"


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    job_id = _queue(engine, scope)
    runner = _runner(settings)
    assert runner.claim_next() is not None
    assert runner.reap() == 0 and _job(engine, scope, job_id).status == "running"


def test_agency_b_cannot_see_agency_as_job(engine: Engine, scope: Scope, scope_b: Scope) -> None:
    job_id = _queue(engine, scope)
    with transaction(engine) as session:
        with pytest.raises(NotFound):
            service.get_job(session, scope_b, job_id)
        assert service.list_jobs(session, scope_b) == []
        assert [j.id for j in service.list_jobs(session, scope)] == [job_id]


def test_another_user_of_the_agency_sees_only_their_own_jobs(engine: Engine, scope: Scope) -> None:
    from astara.auth.service import add_user, scope_of

    job_id = _queue(engine, scope)
    with transaction(engine) as session:
        liaison = scope_of(session, add_user(session, scope, "leyla@az-scs", "liaison", None))
        with pytest.raises(NotFound):
            service.get_job(session, liaison, job_id)
        assert service.list_jobs(session, liaison) == []


def test_the_api_shows_the_job_to_its_owner_and_not_to_another_agency(
    api_client: TestClient, engine: Engine, scope: Scope, scope_b: Scope
) -> None:
    from astara.auth.service import create_token

    job_id = _queue(engine, scope)
    mine = api_client.get(f"/api/jobs/{job_id}")
    assert mine.status_code == 200 and mine.json()["status"] == "queued"
    with transaction(engine) as session:
        token = create_token(session, scope_b, "b")[1]
    other = api_client.get(f"/api/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 404 and "queued" not in other.text


def test_a_disabled_users_job_fails_rather_than_acting_for_them(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    from astara.db.models import User

    job_id = _queue(engine, scope)
    with transaction(engine) as session:
        session.execute(update(User).where(User.id == scope.user_id).values(active=False))
        session.execute(update(Job).where(Job.id == job_id).values(params={"partner": "IR-ANP"}))
    _runner(settings, work=lambda w, p: {}).run_once()
    with transaction(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "failed" and "disabled" in (job.error or "")
