from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astara.vocab import norm_key


@pytest.mark.parametrize(
    "text", ["Cocaine HCL", "cocaine-hcl", "COCAINE (HCL)", "  cocaine,  hcl. ", "cocaine/HCL"]
)
def test_cocaine_spellings_share_a_key(text: str) -> None:
    assert norm_key(text) == "cocaine hcl"


def test_persian_arabic_variants_unified() -> None:
    assert norm_key("هروئين") == norm_key("هروئین") == norm_key("هرویین")  # Arabic yeh, hamza seat
    assert norm_key("كراك") == norm_key("کراک")  # Arabic kaf
    assert norm_key("قرص‌های") == norm_key("قرصهای")  # ZWNJ removed
    assert norm_key("تريـــاك") == norm_key("تریاک")  # tatweel, Arabic letters
    assert norm_key("مُخَدِّر") == norm_key("مخدر")  # diacritics
    assert norm_key("۱۲۳") == "123"


def test_latin_diacritics_stripped_cyrillic_kept() -> None:
    assert norm_key("Uyuşturucu") == "uyusturucu"
    assert norm_key("həşiş") == norm_key("hesis")
    assert norm_key("йод") != norm_key("иод")  # й is its own letter
    assert norm_key("Ёлка") == norm_key("елка")


def test_tlp_punctuation() -> None:
    assert norm_key("TLP:AMBER+STRICT") == "tlp amber strict"


@given(st.text())
def test_norm_key_idempotent(text: str) -> None:
    once = norm_key(text)
    assert norm_key(once) == once


@given(st.text())
def test_norm_key_has_no_outer_or_double_spaces(text: str) -> None:
    key = norm_key(text)
    assert key == key.strip()
    assert "  " not in key
