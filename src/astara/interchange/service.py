"""Interchange exports (FtM, STIX 2.1, MISP) and imports (FtM entities, MISP events). One transaction each.

Exports go through the sharing policy when written for a partner (``partner``: the clauses of its
agreements in force decide what leaves, TLP:RED never does); without one the file is for the agency
itself. Every export is audited. Imports are all-or-nothing: a bad event or line refuses the file with
every problem listed, unless ``keep_valid``; MISP events become seizures through the seizure service
(the same rules as a form), their parties go to the matching store (matched, watch lists checked).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import Agency
from astara.errors import AstaraError, ImportFailed, InvalidInput
from astara.interchange import records as records_
from astara.interchange.repository import add_document
from astara.kit.deferred import deferred
from astara.kit.ids import stable_id
from astara.matching.store import create_entity
from astara.seizures import repository as seizures_repository
from astara.seizures.dimensions import parse_where
from astara.seizures.schemas import SeizureCreate
from astara.seizures.service import create_seizure
from astara.sharing import audit
from astara.sharing import repository as sharing_repository
from astara.sharing.agreements import Agreement

if TYPE_CHECKING:
    from astara.interchange import ftm, misp, stix
else:
    _WHY = "each layout loads only its own library"
    ftm = deferred("astara.interchange.ftm", _WHY)
    misp = deferred("astara.interchange.misp", _WHY)
    stix = deferred("astara.interchange.stix", _WHY)

LAYOUTS = ("ftm", "stix", "misp")
MAPPINGS = ("ftm", "misp")
MAX_LISTED = 1000


@dataclass
class ExportReport:
    file: str
    layout: str
    format: str
    partner: str | None
    records: int = 0
    objects: int = 0
    refused: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        audience = (
            f"for partner {self.partner} (its agreements' clauses)" if self.partner else "for this agency"
        )
        lines = [
            f"wrote {self.records:,} seizures to {self.file} as {self.format} "
            f"({self.objects:,} objects), {audience}"
        ]
        if self.refused:
            lines.append(f"  kept back by the policy: {len(self.refused):,}")
            reasons: dict[str, int] = {}
            for why in self.refused.values():
                reasons[why] = reasons.get(why, 0) + 1
            lines += [f"    {n:,} x {why}" for why, n in sorted(reasons.items(), key=lambda x: -x[1])]
        return "\n".join(lines)


def _agreements(session: Session, scope: Scope, partner: str, day: dt.date) -> list[Agreement]:
    rows = sharing_repository.list_agreements(session, scope, partner)
    agreements = [Agreement.model_validate(r.document) for r in rows]
    in_force = [a for a in agreements if a.in_force(day)]
    if not in_force:
        raise InvalidInput(
            f"no agreement with {partner} is in force on {day}; an export for a partner follows an agreement",
            details=[{"field": "partner", "reason": "no agreement in force"}],
        )
    return in_force


def export(
    session: Session,
    scope: Scope,
    path: Path,
    layout: str,
    *,
    where: list[str] | None = None,
    partner: str | None = None,
    today: dt.date | None = None,
) -> ExportReport:
    """Write the agency's seizures (filtered by ``where``) as ``layout``; nothing is left half-written."""
    if layout not in LAYOUTS:
        raise InvalidInput(f"unknown interchange layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    day = today or dt.date.today()
    partner = partner.strip().upper() if partner else None
    agreements = _agreements(session, scope, partner, day) if partner else None
    events = seizures_repository.iter_events(session, scope, parse_where(where or []))
    selection = records_.select(session, scope, events, agreements, day)
    resolved = records_.identities(session, scope)
    agency = session.get(Agency, scope.agency_id)
    names = {"ftm": ftm.FORMAT, "stix": stix.FORMAT, "misp": misp.FORMAT}
    report = ExportReport(
        path.name, layout, names[layout], partner, len(selection.records), refused=selection.refused
    )
    name = agency.name if agency is not None else scope.agency_code
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            if layout == "ftm":
                report.objects = ftm.write(f, scope.agency_code, selection.records, resolved)
            elif layout == "stix":
                report.objects = stix.write(f, scope.agency_code, name, selection.records, resolved)
            else:
                report.objects = misp.write(f, scope.agency_code, name, selection.records)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    audit.append(
        session,
        scope,
        "export",
        partner=partner,
        details={
            "file": path.name,
            "format": layout,
            "layout": layout,
            "rows": report.records,
            "objects": report.objects,
            "where": where or [],
            "for": partner or "own agency",
            "refused": len(selection.refused),
        },
    )
    return report


# -- imports --------------------------------------------------------------------------------------


@dataclass
class InterchangeImport:
    file: str
    mapping: str
    status: str = "completed"  # completed | partial
    read: int = 0  # events (MISP) or entities (FtM) read
    seizures_created: int = 0
    already_present: int = 0
    entities_created: int = 0
    watch_alerts: int = 0
    skipped: int = 0  # FtM entities of schemata Astara does not store
    rejected: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    unknown: list[dict[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        noun = "events" if self.mapping == "misp" else "entities"
        lines = [f"{self.file} ({self.mapping}): {self.status}", f"  {noun} read          {self.read:>10,}"]
        if self.mapping == "misp":
            lines += [
                f"  seizures created     {self.seizures_created:>10,}",
                f"  already present      {self.already_present:>10,}",
            ]
        lines.append(
            f"  entities created     {self.entities_created:>10,}  ({self.watch_alerts:,} watch-list alerts)"
        )
        if self.skipped:
            lines.append(f"  other schemata       {self.skipped:>10,}  (not stored)")
        lines.append(f"  rejected             {self.rejected:>10,}")
        if self.unknown:
            lines.append(f"  fields not understood {len(self.unknown):>9,}  (kept in the seizures' notes)")
            lines += [
                f"    event {u['event']}: {u['attribute']} = {u['value'][:60]}" for u in self.unknown[:20]
            ]
        if self.errors:
            lines.append("  problems:")
            lines += [
                f"    {'event ' + e['event'] if 'event' in e else 'line ' + e['line']}, "
                f"{e['attribute'] or 'the whole'}: {e['reason']}"
                for e in self.errors[:50]
            ]
        return "\n".join(lines)


def run_import(
    session: Session,
    scope: Scope,
    path: Path,
    mapping: str,
    *,
    keep_valid: bool = False,
    today: dt.date | None = None,
) -> InterchangeImport:
    """Import ``path`` (MISP events or FtM entities); raises ImportFailed (nothing written) on a bad one."""
    require(scope, "records.write")
    if mapping not in MAPPINGS:
        raise InvalidInput(f"unknown interchange mapping {mapping!r}; use one of {', '.join(MAPPINGS)}")
    if not path.is_file():
        raise InvalidInput(f"no file {path}")
    report = InterchangeImport(path.name, mapping)
    if mapping == "misp":
        _import_misp(session, scope, path, report, keep_valid, today)
    else:
        _import_ftm(session, scope, path, report, keep_valid)
    noun = "events" if mapping == "misp" else "entities"
    if report.errors and not keep_valid:
        raise ImportFailed(
            f"{path.name}: {report.rejected:,} of {report.read:,} {noun} "
            "are bad; nothing was imported (fix them, or use --keep-valid to store the valid ones)",
            details=report.errors[:MAX_LISTED],
        )
    report.status = "partial" if report.rejected else "completed"
    audit.append(
        session,
        scope,
        "import",
        details={
            "file": path.name,
            "mapping": mapping,
            "rows": report.read,
            "created": report.seizures_created,
            "entities": report.entities_created,
            "rejected": report.rejected,
            "not_understood": len(report.unknown),
        },
    )
    return report


def _import_misp(
    session: Session,
    scope: Scope,
    path: Path,
    report: InterchangeImport,
    keep_valid: bool,
    today: dt.date | None,
) -> None:
    try:
        parsed_events = list(misp.read(path))
    except misp.NotMisp as exc:
        raise InvalidInput(f"{path.name} is not MISP event JSON: {exc}") from exc
    for parsed in parsed_events:
        report.read += 1
        report.unknown.extend(parsed.unknown)
        if parsed.problems:
            report.rejected += 1
            report.errors.extend(parsed.problems)
            continue
        reference = parsed.fields.get("reference")
        if reference and seizures_repository.find_by_reference(session, scope, reference):
            report.already_present += 1
            continue
        fields = dict(parsed.fields)
        precision = fields.pop("date_precision", None)
        if precision in ("month", "year") and fields.get("date"):
            fields["date"] = fields["date"][: 7 if precision == "month" else 4]
        notes = [f"MISP {u['attribute']}: {u['value']}" for u in parsed.unknown]
        if notes:
            fields["notes"] = "\n".join(notes)
        try:
            data = SeizureCreate.model_validate({**fields, "items": parsed.items})
            # create_seizure checks everything before it writes: a refused event leaves nothing behind
            created = create_seizure(session, scope, data, today, source_type="interchange")
        except ValidationError as exc:
            report.rejected += 1
            report.errors += [
                {"event": parsed.label, "attribute": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]}
                for e in exc.errors()
            ]
            continue
        except AstaraError as exc:
            report.rejected += 1
            details = exc.details or [{"field": "", "reason": exc.message}]
            report.errors += [
                {
                    "event": parsed.label,
                    "attribute": _attribute_of(str(d.get("field", ""))),
                    "reason": str(d.get("reason", exc.message)),
                }
                for d in details
            ]
            continue
        report.seizures_created += 1
        for kind, role, values in parsed.parties:  # (each has a name, plate or VIN: parse checked)
            _, alerts = create_entity(session, scope, kind, values, event_id=created.id, role=role)
            report.entities_created += 1
            report.watch_alerts += len(alerts)
        for role, document in parsed.documents:
            doc_id = stable_id(scope.agency_code, "document", created.id, repr(sorted(document.items())))
            add_document(session, scope, doc_id, document, created.id, role)


# The seizure service names fields by its own names; the problem list names the MISP attribute.
_MISP_NAMES = {
    "date": "date",
    "country": "geolocation: countrycode",
    "place": "geolocation: text",
    "reference": "Internal reference",
}


def _attribute_of(name: str) -> str:
    if name.startswith("items."):
        n, _, what = name[6:].partition(".")
        relation = {"drug": "object-type", "quantity": "quantity", "unit": "quantity (unit)"}.get(what, what)
        return f"physical-object {int(n) + 1}: {relation}" if n.isdigit() else name
    return _MISP_NAMES.get(name, name)


def _import_ftm(
    session: Session, scope: Scope, path: Path, report: InterchangeImport, keep_valid: bool
) -> None:
    wanted: list[tuple[int, str, dict[str, Any]]] = []
    for line, proxy, problem in ftm.read(path):
        report.read += 1
        if proxy is None:
            report.rejected += 1
            report.errors.append(
                {"line": str(line), "attribute": "", "reason": f"FtM cannot load it: {problem}"}
            )
            continue
        found = ftm.fields_of(proxy)
        if found is None:
            report.skipped += 1
            continue
        kind, values = found
        label = f"{line} ({proxy.schema.name} {proxy.id})"
        need = "plate" if kind == "vehicle" else "name"
        if not values.get(need) and not values.get("vin"):
            report.rejected += 1
            report.errors.append({"line": label, "attribute": need, "reason": f"a {kind} needs a {need}"})
            continue
        wanted.append((line, kind, values))
    if report.errors and not keep_valid:
        return
    for line, kind, values in wanted:
        try:
            _, alerts = create_entity(session, scope, kind, values)  # (checked above: it has a name or plate)
        except AstaraError as exc:
            report.rejected += 1
            report.errors.append({"line": str(line), "attribute": kind, "reason": exc.message})
            continue
        report.entities_created += 1
        report.watch_alerts += len(alerts)
