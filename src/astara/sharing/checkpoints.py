"""Signed checkpoints of the audit chain, kept outside the store and sent to partners.

A checkpoint is ``{agency, seq, head_hash, at, kind, signature}``: the instance key signs that entry
``seq`` of the agency's chain has hash ``head_hash``. Someone who can write to the database but does
not hold the key cannot make a rewritten chain agree with the checkpoints already written, so
truncation below a checkpoint and recomputation are caught by ``astara audit verify``.

Checkpoints are appended, one JSON line each, to ``DATA_DIR/audit/checkpoints.jsonl`` (opened with
O_APPEND, fsync'd, mode 0600) only after the transaction holding their entries commits: they are
queued on the session and written by an ``after_commit`` hook, so a rolled-back entry never gets a
checkpoint, and verify needs no notion of a pending one. (A crash between the commit and the write
loses that checkpoint, which weakens the next check but never raises a false alarm.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from astara.sharing.keys import KeyPair, canonical, verify
from astara.sharing.messages import Checkpoint

KINDS = ("periodic", "feed", "restore")
EVERY = 100  # a periodic checkpoint at least every this many entries
_PENDING = "astara.checkpoints"


def path_of(data_dir: Path) -> Path:
    return data_dir / "audit" / "checkpoints.jsonl"


def make(keys: KeyPair, agency: str, seq: int, head_hash: str, kind: str) -> Checkpoint:
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    body = {"agency": agency, "seq": seq, "head_hash": head_hash, "at": at, "kind": kind}
    signature = keys.sign(canonical(body))
    return {
        "agency": agency,
        "seq": seq,
        "head_hash": head_hash,
        "at": at,
        "kind": kind,
        "signature": signature,
    }


def signed_by(checkpoint: Any, public_key: str) -> bool:
    """True when ``checkpoint`` is well formed and signed by ``public_key``."""
    if not isinstance(checkpoint, dict) or checkpoint.get("kind") not in KINDS:
        return False
    body = {k: checkpoint.get(k) for k in ("agency", "seq", "head_hash", "at", "kind")}
    if not isinstance(body["seq"], int) or not isinstance(body["head_hash"], str):
        return False
    return verify(public_key, canonical(body), str(checkpoint.get("signature", "")))


def queue(session: Session, data_dir: Path, checkpoint: Checkpoint, entry: object = None) -> None:
    """Write ``checkpoint`` when the session commits (and never if it rolls back or drops ``entry``)."""
    session.info.setdefault(_PENDING, []).append((data_dir, checkpoint, entry))


def write(data_dir: Path, checkpoint: Checkpoint | dict[str, Any]) -> None:
    path = path_of(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, canonical(checkpoint) + b"\n")  # one write: lines of two processes never interleave
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line of checkpoints.jsonl
    checkpoint: dict[str, Any]


def read(data_dir: Path, agency: str) -> list[Line]:
    """The agency's checkpoints in the order they were written (a line that is not JSON included)."""
    path = path_of(data_dir)
    if not path.exists():
        return []
    out = []
    with path.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, 1):
            try:
                checkpoint = json.loads(text)
            except ValueError:
                checkpoint = {"agency": agency, "unreadable": text[:80]}
            if isinstance(checkpoint, dict) and checkpoint.get("agency") == agency:
                out.append(Line(number, checkpoint))
    return out


@event.listens_for(Session, "after_commit")
def _write_pending(session: Session) -> None:
    for data_dir, checkpoint, entry in session.info.pop(_PENDING, []):
        if entry is None or inspect(entry).persistent:  # not dropped by a rolled-back savepoint
            write(data_dir, checkpoint)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    if not session.in_nested_transaction():  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)
