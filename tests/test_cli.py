"""The ``astara`` command end to end: init, import, stats, seizures, export; errors map to exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astara.errors import AstaraError, ImportFailed, InvalidInput, NotFound
from astara.settings import Settings
from fixtures.cli import run_cli as run
from fixtures.make import ids_row, write_ids


@pytest.fixture
def astara(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings):  # type: ignore[no-untyped-def]
    return lambda *args: run(monkeypatch, capsys, *args)


def test_import_then_stats_answers_the_question(astara, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [ids_row(AMOUNT=str(i + 1)) for i in range(3)] + [ids_row(DEPARTURE_COUNTRY="", AMOUNT="9")]
    path = write_ids(tmp_path / "ids.csv", rows)
    code, out, _ = astara("init")
    assert code == 0 and "agency AZ-SCS" in out
    code, out, _ = astara("import", str(path), "--mapping", "unodc_ids")
    assert code == 0 and "events created" in out and "4" in out
    code, out, _ = astara(
        "stats",
        "--by",
        "departure_country",
        "--where",
        "country=AZ",
        "--where",
        "year=2016",
        "--format",
        "json",
    )
    result = json.loads(out)
    assert [(g["key"], g["events"], g["share"]) for g in result["groups"]] == [
        ("IR", 3, "3 of 4, 75.0 %"),
        (None, 1, "1 of 4, 25.0 %"),
    ]
    code, out, _ = astara("stats", "--by", "drug")
    assert code == 0 and "Heroin" in out and "total" in out
    code, out, _ = astara("seizures", "list", "--where", "departure_country=none", "--format", "json")
    page = json.loads(out)
    assert page["total"] == 1
    code, out, _ = astara("seizures", "show", page["items"][0]["id"])
    assert code == 0 and "Astarinskiy rayon KPP Astara" in out and "g × 0.001" in out
    code, out, _ = astara("export", str(tmp_path / "out.csv"), "--layout", "ids")
    assert code == 0 and "wrote 4 records" in out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("stats", "--by", "colour"), InvalidInput),
        (("seizures", "show", "nope"), NotFound),
        (("import", "{bad}", "--mapping", "unodc_ids"), ImportFailed),
        (("import", "missing.csv"), InvalidInput),
        (("import", "{bad}", "--mapping", "no-such-mapping"), NotFound),
    ],
)
def test_errors_have_distinct_exit_codes_and_messages(
    astara,
    tmp_path: Path,
    args: tuple[str, ...],  # type: ignore[no-untyped-def]
    error: type[AstaraError],
) -> None:
    bad = write_ids(tmp_path / "bad.csv", [ids_row(DRUG_NAME="Unobtainium")])
    astara("init")
    code, _out, err = astara(*(a.replace("{bad}", str(bad)) for a in args))
    assert code == error.exit_code
    assert err.startswith("error: ")
    if error is ImportFailed:
        assert "row 2" in err and "DRUG_NAME" in err and "Unobtainium" in err


@pytest.mark.parametrize(
    "args", [("--bogus",), ("import", "--bogus"), ("stats",), ("seizures", "show")], ids=str
)
def test_a_wrong_command_line_gets_a_usage_message_and_exit_code_2(
    astara,
    args: tuple[str, ...],  # type: ignore[no-untyped-def]
) -> None:
    code, _out, err = astara(*args)
    assert code == 2
    assert "Traceback" not in err and ("No such option" in err or "Missing" in err)


def test_the_command_tells_its_version(astara) -> None:  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    code, out, _err = astara("--version")
    assert (code, out.strip()) == (0, f"astara {version('astara')}")


def test_exit_codes_are_distinct() -> None:
    from astara import errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.AstaraError)]
    assert len({c.exit_code for c in classes}) == len(classes)


def test_uninitialised_store_says_run_init(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from astara.errors import StoreError

    monkeypatch.setenv("ASTARA_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    code, _, err = run(monkeypatch, capsys, "seizures", "list")
    assert code == StoreError.exit_code and "run `astara init`" in err


def test_settings_come_from_the_environment_and_bad_ones_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ASTARA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("astara_page_size", "20")  # the name in any case
    monkeypatch.setenv("ASTARA_AGENCY", "IR-ANP")
    settings = Settings.from_environment()
    assert (settings.data_dir, settings.page_size, settings.agency) == (tmp_path, 20, "IR-ANP")
    assert Settings(agency="AZ-SCS").agency == "AZ-SCS"  # what the caller passes wins
    monkeypatch.delenv("ASTARA_PORT", raising=False)  # (whatever the shell running the tests has)
    assert Settings().port == 8000  # unset: the default

    monkeypatch.setenv("ASTARA_PORT", "eighty")
    code, out, err = run(monkeypatch, capsys, "seizures", "list")
    assert (code, out) == (InvalidInput.exit_code, "")
    assert err.splitlines()[0] == "error: a setting in the environment is not valid"
    assert "variable ASTARA_PORT, reason Input should be a valid integer" in err and "Traceback" not in err

    monkeypatch.delenv("ASTARA_PORT")
    monkeypatch.setenv("ASTARA_ENVIRONMENT", "production")
    monkeypatch.setenv("ASTARA_SECRET_KEY", "change-me")
    code, _, err = run(monkeypatch, capsys, "seizures", "list")
    assert code == InvalidInput.exit_code and "variable ASTARA_SECRET_KEY" in err and "placeholder" in err


def test_the_command_collects_garbage_again_once_it_has_started(tmp_path: Path) -> None:
    """``astara`` starts with the cyclic garbage collector off (astara/__main__.py); the command
    that opens the store has it on again, with what start-up loaded frozen."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "ASTARA_DATA_DIR": str(tmp_path), "ASTARA_AGENCY": "AZ-SCS"}
    env.pop("ASTARA_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "astara", "init"], env=env, check=True, capture_output=True)
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('collector', gc.isenabled(), gc.get_freeze_count() > 0))\n"
        "sys.argv = ['astara', 'seizures', 'list']\n"
        "from astara.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["0 of 0", "collector True True"]
