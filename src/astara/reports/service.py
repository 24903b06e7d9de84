"""``astara report``: a bilateral periodic report or a route brief, as HTML and PDF.

Every table is an ``astara stats`` result and shows the command that gives the same figures;
charts and maps are SVG drawn here from the same results, so the report needs no network and the
same data gives the same report, but for the time it was generated.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.flows import place_label, route_flows
from astara.analysis.hotspots import hotspots
from astara.analysis.periods import Period, parse_period
from astara.analysis.service import stats
from astara.analysis.trends import trends
from astara.errors import InvalidInput
from astara.i18n import RTL, localise_digits, translate
from astara.kit.countries import CountryNotFound, country_name, resolve_country
from astara.kit.deferred import deferred
from astara.reference.service import compare
from astara.reports import charts, maps, sankey
from astara.reports.fonts import font_face_css
from astara.reports.identities import both_sides
from astara.reports.schemas import REPORT_TYPES, Report, ReportRequest, StatsTable
from astara.vocab import labels

if TYPE_CHECKING:
    import weasyprint
else:
    weasyprint = deferred("weasyprint", "heavy: loaded only when a PDF is asked for")

FORMATS = ("html", "pdf")
LANGUAGES = ("en", "az", "ru", "fa")
#: the vocabulary whose labels name a table's groups, by the table's field
GROUP_KINDS = {
    "drug": "drugs",
    "drug_group": "drug_groups",
    "departure_country": "countries",
    "destination_country": "countries",
    "transport": "transport",
    "concealment": "concealment",
}
ROLES = (
    ("departure_country", "departed from"),
    ("destination_country", "bound for"),
    ("producing_country", "produced in"),
)


def _code(value: str, what: str) -> str:
    try:
        code = resolve_country(value)
    except CountryNotFound:
        code = None
    if code is None:
        raise InvalidInput(f"unknown {what} {value!r}")
    return code


def _local(code: str) -> list[str]:
    """The country's name in Azerbaijani, Persian and Russian (shown to check shaping too)."""
    names = []
    for lang in ("az", "fa", "ru"):
        name = country_name(code, lang)
        if name not in names and name != country_name(code):
            names.append(name)
    return names


def _command(by: list[str], where: list[str], sort: str = "events") -> str:
    parts = ["astara stats", *(f"--by {b}" for b in by), *(f"--where {w}" for w in where)]
    return " ".join([*parts, *(["--sort key"] if sort == "key" else [])])


def _table(
    session: Session, scope: Scope, title: str, by: str, where: list[str], sort: str = "events"
) -> StatsTable:
    result = stats(session, scope, [by], where, sort=sort)
    return StatsTable(title=title, command=_command([by], where, sort), result=result)


def _monthly_chart(
    session: Session, scope: Scope, history: list[str], period: Period, language: str = "en"
) -> tuple[str, Any]:
    """Events per month of the period's year, the year before as a line, anomalies in red."""
    months = translate(language, "report.months").split()
    trend = trends(session, scope, history, period="month")
    points = {p.period: p for p in trend.points}
    this = [points.get(f"{period.year}-{m:02d}") for m in range(1, 13)]
    before = [points.get(f"{period.year - 1}-{m:02d}") for m in range(1, 13)]
    has_before = any(p is not None and p.events for p in before)
    svg = charts.period_bars(
        months,
        [p.events if p else 0 for p in this],
        flagged=[bool(p and p.anomaly) for p in this],
        baseline=[p.events if p else 0 for p in before] if has_before else None,
        baseline_label=localise_digits(str(period.year - 1), language),
        ylabel=translate(language, "report.events"),
        digits=lambda text: localise_digits(text, language),
    )
    return svg, trend


def _local_edges(flows: Any, language: str) -> list[Any]:
    """The flow diagram's edges with the countries named in ``language`` (places stay as recorded)."""
    codes = {c for r in flows.routes for c in (r.departure_country, r.country, r.destination_country) if c}
    names = {country_name(c): labels.label("countries", c, language) for c in codes}

    def local(name: str) -> str:
        country, bracket, rest = name.partition(" (")
        return names.get(country, country) + bracket + rest

    return [e.model_copy(update={"source": local(e.source), "target": local(e.target)}) for e in flows.edges]


def build_report(
    session: Session, scope: Scope, request: ReportRequest, generated_at: dt.datetime | None = None
) -> Report:
    """Collect every figure of the report from the analysis services."""
    if request.type not in REPORT_TYPES:
        raise InvalidInput(f"report type must be one of {', '.join(REPORT_TYPES)}, not {request.type!r}")
    if request.language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, not {request.language!r}")
    country = _code(request.country, "country")
    partner = _code(request.partner, "partner country") if request.partner else None
    period = parse_period(request.period)
    baseline = period.previous()
    scope_where = [f"country={country}"]
    if request.place:
        scope_where.append(f"place={request.place}")
    if request.type == "route-brief" and partner:
        scope_where.append(f"departure_country={partner}")
    where, before = [*scope_where, period.where()], [*scope_where, baseline.where()]
    overall = stats(session, scope, ["country"], where)
    previous = stats(session, scope, ["country"], before)
    summary = {
        "events": overall.total_events,
        "kg": overall.total_kg,
        "source_rows": overall.total_source_rows,
        "baseline_events": previous.total_events,
        "baseline_kg": previous.total_kg,
        "command": _command(["country"], where),
    }
    shares = []
    if partner:  # of all the seizures in scope, also in a route brief (which keeps only the partner's)
        country_where = [w for w in scope_where if not w.startswith("departure_country=")] + [period.where()]
        for role, verb in ROLES:
            result = stats(session, scope, [role], country_where)
            group = next((g for g in result.groups if g.key == partner), None)
            share = group.share if group else f"0 of {result.total_events:,}, 0.0 %"
            shares.append({"role": verb, "field": role, "share": share,
                           "command": _command([role], country_where),
                           "events": group.events if group else 0, "total": result.total_events,
                           "pct": group.share_pct if group else 0.0})  # fmt: skip
    tables = {
        "drug": _table(session, scope, "By drug", "drug", where),
        "quarter": _table(session, scope, "By quarter", "quarter", where, sort="key"),
        "departure": _table(session, scope, "By country of departure", "departure_country", where),
        "destination": _table(session, scope, "By country of destination", "destination_country", where),
        "transport": _table(session, scope, "By transport", "transport", where),
        "concealment": _table(session, scope, "By concealment", "concealment", where),
    }
    if partner and request.type == "bilateral":
        tables["partner"] = _table(
            session,
            scope,
            f"Departed from {country_name(partner)}, by drug",
            "drug",
            [*where, f"departure_country={partner}"],
        )
    labels = (baseline.label, period.label)
    routes = route_flows(session, scope, where, baseline_where=before, labels=labels)
    by_place = route_flows(session, scope, where, detail="place")
    places = hotspots(session, scope, where, level="place")
    posts = hotspots(session, scope, where, level="border_post", baseline_where=before)
    areas = hotspots(session, scope, where, level="admin_area", baseline_where=before, limit=12)
    cells = hotspots(session, scope, where, level="h3", limit=10)
    monthly, trend = _monthly_chart(session, scope, scope_where, period, request.language)
    words = _words(request.language)
    drugs = tables["drug"].result.groups[:10]
    flows: dict[tuple[str, str], float] = {}
    for r in routes.routes:
        for a, b in ((r.departure_country, r.country), (r.country, r.destination_country)):
            if a and b and a != b:
                flows[(a, b)] = flows.get((a, b), 0.0) + r.events
    chart = {
        "monthly": monthly,
        "drugs": charts.ranked_bars(
            [words["group"]("drug", g.key, g.label) for g in drugs],
            [g.kg for g in drugs],
            xlabel=words["t"]("report.kg"),
            digits=words["digits"],
        )
        if drugs
        else "",
        "flow": sankey.flow_diagram(
            _local_edges(by_place, request.language),
            title=words["t"]("report.flow_title"),
            words={k: words["t"](f"report.sankey.{k}") for k in sankey.WORDS},
            digits=words["digits"],
        )
        if by_place.edges
        else "",
        "flow_map": maps.flow_map(
            [maps.Flow(a, b, v) for (a, b), v in sorted(flows.items())],
            country,
            partner,
            title=words["t"]("report.flows_title"),
            attribution=words["t"]("report.attribution"),
        ),
        "hotspot_map": maps.hotspot_map(
            [
                maps.Point(h.label, h.lon, h.lat, h.events)
                for h in places.hotspots
                if h.lat is not None and h.lon is not None
            ],
            country,
            partner,
            title=words["t"]("report.hotspots_title"),
            attribution=words["t"]("report.attribution"),
            digits=words["digits"],
        ),
    }
    kind = "Bilateral periodic report" if request.type == "bilateral" else "Route brief"
    pair = f"{country_name(country)}" + (f" – {country_name(partner)}" if partner else "")
    if request.place:
        pair += f", {place_label(request.place)}"
    return Report(
        request=request,
        title=f"{kind}: {pair}, {period.label}",
        country=country,
        country_name=country_name(country),
        country_local=_local(country),
        partner=partner,
        partner_name=country_name(partner) if partner else None,
        partner_local=_local(partner) if partner else [],
        period=period.label,
        baseline=baseline.label,
        agency=scope.agency_code,
        generated_at=(generated_at or dt.datetime.now(dt.UTC)).replace(microsecond=0),
        where=where,
        summary=summary,
        partner_shares=shares,
        tables=tables,
        charts=chart,  # SVG built here from numbers and escaped labels; the template marks it safe
        routes=routes,
        hotspots=posts,
        admin_areas=areas,
        h3_cells=cells,
        trend=trend,
        reference=compare(session, scope, country, period.year),
        identities=both_sides(session, scope, country, partner, period)
        if partner and request.type == "bilateral"
        else [],
        anomalies=[p for p in trend.points if p.anomaly and p.period.startswith(str(period.year))],
        notes=[
            "Events are seizure events after identical source rows were merged; kg sums kilogram "
            "equivalents of the matching items (items without one, such as plants, are left out).",
            "Shares show numerator and denominator: every figure can be checked with the astara stats "
            "command shown beside it.",
            f"Route shifts compare {period.label} with {baseline.label}: flagged at 5 percentage points or "
            "more with a two-proportion |z| of 1.96 or more.",
            trend.method,
        ],
    )


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("astara.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v, d=0: f"{v:,.{d}f}"
    return env


def _words(language: str) -> dict[str, Any]:
    """What the template writes in the report's language: the pages' catalogue, vocabulary labels,
    country names, shares and route arrows (pointing left in a right-to-left report)."""

    def digits(text: str) -> str:
        return localise_digits(text, language)

    def group(by: str, key: Any, shown: str) -> str:
        if key is None:
            return translate(language, "share.unknown")
        kind = GROUP_KINDS.get(by)
        if kind == "countries":
            return f"{labels.label(kind, str(key), language)} ({key})"
        return labels.label(kind, str(key), language) if kind else shown

    def period_name(text: str) -> str:
        """A month ("2016-03") as its name and year ("Mar 2016"); a year as it is; in the report's digits."""
        year, _, month = text.partition("-")
        if not month.isdigit() or not 1 <= int(month) <= 12:
            return digits(text)
        return f"{translate(language, 'report.months').split()[int(month) - 1]} {digits(year)}"

    def share(part: int, whole: int, pct: float) -> str:
        return translate(language, "share.of", part=part, whole=whole, pct=digits(f"{pct:.1f}"))

    return {
        "lang": language,
        "dir": "rtl" if language in RTL else "ltr",
        "arrow": " ← " if language in RTL else " → ",
        "t": lambda key, **values: translate(language, key, **values),
        "country": lambda code: labels.label("countries", code, language) if code else "?",
        "group": group,
        "share": share,
        "digits": digits,
        "period_name": period_name,
    }


def render_html(report: Report, *, for_pdf: bool = False) -> str:
    """The report as one self-contained HTML page (styles and SVG inline, no external request), in the
    language asked for; stored and gazetteer names stay as recorded, marked as data."""
    fonts = Markup(font_face_css()) if for_pdf else Markup("")  # noqa: S704 - our own CSS
    words = _words(report.request.language)
    env = _environment()
    env.filters["num"] = lambda v, d=0: localise_digits(f"{v:,.{d}f}", report.request.language)
    return env.get_template("report.html").render(r=report, fonts=fonts, **words)


def render_pdf(report: Report) -> bytes:
    """The report as PDF (WeasyPrint, vendored fonts: Persian and Azerbaijani shaped by HarfBuzz)."""
    html = render_html(report, for_pdf=True)
    document = weasyprint.HTML(string=html, base_url=str(Path(__file__).parent))
    pdf: bytes = document.write_pdf()
    return pdf


def write_report(
    session: Session, scope: Scope, request: ReportRequest, out: Path, generated_at: dt.datetime | None = None
) -> Path:
    """Build the report and write it as HTML or PDF, chosen by ``out``'s suffix."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput(f"the report file must end in .html or .pdf, not {out.name!r}")
    report = build_report(session, scope, request, generated_at)
    if fmt == "pdf":
        out.write_bytes(render_pdf(report))
    else:
        out.write_text(render_html(report), encoding="utf-8")
    return out
