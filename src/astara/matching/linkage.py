"""Batch linkage of person records (``astara link``): two files, or a file against the store.

The job has four steps:

1. **Read** each side (CSV, XLSX/ODS or JSONL) through a column mapping (``Columns``: options, or the
   usual header names) into person records ``{id, name, birth_date, nationality, id_number}``.
2. **Features** from the matching layer's name keys, computed once per distinct name: one key per name
   word that is the same in every script a name is written in (the given-name id from the table of
   equivalents, the given name a surname is made from, or else the consonant skeleton of the surname
   stem, so Rzayev, Рзаев and رضایی share ``rz``), the pairs of those keys (two shared name words), and
   a consonant string for fuzzy comparison.
3. **Splink** (4.x) on DuckDB, or Spark through ``linkage_spark``: blocking rules on shared key pairs,
   on one shared key plus the birth date, and on the document number; a Fellegi-Sunter model over name
   keys, birth date, document, nationality (and any extra exact columns) whose m and u start from
   fixed values and, on inputs large enough, are trained (u by random sampling, m by EM).
4. **Re-scoring**: candidate pairs (Splink evidence worth 10 bits or more) are scored again by the explained
   matcher (``service.match_records``), which knows transliteration, surname families, patronymics and
   the birth-year and identifier conventions; a pair is linked when that score reaches the threshold.
   Linked pairs are joined into clusters (connected components).
"""

from __future__ import annotations

import json
import logging
import math
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any

from astara.errors import InvalidInput
from astara.kit.spreadsheet import CsvWriter
from astara.matching.persons import normalize_id
from astara.matching.phonetic import PERSIAN_MARK
from astara.matching.scripts import fold_digits
from astara.matching.service import ALGORITHM as MATCH_ALGORITHM
from astara.matching.service import match_records
from astara.matching.tokens import parse_name, root_given_id

ALGORITHM = "astara-link-1"
CANDIDATE_BITS = 10.0  # Splink's Bayes factor (log2, prior aside) from which the matcher looks at a pair
DECISIONS = ("matcher", "splink", "blend")
TRAIN_MIN_RECORDS = 1000  # smaller inputs keep the fixed m and u: EM needs many pairs to converge
DUCKDB_MEMORY = "4GB"  # DuckDB spills to disk past this (its default is 80 % of the machine)
EM_BLOCKS = ["birth_date"]  # EM on pairs of one birth date trains every other comparison
U_SAMPLE_PAIRS = 3e5  # random pairs for u: enough for the few levels of each comparison

# Header names each field is found under when no option names its column (case and spaces ignored).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "rec_id", "record_id", "person_id", "unique_id", "ref", "reference"),
    "name": ("name", "full_name", "fullname", "person", "person_name"),
    "given": ("given_name", "first_name", "given", "forename", "firstname"),
    "surname": ("surname", "last_name", "family_name", "lastname"),
    "father": ("father_name", "fathers_name", "patronymic", "father"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate", "born"),
    "nationality": ("nationality", "citizenship", "country"),
    "id_number": ("id_number", "document_number", "document", "passport", "passport_number", "national_id"),
    "script_hint": ("script_hint", "script", "language"),
}


class LinkageError(InvalidInput):
    """A linkage input cannot be read: the message names the file, row and column at fault."""

    exit_code = 18
    code = "linkage_input"


class LinkageEngineError(InvalidInput):
    """The linkage engine cannot run (e.g. ``--engine spark`` without the ``astara[spark]`` extra)."""

    status_code = 503
    exit_code = 19
    code = "linkage_engine"


_NAME_FIELDS = frozenset({"name", "given", "surname"})


@dataclass
class Columns:
    """Which column feeds which field; ``None`` means: look for the usual header names."""

    id: str | None = None
    name: str | None = None
    given: str | None = None
    surname: str | None = None
    father: str | None = None
    birth_date: str | None = None
    nationality: str | None = None
    id_number: str | None = None
    script_hint: str | None = None
    extra: list[str] = field(default_factory=list)  # compared exactly (postcode, address, ...)

    def resolve(self, header: list[str], source: str) -> dict[str, str]:
        """Field -> column present in ``header``; a named column that is missing is an error."""
        by_key = {_norm(h): h for h in header if h}
        out: dict[str, str] = {}
        missing: list[str] = []
        for name in ALIASES:
            wanted = getattr(self, name)
            if wanted is not None:  # one column, or several ("Ad,first_name"): the first in this file
                for choice in [wanted, *(c.strip() for c in wanted.split(",") if "," in wanted)]:
                    if choice in header or _norm(choice) in by_key:
                        out[name] = choice if choice in header else by_key[_norm(choice)]
                        break
                else:
                    if name in _NAME_FIELDS:  # a file may give full names where the other splits them
                        missing.append(wanted)
                        continue
                    raise LinkageError(
                        f"{source}: no column {wanted!r} (for {name}); the columns are: {', '.join(header)}"
                    )
                continue
            for alias in ALIASES[name]:
                if alias in by_key:
                    out[name] = by_key[alias]
                    break
        for column in self.extra:
            if column not in header:
                raise LinkageError(
                    f"{source}: no column {column!r} (--extra); the columns are: {', '.join(header)}"
                )
        if not _NAME_FIELDS & out.keys():
            asked = f"no column {' or '.join(map(repr, missing))} for names" if missing else "no name column"
            raise LinkageError(
                f"{source}: {asked} (looked for name, full_name, given_name/first_name, "
                f"surname/last_name); name it with --name, or --given and --surname. The columns are: "
                f"{', '.join(header)}"
            )
        return out


def _norm(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


_DATE_SHAPES = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), (3, 2, 1)),
)


def normalize_birth_date(value: Any) -> str | None:
    """YYYY-MM-DD or YYYY; ``ValueError`` for a value in no known shape (calendar slips are kept)."""
    if value is None:
        return None
    if hasattr(value, "year") and hasattr(value, "month"):  # date or datetime from a spreadsheet
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    text = fold_digits(str(value)).strip()
    if not text or text.lower() in {"nan", "none", "null"}:
        return None
    if text.endswith(".0") and text[:-2].isdigit():  # numbers read from spreadsheets
        text = text[:-2]
    if re.fullmatch(r"\d{4}", text):
        return text
    for pattern, (y, m, d) in _DATE_SHAPES:
        found = pattern.match(text)
        if found:
            return f"{found[y]}-{int(found[m]):02d}-{int(found[d]):02d}"
    raise ValueError(f"birth date {text!r} is not YYYY-MM-DD, YYYYMMDD, DD.MM.YYYY or YYYY")


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return "" if text.lower() == "nan" else text


def _records_from_rows(
    source: str, header: list[str], rows: Iterable[tuple[int, Any]], columns: Columns, where: str
) -> list[dict[str, Any]]:
    mapping = columns.resolve(header, source)
    index = {h: i for i, h in enumerate(header)}
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in rows:
        if isinstance(raw, dict):
            get: Callable[[str], Any] = raw.get
        else:
            values = list(raw)
            if len(values) > len(header) and any(_text(v) for v in values[len(header) :]):
                raise LinkageError(
                    f"{source}, {where} {number}: {len(values)} values but the header has {len(header)} "
                    "columns (a separator inside an unquoted value?)"
                )

            def get(col: str, values: list[Any] = values) -> Any:
                i = index[col]
                return values[i] if i < len(values) else None

        record = _record(source, where, number, mapping, columns.extra, get)
        if record["id"] in seen:
            raise LinkageError(
                f"{source}, {where} {number}: id {record['id']!r} is also on {where} {seen[record['id']]}"
            )
        seen[record["id"]] = number
        records.append(record)
    if not records:
        raise LinkageError(f"{source} has no records (only a header)")
    return records


def _record(
    source: str,
    where: str,
    number: int,
    mapping: dict[str, str],
    extra: list[str],
    get: Callable[[str], Any],
) -> dict[str, Any]:
    def field_(name: str) -> str:
        col = mapping.get(name)
        return _text(get(col)) if col else ""

    name = field_("name")
    if not name:
        name = " ".join(part for part in (field_("given"), field_("surname")) if part)
    father = field_("father")
    if father and name:
        name = f"{name} s/o {father}"
    try:
        birth = normalize_birth_date(get(mapping["birth_date"])) if "birth_date" in mapping else None
    except ValueError as exc:
        raise LinkageError(f"{source}, {where} {number}, column {mapping['birth_date']!r}: {exc}") from None
    nationality = field_("nationality").upper() or None
    if nationality and not re.fullmatch(r"[A-Z]{2,3}", nationality):
        raise LinkageError(
            f"{source}, {where} {number}, column {mapping['nationality']!r}: nationality {nationality!r} is "
            "not a country code (AZ, IR, RU ...)"
        )
    if not name and not (birth or field_("id_number")):
        cols = [mapping[k] for k in ("name", "given", "surname") if k in mapping]
        raise LinkageError(
            f"{source}, {where} {number}: nothing to compare (column {' / '.join(cols)} is empty, and so "
            "are the birth date and document)"
        )
    record_id = field_("id") or str(number)
    record: dict[str, Any] = {
        "id": record_id,
        "name": name,
        "birth_date": birth,
        "nationality": nationality,
        "id_number": field_("id_number") or None,
        "script_hint": field_("script_hint") or None,
    }
    for col in extra:
        record["x_" + col] = _text(get(col)) or None
    return record


def read_records(path: Path, columns: Columns) -> list[dict[str, Any]]:
    """Person records from a CSV, XLSX/ODS or JSONL file; errors name the file, row and column."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return _read_jsonl(path, columns)
    from astara.imports.readers import open_source

    with ExitStack() as stack:
        try:
            source = open_source(path, stack)
        except InvalidInput as exc:
            raise LinkageError(exc.message, details=exc.details) from None
        try:
            return _records_from_rows(source.name, source.header, source.rows, columns, "row")
        except LinkageError:
            raise
        except InvalidInput as exc:  # a row the reader cannot decode
            raise LinkageError(exc.message, details=exc.details) from None


def _read_jsonl(path: Path, columns: Columns) -> list[dict[str, Any]]:
    if not path.is_file():
        raise LinkageError(f"{path} does not exist")
    rows: list[tuple[int, dict[str, Any]]] = []
    keys: dict[str, None] = {}
    with path.open(encoding="utf-8-sig") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LinkageError(f"{path.name}, line {number}: not JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise LinkageError(f"{path.name}, line {number}: not a JSON object")
            keys.update(dict.fromkeys(obj))
            rows.append((number, obj))
    if not rows:
        raise LinkageError(f"{path.name} is empty")
    return _records_from_rows(path.name, list(keys), rows, columns, "line")


# --- features --------------------------------------------------------------------------------------

_VOWEL_SYMBOLS = frozenset("aeiouyAWY@E" + PERSIAN_MARK)


def _consonants(key: str) -> str:
    body = "".join(ch for ch in key if ch not in _VOWEL_SYMBOLS)
    return body or key.lstrip(PERSIAN_MARK)[:1]


@lru_cache(maxsize=1 << 20)
def name_features(name: str, turkic: bool = False) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(sorted word keys, sorted key pairs, consonant string) of one name, the same in every script."""
    parsed = parse_name(name, turkic)
    keys: list[str] = []
    for token in parsed.tokens:
        if token.given_id:
            keys.append("g:" + token.given_id)
            continue
        root = token.roots[0][0] if token.roots else (token.keys[0] if token.keys else "")
        from_given = root_given_id(root) if root else None
        keys.append("s:" + from_given if from_given else _consonants(root))
    unique = sorted(set(k for k in keys if k))
    pairs = tuple("|".join(p) for p in combinations(unique[:6], 2))
    return tuple(unique), pairs, " ".join(unique)


TURKIC_HINTS = frozenset({"az-Latn", "az-Cyrl", "tr", "tk"})


def feature_rows(records: list[dict[str, Any]], extra: list[str]) -> dict[str, list[Any]]:
    """Columns for Splink (one list per column), from records as ``read_records`` returns them."""
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "unique_id", "name_keys", "name_pairs", "name_sig", "name_cons", "birth_date", "birth_year",
            "nationality", "id_number",
        )
    }  # fmt: skip
    for col in extra:
        cols["x_" + col] = []
    for r in records:
        keys, pairs, cons = name_features(r["name"], r.get("script_hint") in TURKIC_HINTS)
        cols["unique_id"].append(r["id"])
        cols["name_keys"].append(list(keys) or None)
        cols["name_pairs"].append(list(pairs) or None)
        cols["name_sig"].append("|".join(keys) or None)
        cols["name_cons"].append(cons or None)
        birth = r.get("birth_date")
        cols["birth_date"].append(birth)
        cols["birth_year"].append(birth[:4] if birth else None)
        cols["nationality"].append(r.get("nationality"))
        cols["id_number"].append(normalize_id(r.get("id_number")))
        for col in extra:
            cols["x_" + col].append(r.get("x_" + col))
    return cols


# --- the Splink model ------------------------------------------------------------------------------


def splink_settings(extra: list[str], prior: float) -> Any:
    """Blocking rules and comparisons on the name keys, with fixed starting m and u values."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

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
        blocking_rules_to_generate_predictions=[
            block_on("name_pairs", arrays_to_explode=["name_pairs"]),
            block_on("name_keys", "birth_date", arrays_to_explode=["name_keys"]),
            block_on("id_number"),
            *([block_on(*("x_" + c for c in extra))] if extra else []),
        ],
        comparisons=comparisons,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=bool(extra),  # bf_x_* columns for the re-scoring
        additional_columns_to_retain=[],
    )


@dataclass
class Candidate:
    left_id: str
    right_id: str
    probability: float
    match_weight: float
    extra_bf: dict[str, float]  # Splink's Bayes factor for each extra column


@dataclass
class Timings:
    read: float = 0.0
    features: float = 0.0
    splink: float = 0.0
    rescore: float = 0.0
    total: float = 0.0


_DECIDED = {
    "matcher": f"re-scored by {MATCH_ALGORITHM}",
    "splink": "decided by Splink's model",
    "blend": f"Splink's model blended with {MATCH_ALGORITHM}",
}


@dataclass
class LinkResult:
    left_count: int
    right_count: int
    candidates: int
    pairs: list[dict[str, Any]]
    clusters: list[list[tuple[str, str]]]  # each: [(side, id), ...]
    engine: str
    trained: bool
    decide: str
    timings: Timings

    def summary(self) -> str:
        t = self.timings
        in_clusters = sum(len(c) for c in self.clusters)
        return (
            f"linked {len(self.pairs):,} pairs in {len(self.clusters):,} clusters ({in_clusters:,} records) "
            f"between {self.left_count:,} and {self.right_count:,} records; "
            f"{self.candidates:,} candidate pairs from Splink ({self.engine}, "
            f"{'trained m/u' if self.trained else 'fixed m/u'}), {_DECIDED[self.decide]}\n"
            f"time {t.total:.1f} s (read {t.read:.1f} s, name keys {t.features:.1f} s, "
            f"Splink {t.splink:.1f} s, re-scoring {t.rescore:.1f} s)"
        )


def _predict(
    left: dict[str, list[Any]], right: dict[str, list[Any]], extra: list[str], engine: str, train: bool | None
) -> tuple[list[Candidate], bool]:
    """Candidate pairs (evidence worth ``CANDIDATE_BITS``), and whether the model was trained."""
    if engine == "spark":
        from astara.matching.linkage_spark import spark_api_and_frames

        db_api, frames = spark_api_and_frames(left, right)
        return _run_splink(db_api, frames, left, right, extra, train, None)
    if engine != "duckdb":
        raise LinkageEngineError(f"unknown engine {engine!r}: duckdb or spark")
    import duckdb
    import pyarrow as pa
    from splink import DuckDBAPI

    with tempfile.TemporaryDirectory(prefix="astara-link-") as spill:
        con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY, "temp_directory": spill})
        try:
            con.register("astara_left", pa.table(left))
            con.register("astara_right", pa.table(right))
            api = DuckDBAPI(connection=con)
            return _run_splink(api, ["astara_left", "astara_right"], left, right, extra, train, con)
        finally:
            con.close()


def _run_splink(
    db_api: Any,
    frames: list[Any],
    left: dict[str, list[Any]],
    right: dict[str, list[Any]],
    extra: list[str],
    train: bool | None,
    con: Any,
) -> tuple[list[Candidate], bool]:
    from splink import Linker, block_on

    n_left, n_right = len(left["unique_id"]), len(right["unique_id"])
    prior = min(0.5, min(n_left, n_right) / max(1, n_left * n_right))
    logging.getLogger("splink").setLevel(logging.ERROR)  # its advice on max_pairs and untrained levels
    linker = Linker(frames, splink_settings(extra, prior), db_api, set_up_basic_logging=False)
    trained = train if train is not None else min(n_left, n_right) >= TRAIN_MIN_RECORDS
    if trained:
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(U_SAMPLE_PAIRS, n_left * n_right / 4), seed=1
        )
        for rule in EM_BLOCKS:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(rule), fix_u_probabilities=True
            )
    # Candidates: pairs whose evidence is worth CANDIDATE_BITS or more, whatever the sizes of the inputs
    # (the prior, and so the probability of one pattern of agreement, falls as the inputs grow).
    prior_bits = math.log2(prior / (1 - prior))
    predictions = linker.inference.predict(threshold_match_weight=CANDIDATE_BITS + prior_bits)
    wanted = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    wanted += [f"bf_x_{c}" for c in extra]
    if con is not None:  # DuckDB: fetch the few columns straight from Splink's table
        sql = f"select {', '.join(wanted)} from {predictions.physical_name}"  # noqa: S608 - Splink's names
        fetched: Iterable[Any] = con.execute(sql).fetchall()
    else:
        fetched = predictions.as_spark_dataframe().select(*wanted).collect()
    rows = [
        Candidate(
            str(r[0]), str(r[1]), float(r[2]), float(r[3]), {c: float(r[4 + i]) for i, c in enumerate(extra)}
        )
        for r in fetched
    ]
    return rows, trained


def link_records(
    left: list[dict[str, Any]],
    right: list[dict[str, Any]],
    *,
    extra: list[str] | None = None,
    engine: str = "duckdb",
    threshold: float = 0.5,
    decide: str = "matcher",
    train: bool | None = None,
    read_seconds: float = 0.0,
) -> LinkResult:
    """Link ``left`` with ``right`` (records as ``read_records`` returns them).

    ``decide``: ``matcher`` (the explained matcher re-scores every candidate, with Splink's evidence
    from the extra columns), ``splink`` (Splink's model alone) or ``blend`` (the mean of both log-odds).
    """
    if decide not in DECISIONS:
        raise InvalidInput(f"unknown decision {decide!r}: {', '.join(DECISIONS)}")
    extra = extra or []
    timings = Timings(read=read_seconds)
    start = time.perf_counter()
    lf, rf = feature_rows(left, extra), feature_rows(right, extra)
    timings.features = time.perf_counter() - start
    step = time.perf_counter()
    candidates, trained = _predict(lf, rf, extra, engine, train)
    timings.splink = time.perf_counter() - step
    step = time.perf_counter()
    by_left = {r["id"]: r for r in left}
    by_right = {r["id"]: r for r in right}
    pairs: list[dict[str, Any]] = []
    for c in candidates:
        pair: dict[str, Any] = {
            "left_id": c.left_id,
            "right_id": c.right_id,
            "splink_probability": round(c.probability, 6),
            "splink_match_weight": round(c.match_weight, 3),
        }
        if decide == "splink":
            pair["match_probability"] = round(c.probability, 6)
            pair["evidence"] = []
        else:
            score, pair["evidence"] = _rescore(by_left[c.left_id], by_right[c.right_id], c)
            if decide == "blend":  # the mean of the two log-odds
                splink_log_odds = max(-30.0, min(30.0, c.match_weight * math.log(2)))
                score = round(1 / (1 + math.exp(-(splink_log_odds + _logit(score)) / 2)), 4)
            pair["match_probability"] = score
        if pair["match_probability"] >= threshold:
            pairs.append(pair)
    timings.rescore = time.perf_counter() - step
    pairs.sort(key=lambda p: (-p["match_probability"], p["left_id"], p["right_id"]))
    clusters = _clusters(pairs)
    timings.total = time.perf_counter() - start + read_seconds
    return LinkResult(
        len(left), len(right), len(candidates), pairs, clusters, engine, trained, decide, timings
    )


def _rescore(a: dict[str, Any], b: dict[str, Any], c: Candidate) -> tuple[float, list[dict[str, Any]]]:
    """The explained matcher's score, plus Splink's evidence from the extra columns it does not compare
    (each as the log of its Bayes factor, trained on these data)."""
    result = match_records("person", _matcher_view(a), _matcher_view(b))
    evidence = result.explanation()["features"]
    log_odds = _logit(result.score)
    for col, bf in c.extra_bf.items():
        if bf > 0 and bf != 1:
            contribution = round(math.log(bf), 3)
            log_odds += contribution
            evidence.append(
                {
                    "name": f"extra_{col}",
                    "value": 1.0 if bf > 1 else -1.0,
                    "weight": abs(contribution),
                    "contribution": contribution,
                    "compared": f"{a.get('x_' + col)} ~ {b.get('x_' + col)} (Splink Bayes factor {bf:.3g})",
                }
            )
    return round(1 / (1 + math.exp(-log_odds)), 4), evidence


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _matcher_view(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in ("name", "birth_date", "nationality", "id_number", "script_hint")}


def _clusters(pairs: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        a, b = find(("left", p["left_id"])), find(("right", p["right_id"]))
        if a != b:
            parent[b] = a
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def store_records(session: Any, scope: Any) -> list[dict[str, Any]]:
    """The persons of the scope's agency, as linkage records."""
    from sqlalchemy import select

    from astara.agencies.scope import scoped
    from astara.db.models import Person

    stmt = scoped(
        select(
            Person.id,
            Person.name,
            Person.birth_date,
            Person.nationality,
            Person.id_number,
            Person.script_hint,
        ),
        Person,
        scope,
    ).order_by(Person.id)
    out = []
    for pid, name, birth, nationality, id_number, hint in session.execute(stmt):
        try:
            birth = normalize_birth_date(birth)
        except ValueError:
            birth = None
        out.append(
            {
                "id": pid,
                "name": name,
                "birth_date": birth,
                "nationality": nationality,
                "id_number": id_number,
                "script_hint": hint,
            }
        )
    if not out:
        raise LinkageError(f"the store has no persons for agency {scope.agency_code}")
    return out


# --- output ----------------------------------------------------------------------------------------


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
