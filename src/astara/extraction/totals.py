"""Which amounts are totals of others, and which repeat one another (step 5 of ``events``).

A total gives way to its breakdown, a rounded figure to the exact one, a generic restatement to
the named drug; each item that is not kept carries the reason in ``Item.dropped``.
"""

from __future__ import annotations

from astara.extraction.items import Item
from astara.extraction.quantities import Quantity
from astara.vocab import get_vocabulary

__all__ = ["APPROX", "amount_of", "close", "drop_repeats", "drop_restated_totals", "drop_totals", "kg_of"]


def kg_of(q: Quantity, drug: str) -> float | None:
    """Kilograms of a quantity (None for counts with no known mass)."""
    if q.kind != "mass":
        return None
    unit = get_vocabulary().units.get(q.unit)
    return None if unit.kg_factor is None else q.value * unit.kg_factor


APPROX = frozenset(
    {"over", "more than", "about", "around", "nearly", "almost", "approximately", "some", "roughly"}
)


def amount_of(item: Item) -> tuple[str, float] | None:
    if item.q.kind == "mass":
        kg = kg_of(item.q, item.code)
        return ("kg", kg) if kg is not None else None
    if item.q.kind in ("tablet", "item"):
        return ("count", item.q.value)
    return None


def close(total: float, parts: float, qualifier: str | None) -> bool:
    if parts <= 0:
        return False
    if abs(total - parts) <= 0.02 * total + 1e-9:
        return True
    if qualifier in ("more than", "over", "above", "at least", "just over", "in excess of", "upwards of"):
        return total <= parts <= total * 1.6
    if qualifier in ("nearly", "almost", "about", "around", "approximately", "some", "roughly", "close to"):
        return abs(total - parts) <= 0.1 * total
    return False


def _rounds_down(total: float, parts: float) -> bool:
    """ "5 kg of drugs" in a lead for parts of 5.32 kg: a whole figure that drops the fraction."""
    return total >= 1 and total == int(total) and int(parts) == total and parts != total


def drop_totals(items: list[Item]) -> None:
    live = [i for i in items if i.dropped is None]
    for item in live:
        later = [o for o in live if o.sentence == item.sentence and o.q.start > item.q.start]
        kind = (amount_of(item) or ("", 0.0))[0]
        if item.generic and kind and any(not o.generic and (amount_of(o) or ("",))[0] == kind for o in later):
            item.dropped = "total followed by its breakdown"
    live = [i for i in live if i.dropped is None]
    for item in live:
        amount = amount_of(item)
        if amount is None:
            continue
        kind, value = amount
        # the parts of a total, leaving out other mentions of the total itself
        others = [
            o
            for o in live
            if o is not item
            and o.dropped is None
            and abs((amount_of(o) or ("", 0.0))[1] - value) > 0.01 * value
        ]
        if item.generic:
            parts = [
                o
                for o in others
                if (amount_of(o) or ("", 0.0))[0] == kind and (not o.generic or o.sentence != item.sentence)
            ]
            specific = [o for o in parts if not o.generic]
            if specific and (item.total_cue or "total" in (item.q.qualifier or "")):
                item.dropped = "stated total"
                continue
            whole = sum((amount_of(o) or ("", 0.0))[1] for o in specific)
            if len(specific) >= 2 and (close(value, whole, None) or _rounds_down(value, whole)):
                item.dropped = "total of other quantities"
                continue
        else:
            parts = [
                o
                for o in others
                if not o.generic and o.family == item.family and (amount_of(o) or ("", 0.0))[0] == kind
            ]
        if len(parts) >= (1 if item.generic else 2) and _one_side(item, parts):
            total = sum((amount_of(o) or ("", 0.0))[1] for o in parts)
            if close(value, total, item.q.qualifier):
                item.dropped = "total of other quantities"


def _one_side(total: Item, parts: list[Item]) -> bool:
    """A total comes before all its parts (a lead) or after them all (a summing up), never between."""
    where = {(p.sentence, p.q.start) < (total.sentence, total.q.start) for p in parts}
    return len(where) == 1


_TOTALS = frozenset({"total followed by its breakdown", "stated total", "total of other quantities"})


def drop_restated_totals(items: list[Item]) -> None:
    """A generic figure that restates a total already given way to its breakdown ("more than 24 kg
    of drugs" in the lead, "24 kg 20 g of drugs, of which ..." in the body) goes with it."""
    totals = [i for i in items if i.dropped in _TOTALS]
    for item in items:
        amount = amount_of(item)
        if item.dropped is not None or not item.generic or amount is None:
            continue
        for total in totals:
            other = amount_of(total)
            if (
                other is not None
                and other[0] == amount[0]
                and (_same_figure(amount[1], other[1]) or _rounder(item, total) is item)
            ):
                item.dropped = "restates a total given with its breakdown"
                break


def _rounder(x: Item, y: Item) -> Item | None:
    """Of two amounts of one kind, the one that rounds the other ("about 10 kg" beside "9.875 kg")."""
    ax, ay = amount_of(x), amount_of(y)
    if ax is None or ay is None or ax[0] != ay[0]:
        return None
    for r, rv, ev, e in ((x, ax[1], ay[1], y), (y, ay[1], ax[1], x)):
        if (
            r.q.qualifier in APPROX
            and e.q.qualifier not in APPROX
            and rv != ev
            and close(rv, ev, r.q.qualifier)
        ):
            return r
    return None


def _step(x: float) -> float:
    """The place of a figure's last significant digit: 0.01 for 4.08, 100 for 5,700."""
    text = f"{x:.6f}".rstrip("0")
    decimals = len(text.split(".")[1])
    if decimals:
        return 10.0**-decimals
    whole = text.rstrip(".")
    return 10.0 ** (len(whole) - len(whole.rstrip("0"))) if whole.strip("0") else 1.0


def _same_figure(x: float, y: float) -> bool:
    """Two figures of one amount: within 1 %, and the coarser is the finer rounded to its last
    digit ("5,700 kg" beside "5,745 kg"); "4.08 kg" and "4.116 kg" are two seizures."""
    if abs(x - y) > 0.01 * max(x, y, 1e-9):
        return False
    coarse, fine = (x, y) if _step(x) >= _step(y) else (y, x)
    step = _step(coarse)
    return abs(round(fine / step) * step - coarse) <= 1e-6 * max(coarse, 1.0)


def drop_repeats(items: list[Item]) -> None:
    """The same drug and amount twice is one seizure: a generic restatement gives way to the named
    drug, a rounded figure ("more than 60 kg") to the exact one ("64 kg")."""
    seen: list[Item] = []
    for item in items:
        if item.dropped is not None:
            continue
        amount = amount_of(item)
        for other in seen:
            other_amount = amount_of(other)
            if (
                not (other.family == item.family or item.generic or other.generic)
                or amount is None
                or other_amount is None
                or amount[0] != other_amount[0]
            ):
                continue
            rounder = _rounder(item, other)
            if rounder is None and not _same_figure(amount[1], other_amount[1]):
                continue
            if rounder is other and other.generic != item.generic:
                # "over 5 million X pills" ... "5,180,000 pills": the named drug, the exact figure
                named, exact = (item, other) if other.generic else (other, item)
                named.q, named.weight = exact.q, exact.weight
                exact.dropped = "restates a quantity given before"
                if exact is other:
                    seen.remove(other)
                    seen.append(named)
            elif rounder is other and item.generic == other.generic and other.family == item.family:
                # the first mention keeps its incident (the lead's place and date), with the exact figure
                other.q, other.weight = item.q, item.weight
                item.dropped = "the exact figure of a rounded one given before"
            elif (other.generic and not item.generic) or (rounder is other and item.generic == other.generic):
                other.dropped = (
                    "repeated later with the drug named" if other.generic else "rounds a figure given later"
                )
                seen.remove(other)
                seen.append(item)
            else:
                item.dropped = "repeats an earlier mention"
                if _step(other_amount[1]) > _step(amount[1]) and other.family == item.family:
                    other.q, other.weight = item.q, item.weight  # the exact figure, told later
            break
        else:
            seen.append(item)
