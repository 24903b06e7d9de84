"""A person chooses the dashboard's period (English and Persian, wide and narrow screens) and finds
records by typing a place's name and picking one of the suggestions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from browser.conftest import open_menu
from conftest import PASSWORD
from fixtures.make import ids_row, import_file, write_ids


@pytest.fixture
def later(engine: Engine, scope: Scope, tmp_path: Path, live_server: str) -> str:
    """Six 2025 records at Bilasuvar beside the server's three of 2016."""
    rows = [
        ids_row(AMOUNT=str(10 + i), SEIZURE_DATE=f"2025-0{i + 1}-02", PLACE="KPP Bilasuvar",
                ADMINISTRATIVE_DIVISION="Bilasuvar")
        for i in range(6)
    ]  # fmt: skip
    import_file(engine, scope, write_ids(tmp_path / "later.csv", rows))
    return live_server


def _log_in(browser: Any, server: str, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto(server + "/login")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def _fits(element: Any, width: int) -> None:
    """The element is inside the screen (the page's own width at 390 px is the phones work's)."""
    box = element.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", [1366, 390])
def test_choose_a_period_on_the_dashboard(browser: Any, later: str, shots: Path, width: int) -> None:
    page = _log_in(browser, later, width)
    page.goto(later + "/dashboard")
    tiles = page.locator("section.tiles")
    expect(tiles).to_contain_text("Seizure events, 2016–2025, all recorded data")
    expect(tiles.locator("strong").first).to_have_text("9")
    assert "Astara" in page.locator("table").first.inner_text()  # 2016's place is still there
    page.screenshot(path=shots / f"period-dashboard-all-{width}.png", full_page=True)

    page.get_by_label("Period").select_option("2016")
    page.get_by_role("button", name="Show").click()
    expect(tiles).to_contain_text("Seizure events, 2016")
    expect(tiles.locator("strong").first).to_have_text("3")
    assert "Bilasuvar" not in page.locator("table").first.inner_text()
    _fits(page.locator("form.period-form"), width)
    page.screenshot(path=shots / f"period-dashboard-2016-{width}.png", full_page=True)

    open_menu(page)  # on a phone the language switch is in the header's menu
    page.get_by_label("Language").select_option("fa")
    page.get_by_role("button", name="OK").click()
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator("section.tiles")).to_contain_text("رویدادهای کشف، ۲۰۱۶")  # the period stayed
    page.get_by_label("بازهٔ زمانی").select_option("2025Q1")
    page.get_by_role("button", name="نمایش").click()
    expect(page.locator("section.tiles")).to_contain_text("رویدادهای کشف، سه‌ماههٔ ۱ سال ۲۰۲۵")
    expect(page.locator("section.tiles strong").first).to_have_text("۳")
    _fits(page.locator("form.period-form"), width)
    page.screenshot(path=shots / f"period-dashboard-fa-2025Q1-{width}.png", full_page=True)
    page.close()


def test_type_a_place_and_pick_a_suggestion(browser: Any, later: str, shots: Path) -> None:
    page = _log_in(browser, later, 1366)
    page.goto(later + "/")
    place = page.get_by_label("Place")
    place.press_sequentially("آستا", delay=50)
    suggestions = page.locator("#places option")
    expect(suggestions.first).to_be_attached()  # filled from /api/places as the name is typed
    values = [o.get_attribute("value") for o in suggestions.all()]
    picked = next(v for v in values if v and v.startswith("Astara–Astara road crossing"))
    place.fill(picked)  # what choosing the suggestion does to the field
    page.screenshot(path=shots / "place-suggestions.png")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("p.count")).to_contain_text("2 seizure events")
    expect(page.get_by_label("Place")).to_have_value(picked)

    page.get_by_label("Place").fill("Astarra")
    page.get_by_role("button", name="Filter").click()
    hint = page.locator("p.place-hint")
    expect(hint).to_contain_text("No place called “Astarra” in the gazetteer. Did you mean:")
    page.screenshot(path=shots / "place-unknown.png", full_page=True)
    hint.get_by_role("link", name="Astara–Astara road crossing (Astarachay bridges)").click()
    expect(page.locator("p.count")).to_contain_text("2 seizure events")

    page.get_by_role("link", name="kg eq.").click()  # the largest first, the place kept
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("kg eq.")
    expect(page.get_by_label("Place")).to_have_value("az-ir-astara-road")
    page.get_by_label("Language").select_option("fa")
    page.get_by_role("button", name="OK").click()
    expect(page.locator("nav.pager")).to_contain_text("صفحهٔ ۱ از ۱")
    page.locator("details.export-menu summary").click()
    page.screenshot(path=shots / "list-sorted-export-fa.png", full_page=True)
    page.close()
