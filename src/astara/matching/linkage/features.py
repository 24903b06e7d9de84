"""Step 2 of ``astara link``: Splink's feature columns from the matching layer's name keys, computed
once per distinct name.

One key per name word that is the same in every script a name is written in (the given-name id from
the table of equivalents, the given name a surname is made from, or else the consonant skeleton of
the surname stem, so Rzayev, Рзаев and رضایی share ``rz``), the pairs of those keys (two shared name
words), and a consonant string for fuzzy comparison.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations
from typing import Any

from astara.matching.persons import normalize_id
from astara.matching.phonetic import PERSIAN_MARK
from astara.matching.tokens import parse_name, root_given_id

_VOWEL_SYMBOLS = frozenset("aeiouyAWY@E" + PERSIAN_MARK)


def _consonants(key: str) -> str:
    body = "".join(ch for ch in key if ch not in _VOWEL_SYMBOLS)
    return body or key.lstrip(PERSIAN_MARK)[:1]


@lru_cache(maxsize=1 << 20)
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


TURKIC_HINTS = frozenset({"az-Latn", "az-Cyrl", "tr", "tk"})


def feature_rows(records: list[dict[str, Any]], extra: list[str]) -> dict[str, list[Any]]:
    """Columns for Splink (one list per column), from records as ``read_records`` returns them."""
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "unique_id", "name_keys", "name_pairs", "name_sig", "name_cons", "birth_date", "birth_year",
            "nationality", "id_number",
        )
    }  # fmt: skip
    for col in extra:
        cols["x_" + col] = []
    for r in records:
        keys, pairs, cons = name_features(r["name"], r.get("script_hint") in TURKIC_HINTS)
        cols["unique_id"].append(r["id"])
        cols["name_keys"].append(list(keys) or None)
        cols["name_pairs"].append(list(pairs) or None)
        cols["name_sig"].append("|".join(keys) or None)
        cols["name_cons"].append(cons or None)
        birth = r.get("birth_date")
        cols["birth_date"].append(birth)
        cols["birth_year"].append(birth[:4] if birth else None)
        cols["nationality"].append(r.get("nationality"))
        cols["id_number"].append(normalize_id(r.get("id_number")))
        for col in extra:
            cols["x_" + col].append(r.get("x_" + col))
    return cols
