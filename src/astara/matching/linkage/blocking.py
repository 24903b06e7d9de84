"""Step 2 of ``astara link``, continued: the block keys Splink pairs records on, each block capped.

Two records are compared when they share a block key: a pair of name keys (two shared name words),
one name key with the birth date, the document number, or the extra columns together. A key held
by more than ``MAX_BLOCK`` records of either side is narrowed, for the records holding it, by the
birth year and then by the birth date; a key still over the cap (or held by a record without the
date to narrow it by) is dropped, as is a document number that many records share (a placeholder).
So a record meets at most ``MAX_BLOCK`` records of the other side through each key it holds, and
the pairs grow with the records rather than with their square: a common name is narrowed to the
namesakes born in the same year instead of meeting all of them. Keys held on one side only make no
pairs and are left out.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from astara.matching.linkage.features import Names
from astara.matching.persons import normalize_id

MAX_BLOCK = 100  # records of one side sharing a block key; more are narrowed, then dropped


@dataclass
class BlockStats:
    keys: int = 0  # block keys shared by both sides, within the cap
    narrowed: int = 0  # keys over the cap, narrowed by birth year or date
    dropped: int = 0  # keys over the cap even when narrowed
    most_compared: int = 0  # the most records of the other side one record can be compared with


@dataclass
class _Side:
    records: list[dict[str, Any]]
    rows: array[int]
    keys: list[list[str] | None]

    def value(self, i: int, level: int) -> str | None:
        """What narrows record i's keys at ``level`` ("" for nothing), or None when it has no birth date."""
        if level == 0:
            return ""
        birth = self.records[i].get("birth_date")
        if not birth:
            return None
        return "y" + str(birth)[:4] if level == 1 else "d" + str(birth)


# A kind of key: (the base keys of record i of a side, the level it starts at, the last level).
_Kind = tuple[Callable[[_Side, int], Iterable[str]], int, int]


def block_keys(
    left: list[dict[str, Any]],
    left_rows: array[int],
    right: list[dict[str, Any]],
    right_rows: array[int],
    names: Names,
    extra: list[str],
    cap: int | None = None,
) -> tuple[list[list[str] | None], list[list[str] | None], BlockStats]:
    """Each record's block keys on both sides, every block within ``cap`` (``MAX_BLOCK``) records a side."""
    cap = MAX_BLOCK if cap is None else cap
    pair_keys = [tuple("n=" + p for p in pairs) for pairs in names.pairs]
    word_keys = [tuple("k=" + k for k in keys) for keys in names.keys]

    def extras(side: _Side, i: int) -> Iterable[str]:
        values = [side.records[i].get("x_" + col) for col in extra]
        return ["x=" + "\x1f".join(map(str, values))] if extra and all(values) else []

    def document(side: _Side, i: int) -> Iterable[str]:
        number = normalize_id(side.records[i].get("id_number"))
        return ["i=" + number] if number else []

    kinds: list[_Kind] = [
        (lambda side, i: pair_keys[side.rows[i]], 0, 2),
        (lambda side, i: word_keys[side.rows[i]], 2, 2),
        (document, 0, 0),
        (extras, 0, 2),
    ]
    sides = (_Side(left, left_rows, [None] * len(left)), _Side(right, right_rows, [None] * len(right)))
    met = [array("I", bytes(4 * len(side.records))) for side in sides]  # how many each record meets
    small = 0 if len(left) <= len(right) else 1  # counted whole; the other side only where they share
    stats = BlockStats()
    for base_keys, start, last in kinds:
        todo: list[list[tuple[int, str]] | None] = [None, None]  # None: every record's base keys

        for level in range(start, last + 1):

            def keyed(s: int, level: int = level) -> Iterator[tuple[int, str, str]]:
                return _keyed(sides[s], todo[s], base_keys, level)  # noqa: B023 - used within the loop

            counts: list[Counter[str]] = [Counter(), Counter()]
            counts[small] = Counter(key for _, _, key in keyed(small))
            counts[1 - small] = Counter(key for _, _, key in keyed(1 - small) if key in counts[small])
            shared = counts[1 - small]
            over: set[str] = set()
            narrowing: list[list[tuple[int, str]] | None] = [[], []]
            for s, side in enumerate(sides):
                for i, base, key in keyed(s):
                    if key not in shared:
                        continue
                    n_left, n_right = counts[0][key], counts[1][key]
                    if n_left <= cap and n_right <= cap:
                        kept = side.keys[i]
                        if kept is None:
                            kept = side.keys[i] = []
                        kept.append(key)
                        met[s][i] += n_right if s == 0 else n_left
                    elif level < last:
                        narrowing[s].append((i, base))  # type: ignore[union-attr]
                    else:
                        over.add(key)
            stats.keys += sum(1 for k, n in shared.items() if n <= cap and counts[small][k] <= cap)
            stats.dropped += len(over)
            if level < last:
                stats.narrowed += len({base for items in narrowing for _, base in items or ()})
            todo = narrowing
    stats.most_compared = max((max(m, default=0) for m in met), default=0)
    return sides[0].keys, sides[1].keys, stats


def _keyed(
    side: _Side,
    items: list[tuple[int, str]] | None,
    base_keys: Callable[[_Side, int], Iterable[str]],
    level: int,
) -> Iterator[tuple[int, str, str]]:
    """(record, base key, key at ``level``) of ``items``, or of every record's base keys."""
    pending = items if items is not None else (
        (i, base) for i in range(len(side.records)) for base in base_keys(side, i)
    )  # fmt: skip
    for i, base in pending:
        narrowed = _narrow(base, side.value(i, level))
        if narrowed:
            yield i, base, narrowed


def _narrow(base: str, value: str | None) -> str | None:
    if value is None:
        return None
    return f"{base}@{value}" if value else base
