from __future__ import annotations

import pytest

from astara.vocab import Vocabulary

EVALUATION_CODES = [
    "heroin",
    "opium",
    "morphine",
    "cannabis",
    "hashish",
    "methamphetamine",
    "amphetamine",
    "captagon",
    "cocaine",
    "methadone",
    "tramadol",
    "ecstasy",
    "synthetic_cannabinoid",
    "psychotropic_pills",
    "unspecified",
    "fentanyl",
    "ketamine",
    "pregabalin",
    "mephedrone",
    "acetic_anhydride",
]


@pytest.mark.parametrize("code", EVALUATION_CODES)
def test_evaluation_codes_exist(vocab: Vocabulary, code: str) -> None:
    drug = vocab.drugs.get(code)
    assert drug.code == code
    assert vocab.drug_groups.get(drug.group).code == drug.group


def test_get_unknown_raises_keyerror(vocab: Vocabulary) -> None:
    with pytest.raises(KeyError):
        vocab.drugs.get("no_such_drug")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("гашиш", "hashish"),
        ("героин", "heroin"),
        ("марихуана", "cannabis"),
        ("опий", "opium"),
        ("метамфетамин", "methamphetamine"),
        ("кокаин", "cocaine"),
        ("метадон", "methadone"),
        ("трамадол", "tramadol"),
        ("tiryək", "opium"),
        ("marixuana", "cannabis"),
        ("həşiş", "hashish"),
        ("metamfetamin", "methamphetamine"),
        ("kokain", "cocaine"),
        ("metadon", "methadone"),
        ("هروئین", "heroin"),
        ("هرویین", "heroin"),
        ("تریاک", "opium"),
        ("حشیش", "hashish"),
        ("ماری جوانا", "cannabis"),
        ("شیشه", "methamphetamine"),
        ("متادون", "methadone"),
        ("ترامادول", "tramadol"),
        ("مورفین", "morphine"),
        ("کوکائین", "cocaine"),
        ("eroin", "heroin"),
        ("esrar", "cannabis"),
        ("uyuşturucu hap", "psychotropic_pills"),
        ("bonzai", "synthetic_cannabinoid"),
        ("weed", "cannabis"),
        ("ganja", "cannabis"),
        ("charas", "hashish"),
        ("crystal meth", "methamphetamine"),
        ("shisheh", "methamphetamine"),
        ("Captagon pills", "captagon"),
        ("MDMA", "ecstasy"),
    ],
)
def test_multilingual_lookup(vocab: Vocabulary, text: str, code: str) -> None:
    found = vocab.drugs.lookup(text)
    assert found is not None, text
    assert found.code == code


def test_iranian_crack_is_heroin_not_cocaine(vocab: Vocabulary) -> None:
    iranian = vocab.drugs.lookup("کراک")
    assert iranian is not None and iranian.code == "heroin"
    assert iranian.note is not None and "کراک" in iranian.note
    crack = vocab.drugs.lookup("crack")
    assert crack is not None and crack.group == "cocaine_type"


def test_unodc_cocaine_distinctions_kept(vocab: Vocabulary) -> None:
    codes = {
        t: vocab.drugs.lookup(t) for t in ["Coca paste", "Cocaine Base", "Cocaine HCL", "Crack", "Coca leaf"]
    }
    assert {t: d.code for t, d in codes.items() if d} == {
        "Coca paste": "coca_paste",
        "Cocaine Base": "cocaine_base",
        "Cocaine HCL": "cocaine",
        "Crack": "crack",
        "Coca leaf": "coca_leaf",
    }
    assert all(d is not None and d.group == "cocaine_type" for d in codes.values())


def test_lookup_ignores_case_and_punctuation(vocab: Vocabulary) -> None:
    assert (
        vocab.drugs.lookup("COCAINE (HCL)") == vocab.drugs.lookup("cocaine-hcl") == vocab.drugs.get("cocaine")
    )
    assert vocab.drugs.lookup("jwh 018") == vocab.drugs.get("jwh_018")
    assert vocab.drugs.lookup("definitely not a drug") is None


def test_schedules(vocab: Vocabulary) -> None:
    d = vocab.drugs.get
    assert set(d("heroin").schedules) == {"1961:I", "1961:IV"}
    assert d("cocaine").schedules == ("1961:I",)
    assert d("methamphetamine").schedules == ("1971:II",)
    assert d("ecstasy").schedules == ("1971:I",)
    assert d("acetic_anhydride").schedules == ("1988:Table I",)
    assert d("sulphuric_acid").schedules == ("1988:Table II",)
    for code in ("tramadol", "pregabalin", "ketamine"):
        drug = d(code)
        assert drug.schedules == ()
        assert drug.note and "not under international control" in drug.note.lower()


def test_names_in_five_languages_for_common_drugs(vocab: Vocabulary) -> None:
    for code in (
        "heroin",
        "opium",
        "hashish",
        "cannabis",
        "methamphetamine",
        "cocaine",
        "methadone",
        "tramadol",
    ):
        assert {"en", "ru", "az", "fa", "tr"} <= set(vocab.drugs.get(code).names), code


def test_kinds_and_groups(vocab: Vocabulary) -> None:
    assert vocab.drugs.get("acetic_anhydride").kind == "precursor"
    assert vocab.drugs.get("heroin").kind == "drug"
    assert vocab.drugs.get("jwh_018").group == "synthetic_cannabinoids"
    assert {d.code for d in vocab.drugs.in_group("precursors")} >= {"ephedrine", "pseudoephedrine", "p2p"}
    for drug in vocab.drugs.all():
        assert drug.group in vocab.drug_groups


def test_group_lookup_by_unodc_labels(vocab: Vocabulary) -> None:
    g = vocab.drug_groups.lookup
    assert (t := g("Amphetamine-type stimulants (excluding “ecstasy”)")) and t.code == "ats"
    assert (t := g("Cannabis-type drugs (excluding synthetic cannabinoids)")) and t.code == "cannabis_type"
    assert (t := g("Sedatives and tranquilizers")) and t.code == "sedatives"


def test_tablet_masses_are_documented(vocab: Vocabulary) -> None:
    for drug in vocab.drugs.all():
        if drug.tablet_kg is not None:
            assert drug.tablet_kg > 0 and drug.tablet_source
        if drug.density_kg_per_l is not None:
            assert drug.density_kg_per_l > 0 and drug.density_source
