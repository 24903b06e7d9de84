"""tlp.yaml and handling.yaml."""

from __future__ import annotations

import pytest

from astara.vocab import Vocabulary


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("TLP:CLEAR", "clear"),
        ("TLP:GREEN", "green"),
        ("TLP:AMBER", "amber"),
        ("TLP:AMBER+STRICT", "amber_strict"),
        ("tlp:red", "red"),
        ("white", "clear"),
        ("TLP:WHITE", "clear"),
    ],
)
def test_tlp_lookup(vocab: Vocabulary, text: str, code: str) -> None:
    found = vocab.tlp.lookup(text)
    assert found is not None and found.code == code


def test_tlp_labels(vocab: Vocabulary) -> None:
    assert [t.label for t in vocab.tlp.all()] == [
        "TLP:CLEAR",
        "TLP:GREEN",
        "TLP:AMBER",
        "TLP:AMBER+STRICT",
        "TLP:RED",
    ]
    assert all(t.description for t in vocab.tlp.all())


def test_handling_codes(vocab: Vocabulary) -> None:
    assert vocab.handling_codes.codes() == ["H0", "H1", "H2", "H3"]
    h1 = vocab.handling_codes.get("H1")
    assert h1.description and "evidence" in h1.description
    assert (t := vocab.handling_codes.lookup("h2")) and t.code == "H2"
