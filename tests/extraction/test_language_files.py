"""The per-language vocabulary files: each loads, agrees with Babel, and a bad one is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from astara.extraction.amounts import find_amounts, number_value
from astara.extraction.languages import (
    LANGUAGE_FILES,
    LanguageDataError,
    english_words,
    get_language,
    load_language,
    normalise,
)
from astara.extraction.service import EXTRACTORS
from astara.vocab.loader import get_vocabulary


def test_every_language_with_an_extractor_has_a_file_and_every_file_an_extractor() -> None:
    assert set(LANGUAGE_FILES) == set(EXTRACTORS) - {"en"}
    for code in LANGUAGE_FILES:
        lang = get_language(code)
        assert lang.code == code and lang.seizure.pattern and lang.months


def test_the_decimal_mark_comes_from_the_locale() -> None:
    assert get_language("az").decimal_comma and get_language("ru").decimal_comma
    assert get_language("tr").decimal_comma and not get_language("fa").decimal_comma


@pytest.mark.parametrize(
    ("code", "phrase", "value"),
    [
        ("tr", "312 bin 450", 312_450),
        ("tr", "iki milyon 700 bin", 2_700_000),
        ("fa", "سه هزار و دویست و شصت و هشت", 3_268),
        ("fa", "۳٫۵", 3.5),
        ("ru", "две тысячи", 2_000),
        ("ru", "2 340", 2_340),
        ("az", "1,640", 1.64),
        ("az", "1.640", 1_640),
        ("ru", "2021 15", None),
        ("tr", "yedi on", None),
    ],
)
def test_number_phrases(code: str, phrase: str, value: float | None) -> None:
    assert number_value(normalise(phrase), get_language(code)) == value


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("az", "456 kq 800 qram", [(456.8, "kg")]),
        ("ru", "1 тонна 600 кг", [(1.6, "t")]),
        ("fa", "یک کیلو و ۹۶۰ گرم", [(1.96, "kg")]),
        ("ru", "в 2021 г. было", []),
        ("tr", "4 çantada 27 kg", [(4, "package"), (27, "kg")]),
    ],
)
def test_compound_quantities(code: str, text: str, expected: list[tuple[float, str]]) -> None:
    got = find_amounts(normalise(text), get_language(code))
    assert [(round(q.value, 6), q.unit) for q in got] == expected


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "tr.yaml").write_text(body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("code: yy\n", "code must be 'tr'"),
        ("code: tr\ncues: {seizure: [a]}\n", "cues.statistic is required"),
        ("code: tr\ncues: {seizure: [a], statistic: [b]}\nunits: {furlong: [f]}\n", "'furlong'"),
        ("code: tr\ncues: {seizure: [a], statistic: [b]}\nnumbers: {ones: {bir: -1}}\n", "numbers.ones"),
        ("code: tr\ncues: {seizure: [a], statistic: [b]}\ncolour: red\n", "unknown keys ['colour']"),
        (
            "code: tr\ncues: {seizure: [a], statistic: [b]}\nagency_countries: {Navy: TR}\n",
            "'Navy' needs an agency",
        ),
    ],
)
def test_a_bad_language_file_is_refused_with_the_key_named(tmp_path: Path, body: str, named: str) -> None:
    with pytest.raises(LanguageDataError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_language("tr", _write(tmp_path, body))


def test_the_english_word_lists_are_data_too(tmp_path: Path) -> None:
    words = english_words()
    assert words.ones[7] == "seven" and words.tens[0] == "twenty" and words.scales["million"] == 1e6
    assert "kilograms" in words.units["kg"] and "tablets" in words.units["tablet"]
    bad = tmp_path / "en_words.yaml"
    bad.write_text("numbers: {ones: [zero, one], tens: [twenty]}\n", encoding="utf-8")
    with pytest.raises(LanguageDataError, match=r"numbers\.ones lists zero to nineteen"):
        english_words(bad)


def test_every_drug_a_language_file_names_is_in_the_vocabulary() -> None:
    # A draft accepted from the news must not land with a drug code the forms cannot show.
    known = {d.code for d in get_vocabulary().drugs.all()}
    for code in LANGUAGE_FILES:
        missing = set(get_language(code).drug_names) - known
        assert not missing, f"{code}.yaml names drugs the vocabulary lacks: {sorted(missing)}"
