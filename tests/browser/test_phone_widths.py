"""A person with a phone: every page fits a 390 px screen in English and Persian (nothing to scroll
sideways but a table inside its own box), the header folds into a menu that holds the language switch
and Log out, and the wide screen still shows the navigation at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine, update

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import User
from astara.matching import store, watch
from astara.news import service as news
from browser.conftest import log_in_as_admin
from fixtures.make import ids_row, import_file, write_ids

ARTICLES = Path(__file__).resolve().parents[1] / "news" / "articles"
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}

# JavaScript: the page's width, and what sticks out of the screen when it is too wide
WIDTH = "() => document.documentElement.scrollWidth"
SPILL = """(limit) => {
  const clipped = el => { for (let a = el.parentElement; a; a = a.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  return Array.from(document.querySelectorAll('body *')).filter(el => {
    const r = el.getBoundingClientRect();
    return el.checkVisibility() && (r.right > limit + 1 || r.left < -1) && !clipped(el); })
  .slice(0, 5).map(el => { const r = el.getBoundingClientRect();
    return `${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`;
  }); }"""


@pytest.fixture
def stocked(live_server: str, engine: Engine, scope: Scope, tmp_path: Path) -> dict[str, str]:
    """Beside the live server's seizures: one from Afghanistan to Azerbaijan, a person, a watch list
    and news drafts, so every page has something wide to show."""
    row = ids_row(
        DEPARTURE_COUNTRY="Afghanistan", DESTINATION_COUNTRY="Azerbaijan", SEIZURE_DATE="2017-02-01"
    )
    import_file(engine, scope, write_ids(tmp_path / "route.csv", [row]))
    with transaction(engine) as session:
        watch.create_list(session, scope, "Caspian couriers", "People seen at the Astara crossing")
        watch.add_entry(session, scope, "Caspian couriers", "person", {"name": "Məmməd Rzayev"})
        record = {"name": "Məmməd Rzayev", "birth_date": "1971-05-05"}
        person, _ = store.create_entity(session, scope, "person", record)
        news.ingest(session, scope, news.read_paths([ARTICLES / "caspian_courier_astara_heroin.txt"]))
    return {"person": person.id}


def _record_paths(page: Any, base: str) -> tuple[str, str]:
    """The first listed seizure and the one from Afghanistan (its row in the list)."""
    page.goto(base + "/?departure_country=AF")
    href = page.locator("main tbody a").first.get_attribute("href")
    return href, href + "/edit"


def _paths(page: Any, base: str, stocked: dict[str, str]) -> list[str]:
    record, edit = _record_paths(page, base)
    return ["/dashboard", "/", record, edit, "/seizures/new", "/map", "/imports/new", "/reports", "/sharing",
            "/sharing/audit", "/network", "/news", "/entities?kind=person&name=Mammad+Rzayev",
            f"/entities/person/{stocked['person']}", "/watchlists", "/watchlists/Caspian%20couriers",
            "/alerts"]  # fmt: skip


def _name(path: str) -> str:
    parts = path.strip("/").split("?")[0].replace("%20", "-").split("/")
    if parts[0] in ("seizures", "entities") and len(parts) > 1 and parts[1] != "new":
        parts = [parts[0], "edit" if parts[-1] == "edit" else "record"]
    return "_".join(parts) or "list"


@pytest.mark.parametrize("language", ["en", "fa"])
def test_every_page_fits_a_phone(
    browser: Any, live_server: str, stocked: dict[str, str], shots: Path, engine: Engine, language: str
) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server + "/login")
    too_wide: dict[str, Any] = {}
    if page.evaluate(WIDTH) > PHONE["width"]:
        too_wide["/login"] = page.evaluate(SPILL, PHONE["width"])
    page.screenshot(path=shots / f"phone_{language}_login.png", full_page=True)
    log_in_as_admin(page, live_server, language)
    for path in _paths(page, live_server, stocked):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("main h1")).to_be_visible()
        if page.evaluate(WIDTH) > PHONE["width"]:
            too_wide[path] = page.evaluate(SPILL, PHONE["width"])
        page.screenshot(path=shots / f"phone_{language}_{_name(path)}.png", full_page=True)

    # the menu: closed at first, and once opened it holds the navigation, the language and Log out
    page.goto(live_server + "/dashboard")
    header = page.locator("header.top")
    expect(header.locator("form.lang")).to_be_hidden()
    header.locator("summary").click()
    expect(header.locator("form.lang select")).to_be_visible()
    expect(header.get_by_role("button", name=("Log out" if language == "en" else "خروج"))).to_be_visible()
    expect(header.locator("nav a[href='/map']")).to_be_visible()
    page.screenshot(path=shots / f"phone_{language}_menu_open.png", full_page=True)
    assert page.evaluate(WIDTH) <= PHONE["width"], page.evaluate(SPILL, PHONE["width"])
    header.locator("nav a[href='/map']").click()
    expect(page).to_have_url(live_server + "/map")

    # the first run's page, which nobody sees once an administrator can log in
    with transaction(engine) as session:
        session.execute(update(User).values(active=False))
    page.goto(live_server + "/setup?token=not-the-token")
    if page.evaluate(WIDTH) > PHONE["width"]:
        too_wide["/setup"] = page.evaluate(SPILL, PHONE["width"])
    page.screenshot(path=shots / f"phone_{language}_setup.png", full_page=True)
    context.close()
    assert too_wide == {}


def test_the_wide_screen_shows_the_navigation_at_once(
    browser: Any, live_server: str, stocked: dict[str, str], shots: Path
) -> None:
    page = browser.new_page(viewport=WIDE)
    log_in_as_admin(page, live_server, "en")
    page.goto(live_server + "/dashboard")
    header = page.locator("header.top")
    for name in ("Dashboard", "Map", "Sharing"):
        expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(header.get_by_role("button", name="Log out")).to_be_visible()
    expect(header.get_by_label("Language")).to_be_visible()
    expect(header.locator("summary")).to_be_hidden()
    for path in _paths(page, live_server, stocked):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(WIDTH) <= WIDE["width"], path
    page.goto(live_server + "/dashboard")
    page.screenshot(path=shots / "wide_en_dashboard.png", full_page=True)


# the route's stops from the reader's start: left to right in English, right to left in Persian
READING = """(route) => { const rtl = getComputedStyle(route).direction === 'rtl';
  return Array.from(route.querySelectorAll('bdi')).map(b => [b.textContent, b.getBoundingClientRect().left])
    .sort((a, b) => rtl ? b[1] - a[1] : a[1] - b[1]).map(s => s[0]); }"""


@pytest.mark.parametrize(("language", "arrow"), [("en", "→"), ("fa", "←")])
def test_a_route_reads_from_departure_to_destination(
    browser: Any, live_server: str, stocked: dict[str, str], shots: Path, language: str, arrow: str
) -> None:
    page = browser.new_page(viewport=PHONE)
    log_in_as_admin(page, live_server, language)
    record, _ = _record_paths(page, live_server)
    listed = page.locator("main tbody .route").first
    listed.scroll_into_view_if_needed()
    assert listed.inner_text() == f"AF {arrow} AZ"
    assert listed.evaluate(READING) == ["AF", "AZ"]
    page.screenshot(path=shots / f"route_{language}_list.png")
    page.goto(live_server + record)
    shown = page.locator("dl.record .route")
    assert shown.inner_text() == f"AF {arrow} AZ"
    assert shown.evaluate(READING) == ["AF", "AZ"]
    shown.screenshot(path=shots / f"route_{language}_record.png")
