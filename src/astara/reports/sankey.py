"""A three-column flow diagram (departure → place of seizure → destination) drawn as SVG by hand.

Band widths are proportional to seizure events; nodes beyond the ``top`` largest in a column are
merged into "other", so a diagram stays legible however many routes there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from html import escape

from astara.analysis.schemas import FlowEdge

COLOURS = ("#1f5f8b", "#b3261e", "#2e7d32", "#8d6e00", "#6a1b9a", "#00838f", "#5d4037", "#546e7a")
OTHER = "other"
STAGES = ("departure→seizure", "seizure→destination")
#: the diagram's own words; a report passes them in its language
WORDS = {
    "departure": "departure",
    "place": "place of seizure",
    "place_in": "place of seizure in {country}",
    "destination": "destination",
    "other": "other",
    "no_place": "(place not recorded)",
}


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _common_prefix(names: list[str]) -> str:
    """``"Azerbaijan ("`` when every place of seizure is in Azerbaijan: said once in the heading."""
    prefixes = {n.split(" (", 1)[0] for n in names if n != OTHER}
    return prefixes.pop() + " (" if len(prefixes) == 1 else ""


def _keep(values: dict[str, float], top: int) -> set[str]:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    return {k for k, _ in ordered[:top]}


def _text(x: float, y: float, label: str, anchor: str, data: bool = False) -> str:
    marked = ' class="data"' if data else ""  # a place's name as recorded
    common = (
        f'x="{x:.1f}" y="{y:.1f}" font-size="9.5" text-anchor="{anchor}" dominant-baseline="middle"{marked}'
    )
    return (
        f'<text {common} fill="#fff" stroke="#fff" stroke-width="2.4">{escape(label)}</text>'
        f'<text {common} fill="#222">{escape(label)}</text>'
    )


def flow_diagram(
    edges: Sequence[FlowEdge],
    *,
    width: int = 640,
    top: int = 7,
    title: str = "Route flow",
    words: Mapping[str, str] = WORDS,
    digits: Callable[[str], str] = str,
) -> str:
    """SVG of the ``edges`` (as :func:`astara.analysis.flows.route_flows` gives them); ``digits`` writes the
    counts in the diagram's language."""
    sums: list[dict[str, float]] = [defaultdict(float), defaultdict(float), defaultdict(float)]
    for e in edges:
        if e.stage == STAGES[0]:
            sums[0][e.source] += e.events
            sums[1][e.target] += e.events
        else:
            sums[2][e.target] += e.events
    keep = [_keep(s, top) for s in sums]

    def node(column: int, name: str) -> str:
        return name if name in keep[column] else OTHER

    links: dict[tuple[int, str, str], float] = defaultdict(float)
    for e in edges:
        column = 0 if e.stage == STAGES[0] else 1
        links[(column, node(column, e.source), node(column + 1, e.target))] += e.events
    columns: list[dict[str, float]] = [defaultdict(float) for _ in range(3)]
    for (column, source, target), value in links.items():
        if column == 0:
            columns[0][source] += value
            columns[1][target] += value
        else:
            columns[2][target] += value
    total = max([sum(c.values()) for c in columns] + [1.0])
    gap, height = 8.0, 260.0
    longest = max(len(c) for c in columns) or 1
    scale = (height - gap * (longest - 1)) / total
    xs = (150.0, width * 0.42, width - 150.0)
    bar = 10.0
    place: list[dict[str, tuple[float, float]]] = []
    body: list[str] = []
    order: list[list[str]] = []
    for values in columns:
        names = sorted(values, key=lambda n: (n == OTHER, -values[n], n))
        order.append(names)
        y, spots = 20.0, {}
        for name in names:
            h = max(1.0, values[name] * scale)
            spots[name] = (y, h)
            y += h + gap
        place.append(spots)
    colour = {n: COLOURS[i % len(COLOURS)] for i, n in enumerate(order[1])}
    out_at = [dict((n, y) for n, (y, _h) in p.items()) for p in place]
    in_at = [dict((n, y) for n, (y, _h) in p.items()) for p in place]
    for column in (0, 1):
        pairs = sorted(
            ((s, t, v) for (c, s, t), v in links.items() if c == column),
            key=lambda st: (order[column].index(st[0]), order[column + 1].index(st[1])),
        )
        for source, target, value in pairs:
            h = value * scale
            y0, y1 = out_at[column][source], in_at[column + 1][target]
            out_at[column][source] += h
            in_at[column + 1][target] += h
            x0, x1 = xs[column] + bar, xs[column + 1]
            xm = (x0 + x1) / 2
            tint = colour.get(target if column == 0 else source, "#777")
            body.append(
                f'<path d="M{x0:.1f},{y0:.1f}C{xm:.1f},{y0:.1f} {xm:.1f},{y1:.1f} {x1:.1f},{y1:.1f}'
                f"L{x1:.1f},{y1 + h:.1f}C{xm:.1f},{y1 + h:.1f} {xm:.1f},{y0 + h:.1f} {x0:.1f},{y0 + h:.1f}Z"
                f'" fill="{tint}" fill-opacity="0.35"><title class="data">'
                f"{escape(source)} → {escape(target)}: {digits(f'{value:g}')}</title></path>"
            )
    prefix = _common_prefix(order[1])
    place_head = words["place_in"].format(country=prefix[:-2]) if prefix else words["place"]
    heads = (words["departure"], place_head, words["destination"])
    for column, spots in enumerate(place):
        x = xs[column]
        body.append(
            f'<text x="{x + bar / 2:.1f}" y="10" font-size="9" fill="#555" text-anchor="middle">'
            f"{escape(heads[column])}</text>"
        )
        for name, (y, h) in spots.items():
            fill = colour.get(name, "#444") if column == 1 else "#444"
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:g}" height="{h:.1f}" fill="{fill}"/>')
            shown = words["other"] if name == OTHER else name
            if column == 1 and prefix and name != OTHER:
                shown = name[len(prefix) : -1] if name.startswith(prefix) else words["no_place"]
            label = f"{_short(shown)} ({digits(f'{columns[column][name]:g}')})"
            place_name = column == 1 and name != OTHER and shown != words["no_place"]
            if column == 0:
                body.append(_text(x - 4, y + h / 2, label, "end"))
            else:
                body.append(_text(x + bar + 4, y + h / 2, label, "start", data=place_name))
    bottom = max([y + h for p in place for y, h in p.values()] + [40.0]) + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {bottom:.0f}" width="{width}" '
        f'height="{bottom:.0f}" role="img" aria-label="{escape(title)}" '
        f'font-family="Vazirmatn, DejaVu Sans, sans-serif">' + "".join(body) + "</svg>"
    )
