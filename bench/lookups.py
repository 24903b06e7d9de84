"""Repeated look-ups of a country name and of a place text, as an import of many rows repeats them.

A country name through ``kit.countries.resolve_country`` and a customs-post text through the
gazetteer's ``resolve``: the first call of each, then the mean of further calls (answered from
their caches), in microseconds. Prints figures; asserts nothing. Needs no shared data.

Run: ``.venv/bin/python bench/lookups.py [--repeat 100000]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from astara.gazetteer import get_gazetteer
from astara.kit.countries import resolve_country


def _timed(label: str, call: Callable[[], Any], repeat: int) -> None:
    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    each = (time.perf_counter() - started) / repeat
    print(f"{label:<48} first {first * 1e3:8.2f} ms   then {each * 1e6:6.2f} µs each ({repeat:,} calls)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=100_000)
    args = parser.parse_args()
    country = "Iran, Islamic Republic of"
    _timed(f"resolve_country({country!r})", lambda: resolve_country(country), args.repeat)
    started = time.perf_counter()
    gazetteer = get_gazetteer()
    print(f"{'gazetteer loaded':<48} {(time.perf_counter() - started) * 1e3:8.2f} ms")
    place = "Astarinskiy rayon KPP Astara"
    _timed(f"gazetteer.resolve({place!r})", lambda: gazetteer.resolve(place, "AZ", "Astara"), args.repeat)


if __name__ == "__main__":
    main()
