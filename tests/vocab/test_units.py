from __future__ import annotations

import pytest

from astara.vocab import Vocabulary


def test_pounds_to_kg(vocab: Vocabulary) -> None:
    r = vocab.units.to_kg(2900, "lb", "cocaine")
    assert r.kg == pytest.approx(1315.418, abs=1e-3)
    assert r.exact is True
    assert r.method == "lb × 0.45359237"


def test_kg_plus_grams(vocab: Vocabulary) -> None:
    kg = vocab.units.to_kg(244, "kg", "heroin").kg
    g = vocab.units.to_kg(605, "g", "heroin").kg
    assert kg is not None and g is not None
    assert kg + g == pytest.approx(244.605)


@pytest.mark.parametrize(
    ("qty", "unit", "kg"),
    [
        (1.2, "t", 1200),
        (3, "ton", 3000),
        (2, "tonnes", 2000),
        (1, "oz", 0.028349523125),
        (500, "mg", 0.0005),
        (1, "µg", 1e-9),
        (1, "Viss", 1.63293),
        (2, "Block (350gr)", 0.7),
        (1, "100 gram", 0.1),
        (10, "Paper (1/10 gm)", 0.001),
        (5, "кг", 5),
        (5, "kq", 5),
        (5, "کیلوگرم", 5),
        (250, "گرم", 0.25),
        (1, "тонна", 1000),
        (7, "qram", 0.007),
    ],
)
def test_mass_units_exact(vocab: Vocabulary, qty: float, unit: str, kg: float) -> None:
    r = vocab.units.to_kg(qty, unit, None)
    assert r.kg == pytest.approx(kg)
    assert r.exact


def test_tablets_use_default_mass_and_say_so(vocab: Vocabulary) -> None:
    r = vocab.units.to_kg(1000, "tablet", "tramadol")
    assert r.kg == pytest.approx(1000 * vocab.units.defaults.tablet_kg)
    assert not r.exact
    assert "default tablet mass" in r.method and "assumption" in r.method


def test_tablets_use_drug_specific_mass(vocab: Vocabulary) -> None:
    captagon = vocab.drugs.get("captagon")
    assert captagon.tablet_kg is not None
    r = vocab.units.to_kg(1_000_000, "pill", "captagon")
    assert r.kg == pytest.approx(1_000_000 * captagon.tablet_kg)
    assert not r.exact and "assumption" in r.method


def test_thousand_of_tablets(vocab: Vocabulary) -> None:
    r = vocab.units.to_kg(2, "Thousand of tablets", None)
    assert r.kg == pytest.approx(2000 * vocab.units.defaults.tablet_kg)
    assert vocab.units.get("hundred_units").count_factor == 100


def test_volume_uses_density_assumption(vocab: Vocabulary) -> None:
    r = vocab.units.to_kg(3, "l", "acetic_anhydride")
    assert r.kg == pytest.approx(3.0)
    assert not r.exact and "assumption" in r.method
    gal = vocab.units.to_kg(1, "Gallons (US, liquid)", None)
    assert gal.kg == pytest.approx(3.785411784)
    assert vocab.units.to_kg(1, "Gallons (UK)", None).kg == pytest.approx(4.54609)
    assert vocab.units.to_kg(250, "Cubic Centimeter", None).kg == pytest.approx(0.25)


@pytest.mark.parametrize("unit", ["acre", "Hectars", "Plants", "Bush", "other", "Bottles", "Piece"])
def test_no_mass_equivalent(vocab: Vocabulary, unit: str) -> None:
    r = vocab.units.to_kg(5, unit, "cannabis")
    assert r.kg is None
    assert "no mass equivalent" in r.method


def test_doses_without_per_dose_mass(vocab: Vocabulary) -> None:
    assert vocab.units.to_kg(4, "dose", "heroin").kg is None
    lsd = vocab.units.to_kg(100, "Blotting paper", "lsd")
    assert lsd.kg is not None and not lsd.exact


def test_unknown_unit_or_drug(vocab: Vocabulary) -> None:
    with pytest.raises(KeyError):
        vocab.units.to_kg(1, "furlong", None)
    with pytest.raises(KeyError):
        vocab.units.to_kg(1, "kg", "no_such_drug")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("кг", "kg"),
        ("грамм", "g"),
        ("г", "g"),
        ("тонна", "t"),
        ("таблеток", "tablet"),
        ("kq", "kg"),
        ("qram", "g"),
        ("ton", "t"),
        ("həb", "tablet"),
        ("کیلوگرم", "kg"),
        ("کیلو", "kg"),
        ("گرم", "g"),
        ("تن", "t"),
        ("عدد", "piece"),
        ("قرص", "tablet"),
        ("kilogram", "kg"),
        ("gram", "g"),
        ("adet", "piece"),
        ("hap", "tablet"),
        ("pound", "lb"),
        ("Cc", "cc"),
        ("Hundred of units", "hundred_units"),
    ],
)
def test_unit_lookup(vocab: Vocabulary, text: str, code: str) -> None:
    found = vocab.units.lookup(text)
    assert found is not None and found.code == code


def test_factor_kinds_consistent(vocab: Vocabulary) -> None:
    for u in vocab.units.all():
        assert (u.kg_factor is not None) == (u.kind == "mass"), u.code
        assert (u.litre_factor is not None) == (u.kind == "volume"), u.code
