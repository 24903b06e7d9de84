"""The :class:`Place` record and the loader for the project's own gazetteer CSVs.

``data/crossings.csv``: border crossings, seaports and border reference points of the Caspian
region; ``data/districts.csv``: Azerbaijani districts on or near the Iran border. Both are
composed by hand from public sources; see ``data/ATTRIBUTION.md``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Place:
    """A place a seizure can be recorded at.

    ``kind`` is crossing | port | border_point | district | city; ``place_type`` is the installation
    code for seizure records (land_border | seaport | border_point | inland, empty for districts).
    ``country`` is the side the place is on: for a crossing it is the country the lookup asked for,
    or ``country_a`` when none was given; ``countries`` lists every country the place belongs to.
    """

    id: str
    name: str
    names: tuple[str, ...]
    country: str
    countries: tuple[str, ...]
    kind: str
    place_type: str
    admin_area: str | None
    lat: float | None
    lon: float | None
    precision: str
    source: str
    mode: str = ""  # road | rail | sea for crossings and ports
    notes: str = ""
    population: int | None = None  # cities only
    town_names: tuple[str, ...] = ()  # town a port is named after: matched only with a word like "port"

    @property
    def country_a(self) -> str:
        return self.countries[0]

    @property
    def country_b(self) -> str | None:
        return self.countries[1] if len(self.countries) > 1 else None

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.names)


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_places(data_dir: Path = DATA_DIR) -> list[Place]:
    """Crossings, ports and border points first (file order), then districts."""
    places = []
    for row in _rows(data_dir / "crossings.csv"):
        countries = tuple(code for code in (row["country_a"], row["country_b"]) if code)
        places.append(
            Place(
                id=row["id"],
                name=row["name"],
                names=_split(row["alt_names"]),
                country=countries[0],
                countries=countries,
                kind=row["kind"],
                place_type=row["place_type"],
                admin_area=row["admin_area"] or None,
                lat=_float(row["lat"]),
                lon=_float(row["lon"]),
                precision=row["precision"],
                source=row["source"],
                mode=row["mode"],
                notes=row["notes"],
                town_names=_split(row["town_names"]),
            )
        )
    for row in _rows(data_dir / "districts.csv"):
        names = tuple(dict.fromkeys((row["name_az"], *_split(row["alt_names"]))))
        places.append(
            Place(
                id=row["id"],
                name=row["name"],
                names=names,
                country=row["country"],
                countries=(row["country"],),
                kind="district",
                place_type="",
                admin_area=row["name"],
                lat=_float(row["lat"]),
                lon=_float(row["lon"]),
                precision=row["precision"],
                source=row["source"],
                notes=row["notes"],
            )
        )
    ids = [place.id for place in places]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate place ids in {data_dir}")
    return places
