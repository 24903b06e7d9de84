"""Table-driven person match cases in Persian, Cyrillic (Russian and Azerbaijani), Azerbaijani Latin,
Turkish and English passport forms, asserted against the production threshold. All records invented."""

from __future__ import annotations

from typing import Any

import pytest

from astara.matching.service import ALGORITHM, THRESHOLD, match_records


def person(name: str, born: str | None, nat: str | None = "AZ", idn: str | None = None) -> dict[str, Any]:
    return {"name": name, "birth_date": born, "nationality": nat, "id_number": idn}


MATCHES = [
    (
        "az-Latn vs ru, surname first with patronymic",
        person("Quliyev Rəşad Elçin oğlu", "1981-02-14"),
        person("Гулиев Рашад Эльчин оглы", "1981-02-14"),
    ),
    (
        "az-Latn vs ICAO passport",
        person("Hüseynov Vüqar", "1975-09-30"),
        person("GUSEYNOV VUGAR", "1975-09-30"),
    ),
    (
        "Persian record of an Azerbaijani, -ov written detached",
        person("الچین حسین اف", "1990-06-01"),
        person("Elçin Hüseynov", "1990-06-01"),
    ),
    (
        "Soviet-era Azerbaijani Cyrillic vs Latin",
        person("Җәфәров Камран Һади оғлу", "1969-12-03"),
        person("Cəfərov Kamran Hadi oğlu", "1969-12-03"),
    ),
    (
        "Iranian: Persian vs English press, honorific on one side",
        person("سید حسین رضایی", "1984-03-21", "IR"),
        person("Hossein Rezaei", "1984-03-21", "IR"),
    ),
    (
        "Iranian: Persian with Arabic code points vs Russian",
        person("مهدي كريمي", "1979-07-07", "IR"),
        person("Мехди Карими", "1979-07-07", "IR"),
    ),
    (
        "Iranian: compound surname with ZWNJ vs passport with space",
        person("رضا حسین‌زاده", "1993-10-10", "IR"),
        person("REZA HOSSEIN ZADEH", "1993-10-10", "IR"),
    ),
    (
        "MRZ vs Persian, same national code in Persian digits",
        person("GHORBANI<<ABBAS", None, "IR", "0012345679"),
        person("عباس قربانی", "1970-01-05", "IR", "۰۰۱۲۳۴۵۶۷۹"),
    ),
    (
        "woman: -ova and qızı vs кызы",
        person("Rəhimova Günel Tofiq qızı", "1995-05-05"),
        person("Рагимова Гюнель Тофик кызы", "1995-05-05"),
    ),
    (
        "one typing slip (swapped letters)",
        person("Kamran Məmmədov", "1988-08-08"),
        person("Kamran Məmmdəov", "1988-08-08"),
    ),
    (
        "birth year, patronymic and nationality together",
        person("Səfərov Natiq Rauf oğlu", "1966"),
        person("Сафаров Натиг Рауф оглы", "1966-04-12"),
    ),
    (
        "initials with the same date and FIN",
        person("Əliyev Tural Rəşid oğlu", "2000-01-02", "AZ", "5ZQ8K1M"),
        person("Алиев Т.Р.", "2000-01-02", "AZ", "5zq8k1m"),
    ),
    (
        "'SURNAME, Given' vs Turkish form, transposed day and month with the same national code",
        person("KARIMI, Mehdi", "1985-04-09", "IR", "123-456789-0"),
        person("Mehdi Kerimi", "1985-09-04", "IR", "1234567890"),
    ),
    (
        "Georgian script vs Latin",
        person("გიორგი ბერიძე", "1977-11-11", "GE"),
        person("Giorgi Beridze", "1977-11-11", "GE"),
    ),
]

NON_MATCHES = [
    (
        "father and son with the same name, born 28 years apart",
        person("Məmmədov Anar Kamran oğlu", "1962-03-01"),
        person("Мамедов Анар Камран оглы", "1990-03-01"),
    ),
    (
        "son named after his grandfather: given name and patronymic swapped",
        person("Quliyev Rəşad Elçin oğlu", "1994-02-02"),
        person("Quliyev Elçin Rəşad oğlu", "1966"),
    ),
    ("Əli is not Vəli", person("Əli Hüseynov", "1980-01-01"), person("Vəli Hüseynov", "1980-01-01")),
    (
        "Samir is not Sabir, though one letter apart",
        person("Samir Cəfərov", "1991-07-07"),
        person("SABIR DZHAFAROV", "1991-07-07"),
    ),
    (
        "Nasiri is not Nazari",
        person("علی نصیری", "1987-05-05", "IR"),
        person("Ali Nazari", "1975-05-05", "IR"),
    ),
    (
        "Mahmudov (AZ) and محمودی (IR) share a root only",
        person("Vəli Mahmudov", "1983-06-06"),
        person("ولی محمودی", "1983-06-06", "IR"),
    ),
    (
        "same name and birth year, different FINs",
        person("Tural Əliyev", "1999-01-01", "AZ", "7ABC123"),
        person("Турал Алиев", "1999", "AZ", "9XYZ456"),
    ),
    (
        "same name, no date or identifier agreement",
        person("Hossein Rezaei", "1984-03-21", "IR"),
        person("حسین رضایی", None, "IR"),
    ),
    (
        "initials fit but birth dates do not",
        person("Yusif Babayev", "1970-01-01"),
        person("Бабаев Ю.", "1981-09-09"),
    ),
    (
        "same given name and date, unrelated surname",
        person("Mehdi Karimi", "1979-07-07", "IR"),
        person("Mehdi Ghorbani", "1979-07-07", "IR"),
    ),
    (
        "brother and sister: same surname and father",
        person("Quliyev Rəşad Elçin oğlu", "1990-01-01"),
        person("Quliyeva Leyla Elçin qızı", "1990-01-01"),
    ),
]


@pytest.mark.parametrize(("why", "a", "b"), MATCHES, ids=[m[0] for m in MATCHES])
def test_renderings_of_one_person_match(why: str, a: dict[str, Any], b: dict[str, Any]) -> None:
    for left, right in ((a, b), (b, a)):
        result = match_records("person", left, right)
        assert result.score >= THRESHOLD, (why, result.explanation())
        assert result.match


@pytest.mark.parametrize(("why", "a", "b"), NON_MATCHES, ids=[m[0] for m in NON_MATCHES])
def test_hard_non_matches_score_low(why: str, a: dict[str, Any], b: dict[str, Any]) -> None:
    result = match_records("person", a, b)
    assert result.score < THRESHOLD, (why, result.explanation())
    assert not result.match


def test_every_score_is_explained_by_named_weighted_features() -> None:
    result = match_records(
        "person", person("Рзаев Мамед", "1970-02-02"), person("Məmməd Rzayev", "1970-02-02", "AZ", "1AB2C3D")
    )
    explanation = result.explanation()
    assert explanation["algorithm"] == ALGORITHM == "astara-match-1"
    assert explanation["threshold"] == THRESHOLD
    names = {f["name"]: f for f in explanation["features"]}
    assert {"name_match", "birth_date_match", "nationality_match"} <= set(names)
    for feature in explanation["features"]:
        assert feature["contribution"] == pytest.approx(feature["value"] * feature["weight"], abs=1e-3)
        assert feature["compared"]
    assert "Мамед" in names["name_match"]["compared"] and "muhammad" in names["name_match"]["compared"]


def test_birth_years_apart_are_named_as_such() -> None:
    result = match_records("person", person("Anar Quliyev", "1960"), person("Anar Quliyev", "1985"))
    assert [f.name for f in result.features if f.value < 0] == ["birth_year_disjoint"]
