"""Match two records of one kind: named evidence, a versioned algorithm, a threshold, an explanation."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from astara.errors import InvalidInput
from astara.matching.assets import score_organization, score_vehicle
from astara.matching.persons import Facts, ceiling, score_person
from astara.matching.schemas import Evidence, Kind, MatchResult, PairIn

ALGORITHM = "astara-match-1"
THRESHOLD = 0.5

_SCORERS = {"person": score_person, "vehicle": score_vehicle, "organization": score_organization}


def match_records(kind: Kind, a: dict[str, Any], b: dict[str, Any]) -> MatchResult:
    """Compare two records of ``kind``; the result says which evidence moved the score and by how much."""
    scorer = _SCORERS.get(kind)
    if scorer is None:
        raise InvalidInput(f"unknown kind {kind!r}: person, vehicle or organization")
    evidence: Evidence = scorer(a, b)
    score = evidence.score()
    return MatchResult(
        kind=kind,
        match=score >= THRESHOLD,
        score=score,
        algorithm=ALGORITHM,
        threshold=THRESHOLD,
        features=evidence.features,
    )


def could_match(a: Facts, b: Facts) -> bool:
    """False when two person records are no match whatever their names (:func:`persons.ceiling`
    under the threshold, rounded as a score is), so the matcher need not run."""
    return round(1.0 / (1.0 + math.exp(-ceiling(a, b))), 4) >= THRESHOLD


def match_pairs(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One output object per JSONL input line ``{"id", "kind", "a", "b"}`` (blank lines skipped)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pair = PairIn.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise InvalidInput(
                f"line {number}: not a pair", details=[{"line": number, "reason": str(exc)[:300]}]
            ) from exc
        result = match_records(pair.kind, pair.a, pair.b)
        yield {
            "id": pair.id,
            "match": result.match,
            "score": result.score,
            "explanation": result.explanation(),
        }
