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


def test_the_listing_refuses_a_bad_entry_naming_it_and_its_field(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    assert run(monkeypatch, capsys, "init")[0] == 0
    bad = SCHEDULE.replace('"sharing.purge"', '"matching.watchlist"')
    (cli_env.data_dir / "schedule.toml").write_text(bad, encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, "jobs", "schedule")
    assert code != 0 and "line 3: job 1 'purge', field 'kind': no job kind 'matching.watchlist'" in err
    assert "matching.watch," in err and "Traceback" not in err


def test_the_listing_says_why_an_entry_cannot_be_queued(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    assert run(monkeypatch, capsys, "init")[0] == 0
    elsewhere = SCHEDULE + '[[job]]\nname = "backup"\nkind = "operations.backup"\nevery = "1d"\n'
    elsewhere += 'params = { folder = "/var/backups/astara" }\nuser = "nobody"\n'
    (cli_env.data_dir / "schedule.toml").write_text(elsewhere, encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, "jobs", "schedule")
    assert code == 0
    assert "backup" in out and "cannot be queued: user 'nobody'" in out and "does not exist" in out
