"""How long ``astara`` takes to answer small commands, end to end, beside ``python -c pass``:
cold (``ASTARA_WARM=0``: the command loads everything itself) and warm (answered by the warm copy
of the CLI, kit/warm.py, started and listening before the warm runs are timed; stopped at the end).

Each command runs as a new process (``python -m astara ...``, as the ``astara`` script runs it)
N times; the median and the fastest wall-clock times are printed, and the mean CPU time: the
command's process, and for a warm run also the server's child that ran it. The store is the demo's
(``astara demo --no-serve`` into a temporary folder first, not timed), with one person added for
``match query`` to find. The first run of each command is not counted (it may write the
vocabulary and help copies, and fills the file cache). The load average is printed before and
after: the machine may be shared.

Run: .venv/bin/python bench/startup.py                  # 15 runs each
     .venv/bin/python bench/startup.py --runs 31
     PYTHONPATH=/other/checkout/src .venv/bin/python bench/startup.py   # another version's figures
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _children_cpu(pid: int | None) -> float:
    """CPU seconds of this process's ended children, and of the server's (its warm children)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = used.ru_utime + used.ru_stime
    if pid is not None:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[13]) + int(fields[14])) / TICK  # cutime, cstime
    return total


def _run(argv: list[str], env: dict[str, str], server: int | None = None) -> tuple[float, float]:
    """Wall and CPU seconds."""
    cpu = _children_cpu(server)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[2:])} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return took, _children_cpu(server) - cpu


def _start_server(env: dict[str, str], argv: list[str], place: Path) -> int:
    """Run ``argv`` once (cold: it starts a server in the background) and wait until it listens."""
    subprocess.run(argv, env=env, capture_output=True, check=True)
    end = time.monotonic() + 300
    while not list(place.glob("warm-*.sock")):
        if time.monotonic() > end:
            raise SystemExit("the warm server never listened")
        time.sleep(0.05)
    return int(next(place.glob("warm-*.lock")).read_text())


def _stop_server(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)
    for _ in range(200):
        if (
            not Path(f"/proc/{pid}").exists()
            or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
        ):
            return
        time.sleep(0.05)


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
    with (tempfile.TemporaryDirectory(prefix="astara-startup-") as folder,
          tempfile.TemporaryDirectory(prefix="aw-", dir="/tmp") as runtime):  # fmt: skip
        env = {**os.environ, "ASTARA_DATA_DIR": folder, "ASTARA_AGENCY": "DEMO", "ASTARA_WARM": "0"}
        env.pop("ASTARA_DATABASE_URL", None)
        _astara(env, "demo", "--no-serve")
        event = json.loads(_astara(env, "seizures", "list", "--format", "json"))["items"][0]["id"]
        _astara(env, "match", "add", "--name", "Rashad Mammadov", "--birth-date", "1980-04-02")
        astara = [sys.executable, "-m", "astara"]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "astara --version": [*astara, "--version"],
            "astara --help": [*astara, "--help"],
            "astara seizures --help": [*astara, "seizures", "--help"],
            "astara stats --by drug": [*astara, "stats", "--by", "drug"],
            "astara seizures show ID": [*astara, "seizures", "show", event],
            "astara match query": [*astara, "match", "query", "--name", "Rashad Mamedov"],
        }
        warm = {**env, "ASTARA_WARM": "1", "XDG_RUNTIME_DIR": runtime, "ASTARA_WARM_IDLE_SECONDS": "900"}
        server = _start_server(warm, commands["astara stats --by drug"], Path(runtime, "astara"))
        print(f"{args.runs} runs each, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before")
        print(f"{'':<26} {'cold (ASTARA_WARM=0)':^32} | {'warm':^32}")
        print(f"{'command':<26}" + f" {'median ms':>10} {'fastest ms':>10} {'CPU ms':>8}  |" * 2)
        try:
            for label, argv in commands.items():
                line = f"{label:<26}"
                for environment, pid in ((env, None), (warm, server)):
                    _run(argv, environment, pid)
                    runs = [_run(argv, environment, pid) for _ in range(args.runs)]
                    walls = [wall for wall, _ in runs]
                    cpu = statistics.mean(cpu for _, cpu in runs)
                    median, fastest = statistics.median(walls) * 1000, min(walls) * 1000
                    line += f" {median:>10.0f} {fastest:>10.0f} {cpu * 1000:>8.0f}  |"
                print(line, flush=True)
        finally:
            _stop_server(server)
        print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
