"""Organization pairs written for this test (invented companies, not the evaluation set): every family
of legal form, transliteration, generic word, conjunction, number, registration and country the
matcher must know, with hard non-matches beside each; F1 must stay at 0.95 or above in every family."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from astara.matching.service import match_records

PAIRS = [
    json.loads(line)
    for line in (Path(__file__).parent / "org_pairs.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def _f1(counts: Counter[str]) -> float:
    """F1 of a family's outcomes; a family of non-matches all kept apart scores 1."""
    wrong = counts["fp"] + counts["fn"]
    tp = counts["tp"]
    return 2 * tp / (2 * tp + wrong) if tp else (0.0 if wrong else 1.0)


def _outcomes() -> tuple[dict[str, Counter[str]], list[str]]:
    per_family: dict[str, Counter[str]] = {}
    misses: list[str] = []
    for pair in PAIRS:
        result = match_records("organization", pair["a"], pair["b"])
        outcome = ("tp" if pair["match"] else "fp") if result.match else ("fn" if pair["match"] else "tn")
        per_family.setdefault(pair["family"], Counter())[outcome] += 1
        if outcome in ("fp", "fn"):
            names = f"{pair['a']['name']} ~ {pair['b']['name']}"
            misses.append(f"{pair['id']} {pair['family']} {outcome}: {names} ({result.score})")
    return per_family, misses


def test_the_set_is_balanced_and_covers_every_family() -> None:
    labels = Counter(bool(p["match"]) for p in PAIRS)
    assert len(PAIRS) >= 80 and min(labels.values()) >= 0.4 * len(PAIRS)
    assert len({p["family"] for p in PAIRS}) >= 8


def test_every_family_keeps_f1_at_095(capsys: pytest.CaptureFixture[str]) -> None:
    per_family, misses = _outcomes()
    with capsys.disabled():
        for family, counts in sorted(per_family.items()):
            print(f"\n{family:16} {dict(counts)} F1={_f1(counts):.3f}", end="")
        print("\n" + "\n".join(misses))
    everything: Counter[str] = sum(per_family.values(), Counter())
    assert _f1(everything) >= 0.95, misses
    assert all(_f1(c) >= 0.95 for c in per_family.values()), misses
