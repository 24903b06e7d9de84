"""Editing keeps what is stored: a record of every import layout, opened in the edit form and saved
with only its notes changed, differs from before in its notes, version and update time alone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SeizureEvent, SeizureItem
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.make import ids_row, import_file, write_csv, write_ids
from fixtures.web import log_in

TEMPLATE_ROW = {
    "reference": "RT-1", "date": "2016-05", "time": "14:30", "place": "Astara customs post", "country": "AZ",
    "admin_area": "Astara", "place_type": "Customs facilities", "producing_country": "Afghanistan",
    "departure_country": "Iran", "transit_countries": "IR|TM", "destination_country": "Georgia",
    "routing": "", "transport": "Private road", "conveyance_ids": "10-AB-123|TIR-99",
    "concealment": "Body/Underwear", "cover_cargo": "melons", "detection_method": "sniffer dog",
    "reporting_agency": "State Customs Committee", "participating_agencies": "Police|Border Service",
    "source_ref": "case 77/2016", "grading_scheme": "admiralty", "source_grade": "B",
    "information_grade": "2", "tlp": "TLP:GREEN", "handling_code": "", "legal_basis": "art. 234",
    "validation_status": "validated", "notes": "first entry", "drug": "Heroin", "quantity": "1.5",
    "unit": "Kilogram", "purity": "62",
}  # fmt: skip
UNCHANGED_EXCEPT = {"notes", "version", "updated_at"}


def _import(layout: str, engine: Engine, scope: Scope, tmp_path: Path) -> None:
    if layout == "unodc_ids":
        path = write_ids(tmp_path / "ids.csv", [ids_row(ROUTING="Iran - Azerbaijan")])
    else:
        second = {**TEMPLATE_ROW, "drug": "Opium", "quantity": "300", "unit": "g", "purity": ""}
        path = write_csv(tmp_path / "astara.csv", list(TEMPLATE_ROW),
                         [list(TEMPLATE_ROW.values()), list(second.values())], delimiter=",")  # fmt: skip
    report = import_file(engine, scope, path, mapping=layout)
    assert report.events_created == 1, report


def _stored(engine: Engine) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with transaction(engine) as session:
        event = session.scalars(select(SeizureEvent)).one()
        items = session.scalars(select(SeizureItem).where(SeizureItem.event_id == event.id)
                                .order_by(SeizureItem.position)).all()  # fmt: skip

        def columns(row: Any) -> dict[str, Any]:
            return {c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs if c.key != "id"}

        return columns(event) | {"id": event.id}, [columns(i) for i in items]


def _posted(form: str, **changes: str) -> dict[str, str]:
    """What a browser posts from the edit form (its own fields only), with ``changes``."""
    body = form[form.index('class="record-form"') :]
    body = body[: body.index("</form>")]
    data = {m.group(1): m.group(2) for m in re.finditer(r'<input name="([^"]+)"[^>]*?value="([^"]*)"', body)}
    data.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    for select_ in re.finditer(r'<select name="([^"]+)".*?</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select_.group(0))
        data[select_.group(1)] = chosen.group(1) if chosen else ""
    notes = re.search(r'<textarea name="notes"[^>]*>(.*?)</textarea>', body, re.S)
    data["notes"] = notes.group(1) if notes else ""
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") for k, v in {**data, **changes}.items()}


@pytest.mark.parametrize("layout", ["unodc_ids", "astara"])
def test_saving_only_the_notes_keeps_every_other_stored_field(
    layout: str, settings: Settings, engine: Engine, scope: Scope, web_user: tuple[str, str], tmp_path: Path
) -> None:
    _import(layout, engine, scope, tmp_path)
    before, items_before = _stored(engine)
    client = TestClient(create_app(settings))
    assert log_in(client, *web_user).status_code == 303
    form = client.get(f"/seizures/{before['id']}/edit").text
    if before["transport"]:  # shown as the stored term, not an empty choice
        assert re.search(r'<option value="[^"]*" selected>', form), "transport shows empty"
    saved = client.post(f"/seizures/{before['id']}/edit", data=_posted(form, notes="checked again"),
                        follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303, saved.text
    after, items_after = _stored(engine)
    assert after["notes"] == "checked again" and after["version"] == before["version"] + 1
    changed = {
        k: (before[k], after[k]) for k in before if before[k] != after[k] and k not in UNCHANGED_EXCEPT
    }
    assert changed == {}
    assert items_after == items_before
    assert before["transport"] and before["concealment"] and before["transport_text"]
