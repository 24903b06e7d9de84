"""Seizures in Russian, Azerbaijani, Turkish and Persian: one pipeline, each language's words as data.

Every sentence here is written for this test. Each case is one short article and the events it
holds, as (drug code, kilograms or count).
"""

from __future__ import annotations

import pytest

from astara.extraction.service import extract_text

CASES = [
    # Russian: case endings, decimal comma, compound units, number words
    ("ru", "Пограничники изъяли 2,5 кг героина у жителя приграничного села.", [("heroin", 2.5)]),
    ("ru", "Полицейские обнаружили в гараже 1 тонну 600 кг гашиша, сообщает МВД.", [("hashish", 1600)]),
    (
        "ru",
        "При обыске у задержанного нашли 500 граммов мефедрона и 3 кг марихуаны.",
        [("mephedrone", 0.5), ("cannabis", 3)],
    ),
    ("ru", "Таможенники изъяли 15 тысяч таблеток трамадола в грузовике из Ирана.", [("tramadol", 15000)]),
    ("ru", "В порту изъято около 1,2 тонны кокаина, спрятанного в бананах.", [("cocaine", 1200)]),
    # Azerbaijani: decimal comma, "kq ... qram", counters, ablative and genitive endings
    ("az", "Sərhədçilər 456 kq 800 qram heroin aşkar edib.", [("heroin", 456.8)]),
    ("az", "Polis əməkdaşları sürücünün cibindən 1,640 qram tiryək götürüb.", [("opium", 0.00164)]),
    ("az", "Gömrük postunda 12 min ədəd metadon həbi aşkarlanıb.", [("methadone", 12000)]),
    ("az", "Əməliyyat zamanı 3 kiloqramdan artıq marixuana ələ keçirilib.", [("cannabis", 3)]),
    # Turkish: "bin" thousands, counters, suffixed drug names, word numbers
    ("tr", "Jandarma ekipleri bir depoda 2,5 kilogram metamfetamin ele geçirdi.", [("methamphetamine", 2.5)]),
    ("tr", "Operasyonda 15 bin adet uyuşturucu hap ele geçirildi.", [("psychotropic_pills", 15000)]),
    ("tr", "Gümrük Muhafaza ekipleri tırda 1 ton 200 kilogram esrar yakaladı.", [("cannabis", 1200)]),
    ("tr", "Yapılan aramada iki kilo kokainin gizlendiği valiz bulundu.", [("cocaine", 2)]),
    # Persian: Persian digits, Persian decimal mark, number words, ZWNJ, "of the type" links
    ("fa", "ماموران انتظامی ۱۲۰ کیلوگرم تریاک کشف کردند.", [("opium", 120)]),
    ("fa", "در این عملیات ۳٫۵ کیلوگرم حشیش کشف و ضبط شد.", [("hashish", 3.5)]),
    ("fa", "مرزبانان دو تن و سیصد کیلوگرم مواد مخدر از نوع تریاک توقیف کردند.", [("opium", 2300)]),
    (
        "fa",
        "پلیس ۵۰۰ گرم شیشه و ده هزار عدد قرص‌های روانگردان کشف کرد.",
        [("methamphetamine", 0.5), ("psychotropic_pills", 10000)],
    ),
]


def _events(code: str, text: str) -> list[tuple[str, float]]:
    result = extract_text(text, "2024-05-06", "t")
    assert result.language == code, result.warnings
    return [(e.drug, round(e.kg if e.kg is not None else e.quantity, 6)) for e in result.events]


@pytest.mark.parametrize(
    ("code", "text", "expected"), CASES, ids=[f"{c}-{n}" for n, (c, _, _) in enumerate(CASES)]
)
def test_a_seizure_in_each_language(code: str, text: str, expected: list[tuple[str, float]]) -> None:
    # short texts are too short to tell Latin-script languages apart by words, so pad with one
    # ordinary sentence of the same language
    assert _events(code, text + PAD[code]) == expected


PAD = {
    "ru": " Как сообщает пресс-служба ведомства, по этому факту было возбуждено уголовное дело, и это "
    "не первый такой случай в регионе, где также работают следователи.",
    "az": " Bu barədə məlumat verilib və faktla bağlı cinayət işi başlanılıb, araşdırma davam edir, bu "
    "isə daha bir uğurlu əməliyyat olub ki, ilə də bağlıdır.",
    "tr": " Olayla ilgili soruşturma başlatıldı ve şüpheliler gözaltına alındı, bu da bir ilk değil, "
    "ekipler için bu kadar büyük bir miktar da nadir olarak görülen bir durum oldu.",
    "fa": " این خبر را سخنگوی پلیس اعلام کرد.",
}


STATISTICS = [
    ("ru", "С начала года сотрудники управления изъяли 350 кг наркотиков."),
    ("az", "İlin əvvəlindən bəri 1,2 ton narkotik vasitə ələ keçirilib."),
    ("tr", "Yılbaşından bu yana 4 ton uyuşturucu ele geçirildi."),
    ("fa", "از ابتدای سال ۱۲ تن مواد مخدر کشف شده است."),
]


@pytest.mark.parametrize(("code", "text"), STATISTICS)
def test_a_period_total_is_a_statistic_not_a_seizure(code: str, text: str) -> None:
    result = extract_text(text + PAD[code], "2024-05-06")
    assert result.events == []
    assert [s.value for s in result.statistics] in ([350.0], [1.2], [4.0], [12.0])


def test_persian_zero_width_non_joiner_present_or_stripped_reads_the_same() -> None:
    joined = "ماموران ۴ کیلوگرم هروئین و ۲۰۰ عدد قرص‌های روانگردان کشف کردند."
    stripped = joined.replace("\u200c", "")
    spaced = joined.replace("\u200c", " ")
    got = [_events("fa", text) for text in (joined, stripped, spaced)]
    assert got[0] == [("heroin", 4), ("psychotropic_pills", 200)]
    assert got[1] == got[0] and got[2] == got[0]


def test_persian_jalali_date_becomes_gregorian_and_the_quote_stays_verbatim() -> None:
    text = "روز ۲۹ اسفند ۱۴۰۲ ماموران گمرک ۳۰ کیلوگرم تریاک کشف کردند."
    (event,) = extract_text(text, "2024-03-25").events
    assert (event.drug, event.kg, event.date) == ("opium", 30, "2024-03-19")
    assert event.quote == text  # Persian digits kept


def test_arabic_indic_digits_read_as_numbers() -> None:
    (event,) = extract_text("الشرطة کشف ٤٥ کیلوگرم حشیش کردند.", "2024-05-06").events
    assert (event.drug, event.kg) == ("hashish", 45)


def test_an_english_page_quoting_a_persian_headline_is_read_as_english() -> None:
    text = (
        "کشف ۲۰ کیلوگرم تریاک در مرز\n\n"
        "Iranian border guards seized 20 kg of opium near the Afghan border on Monday, the provincial "
        "police chief said. The smugglers fled across the border and a search is under way, he added."
    )
    result = extract_text(text, "2024-05-06")
    assert result.language == "en"
    assert [(e.drug, e.kg) for e in result.events] == [("opium", 20)]


def test_a_table_of_figures_gives_no_seizure_and_no_crash() -> None:
    rows = "\n".join(f"{year} | {n} kq | {n * 3} ədəd" for n, year in enumerate(range(2001, 2024), 7))
    result = extract_text("Narkotik vasitələr üzrə illik göstəricilər və faktlar\n" + rows, "2024-05-06")
    assert result.events == []


def test_an_absurd_quantity_is_flagged_not_stored_silently() -> None:
    result = extract_text("Polis 5 milyon ton heroin ele geçirdi." + PAD["tr"], "2024-05-06")
    (event,) = result.events
    assert event.warnings and "larger than any recorded" in event.warnings[0]
    assert event.confidence <= 0.2


def test_mixed_scripts_in_one_word_give_no_crash() -> None:
    # a Latin "p" and "o" inside a Cyrillic word, as copied text sometimes has
    text = "Полиция изъяла 3 кг геpоина и 2 кг гашиша." + PAD["ru"]
    result = extract_text(text, "2024-05-06")
    assert [(e.drug, e.kg) for e in result.events] == [("heroin", 3), ("hashish", 2)]
    assert "геpоина" in result.events[0].quote  # the quote keeps the text as it was typed


def test_azerbaijani_in_cyrillic_script_is_read_as_azerbaijani() -> None:
    text = (
        "Дөвләт Сәрһәд Хидмәтинин әмәкдашлары Астара рајонунда 15 кг һероин ашкар едибләр. Бу барәдә "
        "мәлумат верилиб вә фактла бағлы ҹинајәт иши башланылыб."
    )
    result = extract_text(text, "2024-05-06")
    assert result.language == "az"
    (event,) = result.events
    assert (event.drug, event.kg, event.agency) == ("heroin", 15, "State Border Service")
    assert event.quote.startswith("Дөвләт")


def test_a_ten_megabyte_persian_page_is_cut_with_a_warning() -> None:
    text = "ماموران ۳ کیلوگرم تریاک کشف کردند. " + "این گزارش توسط خبرگزاری منتشر شد. " * 300_000
    assert len(text) > 10_000_000
    result = extract_text(text, "2024-05-06")
    assert [(e.drug, e.kg) for e in result.events] == [("opium", 3)]
    assert any("only the beginning was read" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("code", "text", "fields"),
    [
        (
            "az",
            "Dövlət Gömrük Komitəsinin əməkdaşları Astara gömrük postunda İrandan gələn yük maşınında "
            "40 kq heroin aşkar ediblər.",
            {
                "agency": "State Customs Committee",
                "place": "Astara",
                "country": "AZ",
                "origin": "IR",
                "transport": "truck",
            },
        ),
        (
            "ru",
            "Сотрудники ФСБ изъяли 12 кг гашиша в Баку у гражданина, приехавшего из Ирана.",
            {"agency": "Federal Security Service (FSB)", "place": "Baku", "country": "AZ", "origin": "IR"},
        ),
        (
            "tr",
            "Jandarma ekipleri Mersin'de İran'dan gelen bir tırda 25 kilogram eroin ele geçirdi.",
            {
                "agency": "Gendarmerie",
                "place": "Mersin",
                "country": "TR",
                "origin": "IR",
                "transport": "truck",
            },
        ),
        (
            "fa",
            "ماموران پلیس مبارزه با مواد مخدر در شهرستان تایباد ۵۰ کیلوگرم تریاک کشف کردند.",
            {"agency": "Anti-Narcotics Police", "place": "Tāybād", "country": "IR"},
        ),
    ],
)
def test_fields_come_out_in_english_whatever_the_language(
    code: str, text: str, fields: dict[str, str]
) -> None:
    (event,) = extract_text(text + PAD[code], "2024-05-06").events
    got = {name: getattr(event, name) for name in fields}
    assert {k: (v.split("–")[0] if k == "place" and v else v) for k, v in got.items()} == fields


def test_a_persian_page_with_english_menus_and_headline_goes_by_its_body() -> None:
    menus = "\n".join(["Home | World | Business | Sport | Contact us", "Drug bust at the border"] * 30)
    body = (
        "ماموران انتظامی استان در بازرسی از یک دستگاه کامیون ۸۰ کیلوگرم تریاک کشف کردند و راننده "
        "آن را دستگیر کردند، این خبر را فرمانده انتظامی استان به خبرنگاران اعلام کرد."
    )
    result = extract_text(menus + "\n\n" + body, "2024-05-06")
    assert result.language == "fa"
    assert [(e.drug, e.kg) for e in result.events] == [("opium", 80)]


ARTICLES = [
    (
        "ru",
        "Пограничники Казахстана задержали грузовик, следовавший из Узбекистана. Всего в кузове нашли "
        "84 кг наркотиков: 60 кг гашиша и 24 кг героина.\n"
        "Водитель, гражданин Таджикистана, задержан. С начала года в регионе изъято более 2 тонн наркотиков.",
        [("hashish", 60, "KZ", "UZ"), ("heroin", 24, "KZ", "UZ")],
    ),
    (
        "tr",
        "Mersin'de düzenlenen operasyonda bir kamyonda 120 kilogram esrar ele geçirildi. Başka bir "
        "operasyonda ise Adana'da 3 kilo 250 gram eroin bulundu.\n"
        "Yılbaşından bu yana ilde 4 ton uyuşturucu ele geçirildiği belirtildi.",
        [("cannabis", 120, "TR", None), ("heroin", 3.25, "TR", None)],
    ),
    (
        "az",
        "Dövlət Sərhəd Xidmətinin Biləsuvar sərhəd dəstəsinin əməkdaşları İrandan Azərbaycana 35 kq 600 "
        "qram narkotik vasitənin keçirilməsinin qarşısını alıblar. Ekspertiza zamanı maddələrin 30 kq "
        "tiryək və 5 kq 600 qram heroin olduğu müəyyən edilib.\n"
        "Ötən il ərzində sərhəddə 2,5 ton narkotik vasitə ələ keçirilib.",
        [("opium", 30, "AZ", "IR"), ("heroin", 5.6, "AZ", "IR")],
    ),
    (
        "fa",
        "فرمانده انتظامی استان گفت: ماموران در بازرسی از یک دستگاه تریلی ۷۵۰ کیلوگرم تریاک و ۴۰ "
        "کیلوگرم حشیش کشف کردند.\n"
        "وی افزود: از ابتدای امسال ۲۳ تن مواد مخدر در استان کشف شده که نسبت به مدت مشابه سال گذشته "
        "۱۵ درصد افزایش داشته است.",
        [("opium", 750, "IR", None), ("hashish", 40, "IR", None)],  # Iranian police wording
    ),
]


@pytest.mark.parametrize(("code", "text", "expected"), ARTICLES, ids=[a[0] for a in ARTICLES])
def test_breakdowns_incidents_and_period_totals(
    code: str, text: str, expected: list[tuple[str, float, str | None, str | None]]
) -> None:
    """A total gives way to its breakdown, two operations are two events, and the period's total
    is a statistic, in each language."""
    result = extract_text(text, "2024-05-06")
    assert result.language == code
    assert [(e.drug, e.kg, e.country, e.origin) for e in result.events] == expected
    assert len(result.statistics) == 1


def test_a_national_agency_gives_the_country_when_no_place_does() -> None:
    text = "Dövlət Gömrük Komitəsinin əməkdaşları yoxlama zamanı 5 kq heroin aşkar ediblər." + PAD["az"]
    (event,) = extract_text(text, "2024-05-06").events
    assert (event.agency, event.country) == ("State Customs Committee", "AZ")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Sərhəddə 3 kq heroin götürülüb.", "az"),
        ("Limanda 40 kilo esrar ele geçirildi, şüpheli tutuklandı.", "tr"),
        ("Police seized 3 kg of heroin.", "en"),
    ],
)
def test_a_short_latin_text_is_told_by_the_letters_only_its_language_writes(text: str, code: str) -> None:
    assert extract_text(text).language == code
