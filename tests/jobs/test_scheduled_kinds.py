"""The watch-list run and the identity resolution as scheduled jobs: queued from schedule.toml, run by
the runner with progress, a JSON result, and alerts or identities a user then finds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.jobs import schedule
from astara.jobs.runner import Runner
from astara.matching import repository, store, watch
from astara.runtime import Runtime
from astara.settings import Settings

NIGHT = dt.datetime(2026, 3, 2, 2, 5)
WATCH_AND_RESOLVE = """\
[[job]]
name = "watch-nightly"
kind = "matching.watch"
every = "1d"

[[job]]
name = "resolve-nightly"
kind = "matching.resolve"
every = "1d"
params = { kinds = ["person"] }
"""


def _run(settings: Settings, engine: Engine, text: str, at: dt.datetime) -> dict[str, Any]:
    """Queue the schedule's slots of ``at``, run them, and give each entry's last run by name."""
    (settings.data_dir / schedule.FILE_NAME).write_text(text, encoding="utf-8")
    entries = schedule.load(settings.data_dir / schedule.FILE_NAME, settings.agency)
    with transaction(engine) as session:
        schedule.queue_due(session, entries, at)
    Runner(Runtime(settings)).run_once()
    with transaction(engine) as session:
        return {p.entry.name: p.last for p in schedule.plan(session, entries, at)}


def test_a_watch_list_run_alerts_on_a_person_stored_before_the_entry_once(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    with transaction(engine) as session:
        store.create_entity(session, scope, "person", {"name": "Rauf Quliyev", "birth_date": "1970-01-01"})
        store.create_entity(session, scope, "person", {"name": "Davud Rzayev"})
        watch.create_list(session, scope, "border")
        watch.add_entry(
            session, scope, "border", "person", {"name": "Рауф Кулиев", "birth_date": "1970-01-01"}
        )
        assert watch.alerts(session, scope) == []  # adding an entry checks no entity already stored
    last = _run(settings, engine, WATCH_AND_RESOLVE, NIGHT)["watch-nightly"]
    assert last.status == "done"
    assert last.result == {"entries": 1, "alerts": 1, "alerts_person": 1}
    assert (last.progress_done, last.progress_total) == (1, 1)
    with transaction(engine) as session:
        alerts = watch.alerts(session, scope)
    assert [(a["origin"], a["list"]) for a in alerts] == [("run", "border")]
    assert "Rauf Quliyev" in alerts[0]["label"]

    again = _run(settings, engine, WATCH_AND_RESOLVE, NIGHT + dt.timedelta(days=1))["watch-nightly"]
    assert again.id != last.id and again.result == {"entries": 1, "alerts": 0}
    with transaction(engine) as session:
        assert len(watch.alerts(session, scope, status=None)) == 1


def test_a_watch_list_run_of_a_list_that_does_not_exist_fails_naming_it(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    text = '[[job]]\nname = "watch"\nkind = "matching.watch"\nevery = "1h"\nparams = { lists = ["gone"] }\n'
    last = _run(settings, engine, text, NIGHT)["watch"]
    assert last.status == "failed" and last.error == "no watch list 'gone'"


def test_the_resolution_run_restores_identities_the_incremental_path_missed(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    with transaction(engine) as session:
        for name in ("Rauf Quliyev", "Рауф Кулиев"):
            store.create_entity(session, scope, "person", {"name": name, "id_number": "C01234567"})
        assert [len(i.members) for i in repository.identities(session, scope, "person")] == [2]
        repository.delete_identities(session, scope, "person")  # as if a write had skipped it
    last = _run(settings, engine, WATCH_AND_RESOLVE, NIGHT)["resolve-nightly"]
    assert last.status == "done"
    assert last.result == {
        "identities": 1, "formed": 1, "undone": 0, "conflicts": 0, "identities_person": 1,
    }  # fmt: skip
    assert (last.progress_done, last.progress_total, last.progress_message) == (
        1, 1, "person identities resolved",
    )  # fmt: skip
    with transaction(engine) as session:
        assert [len(i.members) for i in repository.identities(session, scope, "person")] == [2]
