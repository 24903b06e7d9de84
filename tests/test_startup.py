"""How ``astara`` starts: ``--version`` and ``--help`` load no heavy module, a command loads only its
own group, and the copy of the help is printed only while it is still what rendering gives."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer

from astara import cli
from astara.kit import help_cache

# (pydantic too is kept out of --version and --help, but Typer itself uses it to parse a command's options)
HEAVY = ("sqlalchemy", "astara.db.models", "pandas", "splink", "weasyprint", "duckdb")
# Runs the command as the ``astara`` script does, then lists the modules it loaded on stderr.
RUN = (
    "import json, sys\n"
    "from astara.__main__ import main\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
)


def _astara(*args: str, env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stderr.rpartition("MODULES ")[2]))
    return done.stdout, loaded


def _heavy(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY)


def test_version_prints_the_installed_version_without_loading_typer_or_the_store() -> None:
    out, loaded = _astara("--version")
    assert out == f"astara {version('astara')}\n"
    assert _heavy(loaded) == []
    assert not {"typer", "pydantic", "astara.settings"} & loaded


def test_help_loads_no_heavy_module_and_its_copy_prints_the_same_text() -> None:
    fresh = {"COLUMNS": str(random.randint(100, 10_000))}  # a width no copy was kept for: rendered first
    rendered, loaded = _astara("--help", env=fresh)
    assert "seizures" in rendered and "stats" in rendered and "match" in rendered
    assert "typer" in loaded and _heavy(loaded) == []  # every command's module, none of the store's
    assert "pydantic" not in loaded
    copied, loaded_again = _astara("--help", env=fresh)
    assert copied == rendered
    assert not {"typer", "pydantic"} & loaded_again and _heavy(loaded_again) == []


def test_a_groups_help_loads_only_that_groups_module() -> None:
    out, loaded = _astara("seizures", "--help", env={"COLUMNS": str(random.randint(100, 10_000))})
    assert "list" in out and "show" in out
    assert "astara.seizures.cli" in loaded
    assert not {"astara.sharing.cli", "astara.news.cli", "astara.matching.cli"} & loaded
    assert _heavy(loaded) == []


def test_the_copy_is_not_printed_once_a_file_it_was_made_from_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(help_cache, "FOLDER", tmp_path / "cache")
    source = tmp_path / "helpsource_startup.py"
    source.write_text('TEXT = "first help"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    import helpsource_startup  # type: ignore[import-not-found]

    help_cache.render_and_keep(["x", "--help"], lambda: print(helpsource_startup.TEXT))
    assert help_cache.print_cached(["x", "--help"])
    assert not help_cache.print_cached(["y", "--help"])  # other arguments: no copy
    source.write_text('TEXT = "the second help"\n')  # another size: the module has changed
    assert not help_cache.print_cached(["x", "--help"])
    monkeypatch.delitem(sys.modules, "helpsource_startup")
    assert capsys.readouterr().out == "first help\nfirst help\n"


def test_help_of_a_failed_command_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(help_cache, "FOLDER", tmp_path)

    def fails() -> None:
        print("no such command")
        raise SystemExit(2)

    with pytest.raises(SystemExit):
        help_cache.render_and_keep(["nope", "--help"], fails)
    assert not help_cache.print_cached(["nope", "--help"])


@pytest.mark.parametrize("module", cli.MODULES)
def test_the_table_of_commands_names_what_each_module_registers(module: str) -> None:
    from importlib import import_module

    app = typer.Typer()
    import_module(f"astara.{module}.cli").register(app)
    group = typer.main.get_group(app)
    assert set(group.commands) == {name for name, owner in cli.COMMANDS.items() if owner == module}
