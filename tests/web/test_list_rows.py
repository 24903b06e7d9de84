"""The list's rows written in Python are, character for character, what the template's loop wrote."""

from __future__ import annotations

import datetime as dt

import pytest

from astara.i18n import localise_date, localise_number, translate
from astara.seizures.schemas import ListedEvent, ListedItem
from astara.web.list_rows import seizure_rows
from astara.web.templating import label, templates

# the loop seizures.html had, with the route macro it imported
TEMPLATE = """{% from "_route.html" import route with context %}{% for e in events %}
    <tr>
      <td><a href="/seizures/{{ e.id }}">{{ date(e.date, e.date_precision) if e.date else "?" }}</a></td>
      <td>{{ label_of("countries", e.country) }}</td>
      <td>{{ (e.place_text or e.admin_area) | data }}</td>
      <td>{% for i in e.items %}{{ label_of("drugs", i.drug_code) }} {{ num(i.quantity) }} {{ i.unit_code }}{% if not loop.last %}{{ t("text.separator") }}{% endif %}{% endfor %}</td>
      <td class="num">{{ num(e.total_kg) if e.total_kg is not none else "–" }}</td>
      <td>{{ route([e.departure_country, e.destination_country]) }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501

EVENTS = [
    ListedEvent("a1", dt.date(2016, 5, 3), "day", "AZ", "Astara <port> & \"gate\"", None, "IR", "AZ",
                [ListedItem("heroin", 12.5, "kg", 12.5), ListedItem("opium", 3, "tablet", None)]),
    ListedEvent("b2", None, None, None, None, "Lankaran", None, None,
                [ListedItem("hashish", None, None, None)]),
    ListedEvent("c3", dt.date(2015, 1, 1), "year", "ZZ", None, None, "AF", None, []),
    ListedEvent("d<4>", dt.date(2020, 2, 1), "month", "IR", "Bandar Abbas", "Hormozgan", "PK", "IR",
                [ListedItem("unknown-drug", 1234567.891, "g", 1234.567891),
                 ListedItem("heroin", 0.0125, "kg", 0.0125)]),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "fa", "ru", "az"])
def test_the_rows_are_the_templates(lang: str) -> None:
    context = {
        "lang": lang,
        "dir": "rtl" if lang == "fa" else "ltr",
        "t": lambda key, **values: translate(lang, key, **values),
        "num": lambda value: localise_number(value, lang),
        "date": lambda value, precision="day": localise_date(value, lang, precision),
        "label_of": lambda kind, code: label(kind, code, lang),
    }
    expected = templates.env.from_string(TEMPLATE).render(events=EVENTS, **context)
    written = templates.env.from_string("{{ rows(e) }}").render(rows=seizure_rows, e=EVENTS, **context)
    assert written == expected
