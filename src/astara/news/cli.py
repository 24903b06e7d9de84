"""``astara news ingest|list|show|accept|reject|merge``: the news review queue from the shell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import emit, runtime
from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.news import schemas, service
    from astara.news.schemas import DraftOut
else:
    _WHY = "the review queue's modules load when a command runs, not when the help lists it"
    schemas = deferred("astara.news.schemas", _WHY)
    service = deferred("astara.news.service", _WHY)

news_app = typer.Typer(
    help="News review: ingest articles, then accept, reject or merge drafts.", no_args_is_help=True
)


def _items(d: DraftOut) -> str:
    return ", ".join(
        f"{i.drug} {'?' if i.quantity is None else f'{i.quantity:g}'} {i.unit}"
        + (f" ({i.kg:,.3f} kg)" if i.kg is not None and i.unit != "kg" else "")
        for i in d.items
    )


def _line(d: DraftOut) -> str:
    where = d.place or d.country or "?"
    return (
        f"{d.id}  {d.status:<8}  {d.date or '?':<10}  {d.country or '??'}  {where[:30]:<30}  "
        f"{_items(d)}  [{d.confidence:.2f}]"
    )


def _proposals(d: DraftOut) -> list[str]:
    lines = []
    for p in d.proposals:
        lines.append(f"    possible duplicate of {p.kind} {p.target} ({p.score:.2f}): {p.summary}")
        lines.append(f"      because: {'; '.join(p.reasons)}")
    return lines


@news_app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Folders of .txt/.html files, files, or .jsonl feeds.")],
    source_type: Annotated[
        str, typer.Option("--source-type", help="news or press_release (sets the grading).")
    ] = "news",
    outlet: Annotated[str | None, typer.Option(help="Outlet of files that do not name theirs.")] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date (YYYY-MM-DD) of files that do not give theirs.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Store articles and their draft seizure events in the review queue (one transaction)."""
    try:
        day = dt.date.fromisoformat(published) if published else None
    except ValueError:
        raise InvalidInput(f"--published must be a date YYYY-MM-DD, not {published!r}") from None
    incoming = service.read_paths(paths, outlet=outlet, published=day)
    with runtime().unit() as (session, scope):
        report = service.ingest(session, scope, incoming, source_type=source_type)
    lines = []
    for a in report.articles:
        state = f"already ingested as {a.duplicate_of}" if a.duplicate_of else f"{len(a.drafts)} draft(s)"
        lines.append(f"{a.id}  {a.external_id or ''}  {a.outlet or ''}  {a.language or '?'}  {state}")
        lines.extend(f"  warning: {w}" for w in a.warnings if not a.duplicate_of)
        for draft in a.drafts:
            lines.extend(
                f"  draft {draft}: possible duplicate of {p.kind} {p.target} ({'; '.join(p.reasons)})"
                for p in report.proposals.get(draft, [])
            )
    lines.append(
        f"{report.articles_read:,} articles read, {report.articles_stored:,} stored, "
        f"{report.already_ingested:,} already ingested, {report.drafts_created:,} drafts, "
        f"{report.duplicates_proposed:,} with a possible duplicate"
    )
    emit(report.model_dump(mode="json"), fmt, "\n".join(lines))


@news_app.command("list")
def list_(
    status: Annotated[str, typer.Option(help="open, accepted, rejected, merged or all.")] = "open",
    limit: Annotated[int, typer.Option(help="Drafts per page.")] = 50,
    offset: Annotated[int, typer.Option(help="Drafts to skip.")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The review queue, newest first, with duplicate proposals for open drafts."""
    with runtime().unit() as (session, scope):
        page = service.list_drafts(
            session, scope, None if status == "all" else status, offset=offset, limit=limit
        )
    lines = []
    for d in page.items:
        lines.append(_line(d))
        lines.extend(_proposals(d))
    lines.append(f"{page.offset + len(page.items):,} of {page.total:,} {page.status} drafts")
    emit(page.model_dump(mode="json"), fmt, "\n".join(lines))


@news_app.command("show")
def show(
    draft_id: Annotated[str, typer.Argument(help="Draft id.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """One draft: its fields, the supporting sentence with the fields marked, proposals."""
    with runtime().unit() as (session, scope):
        d = service.get_draft(session, scope, draft_id)
    quote = "".join(f"[{s.text}]" if s.mark else s.text for s in d.highlighted)
    lines = [
        _line(d),
        f"article   {d.article_id}  {d.outlet or ''}  {d.article_url or ''}  published {d.published or '?'}"
        f"  language {d.language or '?'}",
        f"quote     {quote}",
        *(f"{k:<9} {v}" for k, v in d.fields.items() if v not in (None, [], "")),
        *(f"warning   {w}" for w in d.warnings),
        *_proposals(d),
    ]
    if d.event_id:
        lines.append(f"seizure   {d.event_id}")
    if d.reason:
        lines.append(f"reason    {d.reason}")
    emit(d.model_dump(mode="json"), fmt, "\n".join(lines))


@news_app.command("accept")
def accept(
    draft_id: Annotated[str, typer.Argument(help="Draft id.")],
    drug: Annotated[str | None, typer.Option(help="Change the drug (of --item).")] = None,
    quantity: Annotated[str | None, typer.Option(help="Change the quantity (of --item).")] = None,
    unit: Annotated[str | None, typer.Option(help="Change the unit (of --item).")] = None,
    item: Annotated[int, typer.Option(help="Which item the drug/quantity/unit edits apply to.")] = 1,
    date: Annotated[str | None, typer.Option(help="Seizure date (YYYY-MM-DD, YYYY-MM, YYYY).")] = None,
    place: Annotated[str | None, typer.Option(help="Place of seizure.")] = None,
    country: Annotated[str | None, typer.Option(help="Country of seizure.")] = None,
    notes: Annotated[str | None, typer.Option(help="A note added to the record.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Accept a draft (optionally edited) as a seizure record whose source is the article."""
    edits = schemas.Edits(
        drug=drug,
        quantity=quantity,
        unit=unit,
        item=item,
        date=date,
        place=place,
        country=country,
        notes=notes,
    )
    with runtime().unit() as (session, scope):
        event = service.accept(session, scope, draft_id, edits)
    emit(event.model_dump(mode="json"), fmt, f"accepted {draft_id} as seizure {event.id}")


@news_app.command("reject")
def reject(
    draft_id: Annotated[str, typer.Argument(help="Draft id.")],
    reason: Annotated[str, typer.Option(help="Why the draft is not a seizure to record.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Reject a draft, with a reason."""
    with runtime().unit() as (session, scope):
        d = service.reject(session, scope, draft_id, reason)
    emit(d.model_dump(mode="json"), fmt, f"rejected {draft_id}: {d.reason}")


@news_app.command("merge")
def merge(
    draft_id: Annotated[str, typer.Argument(help="Draft id.")],
    into: Annotated[str, typer.Option(help="The seizure id or draft id it duplicates.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Merge a draft into the seizure or draft it duplicates: one more source, counted once."""
    with runtime().unit() as (session, scope):
        d = service.merge(session, scope, draft_id, into)
    target = f"seizure {d.event_id}" if d.event_id else f"draft {d.merged_into}"
    emit(d.model_dump(mode="json"), fmt, f"merged {draft_id} into {target}")


def register(app: typer.Typer) -> None:
    app.add_typer(news_app, name="news")
