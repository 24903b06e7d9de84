"""``astara match``: compare records across scripts (``pairs``; the store commands are in ``store_cli``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.errors import InvalidInput
from astara.kit.deferred import deferred
from astara.matching import identities_cli, linkage_cli, store_cli

if TYPE_CHECKING:
    from astara.matching import service
else:
    service = deferred(
        "astara.matching.service", "the matcher loads when a command runs, not when the help lists it"
    )

match_app = typer.Typer(
    no_args_is_help=True, help="Match persons, vehicles and organizations across scripts."
)


@match_app.command("pairs")
def pairs_command(
    jsonl: Annotated[str, typer.Option("--jsonl", help='JSONL of {"id","kind","a","b"} pairs; - for stdin.')],
) -> None:
    """Decide each pair: prints {"id","match","score","explanation"} per line."""

    if jsonl == "-":
        stream = sys.stdin
    else:
        path = Path(jsonl)
        if not path.is_file():
            raise InvalidInput(f"no such file: {jsonl}")
        stream = path.open(encoding="utf-8")
    with stream:
        for row in service.match_pairs(stream):
            typer.echo(json.dumps(row, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(match_app, name="match")
    store_cli.register(match_app)  # query, reindex, judgements, watch lists, alerts
    linkage_cli.register(app)  # astara link (batch linkage)
    identities_cli.register(app)  # astara identities
