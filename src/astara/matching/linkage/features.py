"""Step 2 of ``astara link``: Splink's feature columns from the matching layer's name keys, computed
once per distinct name and laid out as Arrow columns (a name's keys are taken by row number, so a
million records cost a million integers, not a million lists).

One key per name word that is the same in every script a name is written in (the given-name id from
the table of equivalents, the given name a surname is made from, or else the consonant skeleton of
the surname stem, so Rzayev, Рзаев and رضایی share ``rz``), the pairs of those keys (two shared name
words), and a consonant string for fuzzy comparison.
"""

from __future__ import annotations

import zlib
from array import array
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from astara.matching.persons import normalize_id
from astara.matching.phonetic import PERSIAN_MARK
from astara.matching.tokens import parse_name, root_given_id

_VOWEL_SYMBOLS = frozenset("aeiouyAWY@E" + PERSIAN_MARK)
TURKIC_HINTS = frozenset({"az-Latn", "az-Cyrl", "tr", "tk"})


def _consonants(key: str) -> str:
    body = "".join(ch for ch in key if ch not in _VOWEL_SYMBOLS)
    return body or key.lstrip(PERSIAN_MARK)[:1]


def name_features(name: str, turkic: bool = False) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(sorted word keys, sorted key pairs, consonant string) of one name, the same in every script."""
    parsed = parse_name(name, turkic)
    keys: list[str] = []
    for token in parsed.tokens:
        if token.given_id:
            keys.append("g:" + token.given_id)
            continue
        root = token.roots[0][0] if token.roots else (token.keys[0] if token.keys else "")
        from_given = root_given_id(root) if root else None
        keys.append("s:" + from_given if from_given else _consonants(root))
    unique = sorted(set(k for k in keys if k))
    pairs = tuple("|".join(p) for p in combinations(unique[:6], 2))
    return tuple(unique), pairs, " ".join(unique)


@dataclass
class Names:
    """The distinct names of a job, each read once; records point at them by row number."""

    keys: list[tuple[str, ...]] = field(default_factory=list)
    pairs: list[tuple[str, ...]] = field(default_factory=list)
    cons: list[str] = field(default_factory=list)
    _row: dict[tuple[str, bool], int] = field(default_factory=dict)

    def rows(self, records: list[dict[str, Any]]) -> array[int]:
        """Each record's row, reading the names not seen before."""
        out = array("I")
        for r in records:
            turkic = r.get("script_hint") in TURKIC_HINTS
            found = self._row.get((r["name"], turkic))
            if found is None:
                keys, pairs, cons = name_features(r["name"], turkic)
                found = self._row[(r["name"], turkic)] = len(self.keys)
                self.keys.append(keys)
                self.pairs.append(pairs)
                self.cons.append(cons)
            out.append(found)
        return out

    def forget_names(self) -> None:
        """Drop the look-up by name once every side is read (the rows stay)."""
        self._row = {}


def em_part(record_id: str, parts: int) -> int:
    """A stable share of the records (by a checksum of the id) for training on a sample of pairs."""
    return zlib.crc32(record_id.encode("utf-8")) % parts if parts > 1 else 0


def feature_table(
    records: list[dict[str, Any]],
    rows: array[int],
    names: Names,
    extra: list[str],
    blocks: list[list[str] | None],
    em_parts: int = 1,
) -> Any:
    """Splink's input as an Arrow table; ``unique_id`` is the record's position in ``records``."""
    import pyarrow as pa  # deferred: a heavy library, loaded when a link runs

    take = pa.array(rows, type=pa.uint32())
    by_name = {
        "name_keys": pa.array([list(k) or None for k in names.keys], type=pa.list_(pa.string())),
        "name_pairs": pa.array([list(p) or None for p in names.pairs], type=pa.list_(pa.string())),
        "name_sig": pa.array(["|".join(k) or None for k in names.keys], type=pa.string()),
        "name_cons": pa.array([c or None for c in names.cons], type=pa.string()),
    }
    births = [r.get("birth_date") for r in records]
    columns: dict[str, Any] = {
        "unique_id": pa.array(range(len(records)), type=pa.int64()),
        **{col: values.take(take) for col, values in by_name.items()},
        "birth_date": pa.array(births, type=pa.string()),
        "birth_year": pa.array([b[:4] if b else None for b in births], type=pa.string()),
        "nationality": pa.array([r.get("nationality") for r in records], type=pa.string()),
        "id_number": pa.array([normalize_id(r.get("id_number")) for r in records], type=pa.string()),
        "block_keys": pa.array(blocks, type=pa.list_(pa.string())),
        "em_part": pa.array([em_part(r["id"], em_parts) for r in records], type=pa.int32()),
    }
    for col in extra:
        columns["x_" + col] = pa.array([r.get("x_" + col) for r in records], type=pa.string())
    return pa.table(columns)
