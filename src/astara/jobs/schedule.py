"""Scheduled jobs: ``DATA_DIR/schedule.toml`` names work to queue every N minutes, hours or days.

Time is cut into slots of each entry's period, shifted by its ``at`` (slot = (seconds since the
epoch - at) // period); the
scheduler queues the current slot's job with an id made from the agency, the entry's name and the
slot, by a conditional insert (:func:`repository.insert_once`). So two schedulers never queue one
slot twice, a scheduler that was down queues only the slot it starts in (the missed runs are run
once, not once each), and a restart inside a slot already queued queues nothing.

    [[job]]
    name = "pull-ir-anp"          # letters, digits and '-'; unique in the file
    kind = "sharing.pull"
    every = "15m"                 # m, h or d
    at = "00:05"                  # optional: the UTC time within each period it starts (00:00)
    params = { partner = "IR-ANP" }
    agency = "AZ-SCS"             # optional: ASTARA_AGENCY
    user = "admin"                # optional: the agency's administrator
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.agencies.service import scope_for
from astara.auth.roles import require
from astara.db.engine import transaction
from astara.db.models import utcnow
from astara.errors import AstaraError, InvalidInput
from astara.jobs import repository
from astara.jobs.schemas import JobOut
from astara.jobs.service import KINDS
from astara.settings import Settings

log = logging.getLogger(__name__)

FILE_NAME = "schedule.toml"
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
EVERY = re.compile(r"(\d{1,5})([mhd])")
AT = re.compile(r"(\d{1,3}):([0-5]\d)")
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
UNSCHEDULABLE = {"imports.run": "an import runs on a file someone uploads; it cannot be scheduled"}
FIELDS = {"name", "kind", "every", "at", "params", "agency", "user"}
RESERVED_PARAMS = {"schedule", "slot"}  # the scheduler's own, added to each slot's job
ENTITY_KINDS = ("person", "vehicle", "organization")  # matching.keys.KINDS, without importing matching
EPOCH = dt.datetime(1970, 1, 1)


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty string"


def _names(value: Any) -> str | None:
    good = isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)
    return None if good else 'a list of names, such as ["border watch"]'


def _entity_kinds(value: Any) -> str | None:
    good = isinstance(value, list) and value and all(v in ENTITY_KINDS for v in value)
    return None if good else f"a list of {', '.join(ENTITY_KINDS)}"


def _folder(value: Any) -> str | None:
    good = isinstance(value, str) and Path(value).is_absolute()
    return None if good else 'an absolute folder, such as "/var/backups/astara"'


def _count(value: Any) -> str | None:
    good = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000
    return None if good else "a whole number from 1 to 1000"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


# Each schedulable kind's parameters: name -> (required, why a value is refused or None). A kind not
# named here (one added later) takes any parameters but the scheduler's own.
PARAMS: dict[str, dict[str, tuple[bool, Callable[[Any], str | None]]]] = {
    "sharing.pull": {"partner": (True, _text)},
    "sharing.purge": {},
    "matching.watch": {"lists": (False, _names)},
    "matching.resolve": {"kinds": (False, _entity_kinds)},
    "operations.backup": {"folder": (True, _folder), "keep": (False, _count), "encrypt": (False, _flag)},
}


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str
    every: str
    seconds: int
    agency: str
    user: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    offset: int = 0  # seconds into each period the slot starts (``at``)

    @property
    def at(self) -> str | None:
        """The UTC time within each period its slots start, when not the period's start."""
        return f"{self.offset // 3600:02d}:{self.offset % 3600 // 60:02d}" if self.offset else None

    def slot(self, at: dt.datetime) -> int:
        return (int((at - EPOCH).total_seconds()) - self.offset) // self.seconds

    def slot_start(self, slot: int) -> dt.datetime:
        return EPOCH + dt.timedelta(seconds=slot * self.seconds + self.offset)

    def job_id(self, slot: int) -> str:
        """The slot's job id: the same in every scheduler, so the store holds one job per slot."""
        digest = hashlib.sha256(f"{self.agency}\n{self.name}\n{slot}".encode()).hexdigest()
        return f"sched-{digest[:32]}"


def load(path: Path, default_agency: str) -> list[Entry]:
    """The schedule in ``path`` (none: no scheduled jobs); a bad file is refused whole, naming the
    line and field at fault."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(document) - {"job"})
    if unknown:
        raise InvalidInput(
            f"{path} line {_line(text, None, unknown[0])}: unknown table {unknown[0]!r}; "
            "write each scheduled job as a [[job]] table"
        )
    raw = document.get("job", [])
    if not isinstance(raw, list):
        raise InvalidInput(f"{path}: write each scheduled job as a [[job]] table")
    entries: list[Entry] = []
    for index, item in enumerate(raw):
        entry = _entry(path, text, index, item, default_agency)
        if any(e.name == entry.name and e.agency == entry.agency for e in entries):
            raise InvalidInput(
                f"{path} line {_line(text, index, 'name')}: job name {entry.name!r} is used twice"
            )
        entries.append(entry)
    return entries


def _entry(path: Path, text: str, index: int, item: dict[str, Any], default_agency: str) -> Entry:
    named = item.get("name")
    which = f"job {index + 1}" + (f" {named!r}" if isinstance(named, str) and named else "")

    def bad(name: str, why: str) -> InvalidInput:
        return InvalidInput(
            f"{path} line {_line(text, index, name)}: {which}, field {name!r}: {why}",
            details=[{"field": name, "job": index + 1, "name": named if isinstance(named, str) else None}],
        )

    for name in sorted(set(item) - FIELDS):
        raise bad(name, f"unknown field; fields: {', '.join(sorted(FIELDS))}")
    for name in ("name", "kind", "every"):
        if not isinstance(item.get(name), str):
            raise bad(name, "missing, or not a string")
    if not NAME.fullmatch(item["name"]):
        raise bad("name", "1 to 40 lower-case letters, digits or '-'")
    kind = item["kind"]
    if kind not in KINDS:
        raise bad(
            "kind", f"no job kind {kind!r}; kinds: {', '.join(sorted(set(KINDS) - set(UNSCHEDULABLE)))}"
        )
    if kind in UNSCHEDULABLE:
        raise bad("kind", UNSCHEDULABLE[kind])
    every = EVERY.fullmatch(item["every"].strip())
    seconds = int(every.group(1)) * UNIT_SECONDS[every.group(2)] if every else 0
    if not every or not 60 <= seconds <= 366 * 86400:
        raise bad("every", f"{item['every']!r} is not a period such as 15m, 6h or 1d (1 minute to 366 days)")
    offset = 0
    if "at" in item:
        found = AT.fullmatch(item["at"].strip()) if isinstance(item["at"], str) else None
        offset = int(found.group(1)) * 3600 + int(found.group(2)) * 60 if found else -1
        if not 0 <= offset < seconds:
            raise bad("at", f"{item['at']!r} is not a time HH:MM (UTC) within the period of {item['every']}")
    params = item.get("params", {})
    if not isinstance(params, dict):
        raise bad("params", 'a table, such as { partner = "IR-ANP" }')
    _check_params(kind, params, bad)
    for name in ("agency", "user"):
        if name in item and not isinstance(item[name], str):
            raise bad(name, "not a string")
    return Entry(
        name=item["name"],
        kind=kind,
        every=item["every"].strip(),
        seconds=seconds,
        agency=str(item.get("agency") or default_agency).strip().upper(),
        user=item.get("user"),
        params={k: v for k, v in params.items()},
        offset=offset,
    )


def _check_params(kind: str, params: dict[str, Any], bad: Callable[[str, str], InvalidInput]) -> None:
    spec = PARAMS.get(kind)
    for name in sorted(params):
        if name in RESERVED_PARAMS or (spec is not None and name not in spec):
            known = ", ".join(sorted(spec or {})) or "none"
            raise bad(f"params.{name}", f"a {kind} job has no parameter {name!r}; its parameters: {known}")
    for name, (required, refused) in sorted((spec or {}).items()):
        if name not in params:
            if required:
                raise bad(f"params.{name}", f"a {kind} job needs params.{name}")
            continue
        why = refused(params[name])
        if why is not None:
            raise bad(f"params.{name}", f"{params[name]!r} is not {why}")


def _line(text: str, index: int | None, name: str) -> int:
    """The line of field ``name`` in the ``index``-th [[job]] table (else of the table's header)."""
    lines = text.splitlines()
    headers = [n for n, line in enumerate(lines) if line.strip().startswith("[[job]]")]
    if index is None or index >= len(headers):
        found = [n for n, line in enumerate(lines) if line.strip().lstrip("[").startswith(name)]
        return found[0] + 1 if found else 1
    start = headers[index]
    end = headers[index + 1] if index + 1 < len(headers) else len(lines)
    for field_name in dict.fromkeys([name, name.split(".")[0], name.split(".")[-1]]):
        for n in range(start + 1, end):
            if re.match(rf"\s*{re.escape(field_name)}\s*=", lines[n]):
                return n + 1
    return start + 1


def queue_due(session: Session, entries: list[Entry], now: dt.datetime | None = None) -> list[str]:
    """Queue each entry's current slot unless some scheduler did; the ids of the jobs queued now."""
    at = now or utcnow()
    queued: list[str] = []
    for entry in entries:
        try:
            scope = scope_for(session, entry.agency, entry.user, via="schedule")
        except AstaraError as exc:  # an agency or user not (or no longer) there: the others still run
            _warn_once(entry, exc.message)
            continue
        slot = entry.slot(at)
        values: dict[str, Any] = {
            "id": entry.job_id(slot),
            "agency_id": scope.agency_id,
            "kind": entry.kind,
            "params": {**entry.params, "schedule": entry.name, "slot": slot},
            "status": repository.QUEUED,
            "created_by": scope.user_id,
            "created_at": at,
            "progress_done": 0,
            "progress_message": "",
            "attempts": 0,
        }
        if repository.insert_once(session, values):
            queued.append(values["id"])
    return queued


_warned: set[tuple[str, str, str]] = set()


def _warn_once(entry: Entry, message: str) -> None:
    """Log a scheduled entry that cannot be queued once a process, not at every look at the queue."""
    if (entry.agency, entry.name, message) not in _warned:
        _warned.add((entry.agency, entry.name, message))
        log.error("scheduled job %r not queued: %s", entry.name, message)


@dataclass(frozen=True)
class Planned:
    """An entry with its last scheduled run and when the next is due (or why it cannot be queued)."""

    entry: Entry
    next_at: dt.datetime
    last: JobOut | None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        last = self.last
        return {
            "name": self.entry.name,
            "kind": self.entry.kind,
            "every": self.entry.every,
            "at": self.entry.at,
            "agency": self.entry.agency,
            "params": self.entry.params,
            "next_at": self.next_at.isoformat(timespec="seconds") + "Z",
            "problem": self.problem,
            "last": None
            if last is None
            else {
                "job": last.id,
                "status": last.status,
                "queued_at": last.created_at.isoformat(),
                "finished_at": last.finished_at.isoformat() if last.finished_at else None,
                "result": last.result,
                "error": last.error,
            },
        }


def plan(session: Session, entries: list[Entry], now: dt.datetime | None = None) -> list[Planned]:
    """Each entry's last scheduled job and the start of its next slot not yet queued."""
    at = now or utcnow()
    out = []
    for entry in entries:
        try:
            scope = scope_for(session, entry.agency, entry.user, via="schedule")
        except AstaraError as exc:
            out.append(Planned(entry, at, None, exc.message))
            continue
        mine = [
            j
            for j in repository.of_kind(session, scope, entry.kind, 200)
            if j.params.get("schedule") == entry.name
        ]
        last = JobOut.model_validate(mine[0]) if mine else None
        slot = entry.slot(at)
        queued = last is not None and last.params.get("slot") == slot
        out.append(Planned(entry, entry.slot_start(slot + 1) if queued else at, last))
    return out


@dataclass(frozen=True)
class Loaded:
    """The schedule file as a process read it: its entries, or why none could be read."""

    path: Path
    entries: list[Entry]
    problem: str | None = None


def read(settings: Settings) -> Loaded:
    """``DATA_DIR/schedule.toml`` without raising: a server starts whatever the file holds, and says why
    it queues nothing (in its log, on the schedule page and in /readyz details)."""
    path = settings.data_dir / FILE_NAME
    try:
        return Loaded(path, load(path, settings.agency))
    except InvalidInput as exc:
        return Loaded(path, [], exc.message)


def scheduler(engine: Engine, entries: list[Entry]) -> Callable[[], list[str]] | None:
    """What a runner calls before each look at the queue: queue the entries' slots now due."""
    if not entries:
        return None

    def queue() -> list[str]:
        with transaction(engine) as session:
            return queue_due(session, entries)

    return queue


@dataclass(frozen=True)
class Overview:
    path: Path
    problem: str | None
    planned: list[Planned]

    def as_dict(self) -> dict[str, Any]:
        entries = [p.as_dict() for p in self.planned]
        return {"file": str(self.path), "problem": self.problem, "entries": entries}


def overview(session: Session, scope: Scope, settings: Settings, now: dt.datetime | None = None) -> Overview:
    """The acting agency's scheduled jobs, each with its last run and next run, and any problem of the
    file; for its administrators."""
    require(scope, "users.manage")
    loaded = read(settings)
    mine = [e for e in loaded.entries if e.agency == scope.agency_code]
    return Overview(loaded.path, loaded.problem, plan(session, mine, now))
