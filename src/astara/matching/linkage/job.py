"""Steps 2 to 4 of ``astara link`` as one call: feature columns, Splink's candidates on the chosen
engine, the decision on each pair, clusters; with the time each step took."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from astara.errors import InvalidInput
from astara.matching.linkage import duckdb_engine, spark
from astara.matching.linkage.decide import clusters_of, logit, rescore
from astara.matching.linkage.errors import LinkageEngineError
from astara.matching.linkage.features import feature_rows
from astara.matching.linkage.model import Candidate
from astara.matching.service import ALGORITHM as MATCH_ALGORITHM

ALGORITHM = "astara-link-1"
DECISIONS = ("matcher", "splink", "blend")


@dataclass
class Timings:
    read: float = 0.0
    features: float = 0.0
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

    def summary(self) -> str:
        t = self.timings
        in_clusters = sum(len(c) for c in self.clusters)
        return (
            f"linked {len(self.pairs):,} pairs in {len(self.clusters):,} clusters ({in_clusters:,} records) "
            f"between {self.left_count:,} and {self.right_count:,} records; "
            f"{self.candidates:,} candidate pairs from Splink ({self.engine}, "
            f"{'trained m/u' if self.trained else 'fixed m/u'}), {_DECIDED[self.decide]}\n"
            f"time {t.total:.1f} s (read {t.read:.1f} s, name keys {t.features:.1f} s, "
            f"Splink {t.splink:.1f} s, re-scoring {t.rescore:.1f} s)"
        )


def _predict(
    left: dict[str, list[Any]], right: dict[str, list[Any]], extra: list[str], engine: str, train: bool | None
) -> tuple[list[Candidate], bool]:
    if engine == "spark":
        return spark.predict(left, right, extra, train)
    if engine != "duckdb":
        raise LinkageEngineError(f"unknown engine {engine!r}: duckdb or spark")
    return duckdb_engine.predict(left, right, extra, train)


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
    extra = extra or []
    timings = Timings(read=read_seconds)
    start = time.perf_counter()
    lf, rf = feature_rows(left, extra), feature_rows(right, extra)
    timings.features = time.perf_counter() - start
    step = time.perf_counter()
    candidates, trained = _predict(lf, rf, extra, engine, train)
    timings.splink = time.perf_counter() - step
    step = time.perf_counter()
    by_left = {r["id"]: r for r in left}
    by_right = {r["id"]: r for r in right}
    pairs: list[dict[str, Any]] = []
    for c in candidates:
        pair: dict[str, Any] = {
            "left_id": c.left_id,
            "right_id": c.right_id,
            "splink_probability": round(c.probability, 6),
            "splink_match_weight": round(c.match_weight, 3),
        }
        if decide == "splink":
            pair["match_probability"] = round(c.probability, 6)
            pair["evidence"] = []
        else:
            score, pair["evidence"] = rescore(by_left[c.left_id], by_right[c.right_id], c)
            if decide == "blend":  # the mean of the two log-odds
                splink_log_odds = max(-30.0, min(30.0, c.match_weight * math.log(2)))
                score = round(1 / (1 + math.exp(-(splink_log_odds + logit(score)) / 2)), 4)
            pair["match_probability"] = score
        if pair["match_probability"] >= threshold:
            pairs.append(pair)
    timings.rescore = time.perf_counter() - step
    pairs.sort(key=lambda p: (-p["match_probability"], p["left_id"], p["right_id"]))
    clusters = clusters_of(pairs)
    timings.total = time.perf_counter() - start + read_seconds
    return LinkResult(
        len(left), len(right), len(candidates), pairs, clusters, engine, trained, decide, timings
    )
