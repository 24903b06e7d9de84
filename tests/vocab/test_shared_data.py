"""Every value in the real UNODC files resolves (skipped when ../shared/data is absent)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from astara.vocab import Vocabulary

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def ids_rows(shared_data: Path) -> list[dict[str, str]]:
    path = shared_data / "unodc_ids" / "drug-trafficking-unodc.zip"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        with z.open(name) as raw:
            return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter=";"))


def _csv(shared_data: Path, name: str) -> list[dict[str, str]]:
    path = shared_data / "unodc_seizures_aggregate" / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _values(rows: list[dict[str, str]], column: str) -> set[str]:
    return {r[column] for r in rows if r[column] and r[column].strip()}


@pytest.mark.parametrize(
    ("column", "attr"),
    [
        ("DRUG_NAME", "drugs"),
        ("DRUG_UNIT", "units"),
        ("HIDING_PLACE", "concealment"),
        ("INSTALLATION", "place_types"),
        ("TRANSPORT", "transport"),
        ("ROUTING", "routing"),
    ],
)
def test_ids_values_resolve(
    vocab: Vocabulary, ids_rows: list[dict[str, str]], column: str, attr: str
) -> None:
    values = _values(ids_rows, column)
    assert values
    terms = getattr(vocab, attr)
    assert sorted(v for v in values if terms.lookup(v) is None) == []


def test_ids_drug_name_count(ids_rows: list[dict[str, str]]) -> None:
    assert len(_values(ids_rows, "DRUG_NAME")) >= 340


def test_aggregate_2018_2022_resolves(vocab: Vocabulary, shared_data: Path) -> None:
    rows = _csv(shared_data, "drug_seizures_2018_2022.csv")
    assert sorted(v for v in _values(rows, "DrugName") if vocab.drugs.lookup(v) is None) == []
    assert sorted(v for v in _values(rows, "DrugGroup") if vocab.drug_groups.lookup(v) is None) == []


def test_aggregate_1990_2019_resolves(vocab: Vocabulary, shared_data: Path) -> None:
    rows = _csv(shared_data, "seizures_unodc_1990_2019_long.csv")
    assert sorted(v for v in _values(rows, "drug") if vocab.drugs.lookup(v) is None) == []
    assert sorted(v for v in _values(rows, "drug_group") if vocab.drug_groups.lookup(v) is None) == []


def test_key_ids_names_map_sensibly(vocab: Vocabulary) -> None:
    expect = {
        "Cocaine HCL": "cocaine",
        "Heroin": "heroin",
        "Opium": "opium",
        "JWH-018": "jwh_018",
        "Tabacco": "tobacco",
        "Naphtalene-1-yl-pentil-1H-indole-3-carboxylate": "synthetic_cannabinoid",
        "Unknown": "unspecified",
        "Non-specified precursors": "precursors_unspecified",
        "Cannabis resin (hashish)": "hashish",
        "Cannabis herb (marijuana)": "cannabis",
        '"Captagon"': "captagon",
    }
    got = {k: (d.code if (d := vocab.drugs.lookup(k)) else None) for k in expect}
    assert got == expect
