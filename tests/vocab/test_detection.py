from __future__ import annotations

import pytest

from astara.vocab import Vocabulary


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("X-ray", "xray_scanner"),
        ("scanner", "xray_scanner"),
        ("K9", "sniffer_dog"),
        ("sniffer dog", "sniffer_dog"),
        ("risk profiling", "risk_profiling"),
        ("tip-off", "intelligence"),
        ("оперативная информация", "intelligence"),
        ("controlled delivery", "controlled_delivery"),
        ("routine inspection", "routine_inspection"),
        ("body search", "physical_search"),
        ("joint operation", "joint_operation"),
        ("other", "other"),
    ],
)
def test_lookup(vocab: Vocabulary, text: str, code: str) -> None:
    found = vocab.detection_methods.lookup(text)
    assert found is not None and found.code == code
