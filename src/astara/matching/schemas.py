"""Records to compare and the explained result of a comparison."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, Field

Kind = Literal["person", "vehicle", "organization"]


class Feature(BaseModel):
    """One named piece of evidence: its value (-1..1), weight, contribution to the log-odds, and what was
    compared."""

    name: str
    value: float
    weight: float
    contribution: float
    compared: str


class MatchResult(BaseModel):
    kind: Kind
    match: bool
    score: float = Field(ge=0, le=1)
    algorithm: str
    threshold: float
    features: list[Feature]

    def explanation(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "threshold": self.threshold,
            "features": [f.model_dump() for f in self.features if f.value != 0],
        }


class PairIn(BaseModel):
    id: str
    kind: Kind
    a: dict[str, Any]
    b: dict[str, Any]


class Evidence:
    """Collects features and turns their log-odds sum, from ``bias``, into a score."""

    def __init__(self, bias: float) -> None:
        self.bias = bias
        self.features: list[Feature] = []

    def add(self, name: str, value: float, weight: float, compared: str) -> None:
        value = max(-1.0, min(1.0, value))
        self.features.append(
            Feature(
                name=name,
                value=round(value, 3),
                weight=weight,
                contribution=round(value * weight, 3),
                compared=compared,
            )
        )

    @property
    def log_odds(self) -> float:
        return self.bias + sum(f.value * f.weight for f in self.features)

    def score(self) -> float:
        return round(1.0 / (1.0 + math.exp(-self.log_odds)), 4)
