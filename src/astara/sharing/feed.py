"""Signed messages between instances: feed entries, receipts and request signatures.

Every message is ``{"body": {...}, "signature": base64}``, the signature made with the sender's
Ed25519 key over the canonical JSON of the body. Requests to the feed carry their own signature
over method, path, query, the two agencies, the time, a random nonce and the body's digest; a request
older or newer than :data:`MAX_SKEW` seconds is refused, and the server keeps the nonces it has seen
for that long (``sharing_nonces``), so a captured request cannot be replayed, later or at once.
Replayed feed entries and receipts change nothing either: versions and cursors already held are
skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any, Literal, TypeVar, cast, overload

from astara.db.models import SharingOutbox
from astara.errors import InvalidInput, NotAuthenticated
from astara.sharing.keys import KeyPair, canonical, verify
from astara.sharing.messages import BundleBody, EntryBody, HitIndexBody, ReceiptBody, Signed

FORMAT = 1  # of each signed message (entries, receipts): unchanged, so older partners verify them
FEED_FORMAT = 2  # of the feed page: 2 adds "format" and "checkpoint" (the audit chain's signed head)
MAX_SKEW = 300  # seconds either way between two instances' clocks


class SignatureRejected(NotAuthenticated):
    """A message or request whose signature, sender, addressee or time does not check out."""

    code = "signature_rejected"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Body = TypeVar("Body", EntryBody, ReceiptBody, BundleBody, HitIndexBody)


def signed(keys: KeyPair, body: Body) -> Signed[Body]:
    return {"body": body, "signature": keys.sign(canonical(body))}


def entry_message(keys: KeyPair, sender: str, row: SharingOutbox) -> Signed[EntryBody]:
    body: EntryBody = {
        "format": FORMAT,
        "type": "entry",
        "cursor": row.id,
        "from": sender,
        "to": row.partner_code,
        "kind": row.kind,
        "record_id": row.record_id,
        "version": row.version,
        "queued_at": row.created_at.isoformat(),
        "payload": row.payload,
    }
    return signed(keys, body)


def receipt_message(
    keys: KeyPair, sender: str, to: str, cursor: int, record_id: str, version: int
) -> Signed[ReceiptBody]:
    body: ReceiptBody = {
        "format": FORMAT,
        "type": "receipt",
        "from": sender,
        "to": to,
        "cursor": cursor,
        "record_id": record_id,
        "version": version,
        "applied_at": now().isoformat(timespec="seconds"),
    }
    return signed(keys, body)


@overload
def check_message(
    message: Any, public_key: str, sender: str, addressee: str, kind: Literal["entry"]
) -> EntryBody: ...
@overload
def check_message(
    message: Any, public_key: str, sender: str, addressee: str, kind: Literal["receipt"]
) -> ReceiptBody: ...
@overload
def check_message(
    message: Any, public_key: str, sender: str, addressee: str, kind: Literal["bundle"]
) -> BundleBody: ...
@overload
def check_message(
    message: Any, public_key: str, sender: str, addressee: str, kind: Literal["hit_index"]
) -> HitIndexBody: ...
def check_message(
    message: Any, public_key: str, sender: str, addressee: str, kind: str
) -> EntryBody | ReceiptBody | BundleBody | HitIndexBody:
    """The body of a message from ``sender`` to ``addressee``, or SignatureRejected saying why; its
    shape (:data:`SHAPES`) is checked, so it is the TypedDict ``kind`` names."""
    if not isinstance(message, dict) or not isinstance(message.get("body"), dict):
        raise SignatureRejected(f"a {kind} from {sender} is not a signed message")
    body: dict[str, Any] = message["body"]
    if not verify(public_key, canonical(body), str(message.get("signature", ""))):
        where = f" (cursor {body.get('cursor')})" if "cursor" in body else ""
        raise SignatureRejected(f"a {kind} from {sender}{where} has a bad signature: rejected")
    if body.get("type") != kind or body.get("from") != sender or body.get("to") != addressee:
        raise SignatureRejected(
            f"a {kind} signed by {sender} names another sender, addressee or type: rejected"
        )
    if body.get("format") != FORMAT:
        raise InvalidInput(f"{sender} sent message format {body.get('format')}; this instance reads {FORMAT}")
    _check_shape(body, SHAPES.get(kind, {}), f"a {kind} from {sender}")
    if kind == "entry":
        _check_shape(body["payload"], PAYLOADS.get(body["kind"], {}), f"the payload of {sender}'s entry")
    if kind == "hit_index":
        for n, entry in enumerate(body["entries"], start=1):
            shape = HIT_ENTRY_CLK if isinstance(entry, dict) and "clk" in entry else HIT_ENTRY
            _check_shape(entry, shape, f"entry {n} of {sender}'s hit index")
    return cast(EntryBody | ReceiptBody | BundleBody | HitIndexBody, body)


# What each signed message must hold: a correctly signed but malformed message (a partner's bug,
# or its key in the wrong hands) is refused naming the field, before anything reads it.
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")  # as Agreement.code: it names a key file
SHAPES: dict[str, dict[str, Any]] = {
    "entry": {"cursor": int, "record_id": str, "version": int, "kind": ("record", "retraction"),
              "payload": dict},
    "receipt": {"cursor": int, "record_id": str, "version": int, "applied_at": str},
    "bundle": {"after": int, "ack": int, "entries": list, "receipts": list},
    "hit_index": {"agreement": CODE, "algorithm": str, "contact": str, "entries": list},
}  # fmt: skip
PAYLOADS: dict[str, dict[str, Any]] = {
    "record": {"agreement": str, "tlp": str, "onward_sharing": str, "record": dict, "clauses": dict},
    "retraction": {},
}
HIT_ENTRY = {"h": str, "kind": str, "ref": str}
HIT_ENTRY_CLK = {"clk": str, "kind": str, "ref": str}


def _check_shape(body: Any, shape: dict[str, Any], what: str) -> None:
    if not isinstance(body, dict):
        raise InvalidInput(f"{what} is not an object", details=[{"reason": "not an object"}])
    wrong = []
    for name, expected in shape.items():
        value = body.get(name)
        if isinstance(expected, re.Pattern):
            ok = isinstance(value, str) and bool(expected.match(value))
        elif isinstance(expected, tuple):
            ok = value in expected
        elif expected is int:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        else:
            ok = isinstance(value, expected)
        if not ok:
            wrong.append({"field": name, "reason": f"missing or not valid: {str(value)[:40]!r}"})
    if wrong:
        fields = ", ".join(w["field"] for w in wrong)
        raise InvalidInput(f"{what} is malformed (field {fields}): refused", details=wrong)


# -- request signatures ---------------------------------------------------------------------------

HEADERS = ("x-astara-from", "x-astara-to", "x-astara-time", "x-astara-nonce", "x-astara-signature")


def _request_bytes(
    method: str, path: str, query: str, sender: str, to: str, at: str, body: bytes, nonce: str
) -> bytes:
    return canonical(
        {
            "method": method.upper(),
            "path": path,
            "query": query,
            "from": sender,
            "to": to,
            "time": at,
            "nonce": nonce,
            "body": hashlib.sha256(body).hexdigest(),
        }
    )


def sign_request(
    keys: KeyPair, method: str, path: str, query: str, sender: str, to: str, body: bytes = b""
) -> dict[str, str]:
    at = now().isoformat(timespec="seconds")
    nonce = secrets.token_hex(16)
    signature = keys.sign(_request_bytes(method, path, query, sender, to, at, body, nonce))
    return {
        "X-Astara-From": sender,
        "X-Astara-To": to,
        "X-Astara-Time": at,
        "X-Astara-Nonce": nonce,
        "X-Astara-Signature": signature,
    }


def check_request(
    headers: dict[str, str], public_key: str, method: str, path: str, query: str, body: bytes
) -> None:
    sender, to, at = headers["x-astara-from"], headers["x-astara-to"], headers["x-astara-time"]
    try:
        sent = dt.datetime.fromisoformat(at)
    except ValueError as exc:
        raise SignatureRejected("X-Astara-Time is not an ISO time") from exc
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=dt.UTC)
    skew = abs((now() - sent).total_seconds())
    if skew > MAX_SKEW:
        raise SignatureRejected(
            f"the request was signed {skew:.0f} s from this server's time (more than {MAX_SKEW} s): "
            "a replay, or a clock to set right"
        )
    nonce = headers.get("x-astara-nonce", "")
    if not 16 <= len(nonce) <= 64:
        raise SignatureRejected("X-Astara-Nonce must be 16 to 64 characters")
    data = _request_bytes(method, path, query, sender, to, at, body, nonce)
    if not verify(public_key, data, headers["x-astara-signature"]):
        raise SignatureRejected(f"the request from {sender} has a bad signature")
