"""``astara extract FILE...`` (readable) and ``astara extract --jsonl IN`` (batch, JSON lines)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.extraction import dates, service
    from astara.extraction.schemas import ExtractedEvent, ExtractionResult
else:
    _WHY = "the extractor's rules load when the command runs, not when the help lists it"
    dates = deferred("astara.extraction.dates", _WHY)
    service = deferred("astara.extraction.service", _WHY)


def _event_lines(number: int, e: ExtractedEvent) -> list[str]:
    amount = f"{e.qualifier + ' ' if e.qualifier else ''}{e.quantity:g} {e.unit}"
    kg = f" ({e.kg:,.3f} kg)" if e.kg is not None and e.unit != "kg" else ""
    route = " → ".join(x for x in [e.origin or "?", *e.transit, e.destination or "?"])
    rows = [
        f"  event {number}  {e.drug}  {amount}{kg}   confidence {e.confidence:.2f}",
        f"    date {e.date or '?'}   place {e.place or '?'}   country {e.country or '?'}",
        f"    agency {e.agency or '?'}",
    ]
    if e.origin or e.destination or e.transit:
        rows.append(f"    route {route}")
    extra = [
        ("transport", e.transport),
        ("concealment", e.concealment),
        ("cover cargo", e.cover_cargo),
        ("arrested", e.arrested),
        ("nationalities", ", ".join(e.suspect_nationalities)),
    ]
    shown = [f"{k} {v}" for k, v in extra if v not in (None, "")]
    if shown:
        rows.append("    " + "   ".join(shown))
    rows.append(f'    "{e.quote}"')
    for warning in e.warnings:
        rows.append(f"    warning: {warning}")
    return rows


def _render(name: str, result: ExtractionResult) -> str:
    language = f" [{result.language}]" if result.language else ""
    rows = [f"{name}{language}: {len(result.events)} event(s), {len(result.statistics)} statistic(s)"]
    rows += [f"  warning: {w}" for w in result.warnings]
    for number, event in enumerate(result.events, 1):
        rows += _event_lines(number, event)
    for stat in result.statistics:
        rows.append(f"  statistic  {stat.metric} {stat.value:g} {stat.unit}  ({stat.period or '?'})")
    return "\n".join(rows)


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract_cmd(
        files: Annotated[list[Path] | None, typer.Argument(help="Text files to read.")] = None,
        jsonl: Annotated[
            str | None, typer.Option("--jsonl", help="JSON lines in ({id,text,published,url}); '-' = stdin.")
        ] = None,
        published: Annotated[
            str | None, typer.Option(help="Publication date (YYYY-MM-DD) for the FILE texts' relative dates.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="text or json (for FILE...)")] = "text",
    ) -> None:
        """Find seizure events in news or press-release texts (offline, rule-based, explainable)."""
        if jsonl is not None:
            stream = sys.stdin if jsonl == "-" else _open(Path(jsonl))
            out = sys.stdout
            for row in service.extract_jsonl(stream):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
            return
        if fmt not in ("text", "json"):
            raise InvalidInput(f"--format must be text or json, not {fmt!r}")
        if not files:
            raise InvalidInput("give one or more FILEs, or --jsonl IN")
        if published is not None and dates.parse_published(published) is None:
            raise InvalidInput(f"--published must be a date such as 2024-05-17, not {published!r}")
        for path in files:
            text = _open(path).read()
            result = service.extract_text(text, published, path.name)
            if fmt == "json":
                typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            else:
                typer.echo(_render(str(path), result))


def _open(path: Path) -> TextIO:
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    return path.open(encoding="utf-8", errors="replace")
