"""Hit/no-hit matching of nominal data: partners exchange keyed hashes, never names.

An index holds, for each person, vehicle and document the agency has linked to a seizure, HMAC-SHA256
digests (keyed with the agreement's secret, exchanged out of band) of the matching layer's keys:
given-name id plus surname root for a name in any script, the canonical plate, the normalised
document number. A partner that checks a name against the index learns only "agency X holds a
record, reference R, contact C"; every index sent and every check is in the audit chain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.errors import InvalidInput
from astara.sharing import audit, outbox, repository
from astara.sharing.agreements import Agreement
from astara.sharing.feed import check_message, now, signed
from astara.sharing.keys import KeyPair, key_dir
from astara.sharing.service import get_partner

ALGORITHM = "astara-hit-v1"


def person_keys(name: str) -> set[str]:
    from astara.matching.tokens import parse_name

    tokens = parse_name(name).tokens
    given = [t.given_id for t in tokens if t.given_id]
    others = [(t.roots[0][0] if t.roots else t.keys[0]) for t in tokens if not t.given_id and t.keys]
    return {f"person|{g}|{o}" for g in given for o in others}


def plate_keys(plate: str, country: str | None) -> set[str]:
    from astara.matching.vehicles import parse_plate

    parsed = parse_plate(plate, country)
    return {f"plate|{parsed.canonical}"} if parsed.canonical else set()


def document_keys(number: str) -> set[str]:
    from astara.matching.persons import normalize_id

    normal = normalize_id(number)
    return {f"document|{normal}"} if normal else set()


def blind(secret: bytes, keys: set[str]) -> set[str]:
    return {hmac.new(secret, k.encode(), hashlib.sha256).hexdigest() for k in keys}


def secret_for(data_dir: Path, agreement: str, value: str | None = None) -> bytes:
    """The agreement's matching secret (created on first use, mode 0600; ``value`` sets it)."""
    path = key_dir(data_dir) / f"hit-{agreement}.secret"
    if value is not None or not path.exists():
        text = value or base64.b64encode(secrets.token_bytes(32)).decode()
        if len(text) < 16:
            raise InvalidInput("a matching secret needs at least 16 characters")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
    return path.read_text().strip().encode()


def _agreement_with(session: Session, scope: Scope, partner: str) -> Agreement:
    rows = repository.list_agreements(session, scope, partner)
    day = now().date()
    for row in rows:
        agreement = Agreement.model_validate(row.document)
        if agreement.in_force(day):
            return agreement
    raise InvalidInput(f"no agreement with {partner} is in force")


def build_index(
    session: Session, scope: Scope, keys: KeyPair, data_dir: Path, partner_code: str
) -> dict[str, Any]:
    """A signed index of blinded keys of the agency's nominal data, for ``partner_code``."""
    require(scope, "sharing")
    partner = get_partner(session, scope, partner_code)
    agreement = _agreement_with(session, scope, partner.code)
    secret = secret_for(data_dir, agreement.code)
    ids = repository.all_event_ids(session, scope)
    entries: list[dict[str, str]] = []
    for start in range(0, len(ids), outbox.BATCH):
        for record in outbox.load_records(session, scope, ids[start : start + outbox.BATCH]):
            reference = str(record["event"].get("reference") or record["id"])
            for ent in record["entities"]:
                f = ent["fields"]
                if ent["type"] == "person" and f.get("name"):
                    found = person_keys(f["name"])
                elif ent["type"] == "vehicle" and f.get("plate"):
                    found = plate_keys(f["plate"], f.get("country"))
                elif ent["type"] == "document" and f.get("number"):
                    found = document_keys(f["number"])
                else:
                    continue
                entries += [
                    {"h": h, "kind": ent["type"], "ref": reference} for h in sorted(blind(secret, found))
                ]
    ours = next((p for p in agreement.parties if p.agency == scope.agency_code), None)
    body = {
        "format": 1,
        "type": "hit_index",
        "algorithm": ALGORITHM,
        "from": scope.agency_code,
        "to": partner.code,
        "agreement": agreement.code,
        "created_at": now().isoformat(timespec="seconds"),
        "contact": ours.name if ours and ours.name else scope.agency_code,
        "entries": entries,
    }
    audit.append(
        session,
        scope,
        "send",
        partner=partner.code,
        details={"hit_index": len(entries), "agreement": agreement.code},
    )
    return signed(keys, body)


def check(
    session: Session,
    scope: Scope,
    data_dir: Path,
    index: Any,
    *,
    name: str | None = None,
    plate: str | None = None,
    country: str | None = None,
    document: str | None = None,
) -> list[dict[str, str]]:
    """Check one name, plate or document number against a partner's index: hits reveal references only."""
    require(scope, "sharing")
    sender = str(index.get("body", {}).get("from", "?")) if isinstance(index, dict) else "?"
    partner = get_partner(session, scope, sender)
    body = check_message(index, partner.public_key, partner.code, scope.agency_code, "hit_index")
    if body.get("algorithm") != ALGORITHM:
        raise InvalidInput(f"the index uses {body.get('algorithm')}; this instance matches with {ALGORITHM}")
    query: set[str] = set()
    if name:
        query |= person_keys(name)
    if plate:
        query |= plate_keys(plate, country)
    if document:
        query |= document_keys(document)
    if not query:
        raise InvalidInput("give a --name, --plate or --document to check")
    wanted = blind(secret_for(data_dir, str(body["agreement"])), query)
    hits = sorted(
        {(e["kind"], e["ref"]) for e in body["entries"] if e["h"] in wanted},
    )
    found = [
        {"agency": partner.code, "kind": k, "reference": r, "contact": str(body["contact"])} for k, r in hits
    ]
    audit.append(
        session,
        scope,
        "hit",
        partner=partner.code,
        details={
            "query": sorted(wanted)[:5],
            "hits": [h["reference"] for h in found],
            "agreement": body["agreement"],
        },
    )
    return found
