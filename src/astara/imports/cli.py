"""``astara import`` and ``astara mappings``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import emit, runtime
from astara.interchange.cli import INTERCHANGE_MAPPINGS, import_interchange
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara import settings as settings_module
    from astara.imports import mapping as mappings
    from astara.imports import schemas, service, spawn
else:
    _WHY = "the store's modules load when a command runs, not when the help lists it"
    mappings = deferred("astara.imports.mapping", _WHY)
    schemas = deferred("astara.imports.schemas", _WHY)
    service = deferred("astara.imports.service", "loaded while a large file's worker reads ahead")
    spawn = deferred("astara.imports.spawn", _WHY)
    settings_module = deferred("astara.settings", _WHY)


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX, ODS, or a ZIP holding one of them.")],
    mapping: Annotated[
        str, typer.Option(help="Built-in mapping (astara, unodc_ids), a YAML file, or misp / ftm (JSON).")
    ] = "astara",
    keep_valid: Annotated[bool, typer.Option(help="Store the valid rows even when some are bad.")] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Write bad rows with their reasons to this CSV.")
    ] = None,
    duplicates: Annotated[
        str, typer.Option(help="merge: identical rows are one event; keep: one event per row.")
    ] = "merge",
    dry_run: Annotated[bool, typer.Option(help="Check everything, write nothing.")] = False,
    encoding: Annotated[str, typer.Option(help="Text encoding of a CSV file.")] = "utf-8-sig",
    delimiter: Annotated[
        str | None, typer.Option(help="CSV separator (default: the mapping's, or sniffed).")
    ] = None,
    member: Annotated[str | None, typer.Option(help="File inside a ZIP holding several.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Import seizures from a spreadsheet: all rows or none, unless --keep-valid."""
    if mapping in INTERCHANGE_MAPPINGS:
        import_interchange(file, mapping, keep_valid, dry_run, fmt)
        return

    settings = settings_module.Settings.from_environment()
    options = schemas.ImportOptions(
        mapping=mapping,
        keep_valid=keep_valid,
        rejects_path=rejects,
        duplicates=duplicates,
        dry_run=dry_run,
        encoding=encoding,
        delimiter=delimiter,
        member=member,
        limit_bytes=settings.max_import_mb * 1_000_000,
        limits=settings.read_limits(),
    )
    # A large file's worker starts now and reads ahead while this process loads the importer.
    spawn.start_early(file, options)

    rt = runtime()
    with rt.unit() as (session, scope):
        report = service.run_import(session, scope, file, options, may_hold_store=True)
    text = report.summary()
    if report.errors:
        text += "\n  first problems:\n" + "\n".join(
            f"    row {e['row']}, column {e['column']}: {e['reason']}" for e in report.errors[:20]
        )
    emit(report.model_dump(mode="json"), fmt, text)


mappings_app = typer.Typer(help="Column mappings for spreadsheet import.", no_args_is_help=True)


@mappings_app.command("list")
def mappings_list() -> None:
    """List the built-in mappings."""
    for m in mappings.builtin_mappings().values():
        typer.echo(f"{m.name:<12} {m.title}")


@mappings_app.command("show")
def mappings_show(name: str) -> None:
    """Show which column feeds which field."""
    m = mappings.get_mapping(name)
    typer.echo(f"{m.name}: {m.title}\n{m.description.strip()}\n")
    for field, cols in m.fields.items():
        flag = " (required)" if field in m.required else ""
        typer.echo(f"  {field:<24} <- {' | '.join(cols)}{flag}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)
    app.add_typer(mappings_app, name="mappings")
