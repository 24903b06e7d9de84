"""The batch path on the labelled cross-agency pairs of ../shared/eval/match/dev: every person record
of side ``a`` linked against every record of side ``b`` at once (14,400 possible pairs), scored against
the labels. Skips when ../shared is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astara.matching.linkage import link_records

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "match" / "dev" / "pairs.jsonl"
FIELDS = ("name", "birth_date", "nationality", "id_number", "script_hint")


def test_batch_linkage_of_the_dev_persons_reaches_the_target() -> None:
    if not DEV.exists():
        pytest.skip(f"shared eval data not present: {DEV}")
    left, right, truth = [], [], set()
    for line in DEV.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        if pair["kind"] != "person":
            continue
        left.append({"id": pair["id"] + "a", **{k: pair["a"].get(k) for k in FIELDS}})
        right.append({"id": pair["id"] + "b", **{k: pair["b"].get(k) for k in FIELDS}})
        if pair["match"]:
            truth.add((pair["id"] + "a", pair["id"] + "b"))
    result = link_records(left, right)
    found = {(p["left_id"], p["right_id"]) for p in result.pairs}
    true_positives = len(found & truth)
    precision, recall = true_positives / len(found), true_positives / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, (sorted(truth - found), sorted(found - truth))
