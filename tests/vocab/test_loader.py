from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from astara.vocab import DATA_DIR, VocabularyError, get_vocabulary, load_vocabulary
from astara.vocab.loader import cached_vocabulary


def _edit(path: Path, change: str, to: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert change in text
    path.write_text(text.replace(change, to, 1), encoding="utf-8")


def test_loaded_once() -> None:
    assert get_vocabulary() is get_vocabulary()


def test_the_cached_vocabulary_is_the_loaded_one_and_follows_edits(data_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = cached_vocabulary(data_copy, cache)
    (pickled,) = cache.glob("vocabulary-*.pickle")
    again = cached_vocabulary(data_copy, cache)  # read from the pickle
    assert again is not first and again.as_json() == first.as_json() == load_vocabulary(data_copy).as_json()
    assert again.drugs.lookup("гашиш").code == "hashish"

    _edit(data_copy / "drugs.yaml", "name: Heroin", "name: Heroin (diacetylmorphine)")
    edited = cached_vocabulary(data_copy, cache)
    assert edited.drugs.get("heroin").name == "Heroin (diacetylmorphine)"  # not the stale pickle
    assert [p.name for p in cache.glob("vocabulary-*.pickle")] != [pickled.name]  # replaced, not piled up
    assert len(list(cache.iterdir())) == 1

    (current,) = cache.glob("vocabulary-*.pickle")
    current.write_bytes(b"\x80\x05 damaged")
    assert cached_vocabulary(data_copy, cache).drugs.get("heroin").name == "Heroin (diacetylmorphine)"
    assert current.read_bytes() != b"\x80\x05 damaged"  # rewritten whole


def test_a_cache_folder_that_cannot_be_written_costs_only_time(data_copy: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert cached_vocabulary(data_copy, blocked / "cache").drugs.get("heroin").name == "Heroin"


def test_load_from_directory_argument(data_copy: Path) -> None:
    v = load_vocabulary(data_copy)
    assert v.drugs.get("heroin").name == "Heroin"


def test_every_yaml_file_is_used() -> None:
    used = {
        "drugs.yaml",
        "units.yaml",
        "grading.yaml",
        "transport.yaml",
        "place_types.yaml",
        "routing.yaml",
        "concealment.yaml",
        "detection.yaml",
        "route_roles.yaml",
        "validation_statuses.yaml",
        "source_types.yaml",
        "tlp.yaml",
        "handling.yaml",
    }
    assert {p.name for p in DATA_DIR.glob("*.yaml")} == used


def test_vocabulary_error_is_value_error() -> None:
    assert issubclass(VocabularyError, ValueError)


def test_duplicate_synonym_across_two_drugs_rejected(data_copy: Path) -> None:
    _edit(data_copy / "drugs.yaml", "en: [Amphetamine, speed]", "en: [Amphetamine, speed, 'Crystal-Meth']")
    with pytest.raises(VocabularyError) as err:
        load_vocabulary(data_copy)
    assert err.value.file == "drugs.yaml"
    assert err.value.entry in {"amphetamine", "methamphetamine"}
    assert err.value.field == "synonyms"
    assert "drugs.yaml" in str(err.value) and "methamphetamine" in str(err.value)


def test_duplicate_code_rejected(data_copy: Path) -> None:
    _edit(data_copy / "transport.yaml", "  - code: car\n", "  - code: truck\n")
    with pytest.raises(VocabularyError, match=r"transport\.yaml: entry 'truck': field 'code'"):
        load_vocabulary(data_copy)


def test_missing_required_field(data_copy: Path) -> None:
    _edit(data_copy / "drugs.yaml", "    name: Heroin\n", "")
    with pytest.raises(VocabularyError, match=r"drugs\.yaml: entry 'heroin': field 'name'"):
        load_vocabulary(data_copy)


def test_unknown_group(data_copy: Path) -> None:
    _edit(
        data_copy / "drugs.yaml",
        "    name: Heroin\n    group: opioids",
        "    name: Heroin\n    group: opiods",
    )
    with pytest.raises(VocabularyError, match=r"entry 'heroin': field 'group'"):
        load_vocabulary(data_copy)


@pytest.mark.parametrize("bad", ["0", "-0.001", "'heavy'"])
def test_factor_must_be_positive(data_copy: Path, bad: str) -> None:
    _edit(data_copy / "units.yaml", "kg_factor: 0.001,", f"kg_factor: {bad},")
    with pytest.raises(VocabularyError, match=r"units\.yaml: entry 'g': field 'kg_factor'"):
        load_vocabulary(data_copy)


def test_unknown_field_is_reported(data_copy: Path) -> None:
    _edit(data_copy / "tlp.yaml", "    label: TLP:RED\n", "    label: TLP:RED\n    colour: red\n")
    with pytest.raises(VocabularyError, match=r"tlp\.yaml: entry 'red': field 'colour'"):
        load_vocabulary(data_copy)


def test_bad_schedule(data_copy: Path) -> None:
    _edit(
        data_copy / "drugs.yaml",
        'schedules: ["1988:Table I"]\n    names:\n      en: [Acetic Anhydride',
        'schedules: ["1988:Table III"]\n    names:\n      en: [Acetic Anhydride',
    )
    with pytest.raises(VocabularyError, match=r"entry 'acetic_anhydride': field 'schedules'"):
        load_vocabulary(data_copy)


def test_missing_and_malformed_files(data_copy: Path) -> None:
    (data_copy / "routing.yaml").unlink()
    with pytest.raises(VocabularyError, match=r"routing\.yaml"):
        load_vocabulary(data_copy)
    (data_copy / "routing.yaml").write_text("terms: [\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"routing\.yaml: invalid YAML"):
        load_vocabulary(data_copy)


def test_incomplete_grading_table(data_copy: Path) -> None:
    _edit(
        data_copy / "grading.yaml",
        "source: {A: A, B: B, C: B, D: C, E: C, F: X}",
        "source: {A: A, B: B, C: B}",
    )
    with pytest.raises(
        VocabularyError, match=r"grading\.yaml: entry 'admiralty->europol_4x4': field 'source'"
    ):
        load_vocabulary(data_copy)


def test_as_json_is_serialisable_and_complete() -> None:
    data = get_vocabulary().as_json()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    for key in (
        "drugs",
        "drug_groups",
        "units",
        "transport",
        "place_types",
        "routing",
        "concealment",
        "detection_methods",
        "route_roles",
        "validation_statuses",
        "source_types",
        "tlp",
        "handling_codes",
        "grading",
        "conversion_defaults",
    ):
        assert data[key], key
    heroin = next(d for d in data["drugs"] if d["code"] == "heroin")
    assert "هروئین" in heroin["names"]["fa"]


def test_data_files_are_plain_yaml() -> None:
    for path in DATA_DIR.glob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path.name
