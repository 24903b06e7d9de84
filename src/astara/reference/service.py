"""Import UNODC country-by-drug-by-year totals and set the agency's recorded seizures against them.

Two layouts are read (both CSV, as UNODC's data portal exports them): the long historical table
(``country, drug_group, drug, year, kilograms``) and the 2018-2022 export (``Country, DrugGroup,
DrugName, Reference year, Kilograms``). Country and drug names resolve through the same
vocabularies as imports. A group's recorded and reported kilograms are said to differ when the
recorded kilograms are under half or over one and a half times the reported ones, or when only
one side has any (amounts under 1 kg on both sides are never flagged).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.service import stats
from astara.errors import InvalidInput, NotFound
from astara.kit.countries import CountryNotFound, country_name, resolve_country
from astara.reference import repository
from astara.reference.schemas import Comparison, ComparisonRow, ReferenceImportReport
from astara.vocab import get_vocabulary

LAYOUTS = {
    "long": {"country": "country", "group": "drug_group", "drug": "drug", "year": "year", "kg": "kilograms"},
    "export": {
        "country": "Country",
        "group": "DrugGroup",
        "drug": "DrugName",
        "year": "Reference year",
        "kg": "Kilograms",
    },
}
LOW, HIGH = 0.5, 1.5
MIN_KG = 1.0  # below this on both sides, a difference is not worth a flag


def _layout(header: list[str]) -> dict[str, str]:
    for columns in LAYOUTS.values():
        if set(columns.values()) <= set(header):
            return columns
    raise InvalidInput(
        "not a UNODC totals file: expected the columns country, drug_group, drug, year, kilograms "
        "or Country, DrugGroup, DrugName, Reference year, Kilograms"
    )


def _drug(drug: str, group: str) -> tuple[str | None, str | None]:
    vocab = get_vocabulary()
    found = vocab.drugs.lookup(drug)
    group_found = vocab.drug_groups.lookup(group)
    code = found.code if found else None
    group_code = found.group if found and found.group else (group_found.code if group_found else None)
    return code, group_code


def import_reference(session: Session, path: Path, source: str | None = None) -> ReferenceImportReport:
    """Store the totals of ``path`` as reference ``source`` (default: the file's name), replacing it."""
    if not path.exists():
        raise NotFound(f"no file {path}")
    source = source or path.stem
    skipped: dict[str, int] = {}
    merged: dict[tuple[str, int, str], dict[str, Any]] = {}
    read = 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        columns = _layout(list(reader.fieldnames or []))
        for row in reader:
            read += 1
            try:
                code = resolve_country(row[columns["country"]])
            except CountryNotFound:
                code = None
            kg_text, year_text = (row[columns["kg"]] or "").strip(), (row[columns["year"]] or "").strip()
            reason = None
            if code is None:
                reason = "unknown country"
            elif not kg_text or not year_text.isdigit():
                reason = "no year or no kilograms"
            if reason:
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            assert code is not None
            drug_text = row[columns["drug"]].strip() or row[columns["group"]].strip()
            drug_code, group = _drug(drug_text, row[columns["group"]])
            key = (code, int(year_text), drug_text)
            entry = merged.setdefault(
                key,
                {"source": source, "country": code, "year": int(year_text), "drug_group": group,
                 "drug_code": drug_code, "drug_text": drug_text, "kg": 0.0},
            )  # fmt: skip
            entry["kg"] += float(kg_text)
    rows = list(merged.values())
    repository.replace_source(session, source, rows)
    years = [r["year"] for r in rows]
    return ReferenceImportReport(
        source=source,
        file_name=path.name,
        rows_read=read,
        rows_stored=len(rows),
        countries=len({r["country"] for r in rows}),
        first_year=min(years) if years else None,
        last_year=max(years) if years else None,
        skipped=skipped,
    )


def _group_label(code: str | None) -> str:
    if code is None:
        return "(no drug group)"
    try:
        return get_vocabulary().drug_groups.get(code).label
    except KeyError:
        return code


def _row(group: str | None, events: int, recorded: float, reported: float | None) -> ComparisonRow:
    label = _group_label(group)
    if reported is None or reported == 0:
        share = f"{recorded:,.1f} kg recorded, none reported"
        flagged = recorded >= MIN_KG
        why = f"{label}: {recorded:,.1f} kg recorded in {events:,} events, but no total was reported."
    else:
        ratio = recorded / reported
        share = f"{recorded:,.1f} kg of {reported:,.1f} kg reported, {100 * ratio:.1f} %"
        flagged = not LOW <= ratio <= HIGH and max(recorded, reported) >= MIN_KG
        if flagged:
            side = "less" if ratio < LOW else "more"
            why = f"{label}: recorded {share}; {side} than the {LOW:g}-{HIGH:g} x band counted as agreeing."
        else:
            why = f"{label}: recorded {share}; within the {LOW:g}-{HIGH:g} x band."
    return ComparisonRow(
        drug_group=group,
        label=label,
        recorded_events=events,
        recorded_kg=round(recorded, 6),
        reported_kg=None if reported is None else round(reported, 6),
        difference_kg=None if reported is None else round(recorded - reported, 6),
        recorded_share=share,
        flagged=flagged,
        explanation=why,
    )


def compare(session: Session, scope: Scope, country: str, year: int) -> Comparison:
    """Recorded seizures (``astara stats --by drug_group``) against the reported totals, by drug group."""
    try:
        code = resolve_country(country)
    except CountryNotFound:
        code = None
    if code is None:
        raise InvalidInput(f"unknown country {country!r}")
    recorded = stats(session, scope, ["drug_group"], [f"country={code}", f"year={year}"])
    sources = repository.sources_for(session, code, year)
    source = sources[0] if sources else None
    reported = dict(repository.totals_by_group(session, source, code, year)) if source else {}
    groups = {None if g.key is None else str(g.key): g for g in recorded.groups}
    keys = sorted(set(groups) | set(reported), key=lambda k: (k is None, str(k)))
    rows = [
        _row(
            None if k is None else str(k),
            groups[k].events if k in groups else 0,
            groups[k].kg if k in groups else 0.0,
            reported.get(k) if source else None,
        )
        for k in keys
    ]
    rows.sort(key=lambda r: (not r.flagged, -(r.reported_kg or 0.0), -r.recorded_kg))
    name = country_name(code)
    note = (
        f"Recorded: this agency's seizure records for {name} in {year}; reported: the {source} total. "
        "An agency records only its own seizures, so recorded kilograms below the reported total are "
        "expected; flags point at groups worth checking (missing records, units, or totals that "
        "include plants)."
        if source
        else f"No reference totals for {name} in {year}; import them with astara reference import FILE."
    )
    return Comparison(
        country=code,
        year=year,
        source=source,
        recorded_events=recorded.total_events,
        recorded_kg=recorded.total_kg,
        reported_kg=round(sum(reported.values()), 6) if source else None,
        rows=rows,
        note=note,
    )


def format_comparison(result: Comparison) -> str:
    width = max([10, *(len(r.label) for r in result.rows)]) + 2
    lines = [f"{'drug group':<{width}}{'events':>8}{'recorded kg':>16}{'reported kg':>16}  "]
    for r in result.rows:
        reported = "-" if r.reported_kg is None else f"{r.reported_kg:,.1f}"
        mark = "  <- differs" if r.flagged else ""
        lines.append(f"{r.label:<{width}}{r.recorded_events:>8,}{r.recorded_kg:>16,.1f}{reported:>16}{mark}")
    lines.append(result.note)
    lines.extend(r.explanation for r in result.rows if r.flagged)
    return "\n".join(lines)
