"""Typed, immutable objects for Astara's controlled vocabularies."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

from astara.vocab.normalize import norm_key

__all__ = [
    "Drug",
    "DrugKind",
    "DrugSet",
    "KgEquivalent",
    "Term",
    "TermSet",
    "Unit",
    "UnitKind",
    "VocabularyError",
]

DrugKind = Literal["drug", "precursor", "other"]
UnitKind = Literal["mass", "volume", "count", "area", "other"]


class VocabularyError(ValueError):
    """A vocabulary data file is invalid. The message names the file, the entry and the field."""

    def __init__(self, file: str, entry: str | None, field_name: str | None, message: str) -> None:
        self.file = file
        self.entry = entry
        self.field = field_name
        where = file
        if entry is not None:
            where += f": entry {entry!r}"
        if field_name is not None:
            where += f": field {field_name!r}"
        super().__init__(f"{where}: {message}")


class _Coded(Protocol):
    @property
    def code(self) -> str: ...

    def lookup_texts(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Term:
    """One entry of a simple controlled list (transport modes, concealment methods, TLP levels, ...)."""

    code: str
    label: str
    synonyms: tuple[str, ...] = ()
    description: str | None = None
    parent: str | None = None
    maps_to: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: the label and description in other languages (az, ru, fa, ...); ``label`` is English
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)

    def lookup_texts(self) -> tuple[str, ...]:
        return (self.code, self.label, *self.synonyms)

    def label_in(self, language: str) -> str | None:
        """The label in ``language``, or None when the vocabulary has none (English is ``label``)."""
        return self.label if language == "en" else self.labels.get(language)


@dataclass(frozen=True)
class Drug:
    """A drug, precursor or other seized substance; ``names`` is keyed by language (en, ru, az, fa, tr)."""

    code: str
    name: str
    group: str
    kind: DrugKind
    schedules: tuple[str, ...] = ()
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    tablet_kg: float | None = None
    tablet_source: str | None = None
    density_kg_per_l: float | None = None
    density_source: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        return self.name

    def label_in(self, language: str) -> str | None:
        """The first name in ``language`` as a label, or None when the vocabulary has no name in it."""
        if language == "en":
            return self.name
        names = self.names.get(language)
        return names[0][:1].upper() + names[0][1:] if names else None

    @property
    def synonyms(self) -> tuple[str, ...]:
        """Every name in every language, in file order."""
        return tuple(n for names in self.names.values() for n in names)

    def lookup_texts(self) -> tuple[str, ...]:
        return (self.code, self.name, *self.synonyms)


@dataclass(frozen=True)
class Unit:
    """A unit of quantity. Exactly one of the factors is set for mass/volume units."""

    code: str
    name: str
    kind: UnitKind
    kg_factor: float | None = None
    litre_factor: float | None = None
    count_factor: float | None = None
    item: Literal["tablet", "dose"] | None = None
    synonyms: tuple[str, ...] = ()
    note: str | None = None

    @property
    def label(self) -> str:
        return self.name

    def lookup_texts(self) -> tuple[str, ...]:
        return (self.code, self.name, *self.synonyms)


@dataclass(frozen=True)
class KgEquivalent:
    """Result of a conversion to kilograms. ``exact`` is False when an assumed mass or density was used."""

    kg: float | None
    method: str
    exact: bool


T = TypeVar("T", bound=_Coded)


def build_index(
    entries: Iterable[T], on_clash: Callable[[T, str, str, str], None] | None = None
) -> dict[str, T]:
    """Map the normalised form of every code/name/synonym to its entry; report clashes via ``on_clash``."""
    index: dict[str, T] = {}
    for entry in entries:
        for text in entry.lookup_texts():
            key = norm_key(text)
            other = index.get(key)
            if other is not None and other.code != entry.code:
                if on_clash is not None:
                    on_clash(entry, text, key, other.code)
                continue
            index[key] = entry
    return index


class TermSet(Generic[T]):
    """Read-only collection with ``get`` (by code), ``lookup`` (by any spelling) and ``all``."""

    def __init__(self, entries: Iterable[T], index: Mapping[str, T] | None = None) -> None:
        self._entries: dict[str, T] = {e.code: e for e in entries}
        self._index: Mapping[str, T] = index if index is not None else build_index(self._entries.values())

    def get(self, code: str) -> T:
        """Entry with exactly this code; ``KeyError`` if unknown."""
        try:
            return self._entries[code]
        except KeyError:
            raise KeyError(code) from None

    def lookup(self, text: str) -> T | None:
        """Entry whose code, label or synonym matches ``text`` after :func:`norm_key`.

        Compound values such as ``"Body/Underwear"`` are tried whole first, then part by part; the first
        part that resolves wins.
        """
        found = self._index.get(norm_key(text))
        if found is not None or "/" not in text:
            return found
        for part in text.split("/"):
            found = self._index.get(norm_key(part))
            if found is not None:
                return found
        return None

    def all(self) -> list[T]:
        return list(self._entries.values())

    def codes(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, code: object) -> bool:
        return code in self._entries

    def __len__(self) -> int:
        return len(self._entries)


class DrugSet(TermSet[Drug]):
    """Drugs, with helpers by group."""

    def in_group(self, group: str) -> list[Drug]:
        return [d for d in self.all() if d.group == group]
