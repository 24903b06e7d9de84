"""Compare two person names across scripts: token alignment, given-name table, surname suffixes, initials.

The result is a cost (0 for renderings of one name; about 1 for one typing or OCR slip; 2 and more for
a different name) with the notes that explain it, so the matcher can name its evidence.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from astara.matching.phonetic import distance
from astara.matching.tokens import (
    SUFFIX_CLASS,
    SUFFIX_FAMILY,
    ParsedName,
    Token,
    make_token,
    root_given_id,
    token_form_distance,
)

GIVEN_CONFLICT = 3.0  # two different names from the table (Əli / Vəli, Samir / Sabir)
FAMILY_CONFLICT = 2.5  # Mahmudov against محمودی: one root, an Azerbaijani and an Iranian surname
SEX_CONFLICT = 0.8  # -ov against -ova
UNMATCHED = 1.8  # a name word with no counterpart on the other side (a given name or surname missing)
INITIAL = 0.15  # an initial standing for a whole word
BAD_INITIAL = 2.0
MERGED_MAX = 0.8  # two neighbouring words read as one only when they then match closely


_CONFLICTS = ("given name differs", "surname families differ", "surname from another given name")


@dataclass
class TokenPair:
    a: str
    b: str
    cost: float
    note: str


@dataclass
class NameComparison:
    cost: float
    pairs: list[TokenPair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        return any(p.note in _CONFLICTS for p in self.pairs)


def token_cost(a: Token, b: Token) -> tuple[float, str]:
    """Cost of reading ``a`` and ``b`` as one name word, and why."""
    if a.given_id and b.given_id:
        if a.given_id == b.given_id:
            return 0.0, f"same given name ({a.given_id})"
        return GIVEN_CONFLICT, "given name differs"
    plain = min((distance(x, y) for x in a.keys for y in b.keys), default=9.0)
    if a.given_id or b.given_id:
        known, other = (a, b) if a.given_id else (b, a)
        assert known.given_id is not None
        via_table = token_form_distance(other, known.given_id)
        if via_table < plain:
            return via_table, f"spelling of {known.given_id}" if via_table < 0.5 else f"near {known.given_id}"
    best, note = plain, "same spelling" if plain < 0.5 else "similar"
    for ra, sa in a.roots or (("", ""),):
        for rb, sb in b.roots or (("", ""),):
            if not ra or not rb:
                continue
            ga, gb = root_given_id(ra), root_given_id(rb)
            if ga and gb and ga != gb:
                return GIVEN_CONFLICT, "surname from another given name"
            if {SUFFIX_FAMILY.get(sa), SUFFIX_FAMILY.get(sb)} == {"slavic", "persian"}:
                return min(plain, distance(ra, rb)) + FAMILY_CONFLICT, "surname families differ"
            if SUFFIX_CLASS.get(sa) != SUFFIX_CLASS.get(sb):
                continue  # Hosseini, Hosseinzadeh and Hosseinpour are three surnames
            sex = SEX_CONFLICT if _feminine(sa) != _feminine(sb) else 0.0
            if ga and ga == gb:
                cost, why = sex, f"surname from {ga}"
            else:
                cost = distance(ra, rb) + sex
                why = "same surname root" if cost < 0.5 else "similar surname root"
            if cost < best:
                best, note = cost, why
    return best, note


def _feminine(suffix: str) -> bool:
    return suffix in {"ova", "eva", "yova", "ina", "WA", "YWA", "AWA"}


def _variants(tokens: list[Token]) -> list[list[Token]]:
    """The tokens as written, and with each pair of neighbours written as one word (علی رضا = Alireza)."""
    out = [tokens]
    for i in range(len(tokens) - 1):
        merged = make_token(tokens[i].raw + tokens[i + 1].raw)
        out.append([*tokens[:i], merged, *tokens[i + 2 :]])
    return out


def _align(a: list[Token], b: list[Token]) -> tuple[float, list[TokenPair], list[Token], list[Token]]:
    """Least-cost one-to-one alignment; returns the unmatched tokens of each side too."""
    short, long_, swapped = (a, b, False) if len(a) <= len(b) else (b, a, True)
    best: tuple[float, list[TokenPair], list[Token], list[Token]] | None = None
    for perm in itertools.permutations(range(len(long_)), len(short)):
        pairs = []
        total = 0.0
        for i, j in enumerate(perm):
            x, y = (long_[j], short[i]) if swapped else (short[i], long_[j])
            cost, note = token_cost(x, y)
            total += cost
            pairs.append(TokenPair(x.raw, y.raw, round(cost, 2), note))
        left = [long_[j] for j in range(len(long_)) if j not in perm]
        if best is None or total < best[0]:
            best = (total, pairs, [] if swapped else left, left if swapped else [])
        if len(long_) > 6:
            break
    assert best is not None
    return best


def compare_names(a: ParsedName, b: ParsedName) -> NameComparison:
    """Cost of reading ``a`` and ``b`` as one person's name (patronymics are compared by the matcher)."""
    if not a.tokens or not b.tokens:
        return NameComparison(9.0, notes=["a name is empty"])
    best: NameComparison | None = None
    for va in _variants(a.tokens) if len(a.tokens) > len(b.tokens) else [a.tokens]:
        for vb in _variants(b.tokens) if len(b.tokens) > len(a.tokens) else [b.tokens]:
            if len(va) > 6 or len(vb) > 6:
                continue
            total, pairs, left_a, left_b = _align(va, vb)
            notes: list[str] = []
            total += _initials(a.initials, left_b, notes) + _initials(b.initials, left_a, notes)
            unmatched = left_a[len(b.initials) :] + left_b[len(a.initials) :]
            if unmatched:
                total += UNMATCHED * len(unmatched)
                notes.append("no counterpart for " + ", ".join(t.raw for t in unmatched))
            merged = {t.raw for t in (*va, *vb)} - {t.raw for t in (*a.tokens, *b.tokens)}
            if merged:
                if any(p.cost > MERGED_MAX for p in pairs if p.a in merged or p.b in merged):
                    continue  # only a compound that reads as one word (علی رضا = Alireza)
                total += 0.1
                notes.append("compound written as one word on one side")
            if best is None or total < best.cost:
                best = NameComparison(round(total, 3), pairs, notes)
    assert best is not None
    return best


def _initials(initials: list[str], others: list[Token], notes: list[str]) -> float:
    """Initials on one side against the words the other side has left over (given name, then father)."""
    cost = 0.0
    for letter, token in zip(initials, others, strict=False):
        if token.initial and token.initial[0] == letter[:1]:
            cost += INITIAL
            notes.append(f"initial {letter.upper()}. fits {token.raw}")
        else:
            cost += BAD_INITIAL
            notes.append(f"initial {letter.upper()}. does not fit {token.raw}")
    return cost


def compare_patronymics(a: ParsedName, b: ParsedName) -> tuple[str, float, str]:
    """("same" | "different" | "unknown", cost, what was compared) for the fathers' names."""
    if a.patronymic is None or b.patronymic is None:
        letters_a = a.initials[1:2]
        letters_b = b.initials[1:2]
        if a.patronymic and letters_b:
            same = a.patronymic.initial[:1] == letters_b[0][:1]
            return ("same" if same else "different"), 0.0, f"{a.patronymic.raw} ~ {letters_b[0].upper()}."
        if b.patronymic and letters_a:
            same = b.patronymic.initial[:1] == letters_a[0][:1]
            return ("same" if same else "different"), 0.0, f"{letters_a[0].upper()}. ~ {b.patronymic.raw}"
        return "unknown", 0.0, "patronymic on one side only or none"
    cost, note = token_cost(a.patronymic, b.patronymic)
    what = f"{a.patronymic.raw} ~ {b.patronymic.raw} ({note})"
    return ("same" if cost <= 0.9 else "different"), cost, what
