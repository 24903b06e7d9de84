"""Load and validate the vocabulary data files (YAML in ``astara/vocab/data``)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from astara.kit import yamlfile
from astara.kit.deferred import deferred
from astara.kit.pickled import pickled
from astara.vocab._yaml import Entry, entries
from astara.vocab.grading import Grading, parse_grading
from astara.vocab.models import (
    Drug,
    DrugKind,
    DrugSet,
    Term,
    TermSet,
    Unit,
    UnitKind,
    VocabularyError,
    build_index,
)
from astara.vocab.normalize import norm_key
from astara.vocab.units import ConversionDefaults, UnitSet

if TYPE_CHECKING:
    import yaml
else:
    yaml = deferred("yaml", "a cached vocabulary is read without YAML")

__all__ = ["DATA_DIR", "TERM_FILES", "Vocabulary", "get_vocabulary", "load_vocabulary"]

DATA_DIR = Path(__file__).resolve().parent / "data"

#: attribute name on Vocabulary -> data file holding a plain Term list
TERM_FILES: dict[str, str] = {
    "transport": "transport.yaml",
    "place_types": "place_types.yaml",
    "routing": "routing.yaml",
    "concealment": "concealment.yaml",
    "detection_methods": "detection.yaml",
    "route_roles": "route_roles.yaml",
    "validation_statuses": "validation_statuses.yaml",
    "source_types": "source_types.yaml",
    "tlp": "tlp.yaml",
    "handling_codes": "handling.yaml",
}

_SCHEDULE_RE = re.compile(r"^(1961:(I|II|III|IV)|1971:(I|II|III|IV)|1988:Table (I|II))$")
_DRUG_KINDS: tuple[str, ...] = ("drug", "precursor", "other")
_UNIT_KINDS: tuple[str, ...] = ("mass", "volume", "count", "area", "other")


@dataclass(frozen=True)
class Vocabulary:
    """All controlled vocabularies, validated. Obtain it with :func:`get_vocabulary`."""

    drugs: DrugSet = field(hash=False)
    drug_groups: TermSet[Term] = field(hash=False)
    units: UnitSet = field(hash=False)
    transport: TermSet[Term] = field(hash=False)
    place_types: TermSet[Term] = field(hash=False)
    routing: TermSet[Term] = field(hash=False)
    concealment: TermSet[Term] = field(hash=False)
    detection_methods: TermSet[Term] = field(hash=False)
    route_roles: TermSet[Term] = field(hash=False)
    validation_statuses: TermSet[Term] = field(hash=False)
    source_types: TermSet[Term] = field(hash=False)
    tlp: TermSet[Term] = field(hash=False)
    handling_codes: TermSet[Term] = field(hash=False)
    grading: Grading = field(hash=False)

    def term_sets(self) -> dict[str, TermSet[Term]]:
        return {name: cast(TermSet[Term], getattr(self, name)) for name in ("drug_groups", *TERM_FILES)}

    def as_json(self) -> dict[str, Any]:
        """Everything as plain JSON-serialisable data (for web pages and API clients)."""

        def term(t: Term) -> dict[str, Any]:
            return {
                "code": t.code,
                "label": t.label,
                "synonyms": list(t.synonyms),
                "description": t.description,
                "parent": t.parent,
                "maps_to": dict(t.maps_to),
            }

        out: dict[str, Any] = {name: [term(t) for t in ts.all()] for name, ts in self.term_sets().items()}
        out["drugs"] = [
            {
                "code": d.code,
                "name": d.name,
                "group": d.group,
                "kind": d.kind,
                "schedules": list(d.schedules),
                "names": {k: list(v) for k, v in d.names.items()},
                "tablet_kg": d.tablet_kg,
                "tablet_source": d.tablet_source,
                "density_kg_per_l": d.density_kg_per_l,
                "density_source": d.density_source,
                "note": d.note,
            }
            for d in self.drugs.all()
        ]
        out["units"] = [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "kg_factor": u.kg_factor,
                "litre_factor": u.litre_factor,
                "count_factor": u.count_factor,
                "item": u.item,
                "synonyms": list(u.synonyms),
                "note": u.note,
            }
            for u in self.units.all()
        ]
        d = self.units.defaults
        out["conversion_defaults"] = {
            "tablet_kg": d.tablet_kg,
            "tablet_source": d.tablet_source,
            "density_kg_per_l": d.density_kg_per_l,
            "density_source": d.density_source,
        }
        out["grading"] = self.grading.as_json()
        return out


def _read(data_dir: Path, name: str) -> Mapping[str, Any]:
    path = data_dir / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VocabularyError(name, None, None, f"cannot read {path}: {exc}") from exc

    try:
        data = yamlfile.safe_load(text)
    except yaml.YAMLError as exc:
        raise VocabularyError(name, None, None, f"invalid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise VocabularyError(name, None, None, "top level must be a mapping")
    return data


def _unique_codes(file: str, items: list[Any]) -> None:
    seen: set[str] = set()
    for item in items:
        if item.code in seen:
            raise VocabularyError(file, item.code, "code", "duplicate code")
        seen.add(item.code)


def _index(file: str, items: list[Any]) -> dict[str, Any]:
    """Lookup index; a text claimed by two entries (after normalisation) is an error."""
    for item in items:
        for text in item.lookup_texts():
            if not norm_key(text):
                raise VocabularyError(file, item.code, "synonyms", f"{text!r} normalises to an empty key")

    def clash(entry: Any, text: str, key: str, other: str) -> None:
        raise VocabularyError(
            file, entry.code, "synonyms", f"{text!r} (key {key!r}) is already claimed by entry {other!r}"
        )

    return build_index(items, clash)


def _parse_terms(file: str, data: Mapping[str, Any], key: str = "terms") -> TermSet[Term]:
    terms: list[Term] = []
    for e in entries(file, data, key):
        terms.append(
            Term(
                e.code(),
                e.text("label"),
                e.texts("synonyms"),
                e.opt_text("description"),
                e.opt_text("parent"),
                e.str_map("maps_to"),
                e.str_map("labels"),
                e.str_map("descriptions"),
            )
        )
        e.done()
    _unique_codes(file, terms)
    codes = {t.code for t in terms}
    for t in terms:
        if t.parent is not None and t.parent not in codes:
            raise VocabularyError(file, t.code, "parent", f"unknown parent code {t.parent!r}")
    return TermSet(terms, _index(file, terms))


def _parse_drugs(file: str, data: Mapping[str, Any], groups: TermSet[Term]) -> DrugSet:
    drugs: list[Drug] = []
    for e in entries(file, data, "drugs"):
        group = e.text("group")
        if group not in groups:
            raise e.error("group", f"unknown group {group!r}")
        schedules = e.texts("schedules")
        for s in schedules:
            if not _SCHEDULE_RE.match(s):
                raise e.error("schedules", f"{s!r} is not like '1961:I', '1971:II' or '1988:Table I'")
        tablet_kg, density = e.opt_positive("tablet_kg"), e.opt_positive("density_kg_per_l")
        tablet_source, density_source = e.opt_text("tablet_source"), e.opt_text("density_source")
        if tablet_kg is not None and tablet_source is None:
            raise e.error("tablet_source", "required when tablet_kg is given")
        if density is not None and density_source is None:
            raise e.error("density_source", "required when density_kg_per_l is given")
        drugs.append(
            Drug(
                code=e.code(),
                name=e.text("name"),
                group=group,
                kind=cast(DrugKind, e.choice("kind", _DRUG_KINDS)),
                schedules=schedules,
                names=e.lang_texts("names"),
                tablet_kg=tablet_kg,
                tablet_source=tablet_source,
                density_kg_per_l=density,
                density_source=density_source,
                note=e.opt_text("note"),
            )
        )
        e.done()
    _unique_codes(file, drugs)
    return DrugSet(drugs, _index(file, drugs))


def _parse_units(file: str, data: Mapping[str, Any], drugs: DrugSet) -> UnitSet:
    units: list[Unit] = []
    for e in entries(file, data, "units"):
        kind = cast(UnitKind, e.choice("kind", _UNIT_KINDS))
        kg, litre, count = (
            e.opt_positive("kg_factor"),
            e.opt_positive("litre_factor"),
            e.opt_positive("count_factor"),
        )
        item = e.opt_text("item")
        if kind == "mass" and kg is None:
            raise e.error("kg_factor", "required for a mass unit")
        if kind == "volume" and litre is None:
            raise e.error("litre_factor", "required for a volume unit")
        if kind != "mass" and kg is not None:
            raise e.error("kg_factor", "only mass units have a kg_factor")
        if kind != "volume" and litre is not None:
            raise e.error("litre_factor", "only volume units have a litre_factor")
        if item is not None and (kind != "count" or item not in ("tablet", "dose")):
            raise e.error("item", "must be 'tablet' or 'dose', on count units only")
        units.append(
            Unit(
                e.code(),
                e.text("name"),
                kind,
                kg,
                litre,
                count,
                cast(Any, item),
                e.texts("synonyms"),
                e.opt_text("note"),
            )
        )
        e.done()
    _unique_codes(file, units)
    a = Entry(file, data.get("defaults"), "defaults")
    a.name = "defaults"
    defaults = ConversionDefaults(
        a.positive("tablet_kg"),
        a.text("tablet_source"),
        a.positive("density_kg_per_l"),
        a.text("density_source"),
    )
    a.done()
    return UnitSet(units, defaults, drugs, _index(file, units))


def load_vocabulary(data_dir: Path = DATA_DIR) -> Vocabulary:
    """Load and validate every vocabulary file in ``data_dir``; raises :class:`VocabularyError`."""
    drug_data = _read(data_dir, "drugs.yaml")
    groups = _parse_terms("drugs.yaml", drug_data, "groups")
    drugs = _parse_drugs("drugs.yaml", drug_data, groups)
    units = _parse_units("units.yaml", _read(data_dir, "units.yaml"), drugs)
    terms = {attr: _parse_terms(name, _read(data_dir, name)) for attr, name in TERM_FILES.items()}
    grading = parse_grading("grading.yaml", _read(data_dir, "grading.yaml"))
    handling = terms["handling_codes"]
    for code, s in grading.schemes.items():
        if code == "europol_4x4" and s.handling is not None:
            missing = [c for c in s.handling.codes() if c not in handling]
            if missing:
                raise VocabularyError(
                    "grading.yaml", code, "handling", f"codes {missing} not in handling.yaml"
                )
    return Vocabulary(drugs=drugs, drug_groups=groups, units=units, grading=grading, **terms)


@functools.cache
def get_vocabulary() -> Vocabulary:
    """The packaged vocabulary, loaded and validated once per process."""
    return cached_vocabulary(DATA_DIR, Path(__file__).resolve().parent / "__pycache__")


def cached_vocabulary(data_dir: Path, cache_dir: Path) -> Vocabulary:
    """:func:`load_vocabulary`, kept as a pickle in ``cache_dir`` (see :mod:`astara.kit.pickled`), so a
    command starts without parsing and checking the YAML again."""
    sources = sorted(data_dir.glob("*.yaml")) + sorted(Path(__file__).parent.glob("*.py"))
    return pickled(cache_dir, "vocabulary", sources, Vocabulary, lambda: load_vocabulary(data_dir))
