"""``astara match``: compare records across scripts (``pairs``; the store commands are in ``store_cli``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from astara.errors import InvalidInput

match_app = typer.Typer(
    no_args_is_help=True, help="Match persons, vehicles and organizations across scripts."
)


@match_app.command("pairs")
def pairs_command(
    jsonl: Annotated[str, typer.Option("--jsonl", help='JSONL of {"id","kind","a","b"} pairs; - for stdin.')],
) -> None:
    """Decide each pair: prints {"id","match","score","explanation"} per line."""
    from astara.matching.service import match_pairs

    if jsonl == "-":
        stream = sys.stdin
    else:
        path = Path(jsonl)
        if not path.is_file():
            raise InvalidInput(f"no such file: {jsonl}")
        stream = path.open(encoding="utf-8")
    with stream:
        for row in match_pairs(stream):
            typer.echo(json.dumps(row, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(match_app, name="match")
    from astara.matching import identities_cli, linkage_cli, store_cli

    store_cli.register(match_app)  # query, reindex, judgements, watch lists, alerts
    linkage_cli.register(app)  # astara link (batch linkage)
    identities_cli.register(app)  # astara identities
