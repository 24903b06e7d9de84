"""Families of constructions that recur across articles, each on sentences written for this test.

A family is a way of writing a seizure that any outlet may use (a summing-up sentence, a total
between its parts, a headline that alone names a haul); each test checks one with its own text.
"""

from __future__ import annotations

import pytest

from astara.extraction.service import extract_text


def _amounts(text: str, published: str | None = "2025-02-11") -> list[tuple[str, float | None]]:
    result = extract_text(text, published, "t")
    return sorted((e.drug, e.kg if e.kg is not None else e.quantity) for e in result.events)


def test_in_total_sums_up_one_incident_and_is_not_a_statistic() -> None:
    text = (
        "Port officers opened a reefer container of avocados on Monday and found 40 blocks of cocaine. "
        "In total, 48 kg of cocaine was seized."
    )
    assert _amounts(text) == [("cocaine", 48.0)]


def test_a_total_stands_before_or_after_its_parts_not_between_them() -> None:
    text = (
        "Border officers seized cocaine at three crossings last week.\n\n"
        "At the first crossing, officers found 30 kg of cocaine in a trailer of onions.\n\n"
        "In a second case, officers seized approximately 62 kg of cocaine hidden in the cab of a truck.\n\n"
        "In a third case, a total of 36 kg of cocaine was seized from a van."
    )
    assert _amounts(text) == [("cocaine", 30.0), ("cocaine", 36.0), ("cocaine", 62.0)]


def test_a_lead_total_still_gives_way_to_its_parts() -> None:
    text = (
        "Officers seized a combined 55 kg of cocaine at two crossings.\n\n"
        "At the first, officers found 30 kg of cocaine in a trailer.\n\n"
        "In a second case, officers seized 25 kg of cocaine from a van."
    )
    assert _amounts(text) == [("cocaine", 25.0), ("cocaine", 30.0)]


@pytest.mark.parametrize(
    "text",
    [
        "In total, customs seized 12 tonnes of drugs in 2023, up from 9 tonnes the year before.",
        "Police seized 300 kg of heroin across the country this year, the ministry said.",
    ],
)
def test_period_totals_stay_statistics(text: str) -> None:
    assert _amounts(text) == []


def test_a_sub_heading_alone_gives_the_figure_of_a_second_seizure() -> None:
    text = (
        "Customs officers at the port found 60 kg of cocaine in a container of bananas on Friday, "
        "the ministry said.\n\n"
        "120 KG OF HASHISH AT THE BORDER\n\n"
        "In another operation, border police stopped a lorry at the crossing and searched its cargo "
        "with a sniffer dog. The driver was detained."
    )
    assert _amounts(text) == [("cocaine", 60.0), ("hashish", 120.0)]


def test_a_turkish_sub_heading_in_capitals_gives_its_seizure() -> None:
    text = (
        "Gümrük Muhafaza ekipleri limanda bir konteynerde 40 kilogram kokain ele geçirdi.\n\n"
        "KAPIKULE'DE TIR'DA 75 KİLOGRAM ESRAR\n\n"
        "Bir diğer operasyonda, jandarma ekipleri sınır kapısına gelen bir tırı takibe aldı ve "
        "yapılan aramada şüpheli yakalandı."
    )
    assert _amounts(text) == [("cannabis", 75.0), ("cocaine", 40.0)]


@pytest.mark.parametrize(
    "text",
    [
        # the heading rounds the body's figure and names another drug by mistake
        "Nearly 300 KG Opium Seized In Raid\n\nPolice seized 296 kg of hashish from a farmhouse on Sunday.",
        # the heading repeats the body's drug
        "Police Seize 50 KG Heroin\n\nPolice seized 50 kg of heroin from a car near the border.",
        # a heading with a year's figure
        "Customs seized 9 tonnes of cocaine in 2024\n\nThe service published its annual report on Monday.",
    ],
)
def test_a_heading_that_restates_the_body_or_a_period_adds_nothing(text: str) -> None:
    assert [d for d, _ in _amounts(text)].count("opium") == 0
    assert len(_amounts(text)) <= 1


def test_a_count_of_pills_is_not_the_total_of_a_weight_after_it() -> None:
    text = "Police seized 20,000 psychotropic pills and 3 kg of heroin in a flat in the city centre."
    assert _amounts(text) == [("heroin", 3.0), ("psychotropic_pills", 20000.0)]


def test_turkish_raw_material_for_pills_is_its_own_substance() -> None:
    text = (
        "Jandarma ekiplerinin depoda yaptığı aramada 300 bin adet uyuşturucu hapla birlikte "
        "yaklaşık 1 milyon hap üretilebilecek 45 kilogram ham madde de ele geçirildi."
    )
    assert _amounts(text) == [("pill_raw_material", 45.0), ("psychotropic_pills", 300000.0)]


def test_a_dose_strength_is_not_an_amount_and_a_count_keeps_its_weight() -> None:
    text = (
        "Customs officers intercepted 40 cartons of tramadol 200mg, containing 250,000 pills "
        "weighing 95.5kg, at the airport on Monday."
    )
    events = extract_text(text, "2025-02-11", "t").events
    assert [(e.drug, e.quantity, e.kg) for e in events] == [("tramadol", 250000.0, 95.5)]


def test_blocks_weighing_a_weight_give_the_weight() -> None:
    text = "Police arrested a driver on Friday with 30 blocks of cannabis leaves, weighing 33kg, at a market."
    assert _amounts(text) == [("cannabis", 33.0)]


def test_the_drug_weighing_takes_the_name_of_the_blocks_told_before() -> None:
    text = (
        "Police said the two men, both traders, were arrested on Monday, 3 March at an army checkpoint in "
        "Lokoja with 120 pressed bricks of Indian hemp. "
        "He said the drug weighing 64.5kg was concealed in a grey saloon car."
    )
    assert _amounts(text) == [("cannabis", 64.5)]


def test_of_the_same_substance_takes_the_drug_of_the_seizure_before() -> None:
    text = (
        "Officers recovered 300 kilograms of cannabis from a warehouse in the port city on Monday. "
        "A spokesman said a second suspect was arrested with 12.5kg of the same substance at a bus "
        "station on Tuesday."
    )
    assert _amounts(text) == [("cannabis", 12.5), ("cannabis", 300.0)]


def test_a_paragraph_that_lost_its_full_stop_is_not_a_heading() -> None:
    text = (
        "Border guards detained two men near the river on Sunday and found 2 kg of heroin in their car.\n\n"
        "During questioning the detained men admitted that they had come to collect 7 kilograms "
        "of heroin thrown across the border by a drone\n\n"
        "The investigation continues."
    )
    assert _amounts(text) == [("heroin", 2.0), ("heroin", 7.0)]


def test_a_whole_figure_in_the_lead_rounds_down_its_breakdown() -> None:
    text = (
        "Border guards prevented the smuggling of 6 kg of drugs from Iran.\n\n"
        "A parcel found near the border held 5 kg 600 grams of marijuana and 700 grams of "
        "methamphetamine, the service said."
    )
    assert _amounts(text) == [("cannabis", 5.6), ("methamphetamine", 0.7)]


def test_azerbaijani_lead_figure_gives_way_to_its_breakdown() -> None:
    text = (
        "Sərhədçilər İran sərhədində 3 kq narkotik vasitəni qaçaqmalçılardan götürüblər.\n\n"
        "Sərhəd axtarışı zamanı bağlamanın içərisində 2 kq 900 qram marixuana və 350 qram "
        "metamfetamin aşkar olunaraq götürülüb."
    )
    assert _amounts(text) == [("cannabis", 2.9), ("methamphetamine", 0.35)]


@pytest.mark.parametrize(
    "text",
    [
        "In January-June 2024, the agency's officers seized 2,300 kg of drugs, including 610 kg of heroin.",
        "Some 25 joint operations with neighbouring services led to the seizure of 140 kilograms of opium.",
    ],
)
def test_month_ranges_and_joint_operations_are_statistics(text: str) -> None:
    assert _amounts(text) == []


def test_close_but_different_precise_figures_are_two_seizures() -> None:
    text = (
        "In the first case, a courier was arrested with 3.05 kg of hashish at the bus station.\n\n"
        "In another case, police seized 3.074 kg of hashish from a van on the highway."
    )
    assert _amounts(text) == [("hashish", 3.05), ("hashish", 3.074)]


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        (
            "Customs seized 2,300 kilograms of opium at the port on Monday.\n\n"
            "Officers found 2,317 kilograms of opium inside a cargo of marble, the agency said.",
            2317.0,
        ),
        (
            "Police seized 1.8 tonnes of cocaine in the harbour on Friday.\n\n"
            "The boxes held 1,812 kilograms of cocaine, police said.",
            1812.0,
        ),
    ],
)
def test_a_rounded_figure_and_the_exact_one_are_one_seizure(text: str, kg: float) -> None:
    assert [k for _, k in _amounts(text)] == [pytest.approx(kg)]


def test_a_lead_figure_restating_a_broken_down_total_goes_with_it() -> None:
    text = (
        "The spokesman said that this week officers seized more than 30 kg of drugs from a truck.\n\n"
        "At the crossing, 30 kg 40 grams of drugs were found in the walls of a truck, of which "
        "26 kg 500 grams of heroin and 2 kg 500 grams of opium."
    )
    assert _amounts(text) == [("heroin", 26.5), ("opium", 2.5)]


def test_the_class_a_drug_takes_the_drug_named_before() -> None:
    text = (
        "Border officers seized cocaine at the port on Monday. "
        "The 40kg of the Class A drug was hidden in a shipment of pineapples."
    )
    assert _amounts(text) == [("cocaine", 40.0)]


def test_a_rounded_lead_keeps_its_place_and_takes_the_exact_figure() -> None:
    text = (
        "Customs officers found almost a tonne of cocaine in a container of coffee at the port of "
        "Hamburg on Monday, the customs office said.\n\n"
        "Officers examined 40 containers over two days.\n\n"
        "On Wednesday, in the first container, they found 23 packages holding 968 kilograms of cocaine."
    )
    events = extract_text(text, "2025-02-11", "t").events
    assert [(e.drug, e.kg) for e in events] == [("cocaine", 968.0)]
    assert "Hamburg" in (events[0].place or "")


@pytest.mark.parametrize(
    "text",
    [
        "Polis ekipleri Kocaeli’deki bir evde yaptıkları aramada yaklaşık 70 kilo skunk buldu.",
        "Jandarma ekipleri Ağrı'da durdurdukları bir otomobilde yaptıkları aramada "
        "70 kilogram esrar yakaladı.",
    ],
)
def test_turkish_active_seizure_verbs(text: str) -> None:
    assert _amounts(text) == [("cannabis", 70.0)]


def test_a_turkish_three_letter_province_with_its_suffix_is_a_place() -> None:
    text = (
        "Van'da jandarma ekiplerinin düzenlediği operasyonda 150 kilo eroin ele geçirildi, "
        "3 şüpheli gözaltına alındı."
    )
    events = extract_text(text, "2025-02-11", "t").events
    assert [(e.drug, e.place, e.country) for e in events] == [("heroin", "Van", "TR")]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hatay'da bir araçta 1,5 milyon adet captagon hap ele geçirildi.", "tr"),
        ("Narkotik polisinin operasyonunda 3 kilo metamfetamin ele geçirildi.", "tr"),
        ("Astara gömrük postunda 12 kq 400 qram heroin aşkar edilib.", "az"),
        ("Police found 12 kg of heroin in a truck at the border on Monday.", "en"),
    ],
)
def test_a_short_turkic_text_is_told_by_its_letters(text: str, language: str) -> None:
    assert extract_text(text, "2025-02-11", "t").language == language


def test_a_sentence_opening_preposition_is_not_part_of_a_place_name() -> None:
    text = "In Namangan region, police found 2.4 kg of hashish in the car of a local resident on Monday."
    events = extract_text(text, "2025-02-11", "t").events
    assert [e.place for e in events] == ["Namangan region"]


def test_a_turkish_acronym_with_a_suffix_is_not_a_place() -> None:
    text = (
        "Gümrük Muhafaza ekipleri Kapıkule'de bir TIR'da yaptıkları aramada 30 kilogram eroin ele "
        "geçirdi ve sürücüyü gözaltına aldı."
    )
    events = extract_text(text, "2025-02-11", "t").events
    assert [(e.drug, e.country) for e in events] == [("heroin", "TR")]


def test_a_web_address_is_not_a_place() -> None:
    text = (
        "Пограничники изъяли 40 кг героина в грузовике на границе, сообщает МВД на официальном сайте "
        "Police.ge. Водитель задержан."
    )
    events = extract_text(text, "2025-02-11", "t").events
    assert [(e.drug, e.place) for e in events] == [("heroin", None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Officers found 9 kg of opium in a van and 6 kg in a car at the checkpoint on Monday.",
            [("opium", 6.0), ("opium", 9.0)],
        ),
        (
            "Police seized two shipments of cocaine on Monday: the first held 850 kg of the drug, "
            "the second 530 kg.",
            [("cocaine", 530.0), ("cocaine", 850.0)],
        ),
        (
            "Police have seized heroin worth $2m. The 12kg haul was found in the boot of a car.",
            [("heroin", 12.0)],
        ),
        (
            "Police seized cocaine in a raid on a farm. In the barn, officers found 120 kg, the police said.",
            [("cocaine", 120.0)],
        ),
    ],
)
def test_a_weight_whose_drug_is_left_out_takes_the_drug_just_named(
    text: str, expected: list[tuple[str, float]]
) -> None:
    assert _amounts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Police seized 30 kg of heroin in a car. Each bag weighed 10 kg, officers said.",
        "Police seized 30 kg of heroin in a car. The driver also carried a 20 kg bag of rice.",
    ],
)
def test_other_weights_near_a_seizure_are_not_seizures(text: str) -> None:
    assert _amounts(text) == [("heroin", 30.0)]
