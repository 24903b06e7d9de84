from __future__ import annotations

import pytest

from astara.vocab import Vocabulary

IDS_HIDING_PLACES = [
    "Postal",
    "Baggage",
    "Inserted",
    "Other",
    "Plastic bags",
    "Unknown",
    "Package",
    "Swallowed",
    "Residence",
    "Body",
    "Outerwear",
    "Handbag",
    "Transport Vehicle",
    "Car Parts",
    "Furniture",
    "Freight",
    "Container",
    "Cosmetics",
    "Sack",
    "Electrical Parts",
    "Underwear",
    "Gifts",
    "Food",
    "Carry",
    "Appliances",
    "Shoes",
    "Beverages",
    "Toilet",
    "Vessel",
    "Clothes",
    "Business",
    "Art items",
    "Toys",
    "Backpack",
    "Bike",
    "Office supplies",
    "Farm / Plantation",
]


@pytest.mark.parametrize("text", IDS_HIDING_PLACES)
def test_every_ids_hiding_place_resolves(vocab: Vocabulary, text: str) -> None:
    assert vocab.concealment.lookup(text) is not None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Swallowed", "body_internal"),
        ("Inserted", "body_internal"),
        ("Underwear", "body_external"),
        ("Car Parts", "vehicle_hidden"),
        ("Transport Vehicle", "vehicle_hidden"),
        ("spare wheel", "vehicle_hidden"),
        ("Container", "cargo"),
        ("Postal", "postal_item"),
        ("бензобак", "vehicle_hidden"),
        ("zula", "vehicle_hidden"),
    ],
)
def test_codes(vocab: Vocabulary, text: str, code: str) -> None:
    found = vocab.concealment.lookup(text)
    assert found is not None and found.code == code


def test_compound_value_uses_first_resolving_part(vocab: Vocabulary) -> None:
    found = vocab.concealment.lookup("Body/Underwear")
    assert found is not None and found.code == "body_external"
    found = vocab.concealment.lookup("Nonsense/Swallowed")
    assert found is not None and found.code == "body_internal"
    assert vocab.concealment.lookup("Nonsense/Gibberish") is None
