from __future__ import annotations

import pytest

from astara.vocab import Vocabulary


def test_evaluation_codes(vocab: Vocabulary) -> None:
    for code in ["truck", "car", "bus", "rail", "air", "sea", "postal", "on_foot", "other"]:
        assert vocab.transport.get(code).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Commercial air", "air"),
        ("Private air", "air"),
        ("Air", "air"),
        ("Land", "road"),
        ("Private road", "road"),
        ("Commercial road", "road"),
        ("Commercial sea", "sea"),
        ("Private sea", "sea"),
        ("River", "river"),
        ("Mail", "postal"),
        ("Rail", "rail"),
        ("Pedestrian", "on_foot"),
        ("Other", "other"),
        ("None", "other"),
        ("Unknown", "unknown"),
        ("грузовик", "truck"),
        ("фура", "truck"),
        ("TIR", "truck"),
        ("yük maşını", "truck"),
        ("tır", "truck"),
        ("کامیون", "truck"),
        ("kamyon", "truck"),
        ("قطار", "rail"),
        ("lorry", "truck"),
    ],
)
def test_lookup(vocab: Vocabulary, text: str, code: str) -> None:
    found = vocab.transport.lookup(text)
    assert found is not None and found.code == code


def test_specific_road_codes_have_parent(vocab: Vocabulary) -> None:
    assert vocab.transport.get("truck").parent == "road"
    assert vocab.transport.get("car").parent == "road"
    assert vocab.transport.get("river").parent == "sea"
