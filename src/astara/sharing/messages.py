"""The messages instances send each other, typed as the JSON they are: each signed message is
``{"body": ..., "signature": ...}`` (:mod:`astara.sharing.feed` signs and checks them), a feed page
carries entries, a bundle entries and receipts, a hit index keyed hashes.

TypedDicts, not classes: a body is signed over its canonical JSON, so it stays a plain dict. The
keys ``from`` and ``to`` are Python keywords, hence the functional form.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, NotRequired, TypedDict, TypeVar

Body = TypeVar("Body")


class Signed(TypedDict, Generic[Body]):
    body: Body
    signature: str  # base64 Ed25519 over the body's canonical JSON


EntryBody = TypedDict(
    "EntryBody",
    {
        "format": int,
        "type": Literal["entry"],
        "cursor": int,  # the sender's outbox position
        "from": str,
        "to": str,
        "kind": str,  # record or retraction
        "record_id": str,
        "version": int,
        "queued_at": str,
        "payload": dict[str, Any],  # a record as the agreement projects it, or a retraction's reason
    },
)

ReceiptBody = TypedDict(
    "ReceiptBody",
    {
        "format": int,
        "type": Literal["receipt"],
        "from": str,
        "to": str,
        "cursor": int,  # of the retraction it answers
        "record_id": str,
        "version": int,
        "applied_at": str,
    },
)

BundleBody = TypedDict(
    "BundleBody",
    {
        "format": int,
        "type": Literal["bundle"],
        "from": str,
        "to": str,
        "created_at": str,
        "after": int,  # the entries follow this cursor
        "entries": list[Signed[EntryBody]],
        "receipts": list[Signed[ReceiptBody]],
        "ack": int,  # the sender has applied the addressee's entries up to here
    },
)


class HitEntry(TypedDict):
    """One keyed hash (``h``) or one Bloom filter of an entity's keys (``clk``)."""

    h: NotRequired[str]
    clk: NotRequired[str]
    kind: str
    ref: str
    identity: NotRequired[str]  # opaque name of the resolved identity the entity belongs to


HitIndexBody = TypedDict(
    "HitIndexBody",
    {
        "format": int,
        "type": Literal["hit_index"],
        "algorithm": str,
        "from": str,
        "to": str,
        "agreement": str,
        "created_at": str,
        "contact": str,
        "entries": list[HitEntry],
    },
)


class Checkpoint(TypedDict):
    """The instance key's word that entry ``seq`` of ``agency``'s audit chain has hash ``head_hash``
    (:mod:`astara.sharing.checkpoints`): kept in the data folder and sent on feed pages."""

    agency: str
    seq: int
    head_hash: str
    at: str
    kind: str  # periodic, feed or restore
    signature: str


FeedPage = TypedDict(
    "FeedPage",
    {
        "format": int,
        "from": str,
        "to": str,
        "entries": list[Signed[EntryBody]],
        "next_cursor": int,
        "more": bool,
        "checkpoint": Checkpoint | None,  # the audit chain's signed head (None from older partners)
    },
)
