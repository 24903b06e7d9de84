"""``astara link`` on a skewed input: hundreds of records of one common name meet at most
``MAX_BLOCK`` records of the other side through each block key (the name is narrowed by birth year),
and the true pairs among them are still found while the namesakes stay apart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from astara.matching.linkage import MAX_BLOCK, Names, block_keys, link_records

LEFT_N, RIGHT_N, TRUE_N = 230, 115, 30  # more than MAX_BLOCK of one name on each side


def person(rid: str, name: str, born: date | None) -> dict[str, Any]:
    return {
        "id": rid,
        "name": name,
        "birth_date": born.isoformat() if born else None,
        "nationality": "AZ",
        "id_number": None,
        "script_hint": None,
    }


def skewed() -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[tuple[str, str]]]:
    """One name, in Latin on the left and Cyrillic on the right; the first TRUE_N left records are
    right persons (same birth date), the others namesakes born on other days of the same years."""
    start = date(1960, 1, 1)
    right = [person(f"r{j}", "Али Мамедов", start + timedelta(days=37 * j)) for j in range(RIGHT_N)]
    left = [
        person(f"l{i}", "Əli Məmmədov", start + timedelta(days=37 * i + (0 if i < TRUE_N else 11)))
        for i in range(LEFT_N)
    ]
    left.append(person("l-undated", "Əli Məmmədov", None))
    truth = {(f"l{i}", f"r{i}") for i in range(TRUE_N)}
    return left, right, truth


def test_a_common_name_is_narrowed_so_each_record_meets_a_bounded_number() -> None:
    left, right, truth = skewed()
    names = Names()
    left_rows, right_rows = names.rows(left), names.rows(right)
    assert set(names.pairs) == {("g:ali|s:muhammad",)}  # both spellings: one pair of name keys
    left_keys, right_keys, stats = block_keys(left, left_rows, right, right_rows, names, [])
    holders: dict[str, list[set[int]]] = defaultdict(lambda: [set(), set()])
    for side, keys in enumerate((left_keys, right_keys)):
        for i, held in enumerate(keys):
            for key in held or ():
                holders[key][side].add(i)
    assert all(len(h[0]) <= MAX_BLOCK and len(h[1]) <= MAX_BLOCK for h in holders.values())
    for side, keys in enumerate((left_keys, right_keys)):
        for held in keys:
            met = set().union(*(holders[k][1 - side] for k in held or ()))
            assert len(met) <= MAX_BLOCK * len(held or ())
            assert len(met) <= stats.most_compared
    assert stats.narrowed >= 1 and stats.most_compared < RIGHT_N
    assert left_keys[-1] is None  # no birth date to narrow the common name by: no block

    result = link_records(left, right)
    assert {(p["left_id"], p["right_id"]) for p in result.pairs} == truth
    assert result.candidates <= (LEFT_N + 1) * stats.most_compared
    assert result.candidates < LEFT_N * RIGHT_N
