"""Hit/no-hit matching of nominal data: partners exchange keyed hashes, never names.

An index holds, for each person, vehicle and document linked to a seizure that the feed would send
the partner (only the fields the agreement lets out, see :func:`build_index`), HMAC-SHA256
digests (keyed with the agreement's secret, exchanged out of band) of the matching layer's keys:
for a name, the cross-script pair keys of :func:`astara.matching.keys.name_keys` (given-name
equivalence id plus consonant skeleton, so محمد رضایی, Mohammad Rezaei and Мохаммад Резаи meet
under one key, while Mammad Rzayev, an -ov/-yev family name, meets Мамед Рзаев but not Rezaei,
as in the matching layer's blocking); the canonical plate; the normalised document number.

With ``encoding="clk"`` each index entry is instead a cryptographic long-term key (a Bloom filter,
as in clkhash/anonlink: every key sets ``CLK_HASHES`` bits chosen by HMACs with the secret) and a
check compares filters by their Dice coefficient, which tolerates a missing or extra key.

A partner that checks a name against the index learns only "agency X holds a
record, reference R, contact C"; every index sent and every check is in the audit chain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.errors import InvalidInput
from astara.matching.identities import members_of
from astara.matching.keys import KINDS, name_keys
from astara.matching.persons import normalize_id
from astara.matching.vehicles import parse_plate
from astara.sharing import audit, outbox, repository
from astara.sharing.agreements import Agreement, project
from astara.sharing.feed import check_message, now, signed
from astara.sharing.keys import KeyPair, key_dir
from astara.sharing.messages import HitEntry, HitIndexBody, Signed
from astara.sharing.service import get_partner

ALGORITHM = "astara-hit-v2"
CLK_ALGORITHM = "astara-clk-v1"
CLK_BITS = 1024
CLK_HASHES = 20
CLK_THRESHOLD = 0.8  # Dice coefficient for a hit


def person_keys(name: str) -> set[str]:
    """Cross-script keys of a name: the matching layer's word-pair keys (never the name itself)."""
    pairs = name_keys(name)[1] | name_keys(name, True)[1]
    return {f"person|{k}" for k in pairs if not k.startswith("n1:")} or {f"person|{k}" for k in pairs}


def clk(secret: bytes, keys: set[str]) -> int:
    """A Bloom-filter encoding of ``keys`` (double hashing with two HMACs, as clkhash does)."""
    bits = 0
    for key in keys:
        h1 = int.from_bytes(hmac.new(secret, b"1" + key.encode(), hashlib.sha256).digest()[:8], "big")
        h2 = int.from_bytes(hmac.new(secret, b"2" + key.encode(), hashlib.sha256).digest()[:8], "big")
        for i in range(CLK_HASHES):
            bits |= 1 << ((h1 + i * h2) % CLK_BITS)
    return bits


def _filter(text: str) -> int:
    return int.from_bytes(base64.b64decode(text), "big")


def dice(a: int, b: int) -> float:
    total = a.bit_count() + b.bit_count()
    return 2 * (a & b).bit_count() / total if total else 0.0


def plate_keys(plate: str, country: str | None) -> set[str]:
    parsed = parse_plate(plate, country)
    return {f"plate|{parsed.canonical}"} if parsed.canonical else set()


def document_keys(number: str) -> set[str]:
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


def _shared_records(
    session: Session, scope: Scope, agreement: Agreement, partner: str
) -> Iterator[tuple[str, dict[str, Any], list[str | None]]]:
    """(record id, what the feed sends of it, the entity id of each entity sent) for every record the
    agreement lets out to ``partner`` today, by the outbox's own policy (:func:`agreements.project`:
    never TLP:RED, never a partner's record, only the fields a clause allows), leaving out what was
    retracted from that partner."""
    day = now().date()
    ids = repository.all_event_ids(session, scope)
    for start in range(0, len(ids), outbox.BATCH):
        records = outbox.load_records(session, scope, ids[start : start + outbox.BATCH])
        last = repository.last_outbox_entries(session, scope, partner, [r["id"] for r in records])
        for record in records:
            sent = last.get(record["id"])
            if sent is not None and sent.kind == "retraction":
                continue
            projection = project(agreement, record, day)
            if projection.refused is None:
                # the projection keeps the entities with a field let out, in order
                kept = [
                    e.get("id")
                    for e in record.get("entities", [])
                    if any(
                        f"{e['type']}.{k}" in projection.clauses and v is not None
                        for k, v in e["fields"].items()
                    )
                ]
                yield record["id"], projection.record, kept


def _identity_labels(
    session: Session, scope: Scope, secret: bytes, partner: str, shared: list[tuple[str, str | None]]
) -> dict[tuple[str, str | None], str]:
    """(kind, entity id) -> an opaque name of its resolved identity, made from the identity's members
    that are shared only, so a member kept back (TLP:RED, retracted, never a record) neither shows
    nor changes the name."""
    shared_ids: dict[str, set[str]] = {}
    for kind, entity_id in shared:
        if entity_id is not None:
            shared_ids.setdefault(kind, set()).add(entity_id)
    out: dict[tuple[str, str | None], str] = {}
    for kind, ids in shared_ids.items():
        groups = members_of(session, scope, kind, sorted(ids)) if kind in KINDS else {i: [i] for i in ids}
        for entity_id, members in groups.items():
            first = min(m for m in members if m in ids)
            out[(kind, entity_id)] = opaque_reference(secret, partner, f"identity|{kind}|{first}")
    return out


def _entity_keys(kind: str, fields: dict[str, Any]) -> set[str]:
    """The matching keys of the fields shared of one entity (a person's name only if it is shared)."""
    if kind == "person" and fields.get("name"):
        return person_keys(fields["name"])
    if kind == "vehicle" and fields.get("plate"):
        return plate_keys(fields["plate"], fields.get("country"))
    if kind == "document" and fields.get("number"):
        return document_keys(fields["number"])
    return set()


def opaque_reference(secret: bytes, partner: str, record_id: str) -> str:
    """What a hit names when the agreement withholds the reference: stable for one partner, unlinkable
    to the record by anyone without this instance's records, different for each partner."""
    digest = hmac.new(secret, f"ref|{partner}|{record_id}".encode(), hashlib.sha256).hexdigest()
    return f"hit-{digest[:20]}"


def build_index(
    session: Session,
    scope: Scope,
    keys: KeyPair,
    data_dir: Path,
    partner_code: str,
    encoding: str = "hmac",
) -> Signed[HitIndexBody]:
    """A signed index of blinded keys of the agency's nominal data, for ``partner_code``: of the
    records and fields the feed would send that partner, named by their reference only where the
    agreement sends it (else by :func:`opaque_reference`).

    ``encoding``: ``hmac`` (one keyed hash per key) or ``clk`` (one Bloom filter per entity).
    """
    if encoding not in {"hmac", "clk"}:
        raise InvalidInput(f"unknown index encoding {encoding!r}: use hmac or clk")
    require(scope, "sharing")
    partner = get_partner(session, scope, partner_code)
    agreement = _agreement_with(session, scope, partner.code)
    secret = secret_for(data_dir, agreement.code)
    entries: list[HitEntry] = []
    sent: list[tuple[str, str, str | None, set[str]]] = []  # kind, reference, entity id, keys
    for record_id, shared, entity_ids in _shared_records(session, scope, agreement, partner.code):
        reference = str(shared["event"].get("reference") or opaque_reference(secret, partner.code, record_id))
        for ent, entity_id in zip(shared.get("entities", []), entity_ids, strict=True):
            found = _entity_keys(ent["type"], ent["fields"])
            if found:
                sent.append((ent["type"], reference, entity_id, found))
    identity_of = _identity_labels(session, scope, secret, partner.code, [(k, e) for k, _, e, _ in sent])
    for kind, reference, entity_id, found in sent:
        identity = identity_of.get((kind, entity_id)) or opaque_reference(
            secret, partner.code, f"identity|{kind}|{reference}"
        )
        if encoding == "clk":
            code = clk(secret, found).to_bytes(CLK_BITS // 8, "big")
            entries.append(
                {"clk": base64.b64encode(code).decode(), "kind": kind, "ref": reference, "identity": identity}
            )
        else:
            entries += [
                {"h": h, "kind": kind, "ref": reference, "identity": identity}
                for h in sorted(blind(secret, found))
            ]
    ours = next((p for p in agreement.parties if p.agency == scope.agency_code), None)
    body: HitIndexBody = {
        "format": 1,
        "type": "hit_index",
        "algorithm": CLK_ALGORITHM if encoding == "clk" else ALGORITHM,
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


def _identity_of(entry: HitEntry) -> str:
    return str(entry.get("identity") or f"{entry['kind']}|{entry['ref']}")  # an index from before identities


def _about_identities(body: HitIndexBody, matched: list[HitEntry], partner: str) -> list[dict[str, Any]]:
    """One answer per identity hit: every shared record of it, whichever spelling the query met."""
    hit = {(e["kind"], _identity_of(e)) for e in matched}
    references: dict[tuple[str, str], set[str]] = {}
    for e in body["entries"]:
        key = (e["kind"], _identity_of(e))
        if key in hit:
            references.setdefault(key, set()).add(str(e["ref"]))
    return [
        {
            "agency": partner,
            "kind": kind,
            "identity": identity,
            "reference": min(refs),
            "references": sorted(refs),
            "records": len(refs),
            "contact": str(body["contact"]),
        }
        for (kind, identity), refs in sorted(references.items(), key=lambda x: (x[0][0], min(x[1])))
    ]


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
) -> list[dict[str, Any]]:
    """Check one name, plate or document number against a partner's index: one answer per resolved
    identity hit, naming the references of its shared records only."""
    require(scope, "sharing")
    sender = str(index.get("body", {}).get("from", "?")) if isinstance(index, dict) else "?"
    partner = get_partner(session, scope, sender)
    body = check_message(index, partner.public_key, partner.code, scope.agency_code, "hit_index")
    if body.get("algorithm") not in {ALGORITHM, CLK_ALGORITHM}:
        raise InvalidInput(
            f"the index uses {body.get('algorithm')}; "
            f"this instance matches with {ALGORITHM} or {CLK_ALGORITHM}"
        )
    queries: dict[str, set[str]] = {}
    if name:
        queries["person"] = person_keys(name)
    if plate:
        queries["vehicle"] = plate_keys(plate, country)
    if document:
        queries["document"] = document_keys(document)
    query = set().union(*queries.values())
    if not query:
        raise InvalidInput("give a --name, --plate or --document to check")
    secret = secret_for(data_dir, str(body["agreement"]))
    if body["algorithm"] == CLK_ALGORITHM:
        filters = {kind: clk(secret, keys) for kind, keys in queries.items() if keys}
        wanted = {f"clk:{kind}" for kind in filters}
        matched = [
            e
            for e in body["entries"]
            if e["kind"] in filters and dice(filters[e["kind"]], _filter(e["clk"])) >= CLK_THRESHOLD
        ]
    else:
        wanted = blind(secret, query)
        matched = [e for e in body["entries"] if e["h"] in wanted]
    found = _about_identities(body, matched, partner.code)
    audit.append(
        session,
        scope,
        "hit",
        partner=partner.code,
        details={
            "query": sorted(wanted)[:5],
            "hits": [h["reference"] for h in found],
            "identities": [h["identity"] for h in found],
            "agreement": body["agreement"],
        },
    )
    return found
