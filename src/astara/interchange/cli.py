"""The interchange halves of ``astara export`` (``--layout ftm|stix|misp``) and ``astara import``
(``--mapping misp|ftm``); those commands hand over here. Needs the ``astara[interchange]`` extra."""

from __future__ import annotations

from pathlib import Path

import typer

from astara.cli import emit, runtime
from astara.errors import InvalidInput

INTERCHANGE_LAYOUTS = ("ftm", "stix", "misp")
INTERCHANGE_MAPPINGS = ("ftm", "misp")


def _needs_extra() -> None:
    try:
        import followthemoney  # noqa: F401
        import pymisp  # noqa: F401
        import stix2  # noqa: F401
    except ImportError as exc:
        raise InvalidInput(
            f"interchange formats need the astara[interchange] extra ({exc.name} is not installed): "
            "pip install 'astara[interchange]'"
        ) from exc


def export_interchange(file: Path, layout: str, where: list[str] | None, partner: str | None) -> None:
    if layout not in INTERCHANGE_LAYOUTS:
        raise InvalidInput(f"--partner applies to the interchange layouts ({', '.join(INTERCHANGE_LAYOUTS)})")
    _needs_extra()
    from astara.interchange.service import export

    with runtime().unit() as (session, scope):
        report = export(session, scope, file, layout, where=where, partner=partner)
    typer.echo(report.summary())


def import_interchange(file: Path, mapping: str, keep_valid: bool, dry_run: bool, fmt: str) -> None:
    if dry_run:
        raise InvalidInput(
            f"--dry-run is for spreadsheets; a {mapping} import is checked whole before it writes"
        )
    _needs_extra()
    from dataclasses import asdict

    from astara.interchange.service import run_import

    with runtime().unit() as (session, scope):
        report = run_import(session, scope, file, mapping, keep_valid=keep_valid)
    emit(asdict(report), fmt, report.summary())
