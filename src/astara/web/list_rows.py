"""The seizure list's table rows, written in Python: the page's one loop over fifty rows, where a
template's calls per cell cost more than the rest of the page. Writes what the template did,
character for character (``tests/web/test_list_rows.py`` compares them)."""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape

from astara.i18n import localise_date, translate
from astara.i18n import localise_number as num
from astara.seizures.schemas import ListedEvent
from astara.web.templating import data, label

ARROWS = {"rtl": " ← ", "ltr": " → "}  # the way the page reads, as templates/_route.html


@pass_context
def seizure_rows(context: Any, events: list[ListedEvent]) -> Markup:
    """The ``<tr>`` of each event: date (linking to it), country, place, items, kilograms, route.
    Every value is escaped here, as the template's autoescape did."""
    lang = context["lang"]
    separator = str(escape(translate(lang, "text.separator")))
    arrow = ARROWS["rtl" if context["dir"] == "rtl" else "ltr"]
    rows = []
    for e in events:
        # (a missing unit shows as None, as the template wrote it)
        drugs = separator.join(
            f"{label('drugs', i.drug_code, lang)} {escape(num(i.quantity, lang))} {escape(str(i.unit_code))}"
            for i in e.items
        )
        kg = e.total_kg
        when = escape(localise_date(e.date, lang, e.date_precision)) if e.date else "?"
        stops = arrow.join(
            f"<bdi>{escape(stop or '?')}</bdi>" for stop in (e.departure_country, e.destination_country)
        )
        rows.append(
            f'\n    <tr>\n      <td><a href="/seizures/{escape(e.id)}">{when}</a></td>\n'
            f"      <td>{label('countries', e.country, lang)}</td>\n"
            f"      <td>{data(e.place_text or e.admin_area)}</td>\n"
            f"      <td>{drugs}</td>\n"
            f'      <td class="num">{escape(num(kg, lang)) if kg is not None else "–"}</td>\n'
            f'      <td><span class="route">{stops}</span></td>\n    </tr>\n  '
        )
    return Markup("".join(rows))  # noqa: S704 - every value above is escaped
