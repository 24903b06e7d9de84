"""Blocking keys: the few short strings under which a record is filed, so that a candidate query only
reads records that share one with it.

Keys are built from the matching layer's own readings of a record, so that renderings of one name in
Persian, Cyrillic, Azerbaijani or English Latin script meet under one key:

- **persons**: each name word becomes ``g:<id>`` when the table of given-name equivalents knows it
  (Mohammad, Məmməd, Мамед, محمد are all ``g:mohammad``), otherwise its consonant skeleton (``rz`` for
  Rezaei, Rezai, Резаи and رضایی; vowels, y, doubled letters and a Persian vav or ye read as a vowel
  drop out, and look-alike consonants fold into one class). A person is filed under every pair of
  name-word keys (``n:``), under each word key with the full birth date (``nd:``: one slip in the other
  word still meets) and under the identifier (``id:``).
- **vehicles**: the canonical plate with OCR look-alikes folded (``pl:``: O/0, I/1, B/8, S/5) and the
  VIN (``vin:``).
- **organizations**: the registration number (``reg:``), each distinctive word of the company-name
  fingerprint and each two neighbouring words joined (``ow:``: "Nik Andish" meets "Nikandish"); generic
  words (transport, group) file a company by concept only when the name has nothing else.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from astara.matching.organizations import fingerprint, normalize_registration
from astara.matching.persons import BirthDate, normalize_id
from astara.matching.phonetic import PERSIAN_MARK
from astara.matching.tokens import Token, parse_name
from astara.matching.vehicles import parse_plate, parse_vin

KEY_VERSION = 2  # bump when the keys change: `astara match reindex` rebuilds them
MAX_KEY = 120
_SKELETON_CLASSES = str.maketrans(
    {"f": "v", "w": "v", "q": "g", "k": "g", "h": "g", "x": "g", "C": "J", "S": "s", "d": "t", "c": "g"}
)
_PERSIAN_DROP = "AY@E"  # long-vowel symbols; W is either v or a vowel (both readings are kept)
_LATIN_DROP = set("aeiouy")


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text.translate(_SKELETON_CLASSES))


@lru_cache(maxsize=65536)
def skeletons(key: str) -> tuple[str, ...]:
    """Consonant skeletons of one phonetic key (a Persian skeleton gives one per reading of its vavs)."""
    if key.startswith(PERSIAN_MARK):
        body = "".join(ch for ch in key[1:] if ch not in _PERSIAN_DROP)
        parts = body.split("W")
        if len(parts) > 4:  # more than three vavs: read them all as vowels and all as v
            return tuple(dict.fromkeys(_collapse(x) for x in ("".join(parts), "v".join(parts))))
        out = []
        for choice in itertools.product(("", "v"), repeat=len(parts) - 1):
            out.append(_collapse(parts[0] + "".join(c + p for c, p in zip(choice, parts[1:], strict=True))))
        return tuple(dict.fromkeys(s for s in out if s))
    body = "".join(ch for ch in key if ch not in _LATIN_DROP)
    return (_collapse(body),) if body else ()


def token_keys(token: Token) -> tuple[str, ...]:
    if token.given_id:
        return ("g:" + token.given_id,)
    out: list[str] = []
    for key in token.keys:
        out.extend(skeletons(key))
    return tuple(dict.fromkeys(k for k in out if k))


@lru_cache(maxsize=131072)
def name_keys(name: str, turkic: bool = False) -> tuple[tuple[tuple[str, ...], ...], frozenset[str]]:
    """(keys of each name word, the name's pair keys); cached, since names repeat across records."""
    words = tuple(token_keys(t) for t in parse_name(name, turkic).tokens)[:5]
    keys: set[str] = set()
    for i, j in itertools.combinations(range(len(words)), 2):
        for a in words[i]:
            for b in words[j]:
                if a != b:
                    keys.add("n:" + "|".join(sorted((a, b))))
    if len(words) == 1:
        keys.update("n1:" + a for a in words[0])
    return words, frozenset(keys)


def person_keys(record: Mapping[str, Any]) -> set[str]:
    turkic = record.get("script_hint") in {"az-Latn", "az-Cyrl", "tr"}
    words, pair_keys = name_keys(str(record.get("name") or ""), turkic)
    keys = set(pair_keys)
    birth = BirthDate.parse(record.get("birth_date"))
    if birth is not None and birth.as_date() is not None:
        day = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        for word in words:
            keys.update(f"nd:{a}|{day}" for a in word)
    ident = normalize_id(record.get("id_number"))
    if ident:
        keys.add("id:" + ident)
    return {k[:MAX_KEY] for k in keys}


_OCR_FOLD = str.maketrans("OIBSQDZG", "01850025")


def plate_key(plate: str, country: str | None) -> str | None:
    parsed = parse_plate(plate, country)
    body = re.sub(r"[^0-9A-Z]", "", parsed.canonical.upper())
    if len(body) < 3:
        return None
    return "pl:" + body.translate(_OCR_FOLD)


def vehicle_keys(record: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    if record.get("plate"):
        key = plate_key(str(record["plate"]), record.get("country"))
        if key:
            keys.add(key)
    if record.get("vin"):
        vin = parse_vin(str(record["vin"]))
        if len(vin.value) >= 11:
            keys.add("vin:" + vin.value)
    return {k[:MAX_KEY] for k in keys}


@lru_cache(maxsize=65536)
def _joined_keys(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("ow:" + _collapse(x + y) for x in first for y in second)


def organization_keys(record: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    registration = normalize_registration(record.get("registration"))
    if registration:
        keys.add("reg:" + registration)
    words = fingerprint(str(record.get("name") or ""))
    distinctive = not all(w.concept or w.raw.isdigit() for w in words)
    word_skeletons = [tuple(dict.fromkeys(s for k in w.keys for s in skeletons(k))) for w in words]
    for word, skeleton in zip(words, word_skeletons, strict=True):
        # A generic word (transport, group) files a company only when nothing distinctive is left.
        if word.concept:
            if not distinctive:
                keys.add("ow:c:" + word.concept)
            continue
        keys.update("ow:" + s for s in skeleton if len(s) >= 2)
    # Two neighbouring words as one, so that "Nik Andish" meets "Nikandish" and "نیک‌اندیش".
    for first, second in itertools.pairwise(word_skeletons):
        keys.update(_joined_keys(first, second))
    return {k[:MAX_KEY] for k in keys}


KEYS_OF = {"person": person_keys, "vehicle": vehicle_keys, "organization": organization_keys}
KINDS = tuple(KEYS_OF)


def keys_of(kind: str, record: Mapping[str, Any]) -> set[str]:
    return KEYS_OF[kind](record)
