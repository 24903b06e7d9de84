"""Write src/astara/gazetteer/data/unodc_regions.csv: UNODC's region and subregion of each country.

UNODC groups countries its own way in the World Drug Report ("Near and Middle East /South-West
Asia", "Central Asia and Transcaucasian countries"...), and the IDS layout's REGION and SUBREGION
columns use those groupings. They are read here from UNODC's own files in ../shared/data (the IDS
file and the two seizure-totals files); a country's grouping is the one most of its rows give.

Run: ``.venv/bin/python scripts/unodc-regions.py [--data ../shared/data]``
"""

from __future__ import annotations

import argparse
import csv
import io
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

from astara.kit.countries import resolve_country

# The totals files spell some subregions otherwise than the IDS file; the IDS layout uses its own.
IDS_SPELLING = {
    "Central Asia and Transcaucasia": "Central Asia and Transcaucasian countries",
    "Near and Middle East/ South-West Asia": "Near and Middle East /South-West Asia",
    "Eastern Europe": "East Europe",
    "South-Eastern Europe": "Southeast Europe",
    "Western and Central Europe": "West & Central Europe",
    "Australia and New Zealand": "Oceania",
    "Polynesia": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
}
OUT = Path(__file__).resolve().parents[1] / "src" / "astara" / "gazetteer" / "data" / "unodc_regions.csv"


def _rows(data: Path) -> list[tuple[str, str, str, int]]:
    """(country, region, subregion, weight): the IDS file's own groupings outweigh the totals'."""
    found: list[tuple[str, str, str, int]] = []
    with zipfile.ZipFile(data / "unodc_ids" / "drug-trafficking-unodc.zip") as archive:
        raw = archive.open(archive.namelist()[0])
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig"), delimiter=";"):
            found.append((row["COUNTRY"], row["REGION"], row["SUBREGION"], 1000))
    totals = data / "unodc_seizures_aggregate"
    with (totals / "seizures_unodc_1990_2019_long.csv").open(encoding="utf-8-sig") as handle:
        found += [(r["country"], r["region"], r["subregion"], 1) for r in csv.DictReader(handle)]
    with (totals / "drug_seizures_2018_2022.csv").open(encoding="utf-8-sig") as handle:
        found += [
            (r["msCode"] or r["Country"], r["Region"], r["SubRegion"], 1) for r in csv.DictReader(handle)
        ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()
    votes: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    unknown: Counter[str] = Counter()
    for country, region, subregion, weight in _rows(args.data):
        code = resolve_country(country) if country else None
        if code is None or not region.strip():
            unknown[country] += 1
            continue
        subregion = IDS_SPELLING.get(subregion.strip(), subregion.strip())
        votes[code][(region.strip(), subregion)] += weight
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# UNODC region and subregion by ISO 3166-1 alpha-2 code, from UNODC's IDS and seizure\n"
        )
        handle.write("# totals files (dataunodc.un.org); written by scripts/unodc-regions.py\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["country", "region", "subregion"])
        for code in sorted(votes):
            (region, subregion), _ = votes[code].most_common(1)[0]
            writer.writerow([code, region, subregion])
    print(f"{len(votes)} countries written to {OUT}")
    if unknown:
        print("not resolved:", ", ".join(f"{name!r} ({n})" for name, n in unknown.most_common(20)))


if __name__ == "__main__":
    main()
