"""Texts that name drugs and amounts but report no seizure, in each language read; written for
these tests. Each must give no event."""

from __future__ import annotations

import pytest

from astara.extraction.service import extract_text

NOT_SEIZURES = [
    ("en", "HEROIN PRICES RISE\n\nA gram of heroin now sells for 40 dollars on the street, the report says."),
    ("en", "Police destroy 2 tonnes of drugs\n\nPolice burned 2 tonnes of confiscated narcotics on Friday."),
    ("en", "Farmers planted 500 hectares of opium poppy this season.\n\nThe UN expects 300 tonnes of opium."),
    ("ru", "ЦЕНЫ НА ГЕРОИН\n\nГрамм героина стоит на улице 50 долларов, говорится в докладе."),
    (
        "ru",
        "Полиция уничтожила 3 тонны наркотиков\n\nВ пятницу сожгли 3 тонны изъятых ранее наркотиков.",
    ),
    ("az", "Narkotiklərin qiyməti artıb\n\nBir qram heroinin qiyməti 40 manata çatıb, hesabatda deyilir."),
    ("az", "5 TON NARKOTİK MƏHV EDİLDİ\n\nCümə günü əvvəllər ələ keçirilmiş 5 ton narkotik yandırılıb."),
    ("tr", "EROİN FİYATLARI ARTTI\n\nRapora göre bir gram eroinin sokak fiyatı 40 dolara çıktı."),
    ("tr", "2 TON UYUŞTURUCU İMHA EDİLDİ\n\nDaha önce ele geçirilen 2 ton uyuşturucu cuma günü yakıldı."),
    ("fa", "قیمت هروئین افزایش یافت\n\nبه گفته گزارش، هر گرم هروئین در خیابان ۴۰ دلار فروخته می‌شود."),
    ("fa", "۲ تن مواد مخدر امحا شد\n\nروز جمعه ۲ تن مواد مخدر کشف شده قبلی سوزانده شد."),
]


@pytest.mark.parametrize(("language", "text"), NOT_SEIZURES)
def test_no_event_from_a_text_without_a_seizure(language: str, text: str) -> None:
    result = extract_text(text, "2025-01-10", "n")
    assert result.language == language
    assert result.events == []


@pytest.mark.parametrize(
    ("text", "drug", "kg"),
    [
        (
            "Police seized and destroyed 300 kg of cannabis on a farm near the border on Monday.",
            "cannabis",
            300,
        ),
        (
            "Jandarma ekipleri İzmir'de bir depoda yaptığı aramada 40 kilogram esrar ele geçirdi; "
            "şüpheli gözaltına alındı ve esrar daha sonra imha edilecek.",
            "cannabis",
            40,
        ),
    ],
)
def test_a_seizure_whose_drugs_are_destroyed_later_is_kept(text: str, drug: str, kg: float) -> None:
    events = extract_text(text, "2025-01-10", "s").events
    assert [(e.drug, e.kg) for e in events] == [(drug, kg)]
