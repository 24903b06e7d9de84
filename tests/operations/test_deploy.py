"""The deploy/ examples: the systemd units pass ``systemd-analyze verify`` and run real commands, the
environment file sets only real settings, and the PostgreSQL set-up script makes a role and database."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import typer.main
from sqlalchemy import text
from sqlalchemy.engine import make_url

from astara import cli
from astara.db.engine import make_engine
from astara.settings import PREFIX, Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))
INSTALLED = "/opt/astara/.venv/bin/astara"


def _exec_starts() -> list[list[str]]:
    return [
        shlex.split(line.split("=", 1)[1])
        for unit in DEPLOY.glob("*.service")
        for line in unit.read_text().splitlines()
        if line.startswith("ExecStart=")
    ]


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    astara = Path(sys.executable).with_name("astara")
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(astara)))
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(p.name for p in tmp_path.iterdir())],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_the_units_run_astara_commands_that_exist() -> None:
    cli.register_commands()
    group = typer.main.get_command(cli.app)
    commands = group.commands  # type: ignore[attr-defined]
    starts = _exec_starts()
    assert len(starts) == 3
    for words in starts:
        assert words[0] == INSTALLED
        command = commands[words[1]]
        if getattr(command, "commands", None):
            assert words[2] in command.commands


def test_the_environment_example_sets_only_real_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    values = dict(
        line.split("=", 1)
        for line in (DEPLOY / "astara.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    fields = {PREFIX + name.upper() for name in Settings.model_fields}
    assert set(values) <= fields
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_environment()
    assert settings.environment == "production" and settings.log_format == "json"


def test_the_postgresql_script_makes_a_role_owning_its_database(postgres_url: str) -> None:
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    url = make_url(postgres_url)
    name = f"astara_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PGHOST": url.host or "127.0.0.1", "PGPORT": str(url.port or 5432),
           "PGUSER": url.username or "postgres", "PGDATABASE": url.database or "postgres"}  # fmt: skip
    admin = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        for _ in range(2):  # a second run changes nothing and does not fail
            done = subprocess.run(
                [str(DEPLOY / "postgresql-setup.sh"), name, name], env=env, capture_output=True, text=True,
                check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
        with admin.connect() as conn:
            autovacuum = conn.execute(text("SHOW autovacuum")).scalar()
        # the planner's statistics of typed and received records come from autovacuum alone
        assert ("autovacuum is off" in done.stderr) == (autovacuum == "off"), done.stderr
        with admin.connect() as conn:
            owner = conn.execute(
                text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :d"), {"d": name}
            ).scalar()
        assert owner == name
        refused = subprocess.run(
            [str(DEPLOY / "postgresql-setup.sh"), "Robert'); DROP", "x"], env=env, capture_output=True,
            text=True, check=False,
        )  # fmt: skip
        assert refused.returncode == 2 and "lower-case letters" in refused.stderr
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_the_proxy_example_passes_nginx_t(tmp_path: Path) -> None:
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed")
    config = tmp_path / "nginx.conf"
    body = (DEPLOY / "nginx-astara.conf").read_text().replace("/etc/ssl/astara/", f"{tmp_path}/")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=astara.example.org",
         "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        capture_output=True, check=True,
    )  # fmt: skip
    config.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n{body}\n}}\n")
    done = subprocess.run(["nginx", "-t", "-c", str(config)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_job_runner_stops_cleanly_when_systemd_stops_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    import signal

    from fixtures.cli import run_cli

    assert run_cli(monkeypatch, capsys, "init")[0] == 0
    runner = subprocess.Popen(
        [sys.executable, "-m", "astara", "jobs", "run", "--poll", "0.2"],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert runner.stderr is not None
        assert "running jobs" in runner.stderr.readline()
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=20) == 0
        assert "stopped" in runner.stderr.read()
    finally:
        runner.kill()
        runner.wait()
