"""Ingest articles into the review queue; accept, reject and merge drafts; duplicates proposed, not merged.

The articles in ``articles/`` are made up for these tests (no third-party text).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import NewsArticle, NewsDraft, SeizureEvent, SharingOutbox
from astara.errors import Conflict, ImportFailed, InvalidInput, NotFound, PermissionDenied
from astara.news import service
from astara.news.schemas import DraftOut, Edits, IngestReport
from astara.seizures import service as seizures
from astara.seizures.schemas import SeizureCreate, SeizureItemIn

ARTICLES = Path(__file__).with_name("articles")
TODAY = dt.date(2026, 11, 28)


def ingest(engine: Engine, scope: Scope, *paths: Path, **options: object) -> IngestReport:
    with transaction(engine) as session:
        return service.ingest(session, scope, service.read_paths(list(paths), **options))  # type: ignore[arg-type]


def open_drafts(engine: Engine, scope: Scope) -> dict[str, DraftOut]:
    """Open drafts keyed by their first drug and quantity, e.g. 'opium 48'."""
    with transaction(engine) as session:
        page = service.list_drafts(session, scope, "open")
    return {f"{d.items[0].drug} {d.items[0].quantity:g}": d for d in page.items}


def count(engine: Engine, model: type) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_folder_of_text_html_and_a_feed(engine: Engine, scope: Scope) -> None:
    report = ingest(engine, scope, ARTICLES, published=dt.date(2025, 3, 14))
    assert (report.articles_read, report.articles_stored, report.already_ingested) == (6, 6, 0)
    by_id = {a.external_id: a for a in report.articles}
    # HTML: the main text only (no script, no menu), outlet and date from the page's metadata
    html = by_id["lankaran_today_opium"]
    assert html.outlet == "Lankaran Today" and html.published == dt.date(2025, 4, 18)
    with transaction(engine) as session:
        _, text = service.get_article(session, scope, html.id)
    assert "Bilasuvar border crossing seized 48 kilograms of opium" in text
    assert "window.ads" not in text and "trackPageview" not in text and "Subscribe" not in text
    assert len(html.drafts) == 1  # the 900 kg of heroin in the script is not an event
    # JSONL: url and outlet from the line; a text with no seizure and a Georgian text give no drafts
    assert by_id["sb-001"].url == "https://southern-border.example/news/sb-001"
    assert by_id["sb-003"].drafts == [] and by_id["sb-003"].warnings == []
    assert by_id["sb-004"].drafts == []
    assert "seizures can be read from en, ru, az, fa, tr texts only" in by_id["sb-004"].warnings[0]
    # a text file takes the --published date given for files that do not state theirs
    assert by_id["caspian_courier_astara_heroin"].published == dt.date(2025, 3, 14)
    drafts = open_drafts(engine, scope)
    assert set(drafts) == {"heroin 152.3", "opium 48", "opium 48.5", "tramadol 2600"}
    heroin = drafts["heroin 152.3"]
    assert [(i.drug, i.quantity, i.unit) for i in heroin.items] == [
        ("heroin", 152.3, "kg"),
        ("methadone", 4200, "tablets"),
    ]  # one incident, two drugs: one draft with two items
    assert heroin.date == "2025-03-11"  # "on Tuesday" before 14 March
    assert heroin.country == "AZ" and heroin.place == "Astara border crossing"
    marked = [(s.mark, s.text) for s in heroin.highlighted if s.mark]
    assert ("quantity", "152 kg 300 grams") in marked and ("drug", "heroin") in marked
    assert ("quantity", "4,200 tablets") in marked and ("place", "Astara border crossing") in marked
    assert heroin.quote.startswith("Customs officers at the Astara border crossing seized 152 kg 300 grams")
    assert 0 < heroin.confidence <= 1


def test_empty_and_binary_files_are_stored_with_a_warning(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 4)
    report = ingest(engine, scope, tmp_path)
    warnings = {a.external_id: a.warnings for a in report.articles}
    assert "the text is empty" in warnings["empty"][0]
    assert "binary data, not text" in warnings["junk"][0]
    assert report.articles_stored == 2 and report.drafts_created == 0


def test_the_same_text_is_ingested_once(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    first = ingest(engine, scope, ARTICLES / "caspian_courier_astara_heroin.txt")
    copy = tmp_path / "copy.txt"  # the same words, wrapped differently
    copy.write_text(" \n ".join((ARTICLES / "caspian_courier_astara_heroin.txt").read_text().split(" ")))
    again = ingest(engine, scope, copy, ARTICLES / "caspian_courier_astara_heroin.txt")
    assert again.articles_stored == 0 and again.already_ingested == 2
    assert {a.duplicate_of for a in again.articles} == {first.articles[0].id}
    assert count(engine, NewsArticle) == 1 and count(engine, NewsDraft) == 1


def test_a_bad_feed_line_names_the_line_and_stores_nothing(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    good = (ARTICLES / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    feed.write_text("\n".join([good[0], '{"id": "x2", "text": "Police seized', good[1]]) + "\n")
    with pytest.raises(ImportFailed, match=r"feed.jsonl line 2: not JSON"):
        ingest(engine, scope, feed)
    feed.write_text("\n".join([good[0], good[1], '{"id": "x3", "published": "2025-13-40"}']) + "\n")
    with pytest.raises(ImportFailed, match=r"line 3: ") as failure:
        ingest(engine, scope, feed)
    reasons = " ".join(d["reason"] for d in failure.value.details)
    assert "text" in reasons and "published" in reasons
    assert count(engine, NewsArticle) == 0


def test_accept_creates_a_graded_seizure_pointing_at_the_article(engine: Engine, scope: Scope) -> None:
    ingest(engine, scope, ARTICLES, published=dt.date(2025, 3, 14))
    draft = open_drafts(engine, scope)["heroin 152.3"]
    with transaction(engine) as session:
        assert seizures.list_seizures(session, scope).total == 0  # counted, and the count cached
        event = service.accept(session, scope, draft.id, today=TODAY)
    assert event.source_type == "news"
    assert (event.grading_scheme, event.source_grade, event.information_grade) == ("admiralty", "F", "3")
    assert event.tlp == "clear" and event.date == dt.date(2025, 3, 11) and event.country == "AZ"
    assert [(i.drug_code, i.quantity) for i in event.items] == [("heroin", 152.3), ("methadone", 4200)]
    assert event.source_ref == f"news article {draft.article_id}"
    assert "Customs officers at the Astara border crossing seized 152 kg 300 grams" in (event.notes or "")
    with transaction(engine) as session:
        assert [s["article_id"] for s in service.sources(session, scope, event.id)] == [draft.article_id]
        assert service.get_draft(session, scope, draft.id).status == "accepted"
        # through the seizures service: the cached count was forgotten, the list counts it
        assert seizures.list_seizures(session, scope).total == 1
    with transaction(engine) as session, pytest.raises(Conflict, match="already accepted as seizure"):
        service.accept(session, scope, draft.id)


def test_accept_with_edits_is_validated_like_any_seizure(engine: Engine, scope: Scope) -> None:
    ingest(engine, scope, ARTICLES / "feed.jsonl")
    draft = open_drafts(engine, scope)["tramadol 2600"]
    with transaction(engine) as session, pytest.raises(InvalidInput) as bad:
        service.accept(session, scope, draft.id, Edits(drug="unobtainium", date="2025-02-30"))
    fields = {d["field"] for d in bad.value.details}
    assert {"items.0.drug", "date"} <= fields
    with transaction(engine) as session:
        assert service.get_draft(session, scope, draft.id).status == "open"  # nothing half-done
        event = service.accept(session, scope, draft.id, Edits(quantity="2700", place="Baku port"))
    assert event.items[0].quantity == 2700 and event.place_text == "Baku port"
    with transaction(engine) as session:
        assert service.get_draft(session, scope, draft.id).fields["edits"] == {
            "quantity": "2700",
            "place": "Baku port",
        }


def test_a_draft_without_a_date_asks_for_one(engine: Engine, scope: Scope) -> None:
    # no publication date: the "Tuesday" of which week is not known
    ingest(engine, scope, ARTICLES / "caspian_courier_astara_heroin.txt")
    draft = open_drafts(engine, scope)["heroin 152.3"]
    assert draft.date is None
    with transaction(engine) as session, pytest.raises(InvalidInput) as missing:
        service.accept(session, scope, draft.id)
    assert missing.value.details == [
        {"field": "date", "reason": "the article gives no seizure date; give one"}
    ]
    with transaction(engine) as session:
        assert service.accept(session, scope, draft.id, Edits(date="2025-03")).date_precision == "month"


def test_reject_then_accept_is_a_conflict(engine: Engine, scope: Scope) -> None:
    ingest(engine, scope, ARTICLES / "feed.jsonl")
    draft = open_drafts(engine, scope)["tramadol 2600"]
    with transaction(engine) as session, pytest.raises(InvalidInput, match="needs a reason"):
        service.reject(session, scope, draft.id, "  ")
    with transaction(engine) as session:
        assert service.reject(session, scope, draft.id, "pharmacy stock").reason == "pharmacy stock"
    with transaction(engine) as session, pytest.raises(Conflict, match=r"was rejected \(pharmacy stock\)"):
        service.accept(session, scope, draft.id)
    with transaction(engine) as session, pytest.raises(Conflict):
        service.reject(session, scope, draft.id, "again")
    assert count(engine, SeizureEvent) == 0


def test_two_outlets_are_proposed_as_one_incident_and_merged_on_confirmation(
    engine: Engine, scope: Scope
) -> None:
    report = ingest(engine, scope, ARTICLES / "lankaran_today_opium.html", ARTICLES / "feed.jsonl")
    assert report.duplicates_proposed == 1  # the second report of the incident, when it was drafted
    drafts = open_drafts(engine, scope)
    html, feed = drafts["opium 48"], drafts["opium 48.5"]
    (proposal,) = feed.proposals
    assert proposal.kind == "draft" and proposal.target == html.id
    assert "opium 48.5 kg vs 48 kg (1% apart)" in proposal.reasons
    assert "same date 2025-04-16" in proposal.reasons and "same place (bilasuvar)" in proposal.reasons
    assert "reported by another outlet (Lankaran Today)" in proposal.reasons
    assert drafts["tramadol 2600"].proposals == []  # other drugs, other place: no proposal
    assert count(engine, SeizureEvent) == 0  # proposed, not merged
    with transaction(engine) as session:
        merged = service.merge(session, scope, feed.id, html.id)  # into the other draft, still open
    assert merged.status == "merged" and merged.merged_into == html.id and merged.event_id is None
    with transaction(engine) as session:
        event = service.accept(session, scope, html.id)
        sources = service.sources(session, scope, event.id)
    assert {(s["article_id"], s["role"]) for s in sources} == {
        (html.article_id, "accepted"),
        (feed.article_id, "merged"),
    }
    assert count(engine, SeizureEvent) == 1  # one incident, one record, two sources
    assert [i.quantity for i in event.items] == [48]
    with transaction(engine) as session:
        assert service.get_draft(session, scope, feed.id).event_id == event.id
        with pytest.raises(Conflict, match="was merged into"):
            service.accept(session, scope, feed.id)


def test_a_report_of_an_official_record_is_proposed_against_it(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        official = seizures.create_seizure(
            session,
            scope,
            SeizureCreate(
                reference="SCS-2025-0311",
                date="2025-03-10",
                country="AZ",
                place="Astara",
                items=[
                    SeizureItemIn(drug="heroin", quantity="152.3", unit="kg"),
                    SeizureItemIn(drug="methadone", quantity=4200, unit="tablet"),
                ],
            ),
            TODAY,
        )
    outbox_before = count(engine, SharingOutbox)
    ingest(engine, scope, ARTICLES / "caspian_courier_astara_heroin.txt", published=dt.date(2025, 3, 14))
    draft = open_drafts(engine, scope)["heroin 152.3"]
    (proposal,) = draft.proposals
    assert proposal.kind == "seizure" and proposal.target == official.id
    assert proposal.summary.startswith("SCS-2025-0311: heroin 152.3 kg, methadone 4200 tablet")
    assert "dates 1 day(s) apart" in proposal.reasons and "same place (astara)" in proposal.reasons
    assert "methadone 4,200 tablets on both" in proposal.reasons
    with transaction(engine) as session:
        merged = service.merge(session, scope, draft.id, official.id)
        assert merged.event_id == official.id
        assert [s["article_id"] for s in service.sources(session, scope, official.id)] == [draft.article_id]
        assert seizures.list_seizures(session, scope).total == 1  # nothing double counted
    assert count(engine, SharingOutbox) == outbox_before


def test_no_proposal_when_quantities_dates_or_places_differ(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        for reference, date, place, kg in (
            ("far-off", "2025-03-11", "Astara", "180"),  # 15 % more
            ("weeks-later", "2025-04-20", "Astara", "152.3"),
            ("elsewhere", "2025-03-11", "Bilasuvar", "152.3"),
        ):
            seizures.create_seizure(
                session,
                scope,
                SeizureCreate(reference=reference, date=date, country="AZ", place=place,
                              items=[SeizureItemIn(drug="heroin", quantity=kg, unit="kg"),
                                     SeizureItemIn(drug="methadone", quantity=4200, unit="tablet")]),
                TODAY,
            )  # fmt: skip
    ingest(engine, scope, ARTICLES / "caspian_courier_astara_heroin.txt", published=dt.date(2025, 3, 14))
    assert open_drafts(engine, scope)["heroin 152.3"].proposals == []


def test_merge_targets_must_exist_and_be_live(engine: Engine, scope: Scope) -> None:
    ingest(engine, scope, ARTICLES / "feed.jsonl", ARTICLES / "lankaran_today_opium.html")
    drafts = open_drafts(engine, scope)
    with transaction(engine) as session, pytest.raises(NotFound, match="no seizure or news draft"):
        service.merge(session, scope, drafts["opium 48"].id, "0" * 32)
    with transaction(engine) as session, pytest.raises(InvalidInput, match="into itself"):
        service.merge(session, scope, drafts["opium 48"].id, drafts["opium 48"].id)
    with transaction(engine) as session:
        service.reject(session, scope, drafts["tramadol 2600"].id, "not ours")
    with transaction(engine) as session, pytest.raises(Conflict, match="was rejected"):
        service.merge(session, scope, drafts["opium 48"].id, drafts["tramadol 2600"].id)


def test_another_agency_cannot_see_or_decide(engine: Engine, scope: Scope, scope_b: Scope) -> None:
    ingest(engine, scope, ARTICLES / "feed.jsonl")
    draft = open_drafts(engine, scope)["tramadol 2600"]
    with transaction(engine) as session:
        assert service.list_drafts(session, scope_b, None).total == 0
        with pytest.raises(NotFound):
            service.get_draft(session, scope_b, draft.id)
        with pytest.raises(NotFound):
            service.accept(session, scope_b, draft.id, Edits())
        with pytest.raises(NotFound):
            service.reject(session, scope_b, draft.id, "not mine")
        with pytest.raises(NotFound):
            service.get_article(session, scope_b, draft.article_id)
    # the same text is B's own article when B ingests it
    assert ingest(engine, scope_b, ARTICLES / "feed.jsonl").articles_stored == 4
    with transaction(engine) as session:
        assert service.get_draft(session, scope, draft.id).status == "open"


def test_reading_roles_cannot_decide(engine: Engine, scope: Scope) -> None:
    ingest(engine, scope, ARTICLES / "feed.jsonl")
    draft = open_drafts(engine, scope)["tramadol 2600"]
    liaison = dataclasses.replace(scope, role="liaison")
    with transaction(engine) as session:
        assert service.list_drafts(session, liaison).total == 2
        with pytest.raises(PermissionDenied):
            service.accept(session, liaison, draft.id)
        with pytest.raises(PermissionDenied):
            service.ingest(session, liaison, [])


def test_a_merge_cycle_is_refused(engine: Engine, scope: Scope) -> None:
    ingest(engine, scope, ARTICLES / "feed.jsonl", ARTICLES / "lankaran_today_opium.html")
    drafts = open_drafts(engine, scope)
    first, second = drafts["opium 48.5"].id, drafts["opium 48"].id
    with transaction(engine) as session:
        service.merge(session, scope, first, second)
    with transaction(engine) as session, pytest.raises(InvalidInput, match="already merged into draft"):
        service.merge(session, scope, second, first)


def test_odd_feed_texts_never_crash(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    story = (ARTICLES / "caspian_courier_astara_heroin.txt").read_text(encoding="utf-8")
    nul = {"id": "nul\u0000", "text": "Police seized 5 kg of hashish\u0000 in Baku on 3 May 2025.",
           "published": "2025-05-04", "outlet": "Wire\u0000"}  # fmt: skip
    page = "<html><body><script>var heroin = '900 kg';</script><p>" + story + "</p></body></html>"
    lines = [
        nul,
        {"id": "html", "text": page, "published": "2025-03-14"},
        {"id": "huge", "text": ("Weather and markets. " * 500_000) + story, "published": "2025-03-14"},
    ]
    feed = tmp_path / "odd.jsonl"
    feed.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = ingest(engine, scope, feed)
    by_id = {a.external_id: a for a in report.articles}
    assert by_id["nul"].outlet == "Wire" and len(by_id["nul"].drafts) == 1
    assert len(by_id["html"].drafts) == 1  # the script's figure is not an event
    assert by_id["huge"].drafts == [] and any(
        "only the beginning was read" in w for w in by_id["huge"].warnings
    )
    heroin = open_drafts(engine, scope)["heroin 152.3"]
    assert [i.drug for i in heroin.items] == ["heroin", "methadone"]


def test_a_press_release_is_graded_as_the_agency_s_own_statement(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        incoming = service.read_paths([ARTICLES / "lankaran_today_opium.html"])
        report = service.ingest(session, scope, incoming, source_type="press_release")
        event = service.accept(session, scope, report.articles[0].drafts[0])
    assert event.source_type == "press_release"
    assert (event.grading_scheme, event.source_grade, event.information_grade) == ("admiralty", "B", "2")
    with transaction(engine) as session, pytest.raises(InvalidInput, match="source type must be one of"):
        service.ingest(session, scope, [], source_type="rumour")


@pytest.mark.parametrize("date", ["2025-03", "2025"])
def test_a_record_dated_only_by_month_or_year_is_still_proposed(
    engine: Engine, scope: Scope, date: str
) -> None:
    with transaction(engine) as session:
        official = seizures.create_seizure(
            session,
            scope,
            SeizureCreate(
                reference="SCS-2025-0311",
                date=date,
                country="AZ",
                place="Astara",
                items=[
                    SeizureItemIn(drug="heroin", quantity="152.3", unit="kg"),
                    SeizureItemIn(drug="methadone", quantity=4200, unit="tablet"),
                ],
            ),
            TODAY,
        )
    ingest(engine, scope, ARTICLES / "caspian_courier_astara_heroin.txt", published=dt.date(2025, 3, 14))
    proposals = open_drafts(engine, scope)["heroin 152.3"].proposals
    assert [p.target for p in proposals if p.kind == "seizure"] == [official.id]


def test_an_accepted_draft_files_the_plates_it_names_as_vehicles(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    from astara.db.models import EventEntityLink, Vehicle

    article = tmp_path / "plate.txt"
    article.write_text(
        "Customs officers in Astara seized 40 kilograms of heroin on 3 March 2025 from a lorry "
        "with registration plate 10-AB-123 coming from Iran.\n",
        encoding="utf-8",
    )
    ingest(engine, scope, article, published=dt.date(2025, 3, 4))
    draft = open_drafts(engine, scope)["heroin 40"]
    with transaction(engine) as session:
        event = service.accept(session, scope, draft.id, today=TODAY)
        plates = [(v.plate, v.country) for v in session.scalars(select(Vehicle))]
        roles = list(
            session.scalars(select(EventEntityLink.role).where(EventEntityLink.event_id == event.id))
        )
    assert event.conveyance_ids == ["10-AB-123"]
    assert plates == [("10-AB-123", None)] and roles == ["conveyance"]
