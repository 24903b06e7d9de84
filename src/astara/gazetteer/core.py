"""The gazetteer: the project's own places first, then GeoNames cities.

How :meth:`Gazetteer.resolve` decides, in order (each step honours ``country``):

1. The whole text, then its comma parts (left to right) and slash parts (right to left), see
   :func:`astara.gazetteer.text.segments`; the first part that resolves wins.
2. A crossing, port or border point whose name or alias matches the text exactly; failing that,
   with generic words ("KPP", "customs post", "tamozhenno-propusknoy punkt", "port", "rayon" ...)
   taken out, the rest or one of its word runs; failing that, the base of a Russian adjective
   ("Samurskiy" -> Samur, "Astarinskiy" -> Astara).
3. The same for the Azerbaijani border districts. When both a crossing and a district match,
   the crossing wins if the text names a checkpoint/customs post/port, or if it is a bare name
   like "Astara"; the district wins if the text says it is an area ("Astarinskiy rayon") or if it
   is the record's own ``admin_area`` (the IDS puts the district name in PLACE when no post is named).
4. A GeoNames city (population >= 15,000) by any of its names, the most populous first.
5. A text that names a province ("Mary Welayaty", "Ahal province", "استان کرمان") gives None,
   so a province is never placed at its capital; district words ("Sarahsky district") still
   allow the district's town, but not a crossing reached only through a word run or stem.
6. Otherwise None. Posts without coordinates in the sources (the IDS "Tamozhennyy post Gosha
   Tepe") and province names that are not city names ("Hormozgan") give None; a checkpoint in a
   district without a listed crossing ("Imishli checkpoint") gives the district.
"""

from __future__ import annotations

import difflib
import threading
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from astara.gazetteer.cities import CityIndex
from astara.gazetteer.places import DATA_DIR, Place, load_places
from astara.gazetteer.text import Query, parse, segments
from astara.kit.countries import fold, resolve_country

KIND_RANK = {"crossing": 0, "port": 0, "district": 1, "border_point": 2, "city": 3}
_CACHE_LIMIT = 500_000


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


def _fits(place: Place, country: str | None) -> bool:
    return country is None or country in place.countries


@dataclass
class _Index:
    """Name keys of a group of own places: exact keys and keys without generic words."""

    full: dict[str, list[Place]] = field(default_factory=dict)
    core: dict[str, list[Place]] = field(default_factory=dict)
    sorted_keys: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, places: Sequence[Place]) -> _Index:
        index = cls()
        for place in places:
            for name in place.all_names:
                index._add(index.full, _key(name), place)
                index._add(index.core, parse(name).core, place)
            for name in place.town_names:
                index._add(index.core, _key(name), place)
                index._add(index.core, parse(name).core, place)
        index.sorted_keys = sorted(set(index.full) | set(index.core))
        return index

    @staticmethod
    def _add(table: dict[str, list[Place]], key: str, place: Place) -> None:
        if key:
            hits = table.setdefault(key, [])
            if place not in hits:
                hits.append(place)

    def find(self, query: Query, country: str | None, exact: bool = False) -> Place | None:
        """First place matching ``query``; with ``exact`` only the whole text is tried."""
        tries = [self.full.get(query.full)]
        if query.generic and not exact:
            tries += [self.full.get(query.core), self.core.get(query.core)]
            for run in query.groups:
                tries += [self.full.get(run), self.core.get(run)]
        for hits in tries:
            for place in hits or ():
                if _fits(place, country):
                    return place
        for stem in () if exact else query.stems:
            start = bisect_left(self.sorted_keys, stem)
            for key in self.sorted_keys[start:]:
                if not key.startswith(stem):
                    break
                if len(key) - len(stem) <= 2:
                    for place in self.full.get(key, []) + self.core.get(key, []):
                        if _fits(place, country):
                            return place
        return None


class Gazetteer:
    """Places by id, by free text (:meth:`resolve`) and by prefix (:meth:`search`)."""

    def __init__(self, places: Sequence[Place], use_cities: bool = True) -> None:
        self._places = list(places)
        self._by_id = {place.id: place for place in self._places}
        self._facilities = _Index.build([place for place in self._places if place.kind != "district"])
        self._districts = _Index.build([place for place in self._places if place.kind == "district"])
        self._search_keys = [
            (
                place,
                tuple(_key(name) for name in place.all_names),
                tuple(word for name in place.all_names for word in fold(name).split()),
            )
            for place in self._places
        ]
        self._use_cities = use_cities
        self._city_index: CityIndex | None = None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str | None, str | None], Place | None] = {}

    # ------------------------------------------------------------------ lookup by id / listing
    def all(self) -> list[Place]:
        """The project's own places (crossings, ports, border points, districts); not the cities."""
        return list(self._places)

    def get(self, place_id: str) -> Place:
        place = self._by_id.get(place_id)
        if place is None and place_id.startswith("geonames:") and place_id[9:].isdigit():
            cities = self._cities()
            place = cities.get(int(place_id[9:])) if cities is not None else None
        if place is None:
            raise KeyError(place_id)
        return place

    # ------------------------------------------------------------------ resolution
    def resolve(self, text: str, country: str | None = None, admin_area: str | None = None) -> Place | None:
        """The place ``text`` names, or None; ``country`` (ISO-2 or any country name) restricts it."""
        cache_key = (text, country, admin_area)
        try:
            return self._cache[cache_key]
        except KeyError:
            pass
        code = _country_code(country)
        place = None
        for part in segments(text):
            place = self._match(parse(part), code, admin_area)
            if place is not None:
                break
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = place
        return place

    def _match(self, query: Query, country: str | None, admin_area: str | None) -> Place | None:
        # "Etrekskiy district" is not the Etrek crossing: area words allow only an exact facility alias.
        area_only = query.region or (query.area and not query.facility)
        facility = self._facilities.find(query, country, exact=area_only)
        district = self._districts.find(query, country, exact=query.region)
        names_district = query.area or (
            admin_area is not None and self._districts.find(parse(admin_area), country) is district
        )
        if facility is not None and district is not None and not query.facility and names_district:
            return district
        if facility is not None:
            return _on_side(facility, country)
        if district is not None:
            return district
        if query.region:
            return None  # a province: no city stands for it
        return self._city(query, country)

    def _city(self, query: Query, country: str | None) -> Place | None:
        cities = self._cities()
        if cities is None:
            return None
        keys = [query.full]
        if query.generic:
            keys += [query.core, *(run for run in query.groups if len(run) >= 4)]
        for key in keys:
            place = cities.lookup(key, country)
            if place is not None:
                return place
        for stem in query.stems:
            place = cities.lookup_stem(stem, country)
            if place is not None:
                return place
        return None

    def _cities(self) -> CityIndex | None:
        if self._use_cities and self._city_index is None:
            with self._lock:
                if self._city_index is None:
                    self._city_index = CityIndex()
        return self._city_index

    # ------------------------------------------------------------------ autocomplete
    def search(self, prefix: str, limit: int = 10, country: str | None = None) -> list[Place]:
        """Places whose name (in any script) starts with ``prefix``, best first.

        Ranking: exact names, then names starting with ``prefix``, then GeoNames alternate names,
        then words inside a name; within a rank the project's own crossings and ports, then
        districts, border points and cities (most populous first).
        """
        key = _key(prefix)
        if not key or limit <= 0:
            return []
        code = _country_code(country)
        ranked: list[tuple[tuple[int, int, int, int], Place]] = []
        for order, (place, keys, words) in enumerate(self._search_keys):
            if not _fits(place, code):
                continue
            if key in keys:
                quality = 0
            elif any(k.startswith(key) for k in keys):
                quality = 1
            elif any(word.startswith(key) for word in words):
                quality = 3
            else:
                continue
            ranked.append(((quality, KIND_RANK.get(place.kind, 3), 0, order), _on_side(place, code)))
        cities = self._cities()
        if cities is not None:
            for quality, place in cities.search(key, code, limit):
                ranked.append(((quality, KIND_RANK["city"], -(place.population or 0), 0), place))
        ranked.sort(key=lambda item: item[0])
        return [place for _, place in ranked[:limit]]

    def suggest(self, text: str, limit: int = 5) -> list[Place]:
        """Places a mistyped ``text`` may mean ("did you mean"): names starting with it, else the
        project's own places spelled closest to it, else names sharing its first three letters."""
        found = self.search(text, limit=limit)
        if found:
            return found
        by_key = {key: place for place, keys, _words in self._search_keys for key in keys}
        close = difflib.get_close_matches(_key(text), list(by_key), n=limit * 3, cutoff=0.75)
        out: list[Place] = []
        for key in close:
            if by_key[key] not in out:
                out.append(by_key[key])
        return out[:limit] or self.search(_key(text)[:3], limit=limit)


def _on_side(place: Place, country: str | None) -> Place:
    """The place as seen from ``country``: a crossing's ``country`` is the side asked for."""
    if country and place.country != country and country in place.countries:
        return replace(place, country=country)
    return place


def _country_code(country: str | None) -> str | None:
    if not country or not country.strip():
        return None
    text = country.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return resolve_country(text)


def load_gazetteer(data_dir: Path = DATA_DIR, use_cities: bool = True) -> Gazetteer:
    """A gazetteer from the CSVs in ``data_dir`` (tests); ``use_cities=False`` skips GeoNames."""
    return Gazetteer(load_places(data_dir), use_cities=use_cities)


@cache
def get_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once (the GeoNames city index is built on first use)."""
    return load_gazetteer()
