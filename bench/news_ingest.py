"""``astara news ingest`` of 1,000 articles into a fresh store: articles per second, process start included.

The articles are composed from the test fixtures' made-up reports (tests/news/articles): quantities,
places, dates, outlets and wording vary, and about a third of the incidents are reported by two
outlets, so de-duplication has proposals to make. The store is created first with ``astara init``
(not timed); then ``astara news ingest FEED.jsonl`` runs as a new process pinned to one core
(``taskset``, when present), and a second time with the same feed (every text already stored).
Prints figures; asserts nothing. Needs no shared data.

Run: ``.venv/bin/python bench/news_ingest.py [--articles 1000] [--database-url URL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ASTARA = [sys.executable, "-m", "astara"]
PLACES = ["Astara border crossing", "Bilasuvar border crossing", "the port of Baku", "Lankaran", "Julfa"]
DRUGS = [
    ("heroin", "kg"),
    ("opium", "kg"),
    ("hashish", "kg"),
    ("methamphetamine", "kg"),
    ("tramadol", "tablets"),
]
OUTLETS = ["Caspian Courier", "Lankaran Today", "Southern Border Herald", "Araz Wire"]
TEMPLATES = [
    "Customs officers at the {place} seized {qty} {unit} of {drug} hidden in a truck loaded with {cargo} "
    "on {date}, the State Customs Committee said. The {nat} driver was detained.",
    "Border guards seized {qty} {unit} of {drug} from a minibus at the {place} on {date}, the State Border "
    "Service reported. Two passengers were arrested. An investigation has been opened.",
    "Police in {place} seized {qty} {unit} of {drug} during a search of a warehouse on {date}, the Interior "
    "Ministry said in a statement on its website.",
]
FILLER = [
    "The city council approved a new budget for road repairs and school buildings on Monday.",
    "Home | News | Region | Subscribe",
    "The ministry said the operation was part of a joint effort with neighbouring countries.",
]


def compose(n: int, seed: int = 11) -> list[dict[str, object]]:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    lines: list[dict[str, object]] = []
    i = 0
    while len(lines) < n:
        i += 1
        day = start + dt.timedelta(days=rng.randrange(600))
        drug, unit = rng.choice(DRUGS)
        qty = rng.randrange(2, 900) if unit == "kg" else rng.randrange(100, 90_000)
        values = {
            "place": rng.choice(PLACES),
            "drug": drug,
            "unit": unit,
            "cargo": rng.choice(["tomatoes", "melons", "tiles"]),
            "nat": rng.choice(["Iranian", "Azerbaijani", "Turkish"]),
            "date": day.strftime("%B %d, %Y"),
        }
        reports = 2 if rng.random() < 0.33 else 1
        for r in range(reports):
            shown = qty if r == 0 or unit != "kg" else round(qty * rng.uniform(0.99, 1.01), 1)
            text = rng.choice(TEMPLATES).format(qty=f"{shown:,}", **values)
            text = " ".join([rng.choice(FILLER), text, rng.choice(FILLER)]) if rng.random() < 0.5 else text
            if rng.random() < 0.1:  # some articles report nothing
                text = " ".join(rng.sample(FILLER, 3)) + f" Edition {i}-{r}."
            published = day + dt.timedelta(days=rng.randrange(0, 3))
            lines.append({
                "id": f"a{i}-{r}",
                "text": text,
                "published": published.isoformat(),
                "url": f"https://news{r}.example/{i}",
                "outlet": OUTLETS[(i + r) % len(OUTLETS)],
            })  # fmt: skip
    return lines[:n]


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    began = time.perf_counter()
    done = subprocess.run(pin + ASTARA + args, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - began, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        feed = folder / "feed.jsonl"
        lines = compose(options.articles)
        feed.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        url = options.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        env = {
            **os.environ,
            "ASTARA_DATA_DIR": str(folder),
            "ASTARA_AGENCY": "BENCH",
            "ASTARA_DATABASE_URL": url,
        }
        run(["init", "--name", "Bench agency", "--country", "AZ"], env)
        seconds, out = run(["news", "ingest", str(feed)], env)
        summary = out.strip().splitlines()[-1]
        again, out2 = run(["news", "ingest", str(feed)], env)
        listing, _ = run(["news", "list", "--limit", "100"], env)
        size = feed.stat().st_size
        print(f"articles: {len(lines):,} ({size / 1e6:.2f} MB of JSONL), store: {url.split(':')[0]}")
        print(
            f"ingest, new process on one core, start included: {seconds:.2f} s"
            f" = {len(lines) / seconds:,.0f} articles/s"
        )
        print(f"  {summary}")
        print(f"same feed again (all already stored): {again:.2f} s = {len(lines) / again:,.0f} articles/s")
        print(f"  {out2.strip().splitlines()[-1]}")
        print(f"news list --limit 100 (duplicate proposals worked out for each): {listing:.2f} s")


if __name__ == "__main__":
    main()
