"""Step 4 of ``astara link``: candidate pairs scored again by the explained matcher
(``service.match_records``), which knows transliteration, surname families, patronymics and the
birth-year and identifier conventions, with Splink's evidence from the extra columns; linked pairs
joined into clusters (connected components)."""

from __future__ import annotations

import math
from typing import Any

from astara.matching.linkage.model import Candidate
from astara.matching.service import match_records


def rescore(a: dict[str, Any], b: dict[str, Any], c: Candidate) -> tuple[float, list[dict[str, Any]]]:
    """The explained matcher's score, plus Splink's evidence from the extra columns it does not compare
    (each as the log of its Bayes factor, trained on these data)."""
    result = match_records("person", _matcher_view(a), _matcher_view(b))
    evidence = result.explanation()["features"]
    log_odds = logit(result.score)
    for col, bf in c.extra_bf.items():
        if bf > 0 and bf != 1:
            contribution = round(math.log(bf), 3)
            log_odds += contribution
            evidence.append(
                {
                    "name": f"extra_{col}",
                    "value": 1.0 if bf > 1 else -1.0,
                    "weight": abs(contribution),
                    "contribution": contribution,
                    "compared": f"{a.get('x_' + col)} ~ {b.get('x_' + col)} (Splink Bayes factor {bf:.3g})",
                }
            )
    return round(1 / (1 + math.exp(-log_odds)), 4), evidence


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _matcher_view(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in ("name", "birth_date", "nationality", "id_number", "script_hint")}


def clusters_of(pairs: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        a, b = find(("left", p["left_id"])), find(("right", p["right_id"]))
        if a != b:
            parent[b] = a
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])
