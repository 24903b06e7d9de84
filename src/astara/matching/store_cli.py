"""``astara match query | reindex | add | judge | judgements | alerts | ack`` and ``astara match watch ...``:
the matching store from the shell (the services are in ``store.py`` and ``watch.py``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from astara.cli import emit, runtime
from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.matching import store, watch
else:
    _WHY = "the store loads when a command runs, not when the help lists it"
    store = deferred("astara.matching.store", _WHY)
    watch = deferred("astara.matching.watch", _WHY)

Fmt = Annotated[str, typer.Option("--format", help="table or json")]
Kind = Annotated[str, typer.Option("--kind", help="person, vehicle or organization")]
Name = Annotated[str | None, typer.Option(help="Person or company name, in any script.")]
BirthDate = Annotated[str | None, typer.Option("--birth-date", help="YYYY or YYYY-MM-DD.")]
Nationality = Annotated[str | None, typer.Option(help="ISO-2 country of a person.")]
IdNumber = Annotated[str | None, typer.Option("--id-number", help="Passport or national id number.")]
Plate = Annotated[str | None, typer.Option(help="Registration plate, as written.")]
Country = Annotated[str | None, typer.Option(help="ISO-2 country of a vehicle or company.")]
Vin = Annotated[str | None, typer.Option(help="Vehicle identification number.")]
Make = Annotated[str | None, typer.Option(help="Vehicle make.")]
Registration = Annotated[str | None, typer.Option(help="Company registration number (VÖEN, ОГРН...).")]
Record = Annotated[str | None, typer.Option("--json", help='The record as JSON: {"kind": ..., "name": ...}.')]

watch_app = typer.Typer(no_args_is_help=True, help="Watch lists of persons, vehicles and organizations.")


def _record(kind: str, raw_json: str | None, **fields: Any) -> tuple[str, dict[str, Any]]:
    record: dict[str, Any] = {}
    if raw_json:
        try:
            record = json.loads(raw_json)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"--json is not JSON: {exc}") from exc
        if not isinstance(record, dict):
            raise InvalidInput("--json must be an object")
        kind = str(record.pop("kind", kind))
    record.update({k: v for k, v in fields.items() if v})
    return kind, record


def _emit(data: Any, fmt: str, table: str) -> None:

    emit(data, fmt, table)


def _candidates_table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['kind']} candidates ({result['algorithm']}, threshold {result['threshold']}; "
        f"{result['considered']} sharing a key)"
    ]
    for c in result["candidates"]:
        lines.append(
            f"  {c['score']:.3f}  {c['decision']:<20} {c['entity_id']:<34} {c['label']}  [{c['source']}]"
        )
        for f in c["explanation"]["features"]:
            lines.append(f"           {f['name']:<20} {f['contribution']:+.2f}  {f['compared']}")
    if not result["candidates"]:
        lines.append("  (none)")
    return "\n".join(lines)


def query_command(
    kind: Kind = "person",
    name: Name = None,
    birth_date: BirthDate = None,
    nationality: Nationality = None,
    id_number: IdNumber = None,
    plate: Plate = None,
    country: Country = None,
    vin: Vin = None,
    make: Make = None,
    registration: Registration = None,
    raw_json: Record = None,
    entity: Annotated[
        str | None, typer.Option(help="Candidates for this stored entity (uses judgements).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    fmt: Fmt = "table",
) -> None:
    """Candidates in the store for one record, scored and explained."""

    kind, record = _record(
        kind, raw_json, name=name, birth_date=birth_date, nationality=nationality, id_number=id_number,
        plate=plate, country=country, vin=vin, make=make, registration=registration,
    )  # fmt: skip
    with runtime().unit() as (session, scope):
        result = store.query(session, scope, kind, record, entity_id=entity, limit=limit)
    _emit(result, fmt, _candidates_table(result))


def reindex_command(fmt: Fmt = "table") -> None:
    """Rebuild the match keys of every stored and received entity and watch-list entry."""

    with runtime().unit() as (session, scope):
        counts = store.reindex(session, scope)
    _emit(counts, fmt, "reindexed: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


def add_command(
    kind: Kind = "person",
    name: Name = None,
    birth_date: BirthDate = None,
    nationality: Nationality = None,
    id_number: IdNumber = None,
    plate: Plate = None,
    country: Country = None,
    vin: Vin = None,
    make: Make = None,
    registration: Registration = None,
    raw_json: Record = None,
    event: Annotated[str | None, typer.Option(help="Link the entity to this seizure event.")] = None,
    role: Annotated[str, typer.Option(help="Its role in the event.")] = "subject",
    fmt: Fmt = "table",
) -> None:
    """Store a person, vehicle or organization (keys filed, watch lists checked)."""

    kind, record = _record(
        kind, raw_json, name=name, birth_date=birth_date, nationality=nationality, id_number=id_number,
        plate=plate, country=country, vin=vin, make=make, registration=registration,
    )  # fmt: skip
    with runtime().unit() as (session, scope):
        entity, alerts = store.create_entity(session, scope, kind, record, event_id=event, role=role)
        data = {
            "id": entity.id,
            "kind": kind,
            "record": store.record_of(kind, entity),
            "alerts": [watch.alert_dict(a, "") for a in alerts],
        }
    table = f"{kind} {data['id']} stored" + "".join(
        f"\n  ALERT {a['label']} ({a['score']:.3f})" for a in data["alerts"]
    )
    _emit(data, fmt, table)


def judge_command(
    a: Annotated[str, typer.Argument(help="One entity reference.")],
    b: Annotated[str, typer.Argument(help="The other.")],
    verdict: Annotated[str, typer.Argument(help="same, not_same or unsure")],
    kind: Kind = "person",
    note: Annotated[str, typer.Option(help="Why.")] = "",
    fmt: Fmt = "table",
) -> None:
    """Judge a candidate pair; a later judgement of the pair supersedes this one (history is kept)."""

    with runtime().unit() as (session, scope):
        data = store.judgement_dict(store.judge(session, scope, kind, a, b, verdict, note))
    _emit(data, fmt, f"judged {data['a']} ~ {data['b']}: {data['verdict']}")


def judgements_command(
    a: Annotated[str, typer.Argument(help="One entity reference.")],
    b: Annotated[str, typer.Argument(help="The other.")],
    fmt: Fmt = "table",
) -> None:
    """Every judgement of a pair, oldest first (the last one counts)."""

    with runtime().unit() as (session, scope):
        rows = [store.judgement_dict(r) for r in store.judgement_history(session, scope, a, b)]
    table = (
        "\n".join(f"{r['at']}  user {r['user_id']}  {r['verdict']:<9} {r['note']}" for r in rows) or "(none)"
    )
    _emit(rows, fmt, table)


def _alerts_table(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        event = f", event {r['event_id']}" if r["event_id"] else ""
        lines.append(
            f"#{r['id']:<5} {r['status']:<12} {r['created_at']}  [{r['list']}] {r['label']}  "
            f"{r['score']:.3f}  ({r['origin']}{event})"
        )
        identity = r.get("identity")
        if identity and identity["count"] > 1:
            names = " / ".join(identity["names"])
            lines.append(f"       identity {identity['id']} ({identity['count']} records): {names}")
    return "\n".join(lines) or "(no alerts)"


def alerts_command(
    status: Annotated[str, typer.Option(help="open, acknowledged or all")] = "open",
    fmt: Fmt = "table",
) -> None:
    """Watch-list alerts, newest first."""

    with runtime().unit() as (session, scope):
        rows = watch.alerts(session, scope, None if status == "all" else status)
    _emit(rows, fmt, _alerts_table(rows))


def ack_command(alert_id: Annotated[int, typer.Argument(help="Alert number.")], fmt: Fmt = "table") -> None:
    """Acknowledge an alert."""

    with runtime().unit() as (session, scope):
        alert = watch.acknowledge(session, scope, alert_id)
        data = {"id": alert.id, "status": alert.status}
    _emit(data, fmt, f"alert {data['id']} acknowledged")


@watch_app.command("create")
def watch_create(
    name: Annotated[str, typer.Argument(help="List name.")],
    description: Annotated[str, typer.Option(help="What the list is for.")] = "",
) -> None:
    """Create a watch list."""

    with runtime().unit() as (session, scope):
        watch.create_list(session, scope, name, description)
    typer.echo(f"watch list {name!r} created")


@watch_app.command("add")
def watch_add(
    list_name: Annotated[str, typer.Argument(help="List name.")],
    kind: Kind = "person",
    name: Name = None,
    birth_date: BirthDate = None,
    nationality: Nationality = None,
    id_number: IdNumber = None,
    plate: Plate = None,
    country: Country = None,
    vin: Vin = None,
    make: Make = None,
    registration: Registration = None,
    raw_json: Record = None,
) -> None:
    """Add a person, vehicle or organization to a watch list."""

    kind, record = _record(
        kind, raw_json, name=name, birth_date=birth_date, nationality=nationality, id_number=id_number,
        plate=plate, country=country, vin=vin, make=make, registration=registration,
    )  # fmt: skip
    with runtime().unit() as (session, scope):
        entry = watch.add_entry(session, scope, list_name, kind, record)
        shown = f"entry {entry.id} added to {list_name!r}: {entry.label}"
    typer.echo(shown)


@watch_app.command("remove")
def watch_remove(
    list_name: Annotated[str, typer.Argument(help="List name.")],
    entry_id: Annotated[int, typer.Argument(help="Entry number (astara match watch show).")],
) -> None:
    """Take an entry off a watch list (the removal is recorded)."""

    with runtime().unit() as (session, scope):
        watch.remove_entry(session, scope, list_name, entry_id)
    typer.echo(f"entry {entry_id} removed from {list_name!r}")


@watch_app.command("show")
def watch_show(
    list_name: Annotated[str | None, typer.Argument(help="List name; none for every list.")] = None,
    removed: Annotated[bool, typer.Option(help="Also entries taken off the list.")] = False,
    fmt: Fmt = "table",
) -> None:
    """The watch lists, or one list's entries."""

    with runtime().unit() as (session, scope):
        if list_name is None:
            rows = watch.lists(session, scope)
            _emit(
                rows, fmt, "\n".join(f"{r['name']:<30} {r['entries']:>6} entries" for r in rows) or "(none)"
            )
            return
        data = watch.show_list(session, scope, list_name, include_removed=removed)
    table = "\n".join(
        [f"{data['name']}: {data['description']}"]
        + [
            f"  {e['id']:>5} {e['kind']:<12} {e['label']}"
            + (f"  (removed {e['removed_at']})" if e["removed_at"] else "")
            for e in data["entries"]
        ]
    )
    _emit(data, fmt, table)


def register(match_app: typer.Typer) -> None:
    match_app.command("query")(query_command)
    match_app.command("reindex")(reindex_command)
    match_app.command("add")(add_command)
    match_app.command("judge")(judge_command)
    match_app.command("judgements")(judgements_command)
    match_app.command("alerts")(alerts_command)
    match_app.command("ack")(ack_command)
    match_app.add_typer(watch_app, name="watch")
