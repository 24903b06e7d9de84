"""A report in Russian and Persian: headings, groups and shares in the language, Persian right to left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.errors import InvalidInput
from astara.reports.schemas import ReportRequest
from astara.reports.service import build_report, render_html
from fixtures.make import ids_row, import_file, write_ids


def _bilateral(engine: Engine, scope: Scope, tmp_path: Path, language: str) -> str:
    rows = [ids_row(SEIZURE_DATE=f"2017-0{1 + i % 9}-05", AMOUNT=str(10 + i)) for i in range(9)]
    rows.append(ids_row(SEIZURE_DATE="2017-06-01", AMOUNT="500", DEPARTURE_COUNTRY="Turkey"))
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    request = ReportRequest(type="bilateral", country="AZ", period="2017", partner="IR", language=language)
    with transaction(engine) as session:
        return render_html(build_report(session, scope, request))


def test_a_bilateral_report_in_persian_reads_right_to_left(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    html = _bilateral(engine, scope, tmp_path, "fa")
    assert '<html lang="fa" dir="rtl">' in html
    assert "<title>گزارش دوره‌ای دوجانبه: جمهوری آذربایجان – ایران، ۲۰۱۷</title>" in html
    assert "<h2>خلاصه</h2>" in html and ">مسیرها</h2>" in html and "<h3>بر پایهٔ ماده</h3>" in html
    assert '<td class="n">۹ از ۱۰، ۹۰٫۰٪</td>' in html  # departed from Iran: 9 of 10, in Persian digits
    assert "<td>فرستاده از ایران</td>" in html
    route = "<tr><td><bdi>ایران</bdi> ← <bdi>جمهوری آذربایجان</bdi> ← <bdi>جمهوری آذربایجان</bdi></td>"
    assert route in html  # departure on the right, arrows pointing the way Persian reads
    assert "ژانویه" in html and "Jan" not in html  # the monthly chart's months
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    texts = [t for svg in charts for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert "۰" in texts and "ایران (۹)" in texts  # an axis, a count on the flow diagram
    # no Latin digit left on axes, counts and labels (the map's credit names its source's scale, 1:50m)
    assert not [t for t in texts if re.search(r"[0-9]", t) and "Natural Earth" not in t]


def test_a_bilateral_report_in_russian(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    html = _bilateral(engine, scope, tmp_path, "ru")
    assert '<html lang="ru" dir="ltr">' in html
    assert "<h1>Двусторонний периодический отчёт: Азербайджан – Иран, 2017</h1>" in html
    assert "<h2>Сводка</h2>" in html and "<h3>По стране отправления</h3>" in html
    assert '<td>отправлено из: Иран</td><td class="n">9 из 10, 90.0 %</td>' in html
    assert "Героин" in html and "Турция (TR)" in html  # groups by their names in Russian
    assert " → " in html and " ← " not in html


def test_an_unknown_report_language_is_refused(engine: Engine, scope: Scope) -> None:
    request = ReportRequest(country="AZ", period="2017", language="de")
    with transaction(engine) as session, pytest.raises(InvalidInput, match="language"):
        build_report(session, scope, request)


def test_a_persian_report_explains_anomalies_and_shifts_in_persian(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    """The sentences the analysis writes (an anomalous month, a route shift, the method) read in Persian."""
    rows = [ids_row(SEIZURE_DATE=f"2016-{m:02d}-10", AMOUNT=str(m)) for m in range(1, 13)]  # from Iran
    rows += [ids_row(SEIZURE_DATE=f"2017-{m:02d}-10", AMOUNT=str(m)) for m in range(1, 13)]
    rows += [  # June 2017: a burst of seizures, all from Turkey
        ids_row(SEIZURE_DATE="2017-06-15", AMOUNT=str(100 + i), DEPARTURE_COUNTRY="Turkey") for i in range(30)
    ]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    request = ReportRequest(type="bilateral", country="AZ", period="2017", partner="IR", language="fa")
    with transaction(engine) as session:
        html = render_html(build_report(session, scope, request))
    flagged = re.findall(r'<p class="note flagged">(.*?)</p>', html, flags=re.S)
    assert any(p.startswith("ژوئن ۲۰۱۷: ۳۱ رویداد کشف") and "بالاتر از معمول" in p for p in flagged)
    assert any("ترکیه" in p and "واحد درصد" in p and "۲۰۱۶" in p for p in flagged)  # Turkey's share grew
    assert "z مقاوم = (باقی‌مانده − میانه)" in html and 'lang="en"' not in html
