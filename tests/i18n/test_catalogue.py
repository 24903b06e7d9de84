"""One catalogue, four languages: every key complete, every placeholder kept, every used key present."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from astara import i18n
from astara.i18n import LANGUAGES, best_language, catalogue, localise_date, localise_number, translate

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "astara" / "web" / "templates"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_every_language_and_the_same_placeholders() -> None:
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGUAGES), f"{key} lacks {set(LANGUAGES) - set(entry)}"
        assert all(entry[lang].strip() for lang in LANGUAGES), key
        assert all(_fields(entry[lang]) == _fields(entry["en"]) for lang in LANGUAGES), key


def test_every_key_the_templates_use_is_in_the_catalogue() -> None:
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", template.read_text(encoding="utf-8")))
    assert used and used <= set(catalogue()), sorted(used - set(catalogue()))


def test_persian_numbers_and_jalali_dates() -> None:
    assert localise_number(1234567, "fa") == "۱٬۲۳۴٬۵۶۷"
    assert localise_number(1234.56, "en") == "1,234.6"
    assert localise_date(dt.date(2016, 3, 20), "fa") == "۱۳۹۵/۰۱/۰۱"  # Nowruz 1395
    assert localise_date(dt.date(2016, 3, 20), "az", "month") == "2016-03"
    # partial dates written as text (news drafts): Jalali in Persian, as they are otherwise
    assert localise_date("2016-03-20", "fa") == "۱۳۹۵/۰۱/۰۱"
    assert localise_date("2016-05", "fa") == "۱۳۹۵/۰۲ (۲۰۱۶-۰۵)"
    assert localise_date("2016", "ru") == "2016" and localise_date("2016-13", "fa") == "2016-13"
    assert translate("ru", "list.page", page=3) == "Страница 3"


def test_browser_language_is_honoured_when_supported() -> None:
    assert best_language("fa-IR,fa;q=0.9,en;q=0.5") == "fa"
    assert best_language("de-DE,az;q=0.8") == "az"
    assert best_language("de-DE") == "en"


def test_a_key_in_two_catalogue_files_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text("x.y: {en: One, az: Bir, ru: Один, fa: یک}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("x.y: {en: Two, az: İki, ru: Два, fa: دو}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE", tmp_path)
    catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"b\.yaml defines keys another catalogue file has: x\.y"):
            catalogue()
    finally:
        catalogue.cache_clear()
