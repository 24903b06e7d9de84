"""How long ``astara`` takes to answer small commands, end to end, beside ``python -c pass``.

Each command runs as a new process (``python -m astara ...``, as the ``astara`` script runs it)
N times; the median and the fastest wall-clock times are printed. The store is the demo's
(``astara demo --no-serve`` into a temporary folder first, not timed), with one person added for
``match query`` to find. The first run of each command is not counted (it may write the
vocabulary and help copies, and fills the file cache).

Run: .venv/bin/python bench/startup.py                  # 15 runs each
     .venv/bin/python bench/startup.py --runs 31
     PYTHONPATH=/other/checkout/src .venv/bin/python bench/startup.py   # another version's figures
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def _run(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[2:])} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return took


def _astara(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "astara", *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="astara-startup-") as folder:
        env = {**os.environ, "ASTARA_DATA_DIR": folder, "ASTARA_AGENCY": "DEMO"}
        env.pop("ASTARA_DATABASE_URL", None)
        _astara(env, "demo", "--no-serve")
        event = json.loads(_astara(env, "seizures", "list", "--format", "json"))["items"][0]["id"]
        _astara(env, "match", "add", "--name", "Rashad Mammadov", "--birth-date", "1980-04-02")
        astara = [sys.executable, "-m", "astara"]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "astara --version": [sys.executable, "-m", "astara", "--version"],
            "astara --help": [sys.executable, "-m", "astara", "--help"],
            "astara seizures --help": [sys.executable, "-m", "astara", "seizures", "--help"],
            "astara stats --by drug": [sys.executable, "-m", "astara", "stats", "--by", "drug"],
            "astara seizures show ID": [sys.executable, "-m", "astara", "seizures", "show", event],
            "astara match query": [*astara, "match", "query", "--name", "Rashad Mamedov"],
        }
        print(f"{'command':<26} {'median ms':>10} {'fastest ms':>11}", end="   ")
        print(f"({args.runs} runs each, {os.cpu_count()} cores)")
        for label, argv in commands.items():
            _run(argv, env)
            times = [_run(argv, env) for _ in range(args.runs)]
            print(f"{label:<26} {statistics.median(times) * 1000:>10.0f} {min(times) * 1000:>11.0f}")


if __name__ == "__main__":
    main()
