"""Parse a chunk of rows column by column: the fast path of an import whose rows are one-row events.

:class:`RowParser` parses a row at a time: a dict per row, a method call per field. For a file of
300,000 rows that per-row work was most of the import. :class:`ChunkParser` takes a chunk of rows
(a few thousand), turns it into columns of texts, and works down each column: each distinct text
is parsed once through the row parser's own caches and parsers, and the values are laid out per
column, ready to become the driver's rows (:meth:`astara.imports.records.RecordBuilder.from_columns`).

Only clean rows take this path. A row with any problem (an error, a warning, a missing required
value, too many fields) is handed back and parsed by :meth:`RowParser.parse`, so every message,
its order and the rejects file stay exactly what the row parser gives
(``tests/imports/test_import_fast_paths.py`` checks both paths store the same records).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from enum import Enum
from operator import itemgetter
from typing import Any, Final, Literal

from astara.imports.rows import (
    ABSURD_COUNT,
    ABSURD_KG,
    MASS_KINDS,
    MAX_ITEM_COUNT,
    MAX_ITEM_KG,
    FieldError,
    ParsedRow,
    RowParser,
)


class Marker(Enum):
    """Values that stand for no value: each is one object (compared with ``is``) and crosses
    processes as itself."""

    MISSING = "missing"  # a column no parsed value sets for that row: the record's default applies
    EMPTY = "empty"  # a field with neither a text nor a default in that row
    KEEP = "keep"  # (while overlaying) the row keeps the value it had

    __hash__ = object.__hash__  # as quick as any object's: a column holding one is hashed per value

    def __repr__(self) -> str:
        return self.name


MISSING: Final = Marker.MISSING
_EMPTY: Final = Marker.EMPTY
_KEEP: Final = Marker.KEEP
# A free-text field's values parsed from one text, or EMPTY where the row has no text.
Parsed = dict[str, Any] | Literal[Marker.EMPTY]


class Chunk:
    """A chunk of rows split: its clean rows' texts (a list per field of the plan) and content
    hashes, and the other rows parsed alone (with their positions in the chunk)."""

    __slots__ = ("combinations", "hashes", "numbers", "positions", "slow", "texts")

    def __init__(self) -> None:
        self.positions: list[int] = []  # where each clean row stands in the chunk
        self.numbers: list[int] = []  # their file row numbers
        self.hashes: list[str] = []  # their content hashes (as ParsedRow.content_hash)
        self.texts: list[list[str]] = []
        self.combinations: list[Any] = []  # their coded fields, parsed (RowParser._coded)
        self.slow: list[tuple[int, ParsedRow]] = []


class FastRows:
    """Clean rows as columns (each list has one entry per row)."""

    __slots__ = ("event", "flags", "hashes", "item", "numbers")

    def __init__(self) -> None:
        self.numbers: list[int] = []  # file row numbers
        self.hashes: list[str] = []  # content hashes (as ParsedRow.content_hash)
        self.event: dict[str, list[Any]] = {}  # event column -> values, MISSING where not set
        self.item: dict[str, list[Any]] = {}  # item column -> values, MISSING where not set
        self.flags: list[str | None] = []  # a plausibility flag, or None

    def column(self, part: dict[str, list[Any]], name: str) -> list[Any]:
        """Values of ``name`` with None where the row has none."""
        values = part.get(name)
        if values is None:
            return [None] * len(self.numbers)
        return [None if v is MISSING else v for v in values]


class ChunkParser(RowParser):
    """A :class:`RowParser` that also parses whole chunks of text rows column by column."""

    def usable(self) -> bool:
        """Whether this mapping's rows can take the column path: one-row events, no persons or
        conveyance ids (entities of the matching store), and the drug, quantity and unit every
        clean row needs for its kilograms."""
        fields = {entry[0] for entry in self._plan}
        return (
            not self.mapping.event_key
            and {"drug", "quantity", "unit"} <= set(self.mapping.required)
            and not any(name.startswith("person_") or name == "conveyance_ids" for name in fields)
        )

    def parse_chunk(self, rows: list[tuple[int, list[object]]]) -> Chunk:
        """Split a chunk into its clean rows (texts and content hashes, for :meth:`fill`) and the
        others, each parsed alone by the row parser."""
        width = len(self.header)
        candidates = [p for p, (_number, values) in enumerate(rows) if len(values) == width]
        cells = list(zip(*(rows[p][1] for p in candidates), strict=True)) if candidates else []
        count = len(candidates)
        try:  # CSV rows hold only text
            texts = [_stripped(cells[i]) if i >= 0 else [""] * count for _name, i, *_ in self._plan]
        except TypeError:  # a spreadsheet's numbers, dates and empty cells, as the row parser reads them
            text = self._text
            texts = [list(map(text, cells[i])) if i >= 0 else [""] * count for _name, i, *_ in self._plan]
        combinations = self._combinations(self._coded_columns(texts))
        bad = self._problem_rows(texts, combinations)
        chunk = Chunk()
        chunk.slow = [(p, self.parse(*rows[p])) for p in _others(len(rows), candidates, bad)]
        if bad:
            keep = [j for j in range(len(candidates)) if j not in bad]
            candidates = [candidates[j] for j in keep]
            texts = [[column[j] for j in keep] for column in texts]
            combinations = [combinations[j] for j in keep]
        chunk.positions, chunk.texts, chunk.combinations = candidates, texts, combinations
        chunk.numbers = [rows[p][0] for p in candidates]
        sha = hashlib.sha256
        chunk.hashes = [
            sha(content.encode()).hexdigest() for content in map("\x1f".join, zip(*texts, strict=True))
        ]
        return chunk

    def fill(self, chunk: Chunk, keep: list[int] | None) -> FastRows:
        """The clean rows at ``keep`` (indexes into the chunk's; all when None) as columns of values."""
        fast = FastRows()
        texts, combinations = chunk.texts, chunk.combinations
        fast.numbers, fast.hashes = chunk.numbers, chunk.hashes
        if keep is not None:
            texts = [[column[j] for j in keep] for column in texts]
            combinations = [combinations[j] for j in keep]
            fast.numbers, fast.hashes = [chunk.numbers[j] for j in keep], [chunk.hashes[j] for j in keep]
        if fast.numbers:
            self._fill(fast, texts, combinations)
        return fast

    # -- finding the rows with problems -------------------------------------------------------
    def _problem_rows(self, texts: list[list[str]], combinations: list[Any]) -> set[int]:
        """Rows (indexes into the candidates) that have any problem: they go the row path."""
        bad: set[int] = set()
        for j, combination in enumerate(combinations):
            if combination[2]:
                bad.add(j)
        defaults = self.mapping.defaults
        coded_positions = self._coded_positions
        for position, (name, _index, _label, cache, _is_event, required) in enumerate(self._plan):
            if position in coded_positions:
                continue
            column = texts[position]
            default = defaults.get(name, "")
            wrong = set()
            for raw in set(column):
                text = raw or default  # defaults go through the same parsers as the file's values
                if not text:
                    if required:
                        wrong.add(raw)
                    continue
                hit = self._parse_field(name, text, cache)
                if isinstance(hit, FieldError) or hit[1]:
                    wrong.add(raw)
            if wrong:
                bad.update(j for j, raw in enumerate(column) if raw in wrong)
        bad.update(self._too_much(texts, combinations, bad))
        return bad

    def _too_much(self, texts: list[list[str]], combinations: list[Any], bad: set[int]) -> list[int]:
        """Rows whose quantity one item cannot hold (:meth:`RowParser.quantity_problem`). Bounded per
        distinct quantity with the chunk's largest kilogram factor first, so a chunk without such a
        quantity costs no look at each row."""
        label = self._labels.get("quantity")
        if label is None:
            return []
        position = self._positions[label]
        cache, default = self._plan[position][3], self.mapping.defaults.get("quantity", "")
        column = texts[position]
        distinct = dict(zip(map(id, combinations), combinations, strict=True)).values()
        # (a combination with a problem, or without a unit or drug, makes its rows bad already)
        pairs = {
            (c[1]["unit_code"], c[1]["drug_code"])
            for c in distinct
            if "unit_code" in c[1] and "drug_code" in c[1]
        }
        if not pairs:
            return []
        factors = [self._kg_factor(*pair)[0] for pair in pairs]
        largest = max((f for f in factors if f is not None), default=0.0)
        counted = any(self.vocab.units.get(unit).kind not in MASS_KINDS for unit, _drug in pairs)
        suspect = set()
        for raw in set(column):
            hit = cache.get(raw or default)
            if hit is None or isinstance(hit, FieldError):
                continue
            quantity = hit[0]["quantity"]
            if not quantity * largest <= MAX_ITEM_KG or (counted and quantity > MAX_ITEM_COUNT):
                suspect.add(raw)
        if not suspect:
            return []
        out = []
        for j, raw in enumerate(column):
            item = combinations[j][1]
            if raw in suspect and j not in bad and "unit_code" in item and "drug_code" in item:
                quantity = cache[raw or default][0]["quantity"]
                if self.quantity_problem(quantity, item["unit_code"], item["drug_code"]) is not None:
                    out.append(j)
        return out

    def _coded_columns(self, texts: list[list[str]]) -> list[tuple[str, ...]]:
        columns = [texts[p] for p in self._coded_order]
        if not columns:
            return [()] * (len(texts[0]) if texts else 0)
        return list(zip(*columns, strict=True))

    def _combinations(self, keys: list[tuple[str, ...]]) -> list[Any]:
        found = list(map(self._coded_cache.get, keys))
        if None in found:  # combinations not seen before
            coded = self._coded
            found = [hit or coded(key) for hit, key in zip(found, keys, strict=True)]
        return found

    # -- the clean rows' columns --------------------------------------------------------------
    def _fill(self, fast: FastRows, texts: list[list[str]], combinations: list[Any]) -> None:
        count = len(fast.numbers)
        event = _columns([c[0] for c in combinations])
        item = _columns([c[1] for c in combinations])
        defaults = self.mapping.defaults
        for position, (name, _index, _label, cache, is_event, _required) in enumerate(self._plan):
            if position in self._coded_positions:
                continue
            default = defaults.get(name, "")
            column = texts[position] if not default else [t or default for t in texts[position]]
            parsed = {t: _parsed(cache, t) for t in dict.fromkeys(column)}  # (distinct texts, in order)
            _overlay(event if is_event else item, column, parsed)
        self._finish_columns(fast, event, item, count)
        fast.event, fast.item = event, item

    def _finish_columns(self, fast: FastRows, event: dict[str, list[Any]], item: dict[str, list[Any]],
                        count: int) -> None:  # fmt: skip
        """What :meth:`RowParser._finish` does to a row, down the columns: kilograms, flags, places."""
        pairs = list(zip(item["unit_code"], item["drug_code"], strict=True))
        cached: list[Any] = list(map(self._kg_cache.get, pairs))
        factors = cached
        if None in cached:  # (unit, drug) pairs not seen before
            kg_factor = self._kg_factor
            factors = [f or kg_factor(*pair) for f, pair in zip(cached, pairs, strict=True)]
        item["kg_method"] = list(map(itemgetter(1), factors))
        item["kg_exact"] = list(map(itemgetter(2), factors))
        quantities = item["quantity"]
        kgs = item["kg"] = [
            q * f[0] if f[0] is not None else None for q, f in zip(quantities, factors, strict=True)
        ]
        flags: list[str | None] = [None] * count
        for j, kg in enumerate(kgs):
            if kg is not None:
                if kg > ABSURD_KG:
                    flags[j] = f"quantity {kg:,.0f} kg is above the plausibility limit of {ABSURD_KG:,.0f} kg"
            elif quantities[j] > ABSURD_COUNT:
                flags[j] = (
                    f"count {quantities[j]:,.0f} is above the plausibility limit of {ABSURD_COUNT:,.0f}"
                )
        fast.flags = flags
        places = fast.column(event, "place_text")
        areas = fast.column(event, "admin_area")
        countries = fast.column(event, "country")
        texts = [place or area for place, area in zip(places, areas, strict=True)]
        keys = list(zip(texts, countries, areas, strict=True))
        resolve = self._resolve_place
        resolved = per_distinct(keys, lambda key: resolve(*key) if key[0] else None)
        if not any(resolved):
            return
        for key in ("place_id", "lat", "lon"):
            before = event.get(key) or [MISSING] * count
            event[key] = [r[key] if r else b for r, b in zip(resolved, before, strict=True)]
        before = event.get("place_type") or [MISSING] * count
        event["place_type"] = [  # setdefault: a place type the row gives wins
            r.get("place_type", MISSING) if b is MISSING and r else b
            for r, b in zip(resolved, before, strict=True)
        ]


def per_distinct(values: list[Any], function: Callable[[Any], Any]) -> list[Any]:
    """``function`` of each of ``values`` (hashable), computed once per distinct value: a column
    of a few thousand rows holds a few hundred distinct texts, dates or places."""
    found = {value: function(value) for value in set(values)}
    return list(map(found.__getitem__, values))


def _stripped(cells: tuple[str, ...]) -> list[str]:
    """The texts without surrounding spaces, each distinct one stripped once (its hash, computed
    here, is kept by the string for the look-ups that follow)."""
    found = {text: str.strip(text) for text in set(cells)}
    return list(map(found.__getitem__, cells))


def _parsed(cache: dict[str, Any], text: str) -> Parsed:
    """A free-text field's parsed values (from the row parser's cache), or _EMPTY for no text."""
    return cache[text][0] if text else _EMPTY


def _keys(dicts: Iterable[Parsed]) -> tuple[dict[str, None], set[str]]:
    """The keys of the distinct ``dicts`` (not _EMPTY), in order, and those every one of them has."""
    distinct = [d for d in {id(d): d for d in dicts}.values() if d is not _EMPTY]
    keys: dict[str, None] = {}
    for d in distinct:
        keys.update(dict.fromkeys(d))
    return keys, {key for key in keys if all(key in d for d in distinct)}


def _columns(dicts: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Per key any of ``dicts`` has, the column of values (MISSING where a dict lacks it)."""
    keys, everywhere = _keys(dicts)
    return {
        key: list(map(itemgetter(key), dicts)) if key in everywhere else [d.get(key, MISSING) for d in dicts]
        for key in keys
    }


def _overlay(columns: dict[str, list[Any]], texts: list[str], parsed: dict[str, Parsed]) -> None:
    """Write each row's parsed values (``parsed``: per distinct text of ``texts``, in the order they
    first occur) over ``columns``, as ``dict.update`` would (skipping _EMPTY). Each key's column is
    looked up per distinct text, then laid out down the rows."""
    found = list(parsed.values())
    keys, everywhere = _keys(found)
    every_row = not any(d is _EMPTY for d in found)
    for key in keys:
        before = columns.get(key)
        if every_row and key in everywhere:  # every row sets it: what was there does not matter
            by_text = {t: d[key] for t, d in parsed.items() if d is not _EMPTY}
        elif before is None:
            by_text = {t: MISSING if d is _EMPTY else d.get(key, MISSING) for t, d in parsed.items()}
        else:
            by_text = {t: _KEEP if d is _EMPTY else d.get(key, _KEEP) for t, d in parsed.items()}
            kept = map(by_text.__getitem__, texts)
            columns[key] = [b if v is _KEEP else v for v, b in zip(kept, before, strict=True)]
            continue
        columns[key] = list(map(by_text.__getitem__, texts))


def _others(total: int, candidates: list[int], bad: set[int]) -> list[int]:
    """Positions that are not clean candidates, in chunk order."""
    clean = {p for j, p in enumerate(candidates) if j not in bad}
    return [p for p in range(total) if p not in clean]
