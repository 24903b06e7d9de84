"""A person with a browser: log in, find the Astara crossing's 2016 seizures, open one, read it in Persian."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

from conftest import PASSWORD


def test_log_in_filter_open_and_switch_to_persian(browser: Any, live_server: str, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    failed: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda response: failed.append((response.status, response.url)) if response.status >= 400 else None,
    )

    page.goto(live_server + "/?country=AZ&year=2016")
    assert page.url.startswith(live_server + "/login")
    page.screenshot(path=shots / "01-login.png", full_page=True)
    # keyboard only: the user name field has the focus; Tab to the password; Enter submits
    page.keyboard.type("admin@az-scs")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password, surely")
    page.keyboard.press("Enter")
    # a click or Enter returns once the next page starts loading: expect() waits for what it shows
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.locator("p.count")).to_contain_text("2 seizure events")
    assert page.url == live_server + "/?country=AZ&year=2016"  # back where the person was going
    page.screenshot(path=shots / "02-list-az-2016.png", full_page=True)
    page.get_by_label("Drug").fill("heroin")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("p.count")).to_contain_text("1 seizure events")
    page.locator("table tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Seizure "))
    assert "Astarinskiy rayon KPP Astara" in page.content()
    page.screenshot(path=shots / "03-detail.png", full_page=True)

    page.get_by_label("Language").select_option("fa")
    page.get_by_role("button", name="OK").click()
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    expect(page.locator("dl.record")).to_contain_text("۱۳۹۵/۰۲/۱۴")  # 2016-05-03 in the Jalali calendar
    page.screenshot(path=shots / "04-detail-fa.png", full_page=True)

    page.get_by_label("زبان").select_option("en")
    page.get_by_role("button", name="OK").click()
    page.get_by_role("link", name="Map").click()
    page.get_by_label("Country of seizure").fill("AZ")
    page.get_by_label("Year").fill("2016")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_selector("#map[data-loaded=true]")
    assert "2 events at 1 places; 0 without coordinates" in page.locator("#map-status").inner_text()
    page.locator("path.leaflet-interactive").first.wait_for()  # country outlines are not interactive
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    popup = page.locator(".leaflet-popup-content")
    for _ in range(3):  # a click while the map still settles can miss the marker
        page.locator("path.leaflet-interactive").first.click()
        try:
            popup.wait_for(timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    assert "Astara" in popup.inner_text() and "2 events" in popup.inner_text()
    page.screenshot(path=shots / "05-map.png", full_page=True)
    popup.get_by_role("link").click()
    expect(page.locator("p.count")).to_contain_text("2 seizure events")  # the list, filtered to that place

    assert hosts == {urlsplit(live_server).netloc}, f"requests left the server: {hosts}"
    assert failed == [(401, live_server + "/login")]  # only the wrong password


def _log_in(page: Any, live_server: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_create_a_seizure_with_two_items(browser: Any, live_server: str, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    _log_in(page, live_server)
    page.get_by_role("link", name="New seizure").click()
    page.get_by_label("Reference").fill("AZ-SCS-2026-0042")
    page.get_by_label("Date").fill("1405/09/07")  # Jalali: 2026-11-28
    page.get_by_label("Country of seizure").fill("Azerbaijan")
    page.get_by_label("Place", exact=True).press_sequentially("Bilasuvar", delay=30)  # not "Place type"
    page.wait_for_selector("#places option", state="attached")  # gazetteer suggestions arrived
    page.get_by_label("Departed from").fill("Iran")
    page.get_by_label("Transport").select_option("road")
    page.get_by_label("Drug 1").fill("heroin")
    page.get_by_label("Quantity 1").fill("12.5")
    page.get_by_label("Unit 1").fill("kg")
    page.get_by_label("Drug 2").fill("captagon")
    page.get_by_label("Quantity 2").fill("many")  # a mistake, shown at its field
    page.get_by_label("Unit 2").fill("tablet")
    page.get_by_role("button", name="Save the seizure").click()
    expect(page.locator("#e-items-1-quantity")).to_be_visible()
    expect(page.get_by_label("Drug 1")).to_have_value("heroin")
    page.screenshot(path=shots / "06-form-error.png", full_page=True)
    page.get_by_label("Quantity 2").fill("3400")
    page.get_by_role("button", name="Save the seizure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seizure AZ-SCS-2026-0042")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Captagon")
    assert "2026-11-28" in page.locator("dl.record").inner_text()
    page.screenshot(path=shots / "07-created.png", full_page=True)


def test_import_a_spreadsheet_with_one_bad_row(
    browser: Any, live_server: str, shots: Path, tmp_path: Path
) -> None:
    from fixtures.make import ids_row, write_ids

    path = write_ids(tmp_path / "border-posts.csv",
                     [ids_row(AMOUNT="900", SEIZURE_DATE="2016-02-02"), ids_row(AMOUNT="-4")])  # fmt: skip
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    _log_in(page, live_server)
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File").set_input_files(path)
    page.get_by_label("Column mapping").select_option("unodc_ids")
    page.get_by_role("button", name="Check the file").click()
    errors = page.locator("table.row-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("3")
    expect(errors.first).to_contain_text("AMOUNT")
    page.screenshot(path=shots / "08-import-check.png", full_page=True)
    page.get_by_role("button", name="Import the 1 valid events").click()
    page.get_by_text("1 seizure events created").wait_for()  # (the content is empty mid-navigation)
    assert page.get_by_role("link", name="Download the rejected rows").is_visible()
    page.screenshot(path=shots / "09-import-done.png", full_page=True)


def test_dashboard_in_persian(browser: Any, live_server: str, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    _log_in(page, live_server)
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_text("Seizure events, 2016, all recorded data").wait_for()  # (a click does not wait)
    for image in page.locator("figure.chart img").all():  # the monthly chart and the hotspot map
        assert image.evaluate("img => img.naturalWidth") > 0  # decoded
    page.screenshot(path=shots / "10-dashboard.png", full_page=True)
    page.get_by_label("Language").select_option("fa")
    page.get_by_role("button", name="OK").click()
    page.get_by_text("رویدادهای کشف، ۲۰۱۶، همهٔ داده‌های ثبت‌شده").wait_for()
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.screenshot(path=shots / "11-dashboard-fa.png", full_page=True)


def test_network_view_draws_linked_entities(
    browser: Any, live_server: str, shots: Path, engine: Any, scope: Any
) -> None:
    from sqlalchemy import select

    from astara.db.engine import transaction
    from astara.db.models import EventEntityLink, Person, SeizureEvent, Vehicle

    with transaction(engine) as session:
        events = session.scalars(select(SeizureEvent.id).order_by(SeizureEvent.date)).all()
        session.add_all([Person(id="p1", agency_id=scope.agency_id, name="Məmməd Rzayev"),
                         Person(id="p2", agency_id=scope.agency_id, name="Rauf Quliyev"),
                         Vehicle(id="v1", agency_id=scope.agency_id, plate="10-AB-123")])  # fmt: skip
        session.flush()
        links = [
            ("person", "p1", events[0], "driver"),
            ("person", "p1", events[1], "driver"),
            ("person", "p2", events[1], "passenger"),
            ("vehicle", "v1", events[0], "conveyance"),
        ]
        for kind, entity, event_id, role in links:
            session.add(EventEntityLink(agency_id=scope.agency_id, event_id=event_id, entity_type=kind,
                                        entity_id=entity, role=role))  # fmt: skip
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server)
    page.get_by_role("link", name="Network").click()
    page.wait_for_selector("#network[data-loaded=true]")
    assert "3 entities in 2 events" in page.locator("#network-status").inner_text()
    assert page.locator("#network canvas").count() == 1
    page.wait_for_timeout(1500)  # let the layout settle for the screenshot
    page.screenshot(path=shots / "12-network.png", full_page=True)


def test_map_hotspot_and_route_layers(browser: Any, live_server: str, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server)
    page.goto(live_server + "/map?year=2016")
    page.wait_for_selector("#map[data-loaded=true]")
    before = page.locator("path.leaflet-interactive").count()
    with page.expect_response(lambda r: "/api/hotspots/map" in r.url):
        page.get_by_label("Hotspots (H3 cells, events)").check()
    with page.expect_response(lambda r: "/api/routes/map" in r.url):
        page.get_by_label("Route flows (departure → seizure → destination)").check()
    page.wait_for_function(f"document.querySelectorAll('path.leaflet-interactive').length > {before + 1}")
    page.screenshot(path=shots / "06-map-layers.png", full_page=True)
    page.get_by_label("Seizures by place").uncheck()
    expect(page.locator(".leaflet-marker-icon, .marker-cluster")).to_have_count(0)


def test_the_world_outlines_have_no_edge_across_the_map(browser: Any, live_server: str, shots: Path) -> None:
    """Outlines that cross the antimeridian (Russia, Fiji) once drew a line from +180 to -180."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server)
    page.goto(live_server + "/map")
    page.wait_for_selector("#map[data-loaded=true][data-outlines=drawn]")
    zoom_out = page.locator("a.leaflet-control-zoom-out")
    while "leaflet-disabled" not in (zoom_out.get_attribute("class") or ""):
        zoom_out.click()
        page.wait_for_timeout(300)
    page.wait_for_timeout(500)
    world = 256 * 2**2  # pixels the world spans at the smallest zoom
    # Every straight edge of every outline, in screen pixels: a line across the world is an edge
    # longer than half of it, inside the map (a ring cut by the map's edge closes outside it).
    lines = page.evaluate(
        """world => {
          const box = document.getElementById('map').getBoundingClientRect();
          const inside = p => p.y > box.top && p.y < box.bottom;
          const long = [];
          let outlines = 0;
          document.querySelectorAll('path.outline').forEach(path => {
            outlines += 1;
            const matrix = path.getScreenCTM();
            let first = null, previous = null;
            for (const step of (path.getAttribute('d') || '').split(/(?=[MLz])/)) {
              let point = null;
              if (step[0] === 'z') {
                point = first;
              } else {
                const [x, y] = step.slice(1).trim().split(' ').map(Number);
                point = new DOMPoint(x, y).matrixTransform(matrix);
              }
              if (step[0] !== 'M' && previous && point && Math.abs(point.x - previous.x) > world / 2
                  && inside(point) && inside(previous)) {
                long.push([previous.x, previous.y, point.x, point.y]);
              }
              if (step[0] === 'M') { first = point; }
              previous = step[0] === 'z' ? null : point;
            }
          });
          return outlines > 100 ? long : ['only ' + outlines + ' outlines'];
        }""",
        world,
    )
    page.screenshot(path=shots / "07-map-world.png")
    assert lines == []
