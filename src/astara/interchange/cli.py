"""The interchange halves of ``astara export`` (``--layout ftm|stix|misp``) and ``astara import``
(``--mapping misp|ftm``); those commands hand over here. Needs the ``astara[interchange]`` extra."""

from __future__ import annotations

import importlib.util
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from astara.cli import emit, runtime
from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.interchange import service
else:
    service = deferred(
        "astara.interchange.service",
        "the store's modules load when a command runs, not when the help lists it",
    )

INTERCHANGE_LAYOUTS = ("ftm", "stix", "misp")
INTERCHANGE_MAPPINGS = ("ftm", "misp")


def _needs_extra() -> None:
    """The extra's libraries are installed (looked up, not loaded: the service loads them)."""
    for name in ("followthemoney", "pymisp", "stix2"):
        if importlib.util.find_spec(name) is None:
            raise InvalidInput(
                f"interchange formats need the astara[interchange] extra ({name} is not installed): "
                "pip install 'astara[interchange]'"
            )


def export_interchange(file: Path, layout: str, where: list[str] | None, partner: str | None) -> None:
    if layout not in INTERCHANGE_LAYOUTS:
        raise InvalidInput(f"--partner applies to the interchange layouts ({', '.join(INTERCHANGE_LAYOUTS)})")
    _needs_extra()

    with runtime().unit() as (session, scope):
        report = service.export(session, scope, file, layout, where=where, partner=partner)
    typer.echo(report.summary())


def import_interchange(file: Path, mapping: str, keep_valid: bool, dry_run: bool, fmt: str) -> None:
    if dry_run:
        raise InvalidInput(
            f"--dry-run is for spreadsheets; a {mapping} import is checked whole before it writes"
        )
    _needs_extra()

    with runtime().unit() as (session, scope):
        report = service.run_import(session, scope, file, mapping, keep_valid=keep_valid)
    emit(asdict(report), fmt, report.summary())
