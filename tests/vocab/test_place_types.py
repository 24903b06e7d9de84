from __future__ import annotations

import pytest

from astara.vocab import Vocabulary


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Frontier", "land_border"),
        ("Checkpoint", "land_border"),
        ("Customs facilities", "land_border"),
        ("Airport", "airport"),
        ("Air Cargo", "airport"),
        ("Plane", "airport"),
        ("Seaport", "seaport"),
        ("Port Facilities", "seaport"),
        ("Post Office", "mail_centre"),
        ("Postal Parcel", "mail_centre"),
        ("Courier / Delivery service", "mail_centre"),
        ("Territorial Waters", "territorial_waters"),
        ("International Waters", "international_waters"),
        ("Maritime Zone", "international_waters"),
        ("Riverport", "river_port"),
        ("Railway Station", "rail_station"),
        ("Street", "road"),
        ("Flat/Apartment", "residence"),
        ("Store", "commercial"),
        ("Hospital", "inland"),
    ],
)
def test_ids_installation_values(vocab: Vocabulary, text: str, code: str) -> None:
    found = vocab.place_types.lookup(text)
    assert found is not None and found.code == code


def test_inland_subtypes_roll_up(vocab: Vocabulary) -> None:
    for code in ("road", "residence", "commercial", "rural", "bus_station"):
        assert vocab.place_types.get(code).parent == "inland"


def test_multilingual(vocab: Vocabulary) -> None:
    assert (t := vocab.place_types.lookup("КПП")) and t.code == "land_border"
    assert (t := vocab.place_types.lookup("gömrük postu")) and t.code == "land_border"
    assert (t := vocab.place_types.lookup("فرودگاه")) and t.code == "airport"
