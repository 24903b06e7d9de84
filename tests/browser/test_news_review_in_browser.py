"""An analyst with a browser: an ingested article's draft on the News review page, accepted, then found
in the seizure list and on its detail page with the article as its source."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.news import service
from conftest import PASSWORD

ARTICLES = Path(__file__).resolve().parents[1] / "news" / "articles"


def test_accept_a_draft_and_find_the_seizure(
    browser: Any, live_server: str, shots: Path, engine: Engine, scope: Scope
) -> None:
    with transaction(engine) as session:
        incoming = service.read_paths([ARTICLES / "caspian_courier_astara_heroin.txt"],
                                      outlet="Caspian Courier", published=dt.date(2025, 3, 14))  # fmt: skip
        heroin = service.ingest(session, scope, incoming).articles[0].drafts[0]
        others = [ARTICLES / "lankaran_today_opium.html", ARTICLES / "feed.jsonl"]
        report = service.ingest(session, scope, service.read_paths(others))
        (opium_copy,) = report.proposals  # the second outlet's report of the opium seizure
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_server + "/login")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # a click returns once the next page starts loading: expect() waits for what that page shows
    page.get_by_role("link", name="News review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("News review")
    expect(page.locator("article.draft")).to_have_count(4)
    card = page.locator(f"#draft-{heroin}")
    assert card.locator("mark[title=quantity]").first.inner_text() == "152 kg 300 grams"
    assert "Caspian Courier" in card.inner_text() and "2025-03-11" in card.inner_text()
    assert "Lankaran Today" in page.locator(".proposals").first.inner_text()
    page.screenshot(path=shots / "news_review.png", full_page=True)

    card.get_by_role("button", name="Accept", exact=True).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Accepted as seizure")
    status.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Seizure news-"))
    detail = page.locator("dl.record").inner_text()
    assert "Astara border crossing" in detail and "Caspian Courier" in detail
    assert "152 kg 300 grams of heroin" in detail
    page.screenshot(path=shots / "news_accepted_detail.png", full_page=True)

    page.get_by_role("link", name="Seizures", exact=True).click()
    expect(page.locator("p.count")).to_contain_text("4 seizure events")  # three imported, one from the news
    page.get_by_label("Drug").fill("methadone")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("p.count")).to_contain_text("1 seizure events")
    page.get_by_role("link", name="News review").click()
    expect(page.locator("article.draft")).to_have_count(3)
    copy = page.locator(f"#draft-{opium_copy}")
    assert "Opium 48.5 kg vs 48 kg (1% apart)" in copy.locator(".proposals").inner_text()
    copy.locator(".proposals").get_by_role("button", name="Merge into this").click()
    expect(page.get_by_role("status")).to_contain_text("Merged; counted once in")
    expect(page.locator("article.draft")).to_have_count(2)
    page.get_by_role("link", name="Merged").click()
    expect(page.locator(f"#draft-{opium_copy}")).to_have_count(1)
    page.get_by_label("Language").select_option("fa")
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("بررسی اخبار")
    page.screenshot(path=shots / "news_merged_fa.png", full_page=True)
