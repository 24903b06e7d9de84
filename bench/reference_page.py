"""The bare reference of bench/web_load.py: the seizure list's query on the same store, served by
Starlette and sqlite3 alone (no ORM, no validation, no templates, no users), so a page's cost can be
read beside what the same rows cost at the least.

``/`` is the list page (the events' shown columns, then their items' drug, quantity and unit, as an
HTML table), ``/api/seizures`` the API's list (every column of a record and of its items, as JSON);
both take ``limit`` and ``offset`` and read the events of the store's first agency, newest first.

Run: ``python bench/reference_page.py --db FILE --port PORT`` (bench/web_load.py starts it).
"""

from __future__ import annotations

import argparse
import html
import json
import sqlite3
import threading

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

SHOWN = "id, date, date_precision, country, place_text, admin_area, departure_country, destination_country"
RECORD = (
    "id, reference, date, date_precision, time, place_text, place_id, place_type, place_type_text, country, "
    "admin_area, lat, lon, producing_country, departure_country, transit_countries, destination_country, "
    "routing, transport, transport_text, conveyance_ids, concealment, concealment_text, cover_cargo, "
    "detection_method, reporting_agency, participating_agencies, source_type, source_ref, grading_scheme, "
    "source_grade, information_grade, tlp, handling_code, legal_basis, validation_status, notes, "
    "quality_flags, duplicate_count, possible_duplicate_of, source_file, source_rows, import_job_id, "
    "created_at, version"
)
ITEM = (
    "position, drug_code, drug_group, drug_text, quantity, unit_code, unit_text, purity, kg, kg_method,"
    " kg_exact"
)
JSON_COLUMNS = {
    "transit_countries",
    "conveyance_ids",
    "participating_agencies",
    "quality_flags",
    "source_rows",
}
PAGE = "FROM seizure_events WHERE agency_id = ? ORDER BY date DESC NULLS LAST, id DESC LIMIT ? OFFSET ?"


class Store:
    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()
        with sqlite3.connect(path) as db:
            self.agency = db.execute("SELECT min(id) FROM agencies").fetchone()[0]

    def db(self) -> sqlite3.Connection:
        if not hasattr(self.local, "db"):
            self.local.db = sqlite3.connect(self.path, check_same_thread=False)
        return self.local.db  # type: ignore[no-any-return]

    def page(self, columns: str, items: str, request: Request) -> tuple[list[tuple], dict[str, list[tuple]]]:
        limit = int(request.query_params.get("limit", 50))
        offset = int(request.query_params.get("offset", 0))
        db = self.db()
        rows = db.execute(f"SELECT {columns} {PAGE}", (self.agency, limit, offset)).fetchall()
        ids = [r[0] for r in rows]
        by_event: dict[str, list[tuple]] = {}
        marks = ", ".join("?" * len(ids))
        stmt = f"SELECT event_id, {items} FROM seizure_items WHERE event_id IN ({marks})"
        stmt += " ORDER BY event_id, position"
        for event_id, *values in db.execute(stmt, ids) if ids else []:
            by_event.setdefault(event_id, []).append(tuple(values))
        return rows, by_event


def app(path: str) -> Starlette:
    store = Store(path)
    record_names = [c.strip() for c in RECORD.split(",")]
    item_names = [c.strip() for c in ITEM.split(",")]

    def list_page(request: Request) -> Response:
        rows, items = store.page(SHOWN, "drug_code, quantity, unit_code, kg", request)
        out = ["<!doctype html><html><body><table>"]
        for id_, date, _precision, country, place, area, departure, destination in rows:
            its = items.get(id_, [])
            drugs = "; ".join(f"{d} {q:g} {u}" for d, q, u, _kg in its if q is not None)
            kgs = [kg for *_, kg in its if kg is not None]
            out.append(
                f'<tr><td><a href="/seizures/{id_}">{date or "?"}</a></td><td>{country or ""}</td>'
                f"<td>{html.escape(place or area or '')}</td><td>{html.escape(drugs)}</td>"
                f"<td>{sum(kgs) if kgs else '–'}</td><td>{departure or ''} → {destination or ''}</td></tr>"
            )
        out.append("</table></body></html>")
        return HTMLResponse("".join(out))

    def api_list(request: Request) -> Response:
        rows, items = store.page(RECORD, ITEM, request)
        events = []
        for row in rows:
            event = dict(zip(record_names, row, strict=True))
            for name in JSON_COLUMNS:
                event[name] = json.loads(event[name]) if event[name] else []
            event["items"] = [dict(zip(item_names, i, strict=True)) for i in items.get(row[0], [])]
            events.append(event)
        return Response(json.dumps({"items": events}), media_type="application/json")

    return Starlette(routes=[Route("/", list_page), Route("/api/seizures", api_list)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app(args.db), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
