"""`astara jobs run --once` queues and runs the schedule's jobs; `astara jobs schedule` then shows
each one's last outcome; a bad schedule file stops the runner with its line, no traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from astara.settings import Settings
from fixtures.cli import run_cli as run

SCHEDULE = '[[job]]\nname = "purge"\nkind = "sharing.purge"\nevery = "1d"\n'


def test_the_runner_queues_the_schedule_and_the_listing_shows_the_outcome(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    assert run(monkeypatch, capsys, "init")[0] == 0
    (cli_env.data_dir / "schedule.toml").write_text(SCHEDULE, encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, "jobs", "schedule")
    assert code == 0 and "purge" in out and "never run" in out
    assert run(monkeypatch, capsys, "jobs", "run", "--once")[1].strip() == "1 jobs run"
    assert run(monkeypatch, capsys, "jobs", "run", "--once")[1].strip() == "0 jobs run"
    code, out, _ = run(monkeypatch, capsys, "jobs", "schedule", "--format", "json")
    listed: list[dict[str, Any]] = json.loads(out)
    assert [(e["name"], e["last"]["status"], e["last"]["result"]["purged"]) for e in listed] == [
        ("purge", "done", 0)
    ]


def test_a_bad_schedule_stops_the_runner_naming_the_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    assert run(monkeypatch, capsys, "init")[0] == 0
    (cli_env.data_dir / "schedule.toml").write_text(SCHEDULE.replace('"1d"', '"daily"'), encoding="utf-8")
    code, out, err = run(monkeypatch, capsys, "jobs", "run", "--once")
    assert code != 0 and "line 4" in err and "'every'" in err and "Traceback" not in err
    assert "jobs run" not in out
