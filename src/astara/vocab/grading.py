"""Intelligence grading schemes (Admiralty, Europol 4x4, UK 3x5x2) and data-driven conversion between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from astara.vocab._yaml import Entry, entries
from astara.vocab.models import Term, TermSet, VocabularyError
from astara.vocab.normalize import norm_key

__all__ = ["Grading", "GradingConversion", "GradingScheme", "parse_grading"]


@dataclass(frozen=True)
class GradingScheme:
    code: str
    label: str
    short: str
    description: str
    source: TermSet[Term] = field(hash=False)
    info: TermSet[Term] = field(hash=False)
    handling: TermSet[Term] | None = field(default=None, hash=False)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradingConversion:
    """Converted grades; ``loss`` explains what information the conversion could not keep (None if none)."""

    source: str
    info: str
    loss: str | None


@dataclass(frozen=True)
class _Table:
    source: Mapping[str, str]
    info: Mapping[str, str]
    note: str | None


def _join(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


class Grading:
    """The grading schemes and the mapping tables between them."""

    def __init__(self, schemes: list[GradingScheme], tables: dict[tuple[str, str], _Table]) -> None:
        self.schemes: dict[str, GradingScheme] = {s.code: s for s in schemes}
        self._tables = tables
        self._aliases = {norm_key(a): s.code for s in schemes for a in (s.code, s.label, s.short, *s.aliases)}

    def scheme(self, code: str) -> GradingScheme:
        """Scheme by code or alias ("admiralty", "NATO", "4x4", "3x5x2", ...); KeyError if unknown."""
        found = self._aliases.get(norm_key(code))
        if found is None:
            raise KeyError(code)
        return self.schemes[found]

    def mapping(self, from_scheme: str, to_scheme: str) -> dict[str, dict[str, str]]:
        t = self._tables[(self.scheme(from_scheme).code, self.scheme(to_scheme).code)]
        return {"source": dict(t.source), "info": dict(t.info)}

    def validate(self, scheme: str, grade: tuple[str, str]) -> tuple[str, str]:
        """Canonical (source, info) codes of ``grade`` in ``scheme``; KeyError if either is not a grade."""
        s = self.scheme(scheme)
        src, info = s.source.lookup(str(grade[0])), s.info.lookup(str(grade[1]))
        if src is None or info is None:
            raise KeyError(f"{grade!r} is not a valid {s.short} grade")
        return src.code, info.code

    def convert(self, from_scheme: str, grade: tuple[str, str], to_scheme: str) -> GradingConversion:
        """Convert a (source, info) grade between schemes, saying what was lost."""
        a, b = self.scheme(from_scheme), self.scheme(to_scheme)
        src, info = self.validate(a.code, grade)
        if a.code == b.code:
            return GradingConversion(src, info, None)
        fwd, back = self._tables[(a.code, b.code)], self._tables.get((b.code, a.code))
        losses: list[str] = []
        out: list[str] = []
        for axis, value, ft, bt in (
            ("source", src, fwd.source, back.source if back else None),
            ("information", info, fwd.info, back.info if back else None),
        ):
            target = ft[value]
            out.append(target)
            before = len(losses)
            merged = [k for k, v in ft.items() if v == target]
            if len(merged) > 1:
                losses.append(f"{b.short} {axis} {target} covers {a.short} {axis} {_join(merged)}")
            split = [k for k, v in bt.items() if v == value] if bt is not None else []
            if len(split) > 1:
                losses.append(f"{a.short} {axis} {value} covers {b.short} {axis} {_join(split)}")
            if len(losses) == before and bt is not None and bt.get(target) != value:
                losses.append(f"{b.short} {axis} {target} converts back to {a.short} {axis} {bt.get(target)}")
        return GradingConversion(out[0], out[1], "; ".join(losses) if losses else None)

    def as_json(self) -> dict[str, Any]:
        def terms(ts: TermSet[Term] | None) -> list[dict[str, Any]]:
            return (
                []
                if ts is None
                else [{"code": t.code, "label": t.label, "description": t.description} for t in ts.all()]
            )

        return {
            "schemes": [
                {
                    "code": s.code,
                    "label": s.label,
                    "short": s.short,
                    "description": s.description,
                    "aliases": list(s.aliases),
                    "source": terms(s.source),
                    "info": terms(s.info),
                    "handling": terms(s.handling),
                }
                for s in self.schemes.values()
            ],
            "conversions": [
                {"from": f, "to": t, "source": dict(tab.source), "info": dict(tab.info), "note": tab.note}
                for (f, t), tab in self._tables.items()
            ],
        }


def _grades(e: Entry, key: str, required: bool = True) -> TermSet[Term] | None:
    raw = e.sub(key, required)
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise e.error(key, "must be a non-empty list of grades")
    out: list[Term] = []
    for i, item in enumerate(raw):
        g = Entry(e.file, item, f"{e.name}.{key}#{i + 1}")
        g.name = f"{e.name}.{key}.{g.name}"
        out.append(Term(g.code(), g.text("label"), g.texts("synonyms"), g.opt_text("description")))
        g.done()
    if len({t.code for t in out}) != len(out):
        raise e.error(key, "duplicate grade codes")
    return TermSet(out)


def parse_grading(file: str, data: Mapping[str, Any]) -> Grading:
    schemes: list[GradingScheme] = []
    for e in entries(file, data, "schemes"):
        src, info = _grades(e, "source"), _grades(e, "info")
        assert src is not None and info is not None
        schemes.append(
            GradingScheme(
                e.code(),
                e.text("label"),
                e.text("short"),
                e.text("description"),
                src,
                info,
                _grades(e, "handling", required=False),
                e.texts("aliases"),
            )
        )
        e.done()
    by_code = {s.code: s for s in schemes}
    if len(by_code) != len(schemes):
        raise VocabularyError(file, None, "schemes", "duplicate scheme codes")
    tables: dict[tuple[str, str], _Table] = {}
    for e in entries(file, data, "conversions"):
        a, b = e.text("from"), e.text("to")
        e.name = f"{a}->{b}"
        for k, s in (("from", a), ("to", b)):
            if s not in by_code:
                raise e.error(k, f"unknown scheme {s!r}")
        maps: list[dict[str, str]] = []
        for axis in ("source", "info"):
            m = e.str_map(axis)
            frm: TermSet[Term] = getattr(by_code[a], axis)
            to: TermSet[Term] = getattr(by_code[b], axis)
            missing = [c for c in frm.codes() if c not in m]
            bad = [f"{k}->{v}" for k, v in m.items() if k not in frm or v not in to]
            if missing or bad:
                raise e.error(axis, f"missing grades {missing} / invalid pairs {bad}")
            maps.append(m)
        if (a, b) in tables:
            raise e.error("from", "duplicate conversion")
        tables[(a, b)] = _Table(maps[0], maps[1], e.opt_text("note"))
        e.done()
    for a in by_code:
        for b in by_code:
            if a != b and (a, b) not in tables:
                raise VocabularyError(file, None, "conversions", f"no conversion table from {a} to {b}")
    return Grading(schemes, tables)
