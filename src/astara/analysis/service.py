"""``astara stats``: seizure events and kilogram equivalents by any dimension, with shares."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis import repository
from astara.analysis.schemas import StatsGroup, StatsResult
from astara.errors import InvalidInput
from astara.gazetteer import get_gazetteer
from astara.kit.countries import country_name
from astara.seizures.dimensions import Dimension, dimension, parse_where, text_search
from astara.vocab import get_vocabulary

SORTS = ("events", "kg", "key")
ENGINES = ("sql", "duckdb")


def share_text(part: int, whole: int) -> tuple[str, float]:
    """``"184 of 210, 87.6 %"`` and the percentage; numerator and denominator always shown."""
    pct = round(100.0 * part / whole, 1) if whole else 0.0
    return f"{part:,} of {whole:,}, {pct:.1f} %", pct


def label(dim: Dimension, key: Any) -> str:
    if key is None:
        return "(unknown)"
    name = dim.name
    try:
        if name.endswith("country"):
            return f"{country_name(str(key))} ({key})"
        if name == "drug":
            return get_vocabulary().drugs.get(str(key)).name
        if name == "drug_group":
            return get_vocabulary().drug_groups.get(str(key)).label
        if name == "place":
            return get_gazetteer().get(str(key)).name
    except KeyError:
        return str(key)
    if name == "month":
        year, month = divmod(int(key), 100)
        return f"{year}-{month:02d}" if month else f"{year} (month unknown)"
    if name == "quarter":
        year, quarter = divmod(int(key), 10)
        return f"{year} Q{quarter}"
    return str(key)


def stats(
    session: Session,
    scope: Scope,
    by: list[str],
    where: list[str] | None = None,
    *,
    sort: str = "events",
    limit: int | None = None,
    exclude_possible_duplicates: bool = False,
    engine: str = "sql",
    q: str | None = None,
) -> StatsResult:
    """Group the agency's seizures by ``by`` after the ``FIELD=VALUE`` filters in ``where`` and the
    list's text search ``q``.

    ``engine="duckdb"`` answers from a columnar snapshot of the embedded store (committed data):
    the same figures, much faster for whole-store questions over millions of items.
    """
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}")
    if engine not in ENGINES:
        raise InvalidInput(f"engine must be one of {', '.join(ENGINES)}")
    dims = [dimension(b) for b in by]
    conditions = [*parse_where(where or []), *text_search(q)]
    grouping = repository.Grouping(session, scope, conditions, exclude_possible_duplicates, engine)
    rows = grouping.rows(dims)
    total = grouping.total(rows, len(dims))
    total_events, _items, total_kg, _no_kg, total_rows = total
    groups = []
    for row in rows:
        keys, (events, items, kg, no_kg, rows) = row[: len(dims)], row[len(dims) :]
        text, pct = share_text(int(events), int(total_events or 0))
        groups.append(
            StatsGroup(
                key=keys[0] if len(keys) == 1 else " | ".join("" if k is None else str(k) for k in keys),
                label=" | ".join(label(d, k) for d, k in zip(dims, keys, strict=True)),
                events=int(events),
                items=int(items or 0),
                kg=round(float(kg or 0.0), 6),
                items_without_kg=int(no_kg or 0),
                source_rows=int(rows or 0),
                share=text,
                share_pct=pct,
            )
        )
    if sort == "key":
        groups.sort(key=lambda g: (g.key is None, str(g.key)))
    else:
        groups.sort(key=lambda g: (-(g.events if sort == "events" else g.kg), g.key is None, str(g.key)))
    return StatsResult(
        by=[d.name for d in dims],
        where=list(where or []),
        total_events=int(total_events or 0),
        total_kg=round(float(total_kg or 0.0), 6),
        total_source_rows=int(total_rows or 0),
        groups=groups[:limit] if limit else groups,
    )


def format_table(result: StatsResult) -> str:
    """A plain-text table for people."""
    head = " × ".join(result.by) or "all"
    width = max([len(head), *(len(g.label) for g in result.groups)]) + 2
    lines = [f"{head:<{width}}{'events':>9}{'kg':>16}{'share of events':>28}"]
    for g in result.groups:
        lines.append(f"{g.label:<{width}}{g.events:>9,}{g.kg:>16,.3f}{g.share:>28}")
    lines.append(f"{'total':<{width}}{result.total_events:>9,}{result.total_kg:>16,.3f}")
    if result.where:
        lines.append(f"where {' and '.join(result.where)}")
    return "\n".join(lines)
