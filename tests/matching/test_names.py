"""Name keys: transliteration, the given-name table, suffixes, patronymics, initials."""

from __future__ import annotations

import pytest

from astara.matching.names import compare_names
from astara.matching.phonetic import canonical, loose, similarity
from astara.matching.scripts import cyrillic_to_latin, persian_skeleton
from astara.matching.tokens import given_id, given_name_index, parse_name


@pytest.mark.parametrize(
    ("spelling", "name_id"),
    [
        ("Mohammad", "muhammad"),
        ("Məhəmməd", "muhammad"),
        ("Məmməd", "muhammad"),
        ("Мамед", "muhammad"),
        ("Магомед", "muhammad"),
        ("محمد", "muhammad"),
        ("MUHAMMED", "muhammad"),
        ("Hüseyn", "husein"),
        ("Гусейн", "husein"),
        ("حسین", "husein"),
        ("Hossein", "husein"),
        ("Qasım", "gasem"),
        ("Ghasem", "gasem"),
        ("Гасым", "gasem"),
        ("قاسم", "gasem"),
        ("Rza", "reza"),
        ("رضا", "reza"),
        ("Elçin", "elchin"),
        ("Эльчин", "elchin"),
        ("Vüqar", "vugar"),
    ],
)
def test_given_name_table_resolves_spellings_in_every_script(spelling: str, name_id: str) -> None:
    from astara.matching.scripts import script_of

    assert given_id(spelling, script_of(spelling)) == name_id


def test_table_keys_do_not_collide_between_names() -> None:
    """Two different names must never fold to one look-up key (that would make Əli equal Vəli)."""
    from importlib import resources

    from astara.kit.yamlfile import safe_load
    from astara.matching.scripts import script_of
    from astara.matching.tokens import _lookup_keys

    table = safe_load(resources.files("astara.matching").joinpath("data/given_names.yaml").read_text("utf-8"))
    owner: dict[str, str] = {}
    clashes = []
    for name_id, spellings in table.items():
        assert spellings, name_id
        for spelling in spellings:
            for key in _lookup_keys(str(spelling), script_of(str(spelling))):
                if owner.setdefault(key, name_id) != name_id:
                    clashes.append((spelling, name_id, owner[key]))
    assert clashes == []
    assert len(given_name_index()[1]) == len(table)


def test_transliteration_tables() -> None:
    assert cyrillic_to_latin("Оруджев") == "orudzhev"  # Russian (ICAO Doc 9303 style)
    assert cyrillic_to_latin("Исмајыл") == "ismayıl"  # Azerbaijani Cyrillic to today's Latin letters
    assert cyrillic_to_latin("Ағајев") == "ağayev"
    assert canonical("Orudzhev") == canonical("Orujev") == canonical("Orucev", True) == "oruJev"
    assert loose(canonical("Hossein")) == loose(canonical("Hüseyn"))
    assert persian_skeleton("علي") == persian_skeleton("علی")  # Arabic ye typed for Persian ye


@pytest.mark.parametrize(("persian", "latin"), [("پناه", "Panah"), ("ماه", "Mah"), ("سپاه", "Sepah")])
def test_a_final_he_after_a_long_vowel_meets_the_latin_spelling(persian: str, latin: str) -> None:
    """Latin keys drop a final h after a vowel (Zadeh = Zade), so the Persian he there must drop too."""
    assert similarity(persian_skeleton(persian), canonical(latin)) >= 0.95


def test_patronymic_order_initials_and_sex_are_read() -> None:
    az = parse_name("Bayramov Əli Ramil oğlu")
    assert (
        [t.raw for t in az.tokens] == ["Bayramov", "Əli"] and az.patronymic and az.patronymic.raw == "Ramil"
    )
    assert az.sex == "m"
    fa = parse_name("سید ولی امیری فرزند محسن")
    assert [t.raw for t in fa.tokens] == ["ولی", "امیری"] and fa.patronymic and fa.patronymic.raw == "محسن"
    en = parse_name("Akbari Masoumeh d/o Hadi")
    assert en.sex == "f" and en.patronymic and en.patronymic.raw == "Hadi"
    ru = parse_name("Ковалёв Игорь Андреевич")
    assert ru.patronymic is not None and [t.raw for t in ru.tokens] == ["Ковалёв", "Игорь"]
    short = parse_name("Рзаев М.Г.")
    assert short.initials == ["m", "g"] and [t.raw for t in short.tokens] == ["Рзаев"]
    mrz = parse_name("AMIRI<<NARGES")
    assert [t.raw for t in mrz.tokens] == ["AMIRI", "NARGES"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rəşad Quliyev", "رشاد قلی‌یف"),
        ("Abbas Ghorbani", "Аббас Горбани"),
        ("Ali Asghar Jafari", "Aliasghar Jafari"),
        ("Mustafa Çelik", "MUSTAFA CELIK"),
        ("Serdar Öwezow", "Сердар Овезов"),
        ("Hamid Sadeghi", "حمید صادقی"),
    ],
)
def test_renderings_cost_little(a: str, b: str) -> None:
    result = compare_names(parse_name(a), parse_name(b))
    assert result.cost <= 0.8 and not result.conflict, result


@pytest.mark.parametrize(
    ("a", "b"),
    [("Hasanov Ali", "Huseynov Ali"), ("Əliyev Anar", "Vəliyev Anar"), ("Mohammadi Reza", "Mahmoudi Reza")],
)
def test_surnames_made_from_different_given_names_conflict(a: str, b: str) -> None:
    assert compare_names(parse_name(a), parse_name(b)).conflict


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Reza Hosseini", "Reza Hosseinzadeh"),
        ("Reza Hosseinpour", "رضا حسینی"),
        ("سید حسینی", "Ali Hosseini"),
    ],
)
def test_other_surname_endings_and_missing_words_are_not_renderings(a: str, b: str) -> None:
    assert compare_names(parse_name(a), parse_name(b)).cost >= 1.5
