"""Country values as agencies and UNODC files write them resolve to ISO 3166-1 alpha-2."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pycountry
import pytest

from astara.kit import countries
from astara.kit.countries import CountryNotFound, country_name, fold, resolve_country, unodc_region

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
IDS_ZIP = SHARED_DATA / "unodc_ids" / "drug-trafficking-unodc.zip"
AGGREGATE_2018 = SHARED_DATA / "unodc_seizures_aggregate" / "drug_seizures_2018_2022.csv"
AGGREGATE_1990 = SHARED_DATA / "unodc_seizures_aggregate" / "seizures_unodc_1990_2019_long.csv"
IDS_COUNTRY_COLUMNS = ("COUNTRY", "PRODUCING_COUNTRY", "DEPARTURE_COUNTRY", "DESTINATION_COUNTRY")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # ISO codes
        ("IR", "IR"),
        ("irn", "IR"),
        ("364", "IR"),
        ("4", "AF"),
        ("004", "AF"),
        ("NA", "NA"),
        # old ISO / UNODC IDS style
        ("Iran, Islamic Republic of", "IR"),
        ("Bolivia, Plurinational State of", "BO"),
        ("Venezuela, Bolivarian Republic of", "VE"),
        ("Macedonia, the former Yugoslav Republic of", "MK"),
        ("Libyan Arab Jamahiriya", "LY"),
        ("Moldova, Republic of", "MD"),
        ("Tanzania, United Republic of", "TZ"),
        ("Korea, Republic of", "KR"),
        ("Lao Peoples Democratic Republic", "LA"),
        ("Macau, SAR of China", "MO"),
        ("Swaziland", "SZ"),
        ("Czech Republic", "CZ"),
        ("Iraq (Kurdistan Region)", "IQ"),
        ("Iraq (Central Iraq)", "IQ"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d Ivoire", "CI"),
        ("United Kingdom (England and Wales)", "GB"),
        ("Aland Islands", "AX"),
        # UN style
        ("Iran (Islamic Republic of)", "IR"),
        ("Türkiye", "TR"),
        ("Bolivia (Plurinational State of)", "BO"),
        ("Republic of Moldova", "MD"),
        ("China, Hong Kong SAR", "HK"),
        ("China, Macao SAR", "MO"),
        ("China, Taiwan Province of China", "TW"),
        ("Democratic Republic of the Congo", "CD"),
        ("Congo, Democratic Republic of the", "CD"),
        ("Republic of Korea", "KR"),
        ("State of Palestine", "PS"),
        # everyday names
        ("Iran", "IR"),
        ("Russia", "RU"),
        ("Turkey", "TR"),
        ("UK", "GB"),
        ("USA", "US"),
        ("Holland", "NL"),
        ("  iran  ", "IR"),
        ("IRAN", "IR"),
        ("russian federation", "RU"),
        ("Georgia", "GE"),
        # the region's languages
        ("Иран", "IR"),
        ("Азербайджан", "AZ"),
        ("Россия", "RU"),
        ("Турция", "TR"),
        ("Грузия", "GE"),
        ("Армения", "AM"),
        ("Туркменистан", "TM"),
        ("Афганистан", "AF"),
        ("Пакистан", "PK"),
        ("Казахстан", "KZ"),
        ("Узбекистан", "UZ"),
        ("Таджикистан", "TJ"),
        ("Кыргызстан", "KG"),
        ("Ирак", "IQ"),
        ("Украина", "UA"),
        ("ОАЭ", "AE"),
        ("İran", "IR"),
        ("Azərbaycan", "AZ"),
        ("Rusiya", "RU"),
        ("Türkiyə", "TR"),
        ("Gürcüstan", "GE"),
        ("Ermənistan", "AM"),
        ("Əfqanıstan", "AF"),
        ("Qazaxıstan", "KZ"),
        ("BƏƏ", "AE"),
        ("ایران", "IR"),
        ("آذربایجان", "AZ"),
        ("روسیه", "RU"),
        ("ترکیه", "TR"),
        ("افغانستان", "AF"),
        ("پاکستان", "PK"),
        ("ترکمنستان", "TM"),
        ("عراق", "IQ"),
        ("امارات متحده عربی", "AE"),
        ("ايران", "IR"),  # Arabic yeh instead of Persian yeh
        ("Rusya", "RU"),
        ("Gürcistan", "GE"),
        ("Türkmenistan", "TM"),
        ("Birleşik Arap Emirlikleri", "AE"),
        # non-ISO and historic, see the module docstring
        ("Kosovo", "XK"),
        ("Kosovo under UNSCR 1244", "XK"),
        ("Netherlands Antilles", "AN"),
        ("Serbia and Montenegro", "CS"),
        ("USSR", "SU"),
        ("Czechoslovakia", "XC"),
    ],
)
def test_country_forms_resolve(text: str, code: str) -> None:
    assert resolve_country(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Unknown",
        "UNKNOWN",
        "Other",
        "Others",
        "Various",
        "N/A",
        "n/a",
        "-",
        "?",
        "Multiple Countries",
        "неизвестно",
        "naməlum",
        "نامعلوم",
        "International waters",
    ],
)
def test_unknown_like_values_are_none(text: str) -> None:
    assert resolve_country(text) is None


@pytest.mark.parametrize("text", ["Atlantis", "Europe", "Iran Iran", "ZZ", "999"])
def test_unresolvable_values_raise_with_the_text(text: str) -> None:
    with pytest.raises(CountryNotFound) as info:
        resolve_country(text)
    assert isinstance(info.value, ValueError)
    assert repr(text) in str(info.value)
    assert info.value.text == text


def test_country_names_in_the_regions_languages() -> None:
    assert country_name("IR") == "Iran"
    assert country_name("az", "ru") == "Азербайджан"
    assert country_name("AZ", "az") == "Azərbaycan"
    assert country_name("IR", "fa") == "ایران"
    assert country_name("RU", "tr") == "Rusya"
    assert country_name("TR", "fa") == "ترکیه"
    assert country_name("FR", "ru") == "Франция"  # from pycountry's translations
    assert country_name("FR", "xx") == "France"  # unknown language: English
    assert country_name("XK") == "Kosovo"
    assert country_name("SU") == "USSR"
    with pytest.raises(CountryNotFound):
        country_name("QQ")


REGION = ["IR", "AZ", "RU", "TR", "GE", "AM", "TM", "AF", "PK", "KZ", "UZ", "TJ", "KG", "IQ", "UA", "AE"]


@pytest.mark.parametrize("code", REGION)
@pytest.mark.parametrize("lang", ["en", "ru", "az", "fa", "tr"])
def test_every_display_name_resolves_back(code: str, lang: str) -> None:
    assert resolve_country(country_name(code, lang)) == code


def test_fold_ignores_case_accents_punctuation_and_script_variants() -> None:
    assert fold("Côte d'Ivoire") == fold("COTE DIVOIRE")
    assert fold("Azərbaycan") == "azerbaycan"
    assert fold("Таможенный пост") == "tamozhennyy post"
    assert fold("كرمان") == fold("کرمان")


def _ids_values() -> set[str]:
    values: set[str] = set()
    with zipfile.ZipFile(IDS_ZIP) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".csv")]
        with archive.open(name) as raw:
            for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter=";"):
                values.update(row[column] for column in IDS_COUNTRY_COLUMNS)
    return values


def _column(path: Path, column: str) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


@pytest.mark.shared_data
@pytest.mark.slow
def test_every_country_value_of_the_real_unodc_files_resolves() -> None:
    if not (IDS_ZIP.exists() and AGGREGATE_2018.exists() and AGGREGATE_1990.exists()):
        pytest.skip("shared UNODC data not available")
    values = _ids_values() | _column(AGGREGATE_2018, "Country") | _column(AGGREGATE_1990, "country")
    failures = []
    resolved: dict[str, str | None] = {}
    for value in sorted(values):
        try:
            resolved[value] = resolve_country(value)
        except CountryNotFound:
            failures.append(value)
    assert failures == []
    assert {value for value, code in resolved.items() if code is None} == {
        "",
        "Unknown",
        "Other",
        "Multiple Countries",
    }
    assert resolved["Iran, Islamic Republic of"] == resolved["Iran (Islamic Republic of)"] == "IR"
    assert resolved["Turkey"] == resolved["Türkiye"] == "TR"
    assert resolved["Azerbaijan"] == "AZ"
    # Two historic states once shared the ISO code CS; they must stay apart.
    assert resolved["Serbia and Montenegro"] != resolved["Czechoslovakia"]


def test_unodc_regions_as_the_ids_file_spells_them() -> None:
    assert unodc_region("AZ") == ("Asia", "Central Asia and Transcaucasian countries")
    assert unodc_region("TR") == ("Europe", "Southeast Europe")
    assert unodc_region("DE") == ("Europe", "West & Central Europe")
    assert unodc_region(None) is None and unodc_region("ZZ") is None


def test_unodc_regions_agree_with_every_country_of_the_ids_file() -> None:
    if not IDS_ZIP.exists():
        pytest.skip(f"shared UNODC data not available: {IDS_ZIP}")
    with zipfile.ZipFile(IDS_ZIP) as archive:
        raw = archive.open(archive.namelist()[0])
        rows = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig"), delimiter=";")
        seen = {(r["COUNTRY"], r["REGION"], r["SUBREGION"]) for r in rows}
    assert len(seen) > 90
    for country, region, subregion in seen:
        code = resolve_country(country)
        assert code is not None and unodc_region(code) == (region, subregion), country


def test_iso_codes_resolve_as_the_full_table_resolves_them() -> None:
    """Plain codes skip building the full table; the answer must be the table's, code by code."""
    plain = countries._plain_codes()
    assert {"AZ", "IR", "RU", "TR", "AF"} <= plain
    assert len(plain) > 240
    for country in pycountry.countries:
        code = country.alpha_2
        assert countries.resolve_country(code) == countries._lookup(code), code


def test_the_alias_table_kept_as_a_pickle_resolves_as_the_built_one(tmp_path: Path) -> None:
    from astara.kit.pickled import pickled

    sources = [Path(countries.__file__), countries.ALIASES_FILE]
    built = countries._build_table()
    first = pickled(tmp_path, "countries", sources, countries._Table, countries._build_table)
    again = pickled(tmp_path, "countries", sources, countries._Table, lambda: pytest.fail("rebuilt"))
    assert again == first == built and again is not first
    assert again.codes[countries._key("Iran (Islamic Republic of)")] == "IR"
    assert again.codes[countries._key("Азербайджан")] == "AZ"  # from pycountry's Russian names
