"""The near-duplicate index answers exactly what a scan of every earlier row would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from astara.imports.nearby import NearIndex

TOLERANCE = 0.001
VALUES = st.sampled_from([0.0, 1.0, 1.0005, 1.001, 1.0011, 0.999, 2.0, 2.002, 1e-9, 1000.0, 1000.9])
ROWS = st.lists(st.tuples(st.sampled_from(["a", "b"]), VALUES, st.one_of(st.none(), VALUES)), max_size=40)


def _scan(seen: list[tuple[float, float | None, str, int]], quantity: float, kg: float | None) -> object:
    for o in seen:
        if o[0] == quantity or (kg is not None and o[1] is not None and abs(o[1] - kg) <= TOLERANCE * o[1]):
            return (o[2], o[3])
    return None


@given(ROWS)
def test_index_matches_a_linear_scan(rows: list[tuple[str, float, float | None]]) -> None:
    index = NearIndex(TOLERANCE)
    seen: dict[str, list[tuple[float, float | None, str, int]]] = {}
    for number, (key, quantity, kg) in enumerate(rows, start=2):
        event_id = f"e{number}"
        expected = _scan(seen.setdefault(key, []), quantity, kg)
        assert index.add((key,), quantity, kg, event_id, number) == expected
        seen[key].append((quantity, kg, event_id, number))
