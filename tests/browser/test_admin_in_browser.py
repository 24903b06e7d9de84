"""An administrator with a browser, in English and Persian, on a desk and a phone: adds a user on the
Users page, creates an API token (shown once, then never again) and reads the audit log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from astara.i18n import catalogue, translate
from browser.conftest import open_menu
from conftest import PASSWORD


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("width", [1366, 390])
def test_add_a_user_and_create_a_token(
    browser: Any, live_server: str, shots: Path, lang: str, width: int
) -> None:
    def t(key: str, **values: object) -> str:
        return translate(lang, key, **values)

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_server + "/login")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    open_menu(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # logged in before switching language
    page.get_by_label("Language").select_option(lang)
    page.get_by_role("button", name="OK").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")

    open_menu(page)
    page.get_by_role("link", name=t("nav.users"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("users.title"))
    form = page.locator("form[action='/users']")
    form.get_by_label(t("users.username")).fill(f"farid-{lang}-{width}@az-scs")
    form.get_by_label(t("users.display_name")).fill("Farid Aliyev")
    form.get_by_label(t("users.role")).select_option("liaison")
    form.get_by_label(t("users.initial_password")).fill("short")  # refused at its field, in the language
    form.get_by_role("button", name=t("users.add_button")).click()
    expect(page.locator("#e-farid-" + lang + "-" + str(width) + "-az-scs-password")).to_have_text(
        t("admin.problem.password_short", min=12, length=5)
    )
    expect(form.get_by_label(t("users.display_name"))).to_have_value("Farid Aliyev")  # what was typed is kept
    form.get_by_label(t("users.initial_password")).fill("a long pass phrase of his")
    form.get_by_role("button", name=t("users.add_button")).click()
    expect(page.get_by_role("status")).to_have_text(
        t("users.done.added", name=f"farid-{lang}-{width}@az-scs")
    )
    row = page.locator("tr", has_text=f"farid-{lang}-{width}@az-scs")
    expect(row.locator("select[name=role]")).to_have_value("liaison")
    expect(row).to_contain_text(t("users.role.liaison"))
    page.screenshot(path=shots / f"admin-users-{lang}-{width}.png", full_page=True)

    open_menu(page)
    page.get_by_role("link", name=t("nav.tokens"), exact=True).click()
    page.get_by_label(t("tokens.name")).fill("nightly export")
    page.get_by_role("button", name=t("tokens.create_button")).click()
    token = page.locator("#new-token")
    expect(token).to_have_value(re.compile(r"^astara_\S{40,}$"))
    expect(page.locator(".new-token")).to_contain_text(t("tokens.shown_once"))
    plain = token.input_value()
    page.screenshot(path=shots / f"admin-token-{lang}-{width}.png", full_page=True)
    open_menu(page)
    page.get_by_role("link", name=t("nav.tokens"), exact=True).click()
    expect(page.locator("table")).to_contain_text("nightly export")
    assert plain not in page.content() and plain[:12] in page.content()  # never shown again

    open_menu(page)
    page.get_by_role("link", name=t("nav.audit"), exact=True).click()
    page.get_by_role("link", name=t("audit.verify")).click()
    expect(page.locator("#verified")).to_contain_text(catalogue()["audit.intact"][lang].split("{")[0].strip())
    expect(page.locator("td[data-action=token]").first).to_have_text(t("audit.act.token"))
    page.screenshot(path=shots / f"admin-audit-{lang}-{width}.png", full_page=True)
    assert page.evaluate("document.querySelector('main').scrollWidth") <= width  # tables scroll in their box
    page.close()


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_administration_pages_pass_axe(browser: Any, live_server: str, lang: str) -> None:
    from browser.test_accessibility import _axe_source, _violations

    source = _axe_source()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/login")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    open_menu(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_label("Language").select_option(lang)
    page.get_by_role("button", name="OK").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    problems = {}
    for path in ("/users", "/tokens", "/audit?verify=1"):
        page.goto(live_server + path)
        found = _violations(page, source)
        if found:
            problems[path] = found
    assert problems == {}
