"""The near-duplicate index answers exactly what a scan of every earlier row would."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from astara.imports.nearby import (
    NEAR_KM,
    SPREAD_AFTER,
    UNKNOWN,
    NearIndex,
    Place,
    compatible,
    km_between,
    place_of,
)

TOLERANCE = 0.001
VALUES = st.sampled_from([0.0, 1.0, 1.0005, 1.001, 1.0011, 0.999, 2.0, 2.002, 1e-9, 1000.0, 1000.9])
PLACES = st.sampled_from([
    UNKNOWN,
    Place("astara", "astara", 38.436, 48.873),
    Place("astara-district", "astara", 38.494, 48.694),  # 17 km from the crossing
    Place("lankaran", "lankaran", 38.753, 48.848),  # 35 km from the crossing
    Place(None, "astara", None, None),
    Place(None, "reed farm", None, None),
    Place("north", "north", 69.70, 30.00),  # far north, where a degree of longitude is short
    Place("north-east", "north east", 69.70, 30.50),  # 19 km east of it
    Place("far-east", "far east", 69.70, 31.20),  # 46 km east
])  # fmt: skip
ROWS = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), VALUES, st.one_of(st.none(), VALUES), PLACES), max_size=40
)
Seen = list[tuple[float, float | None, Place, str, int]]


def _scan(seen: Seen, quantity: float, kg: float | None, place: Place) -> object:
    for o in seen:
        near_kg = kg is not None and o[1] is not None and abs(o[1] - kg) <= TOLERANCE * o[1]
        same = o[0] == quantity or near_kg
        if same and compatible(o[2], place):  # an unknown place is compatible with unknown only
            return (o[3], o[4])
    return None


@pytest.mark.parametrize("spread_after", [1, 3, SPREAD_AFTER])  # (rows of a value filed by place)
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared, busy machine
@given(rows=ROWS)
def test_index_matches_a_linear_scan(
    spread_after: int, rows: list[tuple[str, float, float | None, Place]]
) -> None:
    index = NearIndex(TOLERANCE, spread_after)
    seen: dict[str, Seen] = {}
    for number, (key, quantity, kg, place) in enumerate(rows, start=2):
        event_id = f"e{number}"
        expected = _scan(seen.setdefault(key, []), quantity, kg, place)
        assert index.add((key,), quantity, kg, event_id, number, place) == expected
        seen[key].append((quantity, kg, place, event_id, number))


def test_the_place_rule() -> None:
    crossing = place_of("astara", "KPP Astara", "Astara", 38.436, 48.873)
    district = place_of("astara-district", "Astara", "Astara", 38.494, 48.694)
    assert 16 < km_between(crossing, district) < 18
    assert compatible(crossing, district)  # within 25 km
    lankaran = place_of("lankaran", "Lankaran", None, 38.753, 48.848)
    assert not compatible(crossing, lankaran)
    # without coordinates on one side, the text decides (case and spaces folded)
    farm = place_of(None, "Reed  Farm", None, None, None)
    assert compatible(farm, place_of(None, "reed farm", "X", None, None))
    assert not compatible(place_of(None, "Reed Farm", None, None, None), crossing)
    # the admin area stands for a missing place text
    assert place_of(None, None, "Astara", None, None).text == "astara"
    assert place_of(None, "", "", None, None) == UNKNOWN


LATITUDES = st.floats(min_value=-89.9, max_value=89.9)
LONGITUDES = st.floats(min_value=-180.0, max_value=180.0)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LATITUDES, LONGITUDES, st.floats(-0.4, 0.4), st.floats(-0.6, 0.6))
def test_places_with_coordinates_are_compatible_by_distance_alone(
    lat: float, lon: float, dlat: float, dlon: float
) -> None:
    a = Place(None, "one", lat, lon)
    b = Place(None, "other", max(-90.0, min(90.0, lat + dlat)), lon + dlon)
    assert compatible(a, b) == (km_between(a, b) <= NEAR_KM)


@pytest.mark.parametrize("tolerance", [-0.01, 1.0, 2.5])
def test_a_tolerance_outside_zero_to_one_is_refused(tolerance: float) -> None:
    with pytest.raises(ValueError, match="fraction below 1"):
        NearIndex(tolerance)
