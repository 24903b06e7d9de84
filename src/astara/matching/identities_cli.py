"""``astara identities resolve | show | conflicts``: resolved identities from the shell (the service is
``matching/identities.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from astara.cli import emit, runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.matching import identities, keys
else:
    _WHY = "the store loads when a command runs, not when the help lists it"
    identities = deferred("astara.matching.identities", _WHY)
    keys = deferred("astara.matching.keys", _WHY)

identities_app = typer.Typer(
    no_args_is_help=True, help="Resolved identities: one person, vehicle or organization across records."
)
Fmt = Annotated[str, typer.Option("--format", help="table or json")]
KindOption = Annotated[str | None, typer.Option("--kind", help="person, vehicle or organization")]


def _emit(data: Any, fmt: str, table: str) -> None:

    emit(data, fmt, table)


@identities_app.command("resolve")
def resolve_command(kind: KindOption = None, fmt: Fmt = "table") -> None:
    """Resolve every identity again from judgements, strong identifiers and the matcher (audited)."""

    with runtime().unit() as (session, scope):
        changes = identities.resolve(session, scope, [kind] if kind else keys.KINDS)
    lines = [
        f"{c['kind']}: {c['identities']} identities of two or more records; {len(c['merged'])} formed, "
        f"{len(c['split'])} undone, {c['conflicts']} conflicts"
        for c in changes
    ]
    _emit(changes, fmt, "\n".join(lines))


@identities_app.command("show")
def show_command(
    ref: Annotated[str, typer.Argument(help="An identity id or any member's entity id.")],
    kind: KindOption = None,
    fmt: Fmt = "table",
) -> None:
    """An identity's members and the evidence that joined them."""

    with runtime().unit() as (session, scope):
        found = identities.show(session, scope, ref, kind)
    lines = [f"{found['kind']} identity {found['id']}: {len(found['members'])} members"]
    lines += [f"  {m:<34} {found['labels'][m]}" for m in found["members"]]
    lines.append("evidence:" if found["evidence"] else "evidence: (none, a record alone)")
    for e in found["evidence"]:
        if e["source"] == "judgement":
            why = f"judged same by user {e['user_id']} at {e['at']}"
        elif e["source"] == "identifier":
            why = f"same {e['feature']} {e['value']}"
        else:
            why = f"matcher {e['algorithm']} score {e['score']:.3f} ({', '.join(e['features'])})"
        lines.append(f"  {e['a']} = {e['b']}: {why}")
    for c in found["conflicts"]:
        lines.append(f"  conflict {c['a']} / {c['b']}: {c['reason']}")
    _emit(found, fmt, "\n".join(lines))


@identities_app.command("conflicts")
def conflicts_command(kind: KindOption = None, fmt: Fmt = "table") -> None:
    """Joins the resolver refused, for an analyst: contradictory judgements, contradicted identifiers."""

    with runtime().unit() as (session, scope):
        found = identities.list_conflicts(session, scope, kind)
    lines = [f"{len(found)} conflicts"]
    for c in found:
        d = c["details"]
        if c["reason"] == "judged_apart":
            why = f"judged same at {d.get('at')}, but {' and '.join(d['apart'])} were judged not the same"
        else:
            why = f"same {d.get('feature')} {d.get('value')}, but {d.get('contradiction')}"
        lines.append(f"  {c['kind']:<12} {c['a']} / {c['b']}: {why}")
    _emit(found, fmt, "\n".join(lines))


def register(app: typer.Typer) -> None:
    app.add_typer(identities_app, name="identities")
