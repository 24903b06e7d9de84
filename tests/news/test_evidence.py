"""The named evidence behind a duplicate proposal: which comparisons contradict a match, which pieces of
evidence a match is made of, and the score they add up to. No store: two reports as plain values."""

from __future__ import annotations

import datetime as dt

import pytest

from astara.news.evidence import Entry, Evidence, Side, compare, interval, score

DAY = dt.date(2025, 4, 16)
OPIUM: list[Entry] = [("opium", 48.0, 48.0, "kg")]


def side(
    entries: list[Entry] = OPIUM,
    date: str | None = "2025-04-16",
    country: str | None = "AZ",
    place: str | None = "Bilasuvar border crossing",
    outlet: str | None = None,
) -> Side:
    return Side(entries, interval(date, DAY), country, place, outlet)


def codes(evidence: list[Evidence] | None) -> list[str]:
    assert evidence is not None
    return [e.code for e in evidence]


@pytest.mark.parametrize(
    ("theirs", "why"),
    [
        (side(entries=[("heroin", 48.0, 48.0, "kg")]), "another drug"),
        (side(entries=[("opium", 51.0, 51.0, "kg")]), "6 % more opium"),
        (side(entries=[("opium", 48.0, 48.0, "kg"), ("heroin", 2.0, 2.0, "kg")]), "a second drug"),
        (side(date="2025-04-21"), "five days later"),
        (side(country="IR"), "another country"),
        (side(place="Astara customs post"), "another place in the country"),
        (side(entries=[("opium", None, None, "kg")]), "a quantity not given"),
    ],
)
def test_a_contradiction_means_no_proposal(theirs: Side, why: str) -> None:
    assert compare(side(), theirs) is None, why


def test_the_same_seizure_told_twice_is_the_sum_of_its_evidence() -> None:
    evidence = compare(
        side(outlet="Caspian Courier"), side(entries=[("opium", 48.5, 48.5, "kg")], outlet="Lankaran Today")
    )
    assert codes(evidence) == [
        "weight_agrees",
        "drugs_agree",
        "same_day",
        "same_country",
        "same_place",
        "other_outlet",
    ]
    assert evidence is not None
    weight = evidence[0]
    assert (
        weight.values == {"drug": "opium", "mine": 48.0, "theirs": 48.5, "apart": 1.0} and weight.weight == 0
    )
    assert [e.text() for e in evidence] == [
        "opium 48 kg vs 48.5 kg (1% apart)",
        "same drugs (opium)",
        "same date 2025-04-16",
        "same country AZ",
        "same place (bilasuvar)",
        "reported by another outlet (Lankaran Today)",
    ]
    assert score(evidence) == 0.9  # drugs 0.5, day 0.2, country 0.1, place 0.1; the weights differ by 1 %
    assert score(compare(side(), side())) == 1.0  # type: ignore[arg-type]


def test_weaker_agreement_weighs_less() -> None:
    near = compare(side(), side(date="2025-04-18", place=None))
    assert codes(near) == ["weight_agrees", "drugs_agree", "dates_apart", "same_country"]
    assert near is not None and near[2].values == {"days": 2} and near[2].text() == "dates 2 day(s) apart"
    assert score(near) == 0.8
    unknown = compare(side(), side(date=None, country=None, place=None))
    assert codes(unknown) == ["weight_agrees", "drugs_agree", "dates_overlap", "place_unknown"]
    undated = Side(OPIUM, None, "AZ", None)  # no date and no publication date
    assert codes(compare(side(), undated))[2] == "date_unknown"


def test_counted_units_and_drug_groups() -> None:
    tablets: list[Entry] = [("methadone", 4200.0, None, "tablets")]
    found = compare(side(entries=tablets), side(entries=[("methadone", 4200.0, None, "tablet")]))
    assert codes(found)[0] == "count_agrees"
    assert found is not None and found[0].text() == "methadone 4,200 tablets on both"
    assert found[0].text("ru") == "methadone: 4,200 tablet в обоих"
    assert compare(side(entries=tablets), side(entries=[("methadone", 4000.0, None, "tablet")])) is None
    # a report naming only "opioids" meets a record of opium by the drugs' group
    vague = compare(side(entries=[("opioids_unspecified", 48.0, 48.0, "kg")]), side())
    assert codes(vague)[1] == "drug_group_agrees" and vague is not None
    assert vague[1].values == {"drugs": "opioids"}


def test_reasons_are_said_in_the_page_language() -> None:
    evidence = compare(side(), side(entries=[("opium", 48.5, 48.5, "kg")]))
    assert evidence is not None
    assert evidence[0].text("ru") == "opium: 48 кг и 48.5 кг (разница 1%)"
    assert evidence[0].text("fa") == "opium: ۴۸ کیلوگرم در برابر ۴۸٫۵ کیلوگرم (۱٪ اختلاف)"
    assert evidence[2].text("az") == "eyni tarix 2025-04-16"
