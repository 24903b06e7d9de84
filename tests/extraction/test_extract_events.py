"""The extractor on texts written for these tests: what an analyst would check in a draft event."""

from __future__ import annotations

import pytest

from astara.extraction.service import extract_text

TWO_INCIDENTS = """Baku, 14 March. Officers of the State Customs Committee at the Astara customs post found
48 kg 250 grams of heroin and 3.5 kg of hashish hidden in the spare tyre of an Iranian truck on
Tuesday. The driver, a citizen of Iran, was arrested.
In a separate operation in Lankaran district, police seized 1,200 tablets of methadone from two
local residents."""


def _by_drug(text: str, published: str | None = "2024-05-17") -> dict[str, object]:
    result = extract_text(text, published, "t")
    return {event.drug: event for event in result.events}


def test_two_drugs_in_one_incident_and_a_second_incident() -> None:
    result = extract_text(TWO_INCIDENTS, "2023-03-14", "a1")
    events = {e.drug: e for e in result.events}
    assert set(events) == {"heroin", "hashish", "methadone"}
    heroin, hashish, methadone = events["heroin"], events["hashish"], events["methadone"]
    assert heroin.kg == pytest.approx(48.25)  # "48 kg 250 grams"
    assert hashish.kg == pytest.approx(3.5)
    assert heroin.incident == hashish.incident != methadone.incident
    # the crossing is on both sides; the article is from Baku and about Azerbaijani customs
    assert heroin.country == "AZ" and "Astara" in (heroin.place or "")
    assert heroin.transport == "truck" and "spare tyre" in (heroin.concealment or "")
    assert heroin.suspect_nationalities == ["IR"]
    assert methadone.unit == "tablets" and methadone.quantity == 1200 and methadone.kg is None
    assert methadone.place and "Lankaran" in methadone.place
    # every field carries the span it came from
    span = heroin.evidence["quantity"]
    assert TWO_INCIDENTS[span[0] : span[1]].startswith("48 kg")
    assert "48 kg" in heroin.quote


@pytest.mark.parametrize(
    ("phrase", "drug", "kg", "count"),
    [
        ("Turkish police seized 1.2 tonnes of cocaine in Mersin.", "cocaine", 1200, None),
        ("Gendarmes in Van found 2,900 pounds of opium.", "opium", 1315.4, None),
        ("The coast guard seized two tons of hashish off Izmir.", "hashish", 2000, None),
        ("Police seized 244 kg 605 grams of heroin in Tabriz.", "heroin", 244.605, None),
        ("Officers seized 34.27 million captagon pills in Jeddah.", "captagon", None, 34_270_000),
        ("Border guards found 500 tablets of tramadol at the Samur crossing.", "tramadol", None, 500),
    ],
)
def test_units_and_number_words(phrase: str, drug: str, kg: float | None, count: int | None) -> None:
    (event,) = extract_text(phrase, "2024-05-17").events
    assert event.drug == drug
    if kg is not None:
        assert event.kg == pytest.approx(kg, rel=1e-3)
    else:
        assert event.kg is None and event.quantity == count


def test_qualifiers_and_ranges_are_kept() -> None:
    events = _by_drug(
        "Customs officers found between 5 and 7 kg of hashish and more than 300 grams of opium in a bus."
    )
    hashish, opium = events["hashish"], events["opium"]
    assert (hashish.quantity, hashish.quantity_max) == (5, 7)  # type: ignore[attr-defined]
    assert opium.qualifier == "more than" and opium.kg == pytest.approx(0.3)  # type: ignore[attr-defined]
    assert hashish.transport == "bus"  # type: ignore[attr-defined]


def test_a_total_and_its_breakdown_are_not_counted_twice() -> None:
    events = extract_text(
        "Border guards seized a total of 120 kg of drugs, including 100 kg of opium and 20 kg of heroin, "
        "near the Bilasuvar crossing on 2 May 2020.",
        "2020-05-04",
    ).events
    assert sorted((e.drug, e.kg) for e in events) == [("heroin", 20), ("opium", 100)]
    assert {e.date for e in events} == {"2020-05-02"}


def test_aggregate_statistics_are_kept_apart_from_seizures() -> None:
    result = extract_text(
        "In 2018 police seized 807 tons of drugs across the country, the annual report said. "
        "Officers carried out 5,400 operations and arrested 1,230 suspects.",
        "2019-02-01",
    )
    assert result.events == []
    figures = {(s.metric, s.value) for s in result.statistics}
    assert ("operations", 5400) in figures and ("suspects", 1230) in figures
    assert any(s.value == 807 and s.period == "2018" for s in result.statistics)


def test_relative_dates_are_resolved_against_the_publication_date() -> None:
    # 2024-05-17 is a Friday: "on Tuesday" is the 14th, "yesterday" the 16th
    (tuesday,) = extract_text("Police seized 12 kg of heroin in Baku on Tuesday.", "2024-05-17").events
    assert tuesday.date == "2024-05-14"
    (yesterday,) = extract_text("Yesterday customs seized 3 kg of opium in Astara.", "2024-05-17").events
    assert yesterday.date == "2024-05-16"
    (undated,) = extract_text("Police seized 12 kg of heroin in Baku on Tuesday.", None).events
    assert undated.date is None  # no publication date: a weekday alone cannot be placed


def test_route_from_demonyms_and_from_to_through() -> None:
    (event,) = extract_text(
        "An Iranian truck carrying 75 kg of heroin from Iran to Ukraine through Azerbaijan was stopped "
        "by customs officers at the Astara border checkpoint. "
        "The drugs were concealed in a load of tomatoes.",
        "2019-09-12",
    ).events
    assert (event.origin, event.destination, event.transit) == ("IR", "UA", ["AZ"])
    assert event.cover_cargo == "tomatoes" and event.transport == "truck"


def test_the_lead_route_does_not_spread_to_later_incidents() -> None:
    events = _by_drug(
        "Turkish police seized 1.2 tonnes of cocaine in Mersin port, hidden among bananas in a container "
        "from Ecuador. In another raid in Van, gendarmes found 2,900 pounds of opium."
    )
    assert events["cocaine"].origin == "EC"  # type: ignore[attr-defined]
    assert events["opium"].origin is None  # type: ignore[attr-defined]
    assert events["opium"].transport is None  # "in Van" is the city, not a vehicle  # type: ignore[attr-defined]


def test_page_clutter_is_ignored() -> None:
    result = extract_text(
        "Home | News | Politics | Sport\nSubscribe to our newsletter\n"
        "Police seized 12 kg of heroin in Baku on Monday.\nShare this article\nFacebook Twitter",
        "2024-02-07",
    )
    assert [(e.drug, e.kg, e.place) for e in result.events] == [("heroin", 12, "Baku")]


@pytest.mark.parametrize(
    "text",
    [
        "Opium poppy cultivation rose by 30 per cent in 2022, the UN said. Heroin prices in Europe fell "
        "to 35 euros per gram as production increased.",
        "The minister met his Azerbaijani counterpart to discuss cooperation against drug trafficking.",
        "Two tonnes of seized heroin were burned at a ceremony in Kabul.",
    ],
)
def test_texts_that_report_no_seizure_give_no_event(text: str) -> None:
    assert extract_text(text, "2024-01-01").events == []


@pytest.mark.parametrize(
    ("text", "origin", "transit", "destination"),
    [
        (
            "Customs officers found 30 kg of opium in a truck carrying carpets to Turkey and from there to "
            "Germany, passing through the territory of Azerbaijan, at the Sadarak post.",
            None,
            ["TR", "AZ"],
            "DE",
        ),
        (
            "Border guards prevented the smuggling of 12 kg of heroin into the territory of Azerbaijan from "
            "the territory of Iran.",
            "IR",
            [],
            "AZ",
        ),
        ("Police found 5 kg of cocaine in a lorry trying to enter Georgia at Sarpi.", None, [], "GE"),
        (
            "A Ukrainian truck carrying 20 kg of heroin from Astara, Iran to Kiev, Ukraine was stopped by "
            "customs at the Astara post.",
            "IR",  # the text says where it came from; the truck's flag does not
            [],
            "UA",
        ),
    ],
)
def test_route_phrases(text: str, origin: str | None, transit: list[str], destination: str) -> None:
    (event,) = extract_text(text, "2024-01-01").events
    assert (event.origin, event.transit, event.destination) == (origin, transit, destination)


@pytest.mark.parametrize(
    ("text", "transport"),
    [
        (
            "Border guards detained a trespasser violating the state border from Iran with 4 kg of opium "
            "near Bilasuvar on Monday.",
            "on_foot",
        ),
        ("Customs found 12 kg of heroin hidden in the trailer of a vehicle at the Sadarak post.", "truck"),
    ],
)
def test_transport_from_how_border_services_write(text: str, transport: str) -> None:
    (event,) = extract_text(text, "2024-01-03").events
    assert event.transport == transport


def test_no_date_in_the_text_gives_the_month_of_publication_with_a_warning() -> None:
    (event,) = extract_text("Customs officers seized 7 kg of opium at the Astara post.", "2024-05-17").events
    assert event.date == "2024-05" and "date" not in event.evidence
    assert any("month of publication" in w for w in event.warnings)
    (dated,) = extract_text(
        "Customs officers seized 7 kg of opium at the Astara post on 2 May.", "2024-05-17"
    ).events
    assert dated.date == "2024-05-02" and dated.warnings == []


def test_route_words_with_a_modifier_before_the_country() -> None:
    from astara.extraction.service import extract_text

    text = "Border guards seized 40 kg of heroin smuggled from neighbouring Iran into southern Azerbaijan."
    (event,) = extract_text(text, "2024-05-06").events
    assert (event.origin, event.destination) == ("IR", "AZ")


def test_a_dateline_city_gives_the_country() -> None:
    from astara.extraction.service import extract_text

    text = "QUETTA - Police seized 200 kg of hashish in a raid on a compound on Monday, officials said."
    (event,) = extract_text(text, "2024-05-06").events
    assert (event.drug, event.country, event.evidence["country"]) == ("hashish", "PK", (0, 6))


def test_pills_of_the_drug_name_the_drug() -> None:
    from astara.extraction.service import extract_text

    text = "Police seized 12 million pills of the drug captagon hidden in a shipment of oranges."
    (event,) = extract_text(text, "2024-05-06").events
    assert (event.drug, event.quantity, event.unit) == ("captagon", 12_000_000, "tablets")


def test_a_weight_and_a_count_of_one_haul_are_one_event() -> None:
    from astara.extraction.service import extract_text

    text = (
        "Customs officers seized 1,200 kilograms of captagon at the port on Sunday. The haul came to "
        "more than 7 million captagon pills, the agency said."
    )
    (event,) = extract_text(text, "2024-05-06").events
    assert (event.drug, event.quantity, event.unit, event.kg) == ("captagon", 7_000_000, "tablets", 1200)


def test_the_same_figure_twice_keeps_its_first_mention_even_with_about() -> None:
    from astara.extraction.service import extract_text

    text = (
        "Officers found about 550 kg of cocaine in a container at the port on Monday. The container "
        "had been shipped from Basel. Police said 550 kg of cocaine was seized in all."
    )
    (event,) = extract_text(text, "2024-05-06").events
    assert event.kg == 550 and event.quote.startswith("Officers found about 550 kg")


@pytest.mark.parametrize(
    ("text", "place", "country", "destination"),
    [
        (
            "The navy seized 300 kg of hashish from a dhow in the Gulf of Oman on Monday.",
            "Gulf of Oman",
            None,
            None,
        ),
        (
            "Coast guards seized 40 kg of heroin aboard a fishing boat in the Caspian Sea.",
            "Caspian Sea",
            None,
            None,
        ),
        (
            "Sailors seized 900 kg of methamphetamine in the Gulf of Aden from a skiff bound for Somalia.",
            "Gulf of Aden",
            None,
            "SO",
        ),
        (
            "The coast guard seized 70 kg of cocaine in the Black Sea near the port of Samsun.",
            "port of Samsun",
            "TR",
            None,
        ),
    ],
)
def test_a_sea_or_gulf_is_the_place_not_a_country(
    text: str, place: str, country: str | None, destination: str | None
) -> None:
    (event,) = extract_text(text, "2026-03-11").events
    assert (event.place, event.country, event.destination) == (place, country, destination)
    assert event.transport == "sea"


def test_a_ship_named_after_a_sea_is_not_a_water_body() -> None:
    text = "Sailors of the USS Coral Sea seized 2 tonnes of hashish from a dhow in international waters."
    (event,) = extract_text(text, "2026-03-11").events
    assert event.place == "international waters" and event.kg == 2000


def test_a_port_is_read_in_its_own_country_not_as_a_namesake_abroad() -> None:
    (event,) = extract_text("Police seized 5 kg of heroin in Poti on Tuesday.", "2026-03-11").events
    assert (event.place, event.country) == ("Poti", "GE")
