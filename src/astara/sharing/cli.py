"""``astara agreement|keys|partner|sync|bundle|audit``: sharing with partner agencies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import emit, runtime
from astara.errors import InvalidInput, NotFound
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.sharing import agreements, audit, bundles, feed, hits, keys, schemas, service, sync
    from astara.sharing.keys import KeyPair
else:
    _WHY = "the store's modules load when a command runs, not when the help lists it"
    agreements = deferred("astara.sharing.agreements", _WHY)
    audit = deferred("astara.sharing.audit", _WHY)
    bundles = deferred("astara.sharing.bundles", _WHY)
    feed = deferred("astara.sharing.feed", _WHY)
    hits = deferred("astara.sharing.hits", _WHY)
    keys = deferred("astara.sharing.keys", _WHY)
    schemas = deferred("astara.sharing.schemas", _WHY)
    service = deferred("astara.sharing.service", _WHY)
    sync = deferred("astara.sharing.sync", _WHY)

agreement_app = typer.Typer(help="Sharing agreements with partner agencies.", no_args_is_help=True)
keys_app = typer.Typer(help="This instance's signing key.", no_args_is_help=True)
partner_app = typer.Typer(help="Partner agencies' instances and keys.", no_args_is_help=True)
sync_app = typer.Typer(
    help="Sync with partners over HTTP; records received; retractions.", no_args_is_help=True
)
bundle_app = typer.Typer(help="Offline bundles for air-gapped partners.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)

Fmt = Annotated[str, typer.Option("--format", help="table or json")]


def _keys() -> KeyPair:
    return keys.load_or_create(runtime().settings.data_dir)


@agreement_app.command("add")
def agreement_add(
    file: Annotated[Path, typer.Argument(help="Agreement YAML file (see src/astara/sharing/examples/).")],
    share_existing: Annotated[bool, typer.Option(help="Also queue the records already stored.")] = False,
) -> None:
    """Add (or amend) an agreement; it is validated and every problem names its field."""
    agreement = agreements.load_agreement_file(file)
    with runtime().unit() as (session, scope):
        row = service.add_agreement(session, scope, agreement)
        queued = service.share_existing(session, scope) if share_existing else 0
    typer.echo(
        f"agreement {row.code} with {row.partner_code}, valid {row.valid_from} to {row.valid_until or '-'}"
    )
    if share_existing:
        typer.echo(f"{queued:,} record versions queued")


@agreement_app.command("list")
def agreement_list(fmt: Fmt = "table") -> None:
    """List agreements."""
    with runtime().unit() as (session, scope):
        rows = service.list_agreements(session, scope)
    table = (
        "\n".join(
            f"{r.code:<24} {r.partner_code:<10} {r.valid_from} to {r.valid_until or '-'!s:<10}  "
            f"{r.title[:60]}"
            for r in rows
        )
        or "no agreements"
    )
    emit([r.model_dump(mode="json") for r in rows], fmt, table)


@agreement_app.command("explain")
def agreement_explain(
    partner: Annotated[str, typer.Option(help="Partner agency code.")],
    record: Annotated[str, typer.Option(help="Record (seizure) id.")],
    field: Annotated[str | None, typer.Option(help="One field, e.g. date, items.kg, vehicle.plate.")] = None,
    fmt: Fmt = "table",
) -> None:
    """Why a record's fields are, or are not, shared with a partner."""
    with runtime().unit() as (session, scope):
        result = service.explain(session, scope, partner, record, field)
    lines = [
        f"{result.record_id} -> {result.partner}: "
        f"{'shared' if result.shared else 'not shared'} ({result.reason})"
    ]
    lines += [f"  {'yes' if f.shared else 'no ':<3} {f.field:<26} {f.reason}" for f in result.fields]
    emit(result.model_dump(mode="json"), fmt, "\n".join(lines))


@keys_app.command("show")
def keys_show(fmt: Fmt = "table") -> None:
    """Show this instance's public key and its fingerprint (read it to the partner to confirm)."""
    pair = _keys()
    emit(
        {"public_key": pair.public_b64, "fingerprint": pair.fingerprint},
        fmt,
        f"public key   {pair.public_b64}\nfingerprint  {pair.fingerprint}",
    )


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Replace the key pair (the old one is kept under keys/retired); partners must register the new key."""
    rt = runtime()
    new, old = keys.rotate(rt.settings.data_dir)
    with rt.unit() as (session, scope):
        service.key_rotated(session, scope, old, new.fingerprint)
    typer.echo(
        f"old fingerprint  {old}\nnew fingerprint  {new.fingerprint}\nnew public key   {new.public_b64}"
    )


@partner_app.command("add")
def partner_add(
    code: Annotated[str, typer.Argument(help="The partner agency's code.")],
    key: Annotated[str, typer.Option(help="The partner's public key (base64, from `astara keys show`).")],
    url: Annotated[
        str | None, typer.Option(help="The partner instance's address; none: bundles only.")
    ] = None,
    name: Annotated[str, typer.Option(help="The partner's name.")] = "",
) -> None:
    """Register (or update) a partner and its public key; confirm the fingerprint with the partner."""
    with runtime().unit() as (session, scope):
        p = service.add_partner(session, scope, schemas.PartnerIn(code=code, url=url, key=key, name=name))
    typer.echo(
        f"partner {p.code} {p.url or '(bundles only)'}\nfingerprint {p.fingerprint}  <- confirm by voice"
    )


@partner_app.command("list")
def partner_list(fmt: Fmt = "table") -> None:
    """List partners with their key fingerprints."""
    with runtime().unit() as (session, scope):
        rows = service.list_partners(session, scope)
    table = "\n".join(f"{p.code:<12} {p.fingerprint}  {p.url or '-'}" for p in rows) or "no partners"
    emit([p.model_dump(mode="json") for p in rows], fmt, table)


@sync_app.command("pull")
def sync_pull(
    partner: Annotated[str, typer.Argument(help="Partner agency code.")], fmt: Fmt = "table"
) -> None:
    """Fetch a partner's signed feed, verify it and store what it sends; send receipts for retractions."""
    rt = runtime()
    result = service.pull(rt.unit, _keys(), partner)
    emit(
        result.model_dump(),
        fmt,
        f"{result.partner}: {result.received} received, {result.duplicates} already held, "
        f"{result.retracted} retracted, {result.receipts_sent} receipts sent; cursor {result.cursor}",
    )


@sync_app.command("purge")
def sync_purge(fmt: Fmt = "table") -> None:
    """Delete received records kept longer than their agreement's retention period (also done by pull)."""
    with runtime().unit() as (session, scope):
        purged = service.purge_expired(session, scope)
    table = "\n".join(f"{code}: {n:,} records past retention deleted" for code, n in purged.items())
    emit(purged, fmt, table or "nothing past its retention period")


@sync_app.command("status")
def sync_status(fmt: Fmt = "table") -> None:
    """Sync state per partner: last success, cursors, backlog, errors, receipts."""
    with runtime().unit() as (session, scope):
        rows = service.status(session, scope)
    table = (
        "\n".join(
            f"{s.partner:<10} pulled to {s.pulled_cursor} ({s.received} received), "
            f"last ok {s.last_success_at or '-'}; "
            f"they confirmed {s.acked_cursor}, backlog {s.backlog}; receipts {s.receipts_received} in, "
            f"{s.receipts_pending} to send"
            + (f"; audit checkpoint entry {s.checkpoint_seq}" if s.checkpoint_seq is not None else "")
            + (f"\n           last error {s.last_error_at}: {s.last_error}" if s.last_error else "")
            + (f"\n           WARNING {s.checkpoint_warning}" if s.checkpoint_warning else "")
            for s in rows
        )
        or "no partners"
    )
    emit([s.model_dump(mode="json") for s in rows], fmt, table)


@sync_app.command("retract")
def sync_retract(
    record: Annotated[str, typer.Argument(help="Record id to retract.")],
    reason: Annotated[str, typer.Option(help="Why (sent to the partners).")],
) -> None:
    """Retract a shared record from every partner that received it."""
    with runtime().unit() as (session, scope):
        partners = service.retract(session, scope, record, reason)
    typer.echo(f"retraction of {record} queued for {', '.join(partners) or 'no partner'}")


@sync_app.command("received")
def sync_received(
    partner: Annotated[str | None, typer.Option(help="Only from this partner.")] = None,
    record: Annotated[str | None, typer.Option(help="One record, every version.")] = None,
    limit: Annotated[int, typer.Option(help="Rows.")] = 50,
    fmt: Fmt = "table",
) -> None:
    """Records received from partners (viewing is audited)."""
    with runtime().unit() as (session, scope):
        if record and partner:
            rows = service.show_received(session, scope, partner, record)
        else:
            rows = service.list_received(session, scope, partner, limit)
    table = (
        "\n".join(
            f"{r.partner_code:<10} {r.record_id}  v{r.version}  {r.agreement_code}  TLP:{r.tlp.upper()}  "
            + (
                "RETRACTED " + (r.retraction_reason or "")
                if r.retracted_at
                else str(r.record.get("event", {}).get("date", ""))
            )
            for r in rows
        )
        or "nothing received"
    )
    emit([r.model_dump(mode="json") for r in rows], fmt, table)


@bundle_app.command("export")
def bundle_export(
    partner: Annotated[str, typer.Option(help="Partner agency code.")],
    out: Annotated[Path, typer.Option(help="File to write (.json, or .json.gz compressed).")],
) -> None:
    """Write a signed bundle of what the partner has not yet confirmed, and receipts owed to it."""
    with runtime().unit() as (session, scope):
        summary = bundles.export_bundle(session, scope, _keys(), partner, out)
    typer.echo(
        f"{summary.entries:,} entries (after cursor {summary.after}) and {summary.receipts} "
        f"receipts for {summary.partner} -> {out}"
    )


@bundle_app.command("import")
def bundle_import(
    file: Annotated[Path, typer.Argument(help="Bundle file from a partner.")], fmt: Fmt = "table"
) -> None:
    """Verify and apply a partner's bundle."""
    rt = runtime()
    try:
        with rt.unit() as (session, scope):
            result = bundles.import_bundle(session, scope, _keys(), file)
    except feed.SignatureRejected as exc:
        with rt.unit() as (session, _):
            sync.log_rejected(session, exc)
        raise
    emit(
        result.model_dump(),
        fmt,
        f"{result.partner}: {result.received} received, {result.duplicates} already "
        f"held, {result.retracted} retracted, {result.receipts_accepted} receipts accepted; "
        f"cursor {result.cursor}",
    )


@audit_app.command("verify")
def audit_verify(fmt: Fmt = "table") -> None:
    """Check the audit chain: report the first edited entry, or the first after a deleted one."""
    with runtime().unit() as (session, scope):
        result = service.verify_audit(session, scope)
    text = (
        f"audit chain intact: {result.entries:,} entries, {result.checkpoints:,} signed checkpoints"
        if result.ok
        else f"audit chain BROKEN at entry {result.first_bad_seq}: {result.reason}"
    ) + (f"\n{result.note}" if result.note else "")
    emit(result.model_dump(), fmt, text)
    if not result.ok:
        raise audit.ChainBroken(f"the audit chain of agency {scope.agency_code} has been tampered with")


hit_app = typer.Typer(help="Hit/no-hit matching of nominal data with keyed hashes.", no_args_is_help=True)


@hit_app.command("secret")
def hit_secret(
    agreement: Annotated[str, typer.Argument(help="Agreement code.")],
    set_: Annotated[
        str | None, typer.Option("--set", help="Use this secret (as agreed with the partner).")
    ] = None,
) -> None:
    """Show (creating one if needed) or set the agreement's matching secret; exchange it out of band."""
    typer.echo(hits.secret_for(runtime().settings.data_dir, agreement, set_).decode())


@hit_app.command("index")
def hit_index(
    partner: Annotated[str, typer.Option(help="Partner agency code.")],
    out: Annotated[Path, typer.Option(help="File to write the signed index to.")],
    encoding: Annotated[
        str, typer.Option(help="hmac (keyed hash per key) or clk (Bloom filter per person/vehicle).")
    ] = "hmac",
) -> None:
    """Write a signed index of keyed hashes of our persons, plates and documents (never the values)."""
    rt = runtime()
    with rt.unit() as (session, scope):
        index = hits.build_index(session, scope, _keys(), rt.settings.data_dir, partner, encoding)
    out.write_text(json.dumps(index), encoding="utf-8")
    typer.echo(f"{len(index['body']['entries']):,} keyed hashes for {partner.upper()} -> {out}")


@hit_app.command("check")
def hit_check(
    file: Annotated[Path, typer.Argument(help="A partner's signed index.")],
    name: Annotated[str | None, typer.Option(help="A person's name, in any script.")] = None,
    plate: Annotated[str | None, typer.Option(help="A vehicle plate.")] = None,
    country: Annotated[str | None, typer.Option(help="The plate's country.")] = None,
    document: Annotated[str | None, typer.Option(help="A document number.")] = None,
    fmt: Fmt = "table",
) -> None:
    """Check a name, plate or document against a partner's index (the check is audited)."""
    rt = runtime()
    try:
        index = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NotFound(f"cannot read the index {file}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise InvalidInput(f"{file.name} is not a hit index (JSON): {exc}") from exc
    with rt.unit() as (session, scope):
        found = hits.check(
            session,
            scope,
            rt.settings.data_dir,
            index,
            name=name,
            plate=plate,
            country=country,
            document=document,
        )
    table = (
        "\n".join(
            f"hit: {h['agency']} holds one {h['kind']} in {h['records']} record(s), "
            f"reference(s) {', '.join(h['references'])}, contact {h['contact']}"
            for h in found
        )
        or "no hit"
    )
    emit(found, fmt, table)


def register(app: typer.Typer) -> None:
    app.add_typer(agreement_app, name="agreement")
    app.add_typer(keys_app, name="keys")
    app.add_typer(partner_app, name="partner")
    app.add_typer(sync_app, name="sync")
    app.add_typer(bundle_app, name="bundle")
    app.add_typer(audit_app, name="audit")
    app.add_typer(hit_app, name="hit")
