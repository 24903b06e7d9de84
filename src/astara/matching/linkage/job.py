"""Steps 2 to 4 of ``astara link`` as one call: feature columns and capped blocks, Splink's candidates
on the chosen engine, the decision on each batch of pairs as it arrives, clusters; with the time each
step took."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from astara.errors import InvalidInput
from astara.matching.linkage import duckdb_engine, spark
from astara.matching.linkage.blocking import MAX_BLOCK, BlockStats, block_keys
from astara.matching.linkage.decide import clusters_of, logit, rescore
from astara.matching.linkage.errors import LinkageEngineError
from astara.matching.linkage.features import Names, feature_table
from astara.matching.linkage.model import Candidate, em_parts
from astara.matching.service import ALGORITHM as MATCH_ALGORITHM

ALGORITHM = "astara-link-1"
DECISIONS = ("matcher", "splink", "blend")
ENGINES = {"duckdb": duckdb_engine.predict, "spark": spark.predict}


@dataclass
class Timings:
    read: float = 0.0
    features: float = 0.0
    blocking: float = 0.0
    splink: float = 0.0
    rescore: float = 0.0
    total: float = 0.0


_DECIDED = {
    "matcher": f"re-scored by {MATCH_ALGORITHM}",
    "splink": "decided by Splink's model",
    "blend": f"Splink's model blended with {MATCH_ALGORITHM}",
}


@dataclass
class LinkResult:
    left_count: int
    right_count: int
    candidates: int
    pairs: list[dict[str, Any]]
    clusters: list[list[tuple[str, str]]]  # each: [(side, id), ...]
    engine: str
    trained: bool
    decide: str
    timings: Timings
    blocks: BlockStats

    def summary(self) -> str:
        t, b = self.timings, self.blocks
        in_clusters = sum(len(c) for c in self.clusters)
        return (
            f"linked {len(self.pairs):,} pairs in {len(self.clusters):,} clusters ({in_clusters:,} records) "
            f"between {self.left_count:,} and {self.right_count:,} records; "
            f"{self.candidates:,} candidate pairs from Splink ({self.engine}, "
            f"{'trained m/u' if self.trained else 'fixed m/u'}), {_DECIDED[self.decide]}\n"
            f"blocks of at most {MAX_BLOCK} records a side: {b.keys:,} keys ({b.narrowed:,} narrowed by "
            f"birth year or date, {b.dropped:,} dropped), a record meets at most {b.most_compared:,}\n"
            f"time {t.total:.1f} s (read {t.read:.1f} s, name keys {t.features:.1f} s, blocking "
            f"{t.blocking:.1f} s, Splink {t.splink:.1f} s, re-scoring {t.rescore:.1f} s)"
        )


def link_records(
    left: list[dict[str, Any]],
    right: list[dict[str, Any]],
    *,
    extra: list[str] | None = None,
    engine: str = "duckdb",
    threshold: float = 0.5,
    decide: str = "matcher",
    train: bool | None = None,
    read_seconds: float = 0.0,
) -> LinkResult:
    """Link ``left`` with ``right`` (records as ``read_records`` returns them).

    ``decide``: ``matcher`` (the explained matcher re-scores every candidate, with Splink's evidence
    from the extra columns), ``splink`` (Splink's model alone) or ``blend`` (the mean of both log-odds).
    """
    if decide not in DECISIONS:
        raise InvalidInput(f"unknown decision {decide!r}: {', '.join(DECISIONS)}")
    if engine not in ENGINES:
        raise LinkageEngineError(f"unknown engine {engine!r}: {' or '.join(ENGINES)}")
    extra = extra or []
    timings = Timings(read=read_seconds)
    start = time.perf_counter()
    names = Names()
    left_rows, right_rows = names.rows(left), names.rows(right)
    names.forget_names()
    timings.features = time.perf_counter() - start
    step = time.perf_counter()
    left_blocks, right_blocks, blocks = block_keys(left, left_rows, right, right_rows, names, extra)
    timings.blocking = time.perf_counter() - step
    step = time.perf_counter()
    parts = em_parts((r.get("birth_date") for r in left), (r.get("birth_date") for r in right))
    tables = [
        feature_table(records, rows, names, extra, keys, parts)
        for records, rows, keys in ((left, left_rows, left_blocks), (right, right_rows, right_blocks))
    ]
    del names, left_blocks, right_blocks
    timings.features += time.perf_counter() - step
    pairs: list[dict[str, Any]] = []
    candidates = 0

    def take(batch: list[Candidate]) -> None:
        """Decide on one batch of candidates, keeping the linked pairs only."""
        nonlocal candidates
        began = time.perf_counter()
        candidates += len(batch)
        for c in batch:
            pair = _decide(left[c.left], right[c.right], c, decide)
            if pair["match_probability"] >= threshold:
                pairs.append(pair)
        timings.rescore += time.perf_counter() - began

    step = time.perf_counter()
    trained = ENGINES[engine](tables[0], tables[1], extra, train, take)
    timings.splink = time.perf_counter() - step - timings.rescore
    pairs.sort(key=lambda p: (-p["match_probability"], p["left_id"], p["right_id"]))
    clusters = clusters_of(pairs)
    timings.total = time.perf_counter() - start + read_seconds
    return LinkResult(
        len(left), len(right), candidates, pairs, clusters, engine, trained, decide, timings, blocks
    )


def _decide(a: dict[str, Any], b: dict[str, Any], c: Candidate, decide: str) -> dict[str, Any]:
    pair: dict[str, Any] = {
        "left_id": a["id"],
        "right_id": b["id"],
        "splink_probability": round(c.probability, 6),
        "splink_match_weight": round(c.match_weight, 3),
    }
    if decide == "splink":
        pair["match_probability"] = round(c.probability, 6)
        pair["evidence"] = []
        return pair
    score, pair["evidence"] = rescore(a, b, c)
    if decide == "blend":  # the mean of the two log-odds
        splink_log_odds = max(-30.0, min(30.0, c.match_weight * math.log(2)))
        score = round(1 / (1 + math.exp(-(splink_log_odds + logit(score)) / 2)), 4)
    pair["match_probability"] = score
    return pair
