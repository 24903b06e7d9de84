"""A person saves the filtered list under a name, opens it again from the list page's menu, and is
told at the name field when the name is missing (English and Persian, wide and narrow screens)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

SAY = {
    "en": {"menu": "Saved searches", "save": "Save", "empty": "Give the search a name.",
           "field": "Save this search as"},
    "fa": {"menu": "جست‌وجوهای ذخیره‌شده", "save": "ذخیره", "empty": "برای جست‌وجو نامی بگذارید.",
           "field": "ذخیرهٔ این جست‌وجو با نام"},
}  # fmt: skip


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("language", ["en", "fa"])
def test_save_a_search_and_open_it_again(
    browser: Any, live_server: str, shots: Path, language: str, width: int
) -> None:
    say = SAY[language]
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(live_server + "/login")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("p.count")).to_be_visible()
    page.locator("form.lang select").select_option(language)
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.set_viewport_size({"width": width, "height": 900})  # (a phone's header folds the language menu)

    page.goto(live_server + "/?q=Astara&drug=heroin")
    menu = page.locator("details.saved-menu")
    menu.locator("summary").click()
    menu.get_by_role("button", name=say["save"]).click()  # no name yet
    expect(page.locator("#se-new")).to_have_text(say["empty"])
    page.screenshot(path=shots / f"saved-search-empty-{language}-{width}.png", full_page=True)

    page.locator("#s-new").fill("هروئین آستارا" if language == "fa" else "Astara heroin")
    page.get_by_role("button", name=say["save"]).click()
    expect(page.locator('input[name="q"]')).to_have_value("Astara")
    page.goto(live_server + "/")
    expect(page.locator('input[name="q"]')).to_have_value("")
    menu = page.locator("details.saved-menu")
    menu.locator("summary").click()
    page.screenshot(path=shots / f"saved-search-menu-{language}-{width}.png", full_page=True)
    box = menu.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    menu.get_by_role("link", name="هروئین آستارا" if language == "fa" else "Astara heroin").click()
    expect(page.locator('input[name="q"]')).to_have_value("Astara")
    expect(page.locator('input[name="drug"]')).to_have_value("heroin")
