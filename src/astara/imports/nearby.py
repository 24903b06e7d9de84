"""Near-duplicate look-up: the first earlier row of a compatible place with the same quantity, or
kilograms within a tolerance.

Rows are grouped by (country, date, drug). A group files its rows in reading order per distinct
quantity and per distinct kilogram value (a value of many rows also by place: text, gazetteer
place, grid cell), and keeps the kilogram values sorted so that the ones within tolerance are
found by bisection; a row reads its values' rows (of many, only those of the places that may be
compatible with its own), each list from its first row until one is (:func:`compatible`). The
answer is the same as a scan of every earlier row's: the earliest row that matches either way.

Places are compatible when they are the same gazetteer place, lie within ``NEAR_KM`` of each
other (both with coordinates), or, without coordinates on one side, have the same text. An
unknown place (no text, no gazetteer place) is compatible only with another unknown place.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from math import asin, ceil, cos, floor, radians, sin, sqrt
from typing import Any, NamedTuple

# Bounds for the bisection are widened by this much so that rounding never hides a candidate;
# every candidate is then checked with the exact condition.
_SLACK = 1e-9

# Two records of one seizure can name the town, the border post or the district seat: 25 km
# holds a town and its crossing, and keeps apart the neighbouring municipalities that a
# national file reports separately on the same day.
NEAR_KM = 25.0
_EARTH_KM = 6371.0088
_KM_PER_DEGREE = radians(_EARTH_KM)  # of latitude, along a meridian
_NEAR_DEGREES = NEAR_KM / _KM_PER_DEGREE * (1 + 1e-9)  # (a little more, for rounding)


class Place(NamedTuple):
    """What the duplicate rule compares of a row's place."""

    place_id: str | None
    text: str | None  # the place text (or admin area), case and spacing folded
    lat: float | None
    lon: float | None


UNKNOWN = Place(None, None, None, None)
PLACE_FIELDS = ("place_id", "place_text", "admin_area", "lat", "lon")  # the event's, for place_of


def place_of(place_id: Any, place_text: Any, admin_area: Any, lat: Any, lon: Any) -> Place:
    """A row's :class:`Place` from its event's values (None for those it lacks)."""
    text = place_text or admin_area
    folded = " ".join(str(text).casefold().split()) if text else None
    if lat is None or lon is None:
        lat = lon = None
    return Place(place_id or None, folded or None, lat, lon)


def km_between(a: Place, b: Place) -> float:
    """Great-circle distance between two places with coordinates (haversine)."""
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    p1, p2 = radians(a.lat), radians(b.lat)
    h = sin((p2 - p1) / 2) ** 2 + cos(p1) * cos(p2) * sin(radians(b.lon - a.lon) / 2) ** 2
    return 2 * _EARTH_KM * asin(min(1.0, sqrt(h)))


def compatible(a: Place, b: Place) -> bool:
    """Whether two rows' places may be one seizure's (the module's docstring says the rule)."""
    if a == b:
        return True
    if a.place_id is not None and a.place_id == b.place_id:
        return True
    if a.lat is not None and b.lat is not None:
        # (no two points are nearer than their latitudes are apart: most pairs end here)
        if abs(a.lat - b.lat) > _NEAR_DEGREES:
            return False
        return km_between(a, b) <= NEAR_KM
    return a.text is not None and a.text == b.text


_CELL = 0.25  # degrees of latitude a grid cell spans: 27.8 km, more than NEAR_KM


def _buckets_of(place: Place) -> list[tuple[Any, ...]]:
    """Where a row's place is filed: its grid cell when it has coordinates (the distance decides
    between two such places), and its text or gazetteer place for the places that have none."""
    if place == UNKNOWN:
        return [("unknown",)]
    buckets: list[tuple[Any, ...]] = []
    if place.text is not None:
        buckets.append(("text", place.text))
    if place.place_id is not None:
        buckets.append(("id", place.place_id))
    if place.lat is not None and place.lon is not None:
        buckets.append(("cell", floor(place.lat / _CELL), floor(place.lon / _CELL)))
    return buckets


def _buckets_near(place: Place) -> list[tuple[Any, ...]]:
    """The buckets holding every place compatible with ``place`` (and some that are not)."""
    buckets = _buckets_of(place)
    if place.lat is None or place.lon is None:
        return buckets
    row, column = floor(place.lat / _CELL), floor(place.lon / _CELL)
    # a cell is narrower than NEAR_KM east to west away from the equator: read as many as it takes
    widest = cos(radians(min(89.0, abs(place.lat) + _CELL))) * _CELL * 111.2
    span = min(ceil(NEAR_KM / widest), int(360 / _CELL))
    near = [("cell", r, c) for r in (row - 1, row, row + 1) for c in range(column - span, column + span + 1)]
    return [b for b in buckets if b[0] != "cell"] + near


# A value's rows are scanned in reading order while there are few of them; past this many they
# are filed by place, so that a value thousands of rows share (a round quantity in a national
# file) costs a look at the nearby places' lists only.
SPREAD_AFTER = 8

# A value's rows: their positions in reading order, or (many rows) bucket -> positions.
Rows = list[int] | dict[tuple[Any, ...], list[int]]
Filed = dict[float, Rows]  # value -> its rows


class _Group:
    __slots__ = ("by_kg", "by_quantity", "kgs", "places", "rows")

    def __init__(self) -> None:
        self.rows: list[tuple[str, int]] = []  # (event id, row number), in reading order
        self.places: list[Place] = []  # each row's place
        self.by_quantity: Filed = {}
        self.by_kg: Filed = {}
        self.kgs: list[float] = []  # the distinct kilogram values, sorted


class NearIndex:
    """Remembers rows; :meth:`add` answers with the earliest matching row seen before, if any."""

    def __init__(self, tolerance: float, spread_after: int = SPREAD_AFTER) -> None:
        if not 0 <= tolerance < 1:
            raise ValueError(f"a near-duplicate tolerance is a fraction below 1, not {tolerance}")
        self.tolerance = tolerance
        self.spread_after = spread_after
        # |o - kg| <= tol * o  <=>  kg / (1 + tol) <= o <= kg / (1 - tol)  (for o, kg >= 0): the
        # bounds of a bisection, widened so that rounding never hides a candidate. A negative kg
        # (no unit gives one) is checked against every value.
        self._below = (1 - _SLACK) / (1 + tolerance)
        self._above = (1 + _SLACK) / (1 - tolerance)
        self.groups: dict[tuple[Any, ...], _Group] = {}
        # a file names few distinct places: each one's buckets, and those it reads
        self._of: dict[Place, list[tuple[Any, ...]]] = {}
        self._near: dict[Place, frozenset[tuple[Any, ...]]] = {}

    def add(
        self,
        key: tuple[Any, ...],
        quantity: float,
        kg: float | None,
        event_id: str,
        number: int,
        place: Place = UNKNOWN,
    ) -> tuple[str, int] | None:
        group = self.groups.get(key)
        best = None
        if group is None:
            group = self.groups[key] = _Group()
        else:
            # (most rows meet no earlier row of their value: those cost a look-up, not a call)
            if quantity in group.by_quantity and quantity == quantity:  # NaN equals nothing
                best = self._first(group, group.by_quantity[quantity], place, None)
            kgs = group.kgs
            if kg is not None and kgs and kg == kg:
                j = bisect_left(kgs, kg * self._below) if kg >= 0 else 0
                if j < len(kgs) and (kgs[j] <= kg * self._above or kg < 0):
                    best = self._within(group, kg, j, place, best)
        position = len(group.rows)
        group.rows.append((event_id, number))
        group.places.append(place)
        filed = group.by_quantity.get(quantity)
        if filed is None:
            group.by_quantity[quantity] = [position]
        else:
            self._file(group, group.by_quantity, quantity, filed, position)
        if kg is not None:
            filed = group.by_kg.get(kg)
            if filed is None:
                insort(group.kgs, kg)
                group.by_kg[kg] = [position]
            else:
                self._file(group, group.by_kg, kg, filed, position)
        return group.rows[best] if best is not None else None

    def _within(self, group: _Group, kg: float, start: int, place: Place, best: int | None) -> int | None:
        """The earliest of ``best`` and the rows whose kilograms are within tolerance of ``kg``
        (the sorted distinct values from ``start`` on may be)."""
        tol, kgs = self.tolerance, group.kgs
        high = kg * self._above if kg >= 0 else float("inf")
        for j in range(start, len(kgs)):
            other = kgs[j]
            if other > high:
                break
            if abs(other - kg) <= tol * other:
                best = self._first(group, group.by_kg[other], place, best)
        return best

    def _first(self, group: _Group, filed: Rows, place: Place, best: int | None) -> int | None:
        """The earliest of ``best`` and the rows of one value (``filed``) whose place is compatible
        (positions ascend, so a list's first compatible row is its answer)."""
        places = group.places
        if isinstance(filed, list):
            lists = [filed]
        else:  # a value's rows lie in few buckets: walk them, or probe the nearby ones when fewer
            near = self._near.get(place)
            if near is None:
                near = self._near[place] = frozenset(_buckets_near(place))
            if len(filed) <= len(near):
                lists = [positions for bucket, positions in filed.items() if bucket in near]
            else:
                lists = [filed[bucket] for bucket in near if bucket in filed]
        for positions in lists:
            for position in positions:
                if best is not None and position >= best:
                    break
                if compatible(places[position], place):
                    best = position
                    break
        return best

    def _file(
        self,
        group: _Group,
        index: Filed,
        value: float,
        filed: Rows,
        position: int,
    ) -> None:
        """Add a row's position under ``value`` (already filed as ``filed``): to its list, or in
        each of its place's buckets."""
        if isinstance(filed, list):
            filed.append(position)
            if len(filed) > self.spread_after:
                spread: dict[tuple[Any, ...], list[int]] = {}
                index[value] = spread
                for earlier in filed:
                    for bucket in self._buckets(group.places[earlier]):
                        spread.setdefault(bucket, []).append(earlier)
        else:
            for bucket in self._buckets(group.places[position]):
                filed.setdefault(bucket, []).append(position)

    def _buckets(self, place: Place) -> list[tuple[Any, ...]]:
        filed = self._of.get(place)
        if filed is None:
            filed = self._of[place] = _buckets_of(place)
        return filed
