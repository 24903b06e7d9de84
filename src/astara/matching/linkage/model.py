"""Step 3 of ``astara link``: the Splink (4.x) model, the same on every engine.

One blocking rule, a shared block key (``blocking``: name-key pairs, a name key with the birth date,
the document number, the extra columns; every block capped); a Fellegi-Sunter model over name keys,
birth date, document, nationality (and any extra exact columns) whose m and u start from fixed values
and, on inputs large enough, are trained (u by random sampling, m by EM on pairs of one birth date,
a sample of them past ``EM_PAIRS``). Candidates are the pairs whose evidence is worth
``CANDIDATE_BITS``; they are read in batches of ``BATCH`` rows, so the pairs are never all in memory.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

CANDIDATE_BITS = 10.0  # Splink's Bayes factor (log2, prior aside) from which the matcher looks at a pair
TRAIN_MIN_RECORDS = 1000  # smaller inputs keep the fixed m and u: EM needs many pairs to converge
# EM on pairs of one birth date (and one share of the records, past EM_PAIRS) trains every other comparison.
EM_RULE = "l.birth_date = r.birth_date and l.em_part = r.em_part"
EM_PAIRS = 2e5  # enough for EM to converge; a share of the records keeps the matches' proportion
U_SAMPLE_PAIRS = 3e5  # random pairs for u: enough for the few levels of each comparison
BATCH = 50_000  # candidate pairs read and re-scored at a time

# (Splink's predictions, columns) -> batches of rows of them
Fetch = Callable[[Any, list[str]], Iterable[list[Any]]]


def splink_settings(extra: list[str], prior: float) -> Any:
    """Blocking rules and comparisons on the name keys, with fixed starting m and u values."""
    import splink.comparison_level_library as cll  # deferred: a heavy library, loaded when a link runs
    import splink.comparison_library as cl  # deferred: as above
    from splink import SettingsCreator, block_on  # deferred: as above

    def level(creator: Any, m: float, u: float) -> Any:
        return creator.configure(m_probability=m, u_probability=u)

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_sig"),
            level(cll.ExactMatchLevel("name_sig"), 0.70, 0.0005),
            level(cll.ArrayIntersectLevel("name_keys", 2), 0.20, 0.001),
            level(cll.JaroWinklerLevel("name_cons", 0.92), 0.04, 0.002),
            level(cll.JaroWinklerLevel("name_cons", 0.8), 0.02, 0.01),
            level(cll.ArrayIntersectLevel("name_keys", 1), 0.03, 0.05),
            level(cll.ElseLevel(), 0.01, 0.9365),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            level(cll.ExactMatchLevel("birth_date"), 0.85, 0.0001),
            level(cll.DamerauLevenshteinLevel("birth_date", 1), 0.08, 0.002),
            level(cll.ExactMatchLevel("birth_year"), 0.04, 0.02),
            level(cll.ElseLevel(), 0.03, 0.9779),
        ],
    )
    document = cl.CustomComparison(
        output_column_name="id_number",
        comparison_levels=[
            cll.NullLevel("id_number"),
            level(cll.ExactMatchLevel("id_number"), 0.85, 0.0001),
            level(cll.DamerauLevenshteinLevel("id_number", 1), 0.08, 0.0005),
            level(cll.ElseLevel(), 0.07, 0.9994),
        ],
    )
    nationality = cl.CustomComparison(
        output_column_name="nationality",
        comparison_levels=[
            cll.NullLevel("nationality"),
            level(cll.ExactMatchLevel("nationality"), 0.95, 0.3),
            level(cll.ElseLevel(), 0.05, 0.7),
        ],
    )
    comparisons: list[Any] = [name, birth, document, nationality]
    for col in extra:
        comparisons.append(
            cl.CustomComparison(
                output_column_name="x_" + col,
                comparison_levels=[
                    cll.NullLevel("x_" + col),
                    level(cll.ExactMatchLevel("x_" + col), 0.8, 0.05),
                    level(cll.DamerauLevenshteinLevel("x_" + col, 1), 0.1, 0.05),
                    level(cll.ElseLevel(), 0.1, 0.9),
                ],
            )
        )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        blocking_rules_to_generate_predictions=[block_on("block_keys", arrays_to_explode=["block_keys"])],
        comparisons=comparisons,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=bool(extra),  # bf_x_* columns for the re-scoring
        additional_columns_to_retain=[],
    )


@dataclass
class Candidate:
    left: int  # the record's position on its side
    right: int
    probability: float
    match_weight: float
    extra_bf: dict[str, float]  # Splink's Bayes factor for each extra column


def run_splink(
    db_api: Any,
    frames: list[Any],
    n_left: int,
    n_right: int,
    extra: list[str],
    train: bool | None,
    fetch: Fetch,
    take: Callable[[list[Candidate]], None],
) -> bool:
    """Train (when asked, or when the inputs are large enough) and predict on ``db_api``'s engine,
    handing the candidates to ``take`` a batch at a time; whether the model was trained."""
    from splink import Linker  # deferred: a heavy library, loaded when a link runs

    prior = min(0.5, min(n_left, n_right) / max(1, n_left * n_right))
    logging.getLogger("splink").setLevel(logging.ERROR)  # its advice on max_pairs and untrained levels
    linker = Linker(frames, splink_settings(extra, prior), db_api, set_up_basic_logging=False)
    trained = train if train is not None else min(n_left, n_right) >= TRAIN_MIN_RECORDS
    if trained:
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(U_SAMPLE_PAIRS, n_left * n_right / 4), seed=1
        )
        linker.training.estimate_parameters_using_expectation_maximisation(EM_RULE, fix_u_probabilities=True)
    # Candidates: pairs whose evidence is worth CANDIDATE_BITS or more, whatever the sizes of the inputs
    # (the prior, and so the probability of one pattern of agreement, falls as the inputs grow).
    prior_bits = math.log2(prior / (1 - prior))
    predictions = linker.inference.predict(threshold_match_weight=CANDIDATE_BITS + prior_bits)
    wanted = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    wanted += [f"bf_x_{c}" for c in extra]
    for rows in fetch(predictions, wanted):
        take(
            [
                Candidate(
                    int(r[0]),
                    int(r[1]),
                    float(r[2]),
                    float(r[3]),
                    {c: float(r[4 + i]) for i, c in enumerate(extra)},
                )
                for r in rows
            ]
        )
    return trained


def em_parts(left_births: Iterable[str | None], right_births: Iterable[str | None]) -> int:
    """Into how many shares EM's pairs of one birth date are cut, so that one share is about ``EM_PAIRS``."""
    on_left = Counter(b for b in left_births if b)
    pairs = sum(n * on_left[b] for b, n in Counter(b for b in right_births if b).items())
    return max(1, math.ceil(pairs / EM_PAIRS))
