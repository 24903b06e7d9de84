from __future__ import annotations

import pytest

from astara.vocab import Vocabulary


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Border - inbound", "border_inbound"),
        ("Border - outbound", "border_outbound"),
        ("Border - transit/free trade zone", "border_transit"),
        ("National territory/domestic seizure", "domestic"),
        ("International waters/unclaimed territory", "international_waters"),
        ("Other", "other"),
    ],
)
def test_ids_routing_values(vocab: Vocabulary, text: str, code: str) -> None:
    found = vocab.routing.lookup(text)
    assert found is not None and found.code == code


def test_codes(vocab: Vocabulary) -> None:
    assert set(vocab.routing.codes()) == {
        "border_inbound",
        "border_outbound",
        "border_transit",
        "domestic",
        "international_waters",
        "other",
    }
