"""Docs that cannot drift: every setting and every command is in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from astara import cli
from astara.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [
        f"ASTARA_{name.upper()}" for name in Settings.model_fields if f"ASTARA_{name.upper()}" not in README
    ]
    assert missing == []


def test_every_command_is_documented() -> None:
    cli.register_commands()
    group = typer.main.get_command(cli.app)
    names = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        names += [f"astara {name} {sub}" for sub in subcommands] if subcommands else [f"astara {name}"]
    missing = [n for n in names if n not in README]
    assert missing == []


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split("#")[0].strip() for line in first_block] == ["./dev demo", "./dev test"]
