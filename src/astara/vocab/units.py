"""Units of quantity and conversion of seized quantities to kilograms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from astara.vocab.models import Drug, DrugSet, KgEquivalent, TermSet, Unit

__all__ = ["ConversionDefaults", "UnitSet"]


@dataclass(frozen=True)
class ConversionDefaults:
    """Assumptions used when the drug has no specific tablet mass or density (from units.yaml)."""

    tablet_kg: float
    tablet_source: str
    density_kg_per_l: float
    density_source: str


def _fmt(x: float) -> str:
    return f"{x:.12g}"


class UnitSet(TermSet[Unit]):
    """Units with ``to_kg`` conversion."""

    def __init__(
        self,
        entries: Iterable[Unit],
        defaults: ConversionDefaults,
        drugs: DrugSet,
        index: Mapping[str, Unit] | None = None,
    ) -> None:
        super().__init__(entries, index)
        self.defaults = defaults
        self._drugs = drugs

    def _unit(self, unit: str) -> Unit:
        if unit in self:
            return self.get(unit)
        found = self.lookup(unit)
        if found is None:
            raise KeyError(unit)
        return found

    def _drug(self, drug: str | None) -> Drug | None:
        if drug is None:
            return None
        if drug in self._drugs:
            return self._drugs.get(drug)
        found = self._drugs.lookup(drug)
        if found is None:
            raise KeyError(drug)
        return found

    def to_kg(self, quantity: float, unit_code: str, drug_code: str | None = None) -> KgEquivalent:
        """Convert ``quantity`` of ``unit_code`` (of drug ``drug_code``) to kilograms.

        Mass units convert exactly. Tablet-like counts use the drug's tablet mass or the documented
        default (inexact). Volumes use the drug's density or the default density (inexact). Units with no
        mass equivalent (area, plants, pieces, bottles, ...) give ``kg=None`` with the reason in ``method``.
        Unknown unit or drug codes raise ``KeyError`` (a spelling that ``lookup`` resolves is accepted too).
        """
        unit = self._unit(unit_code)
        drug = self._drug(drug_code)
        if unit.kind == "mass" and unit.kg_factor is not None:
            return KgEquivalent(quantity * unit.kg_factor, f"{unit.code} × {_fmt(unit.kg_factor)}", True)
        if unit.kind == "volume" and unit.litre_factor is not None:
            litres = quantity * unit.litre_factor
            prefix = "l" if unit.litre_factor == 1 else f"{unit.code} × {_fmt(unit.litre_factor)} l"
            if drug is not None and drug.density_kg_per_l is not None:
                return KgEquivalent(
                    litres * drug.density_kg_per_l,
                    f"{prefix} × {_fmt(drug.density_kg_per_l)} kg/l ({drug.name} density: "
                    f"{drug.density_source or 'no source given'})",
                    False,
                )
            d = self.defaults
            return KgEquivalent(
                litres * d.density_kg_per_l,
                f"{prefix} × {_fmt(d.density_kg_per_l)} kg/l (default density, {d.density_source})",
                False,
            )
        if unit.kind == "count" and unit.item is not None:
            count = quantity * (unit.count_factor or 1.0)
            prefix = (
                unit.item
                if unit.count_factor in (None, 1.0)
                else (f"{unit.code} × {_fmt(unit.count_factor or 1.0)} {unit.item}")
            )
            if drug is not None and drug.tablet_kg is not None:
                return KgEquivalent(
                    count * drug.tablet_kg,
                    f"{prefix} × {_fmt(drug.tablet_kg)} kg ({drug.name} {unit.item} mass: "
                    f"{drug.tablet_source or 'no source given'})",
                    False,
                )
            if unit.item == "tablet":
                d = self.defaults
                return KgEquivalent(
                    count * d.tablet_kg,
                    f"{prefix} × {_fmt(d.tablet_kg)} kg (default tablet mass, {d.tablet_source})",
                    False,
                )
            what = f"drug {drug.code!r}" if drug is not None else "an unspecified drug"
            return KgEquivalent(
                None, f"no mass equivalent for unit {unit.code!r}: no per-dose mass for {what}", False
            )
        reason = {
            "area": "it measures cultivated area",
            "count": "items of unknown mass",
            "other": "the unit is unspecified",
        }.get(unit.kind, "no conversion factor")
        return KgEquivalent(None, f"no mass equivalent for unit {unit.code!r} ({reason})", False)

    def to_litres(self, quantity: float, unit_code: str) -> float | None:
        """Litres for a volume unit, else None."""
        unit = self._unit(unit_code)
        return quantity * unit.litre_factor if unit.litre_factor is not None else None
