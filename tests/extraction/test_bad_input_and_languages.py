"""Texts an ingest will meet: empty, binary, huge, HTML, other languages. A clear warning, never junk."""

from __future__ import annotations

import pytest

from astara.extraction.language import detect_language
from astara.extraction.service import EXTRACTORS, MAX_CHARS, extract_text

RUSSIAN = (
    "Сотрудники таможни на пункте Астара обнаружили 40 кг героина в кузове грузовика. Водитель был "
    "задержан, по факту возбуждено уголовное дело, сообщает пресс-служба комитета. Как отмечается, "
    "груз следовал из Ирана в Россию через территорию Азербайджана и был оформлен как овощи."
)
AZERBAIJANI = (
    "Dövlət Gömrük Komitəsinin əməkdaşları Astara gömrük postunda yük maşınında 40 kq heroin aşkar "
    "ediblər. Sürücü saxlanılıb və bu barədə cinayət işi başlanılıb. Komitənin mətbuat xidmətindən "
    "bildirilib ki, yük İrandan Rusiyaya Azərbaycan ərazisi ilə daşınırdı və tərəvəz kimi rəsmiləşdirilib."
)
TURKISH = (
    "Van'da jandarma ekipmanları tarafından düzenlenen operasyonda bir kamyonda 40 kilogram eroin ele "
    "geçirildi. Şüpheli sürücü gözaltına alındı ve olayla ilgili soruşturma başlatıldı. "
    "Uyuşturucunun İran'dan getirildiği ve İstanbul'a götürülmek üzere olduğu belirlendi, "
    "bu kadar büyük bir miktar ise nadir."
)
PERSIAN = (
    "ماموران پلیس مبارزه با مواد مخدر استان گیلان در بازرسی از یک دستگاه کامیون در آستارا ۴۰ کیلوگرم "
    "هروئین کشف کردند. راننده این خودرو دستگیر و به مراجع قضایی معرفی شد."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [(RUSSIAN, "ru"), (AZERBAIJANI, "az"), (TURKISH, "tr"), (PERSIAN, "fa")],
)
def test_each_language_of_the_region_is_read(text: str, code: str) -> None:
    assert detect_language(text).code == code
    result = extract_text(text, "2024-01-01", "x")
    assert result.language == code
    assert [(e.drug, e.kg) for e in result.events] == [("heroin", 40)]
    (event,) = result.events
    assert event.quote in " ".join(text.split())  # verbatim, in the original script


GEORGIAN = (
    "საბაჟოს თანამშრომლებმა სასაზღვრო პუნქტზე სატვირთო მანქანაში ორმოცი კილოგრამი ჰეროინი აღმოაჩინეს. "
    "მძღოლი დააკავეს და საქმე გამოძიებას გადაეცა."
)
ARABIC = (
    "ضبطت قوات الأمن في الميناء أربعين كيلوغراما من الهيروين داخل شاحنة قادمة من الخارج، وتم القبض على "
    "السائق وإحالته إلى النيابة العامة للتحقيق معه في القضية."
)


@pytest.mark.parametrize(("text", "code"), [(GEORGIAN, "und"), (ARABIC, "ar")])
def test_a_language_without_extractor_gives_a_clear_warning_and_no_event(text: str, code: str) -> None:
    result = extract_text(text, "2024-01-01", "x")
    assert result.events == [] and result.statistics == []
    assert result.language == code
    (warning,) = result.warnings
    assert "English" in warning and "Persian" in warning and "no events" in warning


def test_english_with_foreign_drug_names_is_still_english() -> None:
    text = (
        "Police in Baku seized 5 kg of hashish (гашиш in the Russian-language report) on Monday. The "
        "suspect, a resident of Sumgayit, was detained, the Interior Ministry said in a statement."
    )
    result = extract_text(text, "2024-02-07")
    assert result.language == "en"
    assert [(e.drug, e.kg) for e in result.events] == [("hashish", 5)]


def test_the_five_languages_have_an_extractor() -> None:
    assert set(EXTRACTORS) == {"en", "ru", "az", "fa", "tr"}


def test_empty_and_whitespace_text() -> None:
    for text in ("", "   \n\t  "):
        result = extract_text(text, None, "e")
        assert result.events == [] and result.warnings == ["the text is empty"]


def test_binary_junk_gives_a_warning_not_a_crash() -> None:
    junk = bytes(range(256)).decode("latin-1") * 40
    result = extract_text(junk, None, "b")
    assert result.events == []
    assert any("NUL" in w for w in result.warnings)


def test_a_huge_text_is_cut_with_a_warning() -> None:
    text = (
        "Police seized 3 kg of opium in Baku on Monday. "
        + "The report was published by the ministry. " * 250_000
    )
    assert len(text) > 10_000_000
    result = extract_text(text, "2024-02-07")
    assert [(e.drug, e.kg) for e in result.events] == [("opium", 3)]
    assert any(f"{MAX_CHARS:,}" in w for w in result.warnings)


def test_html_scripts_are_not_read_as_text() -> None:
    page = (
        "<html><head><script>var claim = 'customs seized 500 kg of heroin';</script><style>p{}</style>"
        "</head><body><p>Police seized 9 kg of heroin in Tabriz on Friday.</p></body></html>"
    )
    result = extract_text(page, "2024-02-07")
    assert [(e.drug, e.kg, e.place) for e in result.events] == [("heroin", 9, "Tabriz")]
    assert "HTML markup was ignored" in result.warnings


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Police seized 1,0725kg of heroin in Baku.", [("heroin", 1.0725)]),
        ("Police seized 15 kg of 10 grams packets of heroin in Baku.", [("heroin", 15)]),
    ],
)
def test_odd_separators(phrase: str, expected: list[tuple[str, float]]) -> None:
    events = extract_text(phrase, "2024-02-07").events
    assert [(e.drug, pytest.approx(e.kg)) for e in events] == expected


def test_an_absurd_quantity_is_flagged() -> None:
    (event,) = extract_text("Police seized 9,000,000 kg of heroin in Baku on Monday.", "2024-02-07").events
    assert any("larger than any recorded single seizure" in w for w in event.warnings)
    assert event.confidence < 0.95


def test_a_bad_publication_date_is_named() -> None:
    result = extract_text("Police seized 3 kg of opium in Baku on Monday.", "last Tuesday")
    assert any("'last Tuesday' is not an ISO date" in w for w in result.warnings)
    assert result.events[0].date is None


def test_hard_wrapped_lines_are_read_as_sentences() -> None:
    text = (
        "Officers of the State Border Service found 12 kg of heroin hidden in the cabin of\n"
        "a truck at the Bilasuvar crossing on 3 March 2024. Two drivers were detained.\n"
    )
    (event,) = extract_text(text, "2024-03-05").events
    assert event.date == "2024-03-03" and event.transport == "truck"
    assert "\n" not in event.quote
