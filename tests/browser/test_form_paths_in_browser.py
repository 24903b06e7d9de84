"""A person correcting a seizure in the browser, in English and Persian: a wrong quantity comes back
with its problem at the field, and a save over someone else's newer one shows both versions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

SAY = {
    "en": {"not_saved": "The seizure was not saved", "quantity": "more than zero",
           "elsewhere": "Someone else saved this seizure", "theirs": "Saved by someone else (version 2)"},
    "fa": {"not_saved": "کشف ذخیره نشد", "quantity": "بیشتر از ۰",
           "elsewhere": "کس دیگری این کشف را ذخیره کرده است", "theirs": "ذخیره‌شده به دست دیگری (نسخهٔ ۲)"},
}  # fmt: skip


def _save(page: Any) -> None:
    page.locator("form.record-form button[type=submit]:not([name])").click()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_wrong_quantity_and_an_edit_conflict(
    browser: Any, live_server: str, shots: Path, language: str
) -> None:
    say = SAY[language]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    mine = context.new_page()
    mine.goto(live_server + "/login")
    mine.get_by_label("User name").fill("admin@az-scs")
    mine.get_by_label("Password").fill(PASSWORD)
    mine.get_by_role("button", name="Log in").click()
    expect(mine.locator("p.count")).to_be_visible()
    mine.locator("form.lang select").select_option(language)
    mine.locator("form.lang button").click()
    expect(mine.locator("html")).to_have_attribute("lang", language)
    mine.locator("table tbody a").first.click()  # the header's links sort
    expect(mine.locator("dl.record")).to_be_visible()
    edit_url = mine.url + "/edit"

    mine.goto(edit_url)
    mine.locator('input[name="items-0-quantity"]').fill("-5")
    _save(mine)
    expect(mine.get_by_role("alert")).to_contain_text(say["not_saved"])
    expect(mine.locator("#e-items-0-quantity")).to_contain_text(say["quantity"])
    expect(mine.locator('input[name="items-0-quantity"]')).to_have_value("-5")  # what was typed is kept
    mine.screenshot(path=shots / f"edit_error_{language}.png", full_page=True)

    theirs = context.new_page()  # the same form opened meanwhile by a colleague
    theirs.goto(edit_url)
    mine.locator('input[name="items-0-quantity"]').fill("5")
    mine.locator('textarea[name="notes"]').fill("mine: re-weighed")
    theirs.locator('textarea[name="notes"]').fill("theirs: lab report attached")
    theirs.locator("form.record-form button[type=submit]:not([name])").click()
    expect(theirs.locator("dl.record")).to_contain_text("theirs: lab report attached")
    _save(mine)
    expect(mine.get_by_role("alert")).to_contain_text(say["elsewhere"])
    conflict = mine.locator("table.conflict")
    expect(conflict).to_contain_text("theirs: lab report attached")
    expect(conflict).to_contain_text("mine: re-weighed")
    expect(conflict.locator("thead")).to_contain_text(say["theirs"])
    mine.screenshot(path=shots / f"edit_conflict_{language}.png", full_page=True)
    mine.set_viewport_size({"width": 390, "height": 844})
    mine.screenshot(path=shots / f"edit_conflict_{language}_390.png", full_page=True)
    mine.set_viewport_size({"width": 1366, "height": 900})

    _save(mine)  # having looked at theirs, save mine over it
    expect(mine.locator("dl.record")).to_contain_text("mine: re-weighed")
    assert re.search(r"/seizures/[^/]+$", mine.url)
    context.close()
