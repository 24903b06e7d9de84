"""Build the rows an import writes as driver-ready tuples, without a dict per row.

This module imports neither SQLAlchemy nor the models (the worker process of a large import
builds rows too, and would pay for loading them): the tables come in as :class:`RecordLayouts`.
A 300,000-row import used to copy a 50-key template dict per event, pick it apart again into a
tuple and then adapt every column for the driver: about a fifth of the import's time. Here the
columns every event shares (agency, job, timestamps, empty lists...) are adapted once into a
template list, and each row only overwrites the columns it has values for. Rows parsed column by
column (:mod:`astara.imports.chunks`) become driver rows a column at a time
(:meth:`RecordBuilder.from_columns`). Either way the rows leave here grouped as
:func:`astara.db.bulk.insert_groups` writes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Any, NamedTuple, cast

from astara.db.rowsets import Adapter, Rows, TableLayout, as_rows, sql_literal
from astara.db.totals import item_totals, shared_drug
from astara.imports.chunks import MISSING, FastRows, per_distinct


class RecordLayouts(NamedTuple):
    """The driver's view of the two tables an import writes, as plain data (made by
    :func:`astara.imports.repository.record_layouts`, where the models are)."""

    dialect: str
    events: TableLayout  # every column of seizure_events
    items: TableLayout  # every column of seizure_items but its generated id


class _Layout:
    """One table's column order, the driver adapter of each column and the shared values."""

    def __init__(self, layout: TableLayout, shared: dict[str, Any]) -> None:
        self.layout = layout
        columns = self.names = layout.columns
        self.always_bound = layout.always_bound
        self.adapters: dict[str, Adapter | None] = dict(zip(columns, layout.adapters, strict=True))
        self.index = {name: i for i, name in enumerate(columns)}
        self.slots = {name: (i, self.adapters[name]) for i, name in enumerate(columns)}  # one look-up a value
        self.template = [self.adapt(name, shared.get(name)) for name in columns]

    def adapt(self, name: str, value: Any) -> Any:
        adapter = self.adapters[name]
        return value if adapter is None or value is None else adapter(value)

    def fill(self, values: dict[str, Any]) -> list[Any]:
        """The template with ``values`` (column name -> Python value) written over it, adapted."""
        out = self.template.copy()
        slots = self.slots
        for name, value in values.items():
            slot = slots.get(name)
            if slot is None:  # a parser's helper key that is not a column
                continue
            i, adapter = slot
            out[i] = value if adapter is None or value is None else adapter(value)
        return out

    def column(self, name: str, values: list[Any] | None) -> Iterable[Any]:
        """One column, adapted; MISSING takes the template's value (repeated when ``values`` is None)."""
        default = self.template[self.index[name]]
        if values is None:
            return repeat(default)
        adapter = self.adapters[name]
        if adapter is None:
            return [default if v is MISSING else v for v in values] if MISSING in values else values

        def adapted(v: Any) -> Any:
            return default if v is MISSING else (None if v is None else adapter(v))

        try:  # each distinct value adapted once (dates: a few hundred a batch)
            return per_distinct(values, adapted)
        except TypeError:  # unhashable values (lists for JSON): one by one
            return list(map(adapted, values))


class RecordBuilder:
    """Turns parsed rows (or columns of them) into event and item rows for ``dialect``'s driver.

    It needs only the tables' layouts (plain data), not a connection. The preparing side of an import
    (:mod:`astara.imports.prepare`, in a worker process for a large file) builds the rows of rows
    parsed one by one; the importer (:mod:`astara.imports.service`) builds those of clean rows
    from their columns, then writes them all.
    """

    def __init__(self, layouts: RecordLayouts, shared: dict[str, Any]) -> None:
        self.dialect = layouts.dialect
        self.events = _Layout(layouts.events, shared)
        self.items = _Layout(layouts.items, {})
        e = self.events.index
        self._e = (e["id"], e["duplicate_count"], e["source_rows"], e["quality_flags"], e["content_hash"],
                   e["total_kg"], e["item_count"], e["items_without_kg"],
                   e["drug_code"], e["drug_group"])  # fmt: skip
        self._rows_json = self.events.adapters["source_rows"] or (lambda v: v)
        self._flags_json = self.events.adapters["quality_flags"] or (lambda v: v)
        i = self.items.index
        self._i = (i["event_id"], i["position"])

    def stamp(self, values: dict[str, Any]) -> dict[str, Any]:
        """Give the events built from now on ``values`` (column -> Python value) in place of the
        shared ones; return them adapted for the driver, for rows built elsewhere."""
        adapted = {name: self.events.adapt(name, value) for name, value in values.items()}
        for name, value in adapted.items():
            self.events.template[self.events.index[name]] = value
        return adapted

    def event(
        self,
        values: dict[str, Any],
        event_id: str,
        source_rows: list[int],
        flags: list[str],
        content_hash: str,
        items: Sequence[dict[str, Any]],
    ) -> tuple[Any, ...]:
        """An event row: ``values`` over the shared ones, and what its ``items`` (their values) add up to."""
        out = self.events.fill(values)
        i_id, i_dup, i_rows, i_flags, i_hash, i_total, i_count, i_missing, i_drug, i_group = self._e
        out[i_id], out[i_dup], out[i_hash] = event_id, len(source_rows), content_hash
        out[i_rows], out[i_flags] = self._rows_json(source_rows), self._flags_json(flags)
        out[i_total], out[i_count], out[i_missing] = item_totals(item["kg"] for item in items)
        out[i_drug], out[i_group] = shared_drug((item["drug_code"], item.get("drug_group")) for item in items)
        return tuple(out)

    def item(self, values: dict[str, Any], event_id: str, position: int) -> tuple[Any, ...]:
        out = self.items.fill(values)
        out[self._i[0]], out[self._i[1]] = event_id, position
        return tuple(out)

    def from_columns(
        self,
        fast: FastRows,
        ids: list[str],
        duplicate_of: list[str | None],
        flags: list[Sequence[str]],
        merged: dict[int, list[int]],
    ) -> tuple[list[Rows], list[Rows]]:
        """Event and item rows for the rows of ``fast``, one item each.

        ``ids``, ``duplicate_of`` and ``flags`` hold, for those rows, the event id, the event it may
        duplicate and the quality flags; ``merged``, for rows exact duplicates were merged into, all
        their source rows. The same rows :meth:`event` and :meth:`item` build, already grouped for
        :func:`insert_groups`.
        """
        numbers, kgs = fast.numbers, fast.item["kg"]
        rows_json, flags_json = self._rows_json, self._flags_json
        no_flags = flags_json([])
        given: dict[str, Iterable[Any]] = {
            "id": ids,
            "duplicate_count": repeat(1),
            "source_rows": (
                [f"[{n}]" for n in numbers] if self.dialect == "sqlite" else [rows_json([n]) for n in numbers]
            ),
            "quality_flags": [flags_json(f) if f else no_flags for f in flags],
            "content_hash": fast.hashes,
            "total_kg": [0.0 if kg is None else kg for kg in kgs],
            "item_count": repeat(1),
            "items_without_kg": [int(kg is None) for kg in kgs],
            # one item each: the event's drug is its item's
            "drug_code": self.items.column("drug_code", fast.item.get("drug_code")),
            "drug_group": self.items.column("drug_group", fast.item.get("drug_group")),
        }
        if merged:
            counts, sources = [1] * len(ids), list(given["source_rows"])
            for j, rows in merged.items():
                counts[j], sources[j] = len(rows), rows_json(rows)
            given["duplicate_count"], given["source_rows"] = counts, sources
        if any(d is not None for d in duplicate_of):
            before = self.events.column("possible_duplicate_of", fast.event.get("possible_duplicate_of"))
            given["possible_duplicate_of"] = [
                b if d is None else d for d, b in zip(duplicate_of, before, strict=False)
            ]
        events = self._grouped(self.events, given, fast.event)
        items = self._grouped(self.items, {"event_id": ids, "position": repeat(1)}, fast.item)
        return events, items

    def _grouped(
        self,
        layout: _Layout,
        given: dict[str, Iterable[Any]],
        values: dict[str, list[Any]],
    ) -> list[Rows]:
        """Columns into one :class:`Rows`. For SQLite, a column empty in every row is left out and
        one value every row shares is written into the statement as a literal."""
        names = layout.names
        columns = [given.get(name) or layout.column(name, values.get(name)) for name in names]
        if self.dialect != "sqlite":
            return [Rows(names, (), list(zip(*columns, strict=False)))]
        count = next(len(c) for c in columns if isinstance(c, list))
        bound: list[tuple[str, list[Any]]] = []
        shared: list[tuple[str, Any]] = []
        for name, column, anyway in zip(names, columns, layout.always_bound, strict=True):
            if not isinstance(column, list):
                value = next(iter(column))  # a repeat: one value for every row
                if value is None and not anyway:
                    continue
                if sql_literal(value) is not None:
                    shared.append((name, value))
                    continue
                column = [value] * count
            elif not anyway and column[0] is None and column.count(None) == count:
                continue
            bound.append((name, column))
        rows = list(zip(*(c for _, c in bound), strict=True))
        return [Rows(tuple(n for n, _ in bound), tuple(shared), rows)]

    def groups(
        self, events: list[tuple[Any, ...]], items: list[tuple[Any, ...]]
    ) -> tuple[list[Rows], list[Rows]]:
        """Rows built by :meth:`event` and :meth:`item`, grouped for :func:`insert_groups`."""
        return as_rows(self.events.layout, events), as_rows(self.items.layout, items)


def values(groups: list[Rows], name: str) -> list[Any]:
    """Every row's value of column ``name`` (None where a group leaves it out), group after group."""
    out: list[Any] = []
    for columns, shared, rows in groups:
        if name in columns:
            i = columns.index(name)
            out.extend(row[i] for row in rows)
        else:
            out.extend([dict(shared).get(name)] * len(rows))
    return out


def without(groups: list[Rows], name: str, unwanted: set[Any]) -> list[Rows]:
    """The groups without the rows whose ``name`` value is in ``unwanted`` (a column every row gives)."""
    out = []
    for columns, shared, rows in groups:
        i = columns.index(name)
        kept = [row for row in rows if row[i] not in unwanted]
        if kept:
            out.append(Rows(columns, shared, kept))
    return out


def source_rows(value: Any) -> list[int]:
    """An event's source rows from its driver value (SQLite's JSON text, or psycopg's wrapper)."""
    return cast(list[int], json.loads(value) if isinstance(value, str) else value.obj)
