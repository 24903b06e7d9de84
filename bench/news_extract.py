"""Extraction speed: ``astara extract --jsonl`` over a batch of 1,000 articles, process start included.

The batch is the real articles of ``../shared/eval/news/dev`` repeated to 1,000 when that folder is
present, otherwise 1,000 articles composed here from seizure sentences, clutter lines and
non-seizure paragraphs (so the figure is never empty). Runs the installed ``astara`` command once
per round as a new process on one core (the extractor is single-threaded) and prints articles per
second for each round and the best. Asserts nothing.

Run: ``.venv/bin/python bench/news_extract.py [--articles 1000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "news" / "dev"

_SEIZURES = [
    "Customs officers at the {place} checkpoint found {n} kg of {drug} in the fuel tank of a {nat} truck.",
    "Police seized {n} kilograms of {drug} and {m} tablets of methadone in {place} on {weekday}.",
    "Border guards detained two {nat} citizens carrying {n} grams of {drug} near {place} last week.",
    "More than {n} kg of {drug} bound for Europe was found in a container of {cargo} at the port of {place}.",
]
_OTHER = [
    "The ministry said the operation was part of a wider campaign against organised crime.",
    "Subscribe to our newsletter | Home | World | Business",
    "In 2019 the agency reported that seizures had risen by a third compared with the year before.",
    "Officials met on Monday to discuss cooperation on border security and trade.",
]


def _composed(count: int) -> list[dict[str, object]]:
    rng = random.Random(5)
    places = ["Astara", "Bilasuvar", "Baku", "Lankaran", "Bandar Abbas", "Mersin", "Poti"]
    drugs = ["heroin", "opium", "hashish", "marijuana", "methamphetamine", "cocaine"]
    articles = []
    for i in range(count):
        lines = [rng.choice(_OTHER)]
        for template in rng.sample(_SEIZURES, rng.randint(1, 3)):
            lines.append(
                template.format(
                    place=rng.choice(places),
                    drug=rng.choice(drugs),
                    n=rng.randint(1, 900),
                    m=rng.randint(10, 5000),
                    nat=rng.choice(["Iranian", "Azerbaijani", "Turkish"]),
                    weekday=rng.choice(["Tuesday", "Friday"]),
                    cargo=rng.choice(["bananas", "tiles", "tea"]),
                )
            )
        lines += rng.sample(_OTHER, 2)
        articles.append({"id": f"c{i}", "text": "\n".join(lines), "published": "2024-05-17", "url": None})
    return articles


def _real(count: int, folder: Path) -> list[dict[str, object]]:
    texts = sorted(folder.glob("*.txt"))
    articles = []
    while len(articles) < count:
        for path in texts[: count - len(articles)]:
            gold = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            articles.append(
                {
                    "id": f"{path.stem}-{len(articles)}",
                    "text": path.read_text(encoding="utf-8"),
                    "published": gold.get("published"),
                    "url": gold.get("url"),
                }
            )
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--eval", type=Path, default=EVAL, help="folder of articles (default ../shared/eval/news/dev)"
    )
    args = parser.parse_args()
    real = args.eval.is_dir()
    articles = _real(args.articles, args.eval) if real else _composed(args.articles)
    astara = Path(sys.executable).with_name("astara")
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.jsonl"
        batch.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
        size_mb = batch.stat().st_size / 1e6
        print(f"{len(articles)} articles ({'eval dev, repeated' if real else 'composed'}; {size_mb:.1f} MB)")
        rates = []
        for round_ in range(1, args.rounds + 1):
            start = time.perf_counter()
            done = subprocess.run(
                ["taskset", "-c", "0", str(astara), "extract", "--jsonl", str(batch)],
                capture_output=True,
                check=True,
            )
            seconds = time.perf_counter() - start
            events = sum(len(json.loads(line)["events"]) for line in done.stdout.splitlines())
            rates.append(len(articles) / seconds)
            print(f"round {round_}: {seconds:.2f} s, {rates[-1]:.0f} articles/s, {events} events")
        print(f"best: {max(rates):.0f} articles/s on one core, process start included")


if __name__ == "__main__":
    main()
