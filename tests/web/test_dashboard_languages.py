"""The dashboard's chart and map (SVG images) carry the page's words, not English."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids


def test_the_dashboard_images_speak_persian(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    rows = [ids_row(AMOUNT=str(10 + i), SEIZURE_DATE=f"2016-0{1 + i}-05") for i in range(3)]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    page = api_client.get("/dashboard", headers={"Accept-Language": "fa"}).text
    images = [
        base64.b64decode(b).decode()
        for b in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page)
    ]
    assert any("رویدادهای کشف" in svg for svg in images)  # the chart's axis
    assert any("کانون‌های کشف" in svg and "مالکیت عمومی" in svg for svg in images)  # the map's title, credit
    assert not any("Seizure hotspots" in svg or "seizure events" in svg for svg in images)
    assert "z مقاوم = (باقی‌مانده − میانه)" in page  # how anomalies are found, under the chart
    chart = next(svg for svg in images if "رویدادهای کشف" in svg)
    ticks = re.findall(r"<text[^>]*>([^<]*)</text>", chart)
    assert "۲۰۱۶-۰۲" in ticks and "۱" in ticks  # a month under the bars, a count beside them
    assert not [t for t in ticks if re.search(r"[0-9]", t)]  # no Latin digit left on either axis
