"""Every page checked by axe-core (the engine behind browsers' accessibility audits) in English and
Persian: no moderate, serious or critical violation of WCAG 2.1 A/AA and axe's best practices (labels,
contrast, names of links and buttons, landmarks, headings, language). And the keyboard alone works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD

PAGES = ["/", "/seizures/new", "/map", "/dashboard", "/imports/new", "/reports", "/sharing", "/network"]


def _axe_source() -> str:
    module = pytest.importorskip("axe_playwright_python")
    return (Path(module.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _violations(page: Any, source: str) -> list[str]:
    page.evaluate(source)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    found = []
    for v in result["violations"]:
        if v["impact"] in ("moderate", "serious", "critical"):
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            found.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return found


@pytest.mark.parametrize("language", ["en", "fa"])
def test_pages_have_no_serious_accessibility_violations(
    browser: Any, live_server: str, shots: Path, language: str
) -> None:
    source = _axe_source()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/login")
    assert _violations(page, source) == [], "/login"
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if language != "en":
        page.get_by_label("Language").select_option(language)
        page.get_by_role("button", name="OK").click()
    problems: dict[str, list[str]] = {}
    for path in PAGES:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        found = _violations(page, source)
        if found:
            problems[path] = found
    assert problems == {}


def test_the_keyboard_alone_reaches_the_records(browser: Any, live_server: str, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/login")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Tab")  # the first stop is the link that skips the navigation
    skip = page.evaluate("document.activeElement.getAttribute('href')")
    assert skip == "#main"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # visible focus
    page.screenshot(path=shots / "a11y-skip-link.png")
    page.keyboard.press("Enter")
    for _ in range(40):  # Tab onwards to the first seizure's link, then open it with Enter
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if href.startswith("/seizures/") and href != "/seizures/new":
            break
    else:
        raise AssertionError("no seizure link reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Seizure ")
