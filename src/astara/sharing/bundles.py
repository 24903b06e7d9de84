"""Offline bundles for air-gapped sites: the same signed entries, cursors and receipts, in a file.

A bundle from A to B holds A's entries after the cursor B last confirmed, the receipts A issued for
B's retractions, and how far A has applied B's entries (which confirms B's outbox up to there).
The whole bundle is signed too, so a file cut short or stitched together is refused.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.errors import Conflict, InvalidInput, NotFound
from astara.sharing import audit, repository, sync
from astara.sharing.feed import FORMAT, check_message, entry_message, now, signed
from astara.sharing.keys import KeyPair
from astara.sharing.messages import BundleBody, EntryBody, Signed
from astara.sharing.schemas import SyncResult
from astara.sharing.service import get_partner


@dataclass(frozen=True)
class BundleSummary:
    """What a bundle written for a partner holds."""

    partner: str
    entries: int
    after: int  # the entries follow this cursor
    last_cursor: int
    receipts: int
    file: str


def export_bundle(
    session: Session, scope: Scope, keys: KeyPair, partner_code: str, out: Path
) -> BundleSummary:
    """Write a signed bundle for ``partner_code``; returns a summary (entries, cursors, receipts)."""
    require(scope, "sharing")
    partner = get_partner(session, scope, partner_code)
    state = repository.sync_state(session, scope, partner.code)
    entries: list[Signed[EntryBody]] = []
    after = state.acked_cursor
    while True:
        rows = repository.outbox_page(session, scope, partner.code, after, 2000)
        if not rows:
            break
        entries.extend(entry_message(keys, scope.agency_code, r) for r in rows)
        after = rows[-1].id
    receipts = [sync.as_message(r) for r in sync.pending_receipts(session, scope, partner.code)]
    body: BundleBody = {
        "format": FORMAT,
        "type": "bundle",
        "from": scope.agency_code,
        "to": partner.code,
        "created_at": now().isoformat(timespec="seconds"),
        "after": state.acked_cursor,
        "entries": entries,
        "receipts": receipts,
        "ack": state.pulled_cursor,
    }
    data = json.dumps(signed(keys, body), ensure_ascii=False).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(data) if out.suffix == ".gz" else data)
    for receipt in sync.pending_receipts(session, scope, partner.code):
        receipt.delivered_at = now().replace(tzinfo=None)
    summary = BundleSummary(partner.code, len(entries), state.acked_cursor, after, len(receipts), str(out))
    if entries:
        details = {**asdict(summary), "via": "bundle"}
        audit.append(session, scope, "send", partner=partner.code, details=details)
    return summary


def import_bundle(session: Session, scope: Scope, keys: KeyPair, path: Path) -> SyncResult:
    """Verify a partner's bundle and apply it: entries, receipts for our retractions, and its ack."""
    require(scope, "sharing")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotFound(f"cannot read the bundle {path}: {exc.strerror or exc}") from exc
    try:
        message = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (ValueError, OSError) as exc:
        raise InvalidInput(f"{path.name} is not an Astara bundle: {exc}") from exc
    sender = str(message.get("body", {}).get("from", "")) if isinstance(message, dict) else ""
    partner = get_partner(session, scope, sender or "?")
    body = check_message(message, partner.public_key, partner.code, scope.agency_code, "bundle")
    state = repository.sync_state(session, scope, partner.code)
    if int(body["after"]) > state.pulled_cursor:
        raise Conflict(
            f"this bundle starts after {partner.code}'s cursor {body['after']}, but entries are applied only "
            f"up to {state.pulled_cursor}: ask {partner.code} for a bundle from cursor {state.pulled_cursor}"
        )
    applied = sync.apply_entries(session, scope, keys, partner, list(body["entries"]))
    accepted = sync.accept_receipts(session, scope, partner, list(body["receipts"]))
    if int(body["ack"]) > state.acked_cursor:
        state.acked_cursor = int(body["ack"])
    return SyncResult(
        partner=partner.code,
        received=applied.received,
        duplicates=applied.duplicates,
        retracted=applied.retracted,
        receipts_accepted=accepted,
        cursor=applied.cursor,
        pages=1,
    )
