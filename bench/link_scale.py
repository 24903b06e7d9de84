"""Batch linkage at scale: ``astara link`` of 1,000,000 synthetic person records against 100,000.

Names come from the matching layer's table of given-name equivalents (``data/given_names.yaml``):
each person has a given name and a surname made from another given name with the suffix rules of
the person's country (-ov/-yev in Azerbaijan and Russia, -i/-zadeh/-pour in Iran, -oğlu/-er in
Turkey), written in one script on the right side (the agency's register) and, for the persons who
appear on the left too, in another script with the table's other spellings, the Cyrillic or Persian
form of the suffix, and typing slips. The other left records are other people, many of them
namesakes of right persons (same name, another birth date or nationality).

The job runs as the ``astara link`` command on two CSV files, so the time and the peak memory are end
to end; its CPU time and the machine's load average are printed beside the wall time, since other work
on the machine stretches the latter. With ``--engine spark`` the command starts a Java process: its CPU
time and peak memory are read from /proc while it runs (Linux) and printed beside the Python process's,
with the peak of the two together. Precision and recall against the known truth are printed too.

Run: .venv/bin/python bench/link_scale.py                       # 1,000,000 against 100,000
     .venv/bin/python bench/link_scale.py --left 100000 --right 10000
     .venv/bin/python bench/link_scale.py --left 100000 --right 10000 --engine spark   # the spark extra
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

from astara.kit.yamlfile import safe_load
from astara.matching.scripts import script_of

NATIONALITIES = ("AZ", "AZ", "IR", "IR", "RU", "TR")
CYRILLIC_SUFFIX = {"ov": "ов", "yev": "ев", "ova": "ова", "yeva": "ева"}


def name_table() -> dict[str, dict[str, list[str]]]:
    """Given-name id -> script -> spellings (latn, cyrl, fa), for names written in all three."""
    text = resources.files("astara.matching").joinpath("data/given_names.yaml").read_text(encoding="utf-8")
    table: dict[str, list[str]] = safe_load(text)
    out: dict[str, dict[str, list[str]]] = {}
    for name_id, spellings in table.items():
        by_script: dict[str, list[str]] = {}
        for spelling in spellings:
            by_script.setdefault(script_of(spelling), []).append(str(spelling))
        if {"latn", "cyrl", "fa"} <= by_script.keys():
            out[name_id] = by_script
    return out


def typo(word: str, rng: random.Random) -> str:
    """One typing slip in a Latin or Cyrillic word: a swap, a dropped or a doubled letter."""
    if len(word) < 5 or script_of(word) == "fa":
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


class People:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.table = name_table()
        self.ids = sorted(self.table)
        # A skewed choice of names, as in life: a few very common, many rare.
        self.weights = [1.0 / (rank + 3) for rank in range(len(self.ids))]

    def person(self) -> dict[str, str]:
        rng = self.rng
        given, root = rng.choices(self.ids, self.weights, k=2)
        nationality = rng.choice(NATIONALITIES)
        year = rng.randrange(1950, 2005)
        return {
            "given": given,
            "root": root,
            "female": "1" if rng.random() < 0.15 else "",
            "nationality": nationality,
            "birth_date": f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        }

    def render(self, person: dict[str, str], script: str, slips: bool) -> str:
        rng = self.rng
        forms = self.table[person["given"]]
        roots = self.table[person["root"]]
        given = rng.choice(forms[script])
        root = rng.choice(roots[script])
        nationality, female = person["nationality"], bool(person["female"])
        if nationality == "IR":
            if script == "fa":
                surname = root + rng.choice(["ی", "ی", " زاده", "پور"][:1] if slips else ["ی"])
            elif script == "cyrl":
                surname = root + ("и" if not root.endswith(("и", "й")) else "")
            else:
                surname = root + ("i" if not root.endswith(("i", "y")) else "")
        elif nationality == "TR":
            surname = root + {"latn": "oğlu", "cyrl": "оглу", "fa": "اوغلو"}[script]
        else:
            suffix = (
                ("yeva" if female else "yev")
                if root[-1:].lower() in "aeiouəаеиоу"
                else ("ova" if female else "ov")
            )
            if script == "cyrl":
                surname = root + CYRILLIC_SUFFIX[suffix]
            elif script == "fa":
                surname = root + ("وا" if female else "اف")
            else:
                surname = root + suffix
        if slips and rng.random() < 0.3:
            surname = typo(surname, rng)
        if slips and rng.random() < 0.1:
            given = typo(given, rng)
        if rng.random() < 0.3:  # surname first, as forms and police reports write it
            return f"{surname} {given}"
        return f"{given} {surname}"


def generate(left_n: int, right_n: int, folder: Path, seed: int) -> tuple[Path, Path, set[tuple[str, str]]]:
    people = People(seed)
    rng = people.rng
    right_people = [people.person() for _ in range(right_n)]
    truth: set[tuple[str, str]] = set()
    right_path, left_path = folder / "register.csv", folder / "records.csv"
    header = ["id", "name", "birth_date", "nationality"]
    with right_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n, p in enumerate(right_people):
            script = "latn" if p["nationality"] in {"AZ", "TR"} else rng.choice(["latn", "cyrl", "fa"])
            p["script"] = script
            writer.writerow([f"R{n}", people.render(p, script, False), p["birth_date"], p["nationality"]])
    seen = right_n // 2  # half of the register appears in the other agency's records
    with left_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(left_n):
            if n < seen:
                p = right_people[n]
                script = rng.choice([s for s in ("latn", "cyrl", "fa") if s != p["script"]])
                name = people.render(p, script, True)
                truth.add((f"L{n}", f"R{n}"))
                writer.writerow([f"L{n}", name, p["birth_date"], p["nationality"]])
                continue
            if rng.random() < 0.2:  # a namesake of a register person: another birth date
                p = dict(right_people[rng.randrange(right_n)])
                p["birth_date"] = people.person()["birth_date"]
            else:
                p = people.person()
            script = rng.choice(["latn", "cyrl", "fa"])
            writer.writerow([f"L{n}", people.render(p, script, True), p["birth_date"], p["nationality"]])
    return left_path, right_path, truth


class TreeSampler(threading.Thread):
    """The CPU time and resident memory of a process's descendants (the JVM under ``--engine spark``),
    read from /proc every ``every`` seconds: their CPU time at the last reading, each one's peak, and
    the peak of the whole tree (the root's own memory included) at one reading."""

    def __init__(self, root: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.root, self.every, self.done = root, every, threading.Event()
        self.cpu: dict[int, float] = {}
        self.peak: dict[int, int] = {}
        self.tree_peak = 0  # kB
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.sample()

    def sample(self) -> None:
        parents: dict[int, int] = {}
        stats: dict[int, tuple[float, int]] = {}
        for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                rss = next(
                    int(line.split()[1])
                    for line in (entry / "status").read_text().splitlines()
                    if line.startswith("VmRSS")
                )
            except (OSError, StopIteration, IndexError):
                continue
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            stats[pid] = ((int(fields[11]) + int(fields[12])) / self.tick, rss)
        tree, total, grew = {self.root}, 0, True
        while grew:  # a child's id need not be larger than its parent's
            found = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= found
            grew = bool(found)
        for pid in tree & stats.keys():
            cpu, rss = stats[pid]
            total += rss
            if pid != self.root:
                self.cpu[pid] = cpu
                self.peak[pid] = max(self.peak.get(pid, 0), rss)
        self.tree_peak = max(self.tree_peak, total)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--left", type=int, default=1_000_000)
    parser.add_argument("--right", type=int, default=100_000)
    parser.add_argument("--engine", default="duckdb")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="link-scale-"))
    start = time.perf_counter()
    left, right, truth = generate(args.left, args.right, folder, args.seed)
    took = time.perf_counter() - start
    print(f"generated {args.left:,} against {args.right:,} records in {took:.0f} s ({folder})")
    out = folder / "pairs.csv"
    load_before = os.getloadavg()
    start = time.perf_counter()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "astara",
            "link",
            str(left),
            str(right),
            "--engine",
            args.engine,
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = TreeSampler(child.pid)
    sampler.start()
    stdout, stderr = child.communicate()
    sampler.done.set()
    elapsed = time.perf_counter() - start
    if child.returncode:
        sys.exit(f"astara link failed ({child.returncode}):\n{stderr[-3000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    load = os.getloadavg()
    print(stdout.strip())
    with out.open(encoding="utf-8") as stream:
        found = {(row["left_id"], row["right_id"]) for row in csv.DictReader(stream)}
    tp = len(found & truth)
    precision, recall = (tp / len(found) if found else 0.0), tp / len(truth)
    size = f"{args.left:,} x {args.right:,}"
    print(
        f"astara link {size}: {elapsed:.0f} s end to end ({cpu:.0f} s of CPU), "
        f"peak memory {peak_mb:,.0f} MB; load average {load_before[0]:.1f} before, "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} after (1 / 5 / 15 min, {os.cpu_count()} cores)"
    )
    if sampler.cpu:
        others_mb, tree_mb = sum(sampler.peak.values()) / 1024, max(sampler.tree_peak / 1024, peak_mb)
        print(
            f"its child processes (the JVM): {sum(sampler.cpu.values()):.0f} s of CPU, peak memory "
            f"{others_mb:,.0f} MB; the command and its children at once {tree_mb:,.0f} MB at peak"
        )
    print(f"{len(found):,} pairs: precision {precision:.4f}, recall {recall:.4f} ({len(truth):,} true links)")


if __name__ == "__main__":
    main()
