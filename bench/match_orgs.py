"""Organization pairs scored and company records keyed, cold: wall and CPU time.

Every pair of the test set ``tests/matching/org_pairs.jsonl`` (invented companies in every script) is
scored ``--repeat`` times, each time with an invented word added to both names so that no cache
helps (as a stream of new companies would arrive); then the match keys of every record are built.
Prints wall and CPU time for each, per pair and per record.

Run: .venv/bin/python bench/match_orgs.py
     .venv/bin/python bench/match_orgs.py --repeat 50
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from astara.matching.keys import organization_keys
from astara.matching.service import match_records

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "matching" / "org_pairs.jsonl"
SYLLABLES = ("ka", "ra", "zo", "mi", "ne", "ta", "lu", "sa", "ve", "do", "ri", "be")


def _work(repeat: int, seed: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    rng = random.Random(seed)
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    work = []
    for _ in range(repeat):
        for pair in pairs:
            word = "".join(rng.choice(SYLLABLES) for _ in range(3))
            a = dict(pair["a"], name=f"{pair['a']['name']} {word}")
            b = dict(pair["b"], name=f"{pair['b']['name']} {word}")
            work.append((a, b))
    return work


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = _work(args.repeat, args.seed)
    wall, cpu = time.perf_counter(), time.process_time()
    for a, b in work:
        match_records("organization", a, b)
    score_wall, score_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    for a, b in work:
        organization_keys(a)
        organization_keys(b)
    keys_wall, keys_cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = len(work)
    print(
        f"{n} organization pairs scored: wall {score_wall:.2f} s, CPU {score_cpu:.2f} s "
        f"({1000 * score_cpu / n:.2f} ms CPU a pair); keys of {2 * n} records: wall {keys_wall:.2f} s, "
        f"CPU {keys_cpu:.2f} s ({1e6 * keys_cpu / (2 * n):.0f} µs CPU a record)"
    )


if __name__ == "__main__":
    main()
