"""Plates, VINs and company names: normalisation and match cases. All plates and numbers invented."""

from __future__ import annotations

from typing import Any

import pytest

from astara.matching.keys import organization_keys
from astara.matching.organizations import fingerprint, normalize_registration
from astara.matching.service import THRESHOLD, match_records
from astara.matching.vehicles import parse_plate, parse_vin, vin_check_digit


@pytest.mark.parametrize(
    ("written", "country", "canonical"),
    [
        ("۳۸ ج ۵۱۲ ایران ۴۴", "IR", "38J512-44"),
        ("ایران ۴۴ - ۵۱۲ ج ۳۸", "IR", "38J512-44"),
        ("٣٨ ج ٥١٢ ايران ٤٤", "IR", "38J512-44"),
        ("38J512-44", "IR", "38J512-44"),
        ("IR 44 38J512", "IR", "38J512-44"),
        ("IR 38 J 512 44", "IR", "38J512-44"),  # the country first, the region still last
        ("38 J 512 IR 44", "IR", "38J512-44"),
        ("38-Дж-512-44", "IR", "38J512-44"),
        ("38 8 512 44", "IR", "38B512-44"),
        ("38J5I2-44", "IR", "38J512-44"),
        ("IR 44 38J5I2", "IR", "38J512-44"),
        ("AZ 77-KL-405", "AZ", "77-KL-405"),
        ("77 КL 4O5", "AZ", "77-KL-405"),
        ("77KL405", "AZ", "77-KL-405"),
        ("TR 06 ABC 1234", "TR", "06-ABC-1234"),
        ("O6 ABC 1234", "TR", "06-ABC-1234"),
        ("Т457ХК 199 RUS", "RU", "T457XK|199"),
        ("T457KHK|199", "RU", "T457XK|199"),
        ("Т 457 ХК 199", "RU", "T457XK|199"),
        ("ВС 7701 50", "RU", "BC7701|50"),
        ("GE TK-318-PL", "GE", "TK-318-PL"),
        ("TK318PL", "GE", "TK-318-PL"),
        ("TK-3I8-PL", "GE", "TK-318-PL"),
    ],
)
def test_plates_normalise_across_scripts_separators_and_ocr(
    written: str, country: str, canonical: str
) -> None:
    assert parse_plate(written, country).canonical == canonical


def test_trailer_is_not_the_tractor_unit() -> None:
    assert parse_plate("TK-318-P", "GE").kind == "trailer"
    assert parse_plate("TK-318-PL", "GE").kind == "car"


def test_vin_check_digit_and_reading_errors() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    vin = parse_vin("1M8GDM9AXKPO42788")  # O read for 0
    assert vin.value == "1M8GDM9AXKP042788" and vin.corrected == 1 and vin.valid
    assert not parse_vin("1M8GDM9A1KP042788").valid


def vehicle(plate: str, country: str, vin: str | None = None, make: str | None = None) -> dict[str, Any]:
    return {"plate": plate, "country": country, "vin": vin, "make": make}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (vehicle("۳۸ ج ۵۱۲ ایران ۴۴", "IR", make="ولوو"), vehicle("38J512-44", "IR", make="Volvo"), True),
        (vehicle("۳۸ ج ۵۱۲ ایران ۴۴", "IR"), vehicle("38J513-44", "IR"), False),  # one real character
        (vehicle("38J512-44", "IR"), vehicle("38J512-45", "IR"), False),  # province code
        (vehicle("77KL405", "AZ"), vehicle("77KL405", "TR"), False),  # same characters, another country
        (
            vehicle("77-KL-405", "AZ", "1M8GDM9AXKP042788"),
            vehicle("TK318PL", "GE", "1M8GDM9AXKP042788"),
            True,
        ),
        (
            vehicle("77-KL-405", "AZ", "1M8GDM9AXKP042788"),
            vehicle("77 KL 405", "AZ", "2HGES16575H591234"),
            False,
        ),
        (vehicle("TK-318-PL", "GE"), vehicle("TK-318-P", "GE"), False),  # tractor unit vs trailer
        (vehicle("Т457ХК199", "RU"), vehicle("T457KHK 199", "RU"), True),
    ],
)
def test_vehicle_cases(a: dict[str, Any], b: dict[str, Any], same: bool) -> None:
    result = match_records("vehicle", a, b)
    assert (result.score >= THRESHOLD) is same, result.explanation()


def test_legal_forms_are_stripped_in_every_language() -> None:
    keys = {tuple(w.raw for w in fingerprint(n)) for n in ("Xəzər Logistika MMC", "XƏZƏR LOGISTIKA LLC")}
    assert keys == {("xəzər", "logistika")}
    assert [w.raw for w in fingerprint("ООО «Каспий Транзит»")] == ["каспий", "транзит"]
    assert [w.raw for w in fingerprint("شرکت پارس نوین (سهامی خاص)")] == ["پارس", "نوین"]
    assert normalize_registration("VÖEN 1402 556 781") == normalize_registration("1402556781") == "1402556781"
    assert normalize_registration("ОГРН ۱۱۲۳۴۵۶۷۸۹۰۱۲") == "1123456789012"


def org(name: str, country: str, reg: str | None = None) -> dict[str, Any]:
    return {"name": name, "country": country, "registration": reg}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (
            org("Kaspi Tranzit LLC", "AZ", "1402556781"),
            org("ООО «Каспи Транзит»", "AZ", "VÖEN 1402556781"),
            True,
        ),
        (org("Pars Novin Co.", "IR"), org("شرکت پارس نوین", "IR", "10320001234"), True),
        (org("Kaspi Tranzit MMC", "AZ"), org("Kaspi Tranzit Ltd. Şti.", "TR"), False),  # another country
        (org("Kaspi Tranzit 2 MMC", "AZ", "1402556781"), org("Kaspi Tranzit MMC", "AZ", "1700223344"), False),
        (
            org("Kaspi Yük Daşımaları MMC", "AZ", "1402556781"),
            org("Kaspi Cargo Transport LLC", "AZ", "1402556781"),
            True,
        ),
        # The whole name translated: one registry number in one country is still one company ...
        (
            org("Qara Dəniz Balıq MMC", "AZ", "1700123987"),
            org("Black Sea Fish LLC", "AZ", "1700123987"),
            True,
        ),
        # ... but the same digits from two countries' registries are chance.
        (org("Kaspi Tranzit MMC", "AZ", "1402556781"), org("Kaspi Tranzit LLC", "GE", "1402556781"), False),
    ],
)
def test_organization_cases(a: dict[str, Any], b: dict[str, Any], same: bool) -> None:
    result = match_records("organization", a, b)
    assert (result.score >= THRESHOLD) is same, result.explanation()


def test_company_keys_meet_across_compounds_and_skip_generic_words() -> None:
    """Nik Andish and Nikandish share a key; Araz Logistics is not filed with every logistics firm."""
    assert organization_keys({"name": "Nik Andish Co."}) & organization_keys({"name": "Никандиш"})
    assert organization_keys({"name": "شرکت نیک‌اندیش"}) & organization_keys({"name": "Nikandish Co."})
    assert not any(k.startswith("ow:c:") for k in organization_keys({"name": "Araz Logistics LLC"}))
    assert "ow:c:logistics" in organization_keys({"name": "ООО «Логистика»"})


def test_legal_forms_and_conjunctions_in_every_script_are_not_name_words() -> None:
    assert [w.raw for w in fingerprint("Yıldız Ambalaj A.Ş.")] == ["yıldız", "ambalaj"]
    assert [w.raw for w in fingerprint("Doğan Tekstil San. ve Tic. Ltd. Şti.")] == ["doğan", "tekstil"]
    assert [w.raw for w in fingerprint("Araz və Kür Məhdud Məsuliyyətli Cəmiyyəti")] == ["araz", "kür"]
    assert [w.raw for w in fingerprint("ИП «Гусейнов Тимур»")] == ["гусейнов", "тимур"]
    assert [w.raw for w in fingerprint("ООО «Автобаза №7»")] == ["автобаза", "7"]
    persian = fingerprint("شرکت حمل و نقل بین المللی آراز")
    assert [w.concept for w in persian] == ["transport", "international", None]
