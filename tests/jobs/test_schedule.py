"""Scheduled jobs: one job per slot however many schedulers run, a missed run caught up once at the
next start, each entry's last run and next run readable, and a bad schedule file refused whole,
naming its line and field."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import Job
from astara.errors import InvalidInput
from astara.jobs import schedule
from astara.jobs.runner import Runner
from astara.runtime import Runtime
from astara.settings import Settings

MORNING = dt.datetime(2026, 3, 2, 9, 7)  # in the 09:00-09:15 slot of a 15-minute entry

TWO_JOBS = """\
# nightly retention purge and a pull every quarter of an hour
[[job]]
name = "purge"
kind = "sharing.purge"
every = "1d"

[[job]]
name = "pull-ir"
kind = "sharing.pull"
every = "15m"
params = { partner = "IR-ANP" }
"""


def _load(tmp_path: Path, text: str) -> list[schedule.Entry]:
    path = tmp_path / schedule.FILE_NAME
    path.write_text(text, encoding="utf-8")
    return schedule.load(path, "AZ-SCS")


def _queue(engine: Engine, entries: list[schedule.Entry], at: dt.datetime) -> list[str]:
    with transaction(engine) as session:
        return schedule.queue_due(session, entries, at)


def _jobs(engine: Engine) -> list[Job]:
    with transaction(engine) as session:
        rows = list(session.scalars(select(Job).order_by(Job.created_at, Job.kind)))
        session.expunge_all()
        return rows


def test_each_slot_is_queued_once_and_the_next_slot_again(
    tmp_path: Path, engine: Engine, scope: Scope
) -> None:
    entries = _load(tmp_path, TWO_JOBS)
    assert len(_queue(engine, entries, MORNING)) == 2
    assert _queue(engine, entries, MORNING + dt.timedelta(minutes=7)) == []  # still 09:00-09:15
    later = _queue(engine, entries, dt.datetime(2026, 3, 2, 9, 15))
    assert len(later) == 1  # the pull's next slot; the purge's day is not over
    jobs = _jobs(engine)
    assert sorted((j.kind, j.params["schedule"]) for j in jobs) == [
        ("sharing.pull", "pull-ir"),
        ("sharing.pull", "pull-ir"),
        ("sharing.purge", "purge"),
    ]
    assert all(j.status == "queued" and j.agency_id == scope.agency_id for j in jobs)
    assert {j.params["partner"] for j in jobs if j.kind == "sharing.pull"} == {"IR-ANP"}


def test_two_schedulers_at_once_queue_a_slot_once(tmp_path: Path, engine: Engine, scope: Scope) -> None:
    entries = _load(tmp_path, TWO_JOBS)
    start = threading.Barrier(4)
    queued: list[list[str]] = []

    def scheduler() -> None:
        start.wait()
        queued.append(_queue(engine, entries, MORNING))

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(queued) == 4 and sum(len(q) for q in queued) == 2
    assert len(_jobs(engine)) == 2


def test_runs_missed_while_the_scheduler_was_down_are_run_once(
    tmp_path: Path, settings: Settings, engine: Engine, scope: Scope
) -> None:
    entries = _load(tmp_path, TWO_JOBS)
    at = [MORNING]

    def queue_due() -> None:
        _queue(engine, entries, at[0])

    runner = Runner(Runtime(settings), schedule=queue_due)
    assert runner.run_once() == 2  # the purge is done; the pull fails: IR-ANP is no partner here
    at[0] = MORNING + dt.timedelta(hours=3)  # twelve pull slots and no purge slot went by unrun
    assert runner.run_once() == 1
    assert runner.run_once() == 0  # a second look in the same slot queues nothing
    pulls = [j for j in _jobs(engine) if j.kind == "sharing.pull"]
    assert len(pulls) == 2 and {j.status for j in pulls} == {"failed"}
    assert "IR-ANP" in (pulls[-1].error or "")

    with transaction(engine) as session:
        planned = {p.entry.name: p for p in schedule.plan(session, entries, at[0])}
    assert planned["purge"].last is not None and planned["purge"].last.status == "done"
    assert planned["purge"].next_at == dt.datetime(2026, 3, 3)
    assert planned["pull-ir"].next_at == dt.datetime(2026, 3, 2, 12, 15)
    assert planned["pull-ir"].as_dict()["last"]["status"] == "failed"


def test_an_entry_never_run_is_due_now(tmp_path: Path, engine: Engine, scope: Scope) -> None:
    entries = _load(tmp_path, TWO_JOBS)
    with transaction(engine) as session:
        planned = schedule.plan(session, entries, MORNING)
    assert [(p.last, p.next_at) for p in planned] == [(None, MORNING), (None, MORNING)]


def test_no_schedule_file_schedules_nothing(tmp_path: Path) -> None:
    assert schedule.load(tmp_path / schedule.FILE_NAME, "AZ-SCS") == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('every = "15m"', 'every = "15x"'),
            r"line 10: job 2 'pull-ir', field 'every': '15x' is not a period",
        ),
        (('every = "1d"', 'every = "30s"'), r"line 5: job 1 'purge', field 'every'"),
        (
            ('kind = "sharing.purge"', 'kind = "imports.run"'),
            r"line 4: job 1 'purge', field 'kind': an import",
        ),
        (('kind = "sharing.purge"', 'kind = "mine.bitcoin"'), r"line 4: .*no job kind 'mine.bitcoin'"),
        (('params = { partner = "IR-ANP" }', "params = { }"), r"line 11: .*needs params.partner"),
        (('name = "pull-ir"', 'name = "purge"'), r"line 8: job name 'purge' is used twice"),
        (('name = "pull-ir"', 'name = "Pull IR"'), r"line 8: job 2 'Pull IR', field 'name'"),
        (
            ('every = "1d"', 'every = "1d"\nevry = "2d"'),
            r"line 6: job 1 'purge', field 'evry': unknown field",
        ),
        (('[[job]]\nname = "purge"', '[[jobs]]\nname = "purge"'), r"line 2: unknown table 'jobs'"),
        (('every = "1d"', "every = 1d"), r"not valid TOML: .*line 5"),
    ],
)
def test_a_bad_schedule_file_is_refused_naming_line_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        _load(tmp_path, TWO_JOBS.replace(*change, 1))


def test_the_deploy_example_is_a_valid_schedule(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "deploy" / "schedule.toml.example"
    entries = schedule.load(example, "AZ-SCS")
    assert [(e.kind, e.seconds) for e in entries] == [
        ("sharing.pull", 900), ("sharing.purge", 86400), ("matching.watch", 6 * 3600),
        ("matching.resolve", 86400),
    ]  # fmt: skip
    commented = example.read_text(encoding="utf-8").split("# [[job]]", 1)[1]
    backup = "[[job]]" + "\n".join(line.removeprefix("# ") for line in commented.splitlines())
    assert [e.params for e in _load(tmp_path, backup)] == [{"folder": "/var/backups/astara", "keep": 14}]


BACKUP_KIND_AND_PARAMS = (
    'kind = "operations.backup"\nevery = "1d"\nparams = { folder = "/var/backups/astara", keep = 7 }'
)
BACKUP = f'[[job]]\nname = "nightly-backup"\n{BACKUP_KIND_AND_PARAMS}\n'


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("keep = 7", "keep = 0"), r"line 5: job 1 'nightly-backup', field 'params.keep': 0 is not"),
        (("keep = 7", 'keep = "7"'), r"field 'params.keep': '7' is not a whole number"),
        (('"/var/backups/astara"', '"backups"'), r"field 'params.folder': 'backups' is not an absolute"),
        (('folder = "/var/backups/astara", ', ""), r"field 'params.folder': .*needs params.folder"),
        (("keep = 7", "keep = 7, encrypt = 1"), r"field 'params.encrypt': 1 is not true or false"),
        (
            ("keep = 7", "keep = 7, rotate = 3"),
            r"field 'params.rotate': .*no parameter 'rotate'; .*encrypt, folder, keep",
        ),
        (("keep = 7", "keep = 7, slot = 3"), r"field 'params.slot': .*no parameter 'slot'"),
        (
            ('kind = "operations.backup"', 'kind = "matching.resolve"'),
            r"field 'params.folder': .*no parameter",
        ),
        (
            (
                BACKUP_KIND_AND_PARAMS,
                'kind = "matching.resolve"\nevery = "1d"\nparams = { kinds = ["ship"] }',
            ),
            r"line 5: job 1 'nightly-backup', field 'params.kinds': \['ship'\] is not a list of person",
        ),
        (
            (
                BACKUP_KIND_AND_PARAMS,
                'kind = "matching.watch"\nevery = "1d"\nparams = { lists = "border" }',
            ),
            r"field 'params.lists': 'border' is not a list of names",
        ),
    ],
)
def test_each_kinds_parameters_are_checked_naming_the_entry_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        _load(tmp_path, BACKUP.replace(*change, 1))


def test_the_new_kinds_load_with_their_parameters(tmp_path: Path) -> None:
    text = BACKUP + '[[job]]\nname = "watch"\nkind = "matching.watch"\nevery = "6h"\n'
    text += '[[job]]\nname = "resolve"\nkind = "matching.resolve"\nevery = "1d"\n'
    text += 'params = { kinds = ["person"] }\n'
    entries = _load(tmp_path, text)
    assert [(e.kind, e.seconds, e.params) for e in entries] == [
        ("operations.backup", 86400, {"folder": "/var/backups/astara", "keep": 7}),
        ("matching.watch", 6 * 3600, {}),
        ("matching.resolve", 86400, {"kinds": ["person"]}),
    ]


def test_the_schedule_knows_the_entity_kinds_of_matching() -> None:
    from astara.matching.keys import KINDS

    assert tuple(KINDS) == schedule.ENTITY_KINDS


def test_an_entry_at_a_time_of_day_runs_once_a_day_from_that_time(
    tmp_path: Path, engine: Engine, scope: Scope
) -> None:
    entries = _load(tmp_path, '[[job]]\nname = "purge"\nkind = "sharing.purge"\nevery = "1d"\nat = "02:30"\n')
    assert entries[0].at == "02:30"
    assert _queue(engine, entries, dt.datetime(2026, 3, 2, 1, 0)) != []  # the slot from 1 March 02:30
    assert _queue(engine, entries, dt.datetime(2026, 3, 2, 2, 29)) == []
    assert _queue(engine, entries, dt.datetime(2026, 3, 2, 2, 30)) != []
    with transaction(engine) as session:
        (planned,) = schedule.plan(session, entries, dt.datetime(2026, 3, 2, 9, 0))
    assert planned.next_at == dt.datetime(2026, 3, 3, 2, 30)
    assert planned.as_dict()["at"] == "02:30"


@pytest.mark.parametrize("at", ['"24:00"', '"2:30pm"', '"07:60"', "230"])
def test_a_time_of_day_outside_the_period_is_refused(tmp_path: Path, at: str) -> None:
    text = f'[[job]]\nname = "purge"\nkind = "sharing.purge"\nevery = "1d"\nat = {at}\n'
    with pytest.raises(InvalidInput, match=r"line 5: job 1 'purge', field 'at': .* is not a time HH:MM"):
        _load(tmp_path, text)
    with pytest.raises(InvalidInput, match=r"field 'at': '01:00' is not a time HH:MM \(UTC\) within .* 1h"):
        _load(tmp_path, text.replace(f"at = {at}", 'at = "01:00"').replace('"1d"', '"1h"'))
