"""The results of ``astara link`` as files: linked pairs and clusters, as JSONL or CSV."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from astara.kit.spreadsheet import CsvWriter
from astara.matching.linkage.job import ALGORITHM, LinkResult


def write_pairs(result: LinkResult, path: Path) -> None:
    """Linked pairs as JSONL (``.jsonl``) or CSV (evidence as a JSON string)."""
    rows = ({**p, "algorithm": ALGORITHM} for p in result.pairs)
    _write(path, rows, ["left_id", "right_id", "match_probability", "splink_probability",
                        "splink_match_weight", "algorithm", "evidence"])  # fmt: skip


def write_clusters(result: LinkResult, path: Path) -> None:
    """One row per record in a cluster: cluster, side (left/right), id."""
    rows = (
        {"cluster": n, "side": side, "id": rid}
        for n, group in enumerate(result.clusters, start=1)
        for side, rid in group
    )
    _write(path, rows, ["cluster", "side", "id"])


def _write(path: Path, rows: Iterator[dict[str, Any]], fields: list[str]) -> None:
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = CsvWriter(out)
        writer.writerow(fields)
        for row in rows:
            if "evidence" in row:
                row = {**row, "evidence": json.dumps(row["evidence"], ensure_ascii=False)}
            writer.writerow(row.get(f, "") for f in fields)
