"""What an event's items add up to, kept on the event (:meth:`SeizureEvent.refresh_totals`) and
computed by the importer (:mod:`astara.imports.records`, which must not import the models)."""

from __future__ import annotations

from collections.abc import Iterable


def item_totals(kgs: Iterable[float | None]) -> tuple[float, int, int]:
    """(sum of kilograms, number of items, items without a kilogram equivalent)."""
    total, count, missing = 0.0, 0, 0
    for kg in kgs:
        count += 1
        if kg is None:
            missing += 1
        else:
            total += kg
    return total, count, missing


def shared_drug(drugs: Iterable[tuple[str, str | None]]) -> tuple[str | None, str | None]:
    """The (drug code, drug group) every item has, or (None, None) when they differ or there are none."""
    distinct = set(drugs)
    return next(iter(distinct)) if len(distinct) == 1 else (None, None)
