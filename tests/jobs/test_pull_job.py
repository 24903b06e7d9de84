"""A pull queued from the sharing page runs in the job runner against a partner (in-process here),
and the job's result says how many records arrived."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from astara.db.engine import transaction
from astara.db.models import SharingReceived
from astara.jobs import service as jobs
from astara.jobs.runner import Runner
from astara.runtime import Runtime
from astara.settings import Settings
from astara.sharing import service
from astara.sharing.service import PULL_JOB, pull_job
from sharing.conftest import Node, feed_of, link, make_node, receipts_to, record_seizure


@pytest.fixture
def linked(tmp_path: Path, database_url: str) -> Iterator[tuple[Node, Node]]:
    az = make_node(tmp_path / "az", "AZ-SCS", "State Customs Committee", "AZ", database_url)
    ir = make_node(tmp_path / "ir", "IR-ANP", "Anti-Narcotics Police", "IR")
    link(az, ir)
    yield az, ir
    az.engine.dispose()
    ir.engine.dispose()


def _settings(node: Node) -> Settings:
    url = node.engine.url.render_as_string(hide_password=False)
    return Settings(environment="test", data_dir=node.data_dir, database_url=url)


def test_a_pull_job_against_a_partner_completes_with_the_received_count(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    for n in range(3):
        record_seizure(ir, f"IR-{n}", validated=True)
    with az.unit() as (session, scope):
        queued = service.start_pull(session, scope, "IR-ANP")
    work = functools.partial(pull_job, fetch=feed_of(ir), post=receipts_to(ir))
    assert Runner(Runtime(_settings(az)), kinds={PULL_JOB: work}).run_once() == 1
    with az.unit() as (session, scope):
        job = jobs.get_job(session, scope, queued.id)
        status = {s.partner: s for s in service.status(session, scope)}["IR-ANP"]
    assert job.status == "done" and job.error is None
    assert job.result is not None and job.result["received"] == 3 and job.result["partner"] == "IR-ANP"
    assert job.progress_done == 3  # the progress told after each page
    assert status.received == 3 and status.last_success_at is not None
    with transaction(az.engine) as session:
        assert session.query(SharingReceived).count() == 3


def test_a_pull_of_an_unreachable_partner_fails_with_the_reason(linked: tuple[Node, Node]) -> None:
    az, _ = linked
    with az.unit() as (session, scope):
        queued = service.start_pull(session, scope, "IR-ANP")
    Runner(Runtime(_settings(az))).run_once()  # the real client: http://partner.test does not answer
    with az.unit() as (session, scope):
        job = jobs.get_job(session, scope, queued.id)
        status = {s.partner: s for s in service.status(session, scope)}["IR-ANP"]
    assert job.status == "failed" and "cannot reach http://partner.test" in (job.error or "")
    assert status.last_error == job.error
