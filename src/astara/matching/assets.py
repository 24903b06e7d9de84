"""Evidence that two vehicle records, or two organization records, are one vehicle or one company."""

from __future__ import annotations

from typing import Any

from astara.matching.organizations import name_similarity, normalize_registration
from astara.matching.phonetic import canonical, similarity
from astara.matching.schemas import Evidence
from astara.matching.scripts import persian_skeleton, script_of, to_latin
from astara.matching.vehicles import parse_plate, parse_vin

VEHICLE_BIAS = -3.0
W_VIN_SAME = 8.0
W_VIN_DIFFERENT = 8.0
W_PLATE_SAME = 6.0
W_PLATE_DIFFERENT = 4.0
W_COUNTRY_DIFFERENT = 4.0
W_MAKE = 0.5

ORG_BIAS = -4.5
# One registry number in one country is one company, even when its name was translated word for word.
W_REGISTRATION_SAME = 9.0
W_REGISTRATION_DIFFERENT = 8.0
W_ORG_NAME = 5.0
W_ORG_COUNTRY_SAME = 0.5
W_ORG_COUNTRY_DIFFERENT = 6.0

# Makes known under two names (Lada cars are made by VAZ; Iran Khodro as IKCO).
MAKE_ALIASES = {"lada": "vaz", "ваз": "vaz", "лада": "vaz", "لادا": "vaz", "ikco": "iran khodro"}


def _make_key(make: str) -> str:
    first = make.strip().split()[0].lower() if make.strip() else ""
    first = MAKE_ALIASES.get(first, first)
    if script_of(first) == "fa":
        return persian_skeleton(first)
    return canonical(to_latin(first))


def score_vehicle(a: dict[str, Any], b: dict[str, Any]) -> Evidence:
    ev = Evidence(VEHICLE_BIAS)
    va, vb = (parse_vin(str(r["vin"])) if r.get("vin") else None for r in (a, b))
    if va and vb:
        fixes = (
            f" (I/O/Q read as 1/0/0: {va.corrected + vb.corrected})" if va.corrected + vb.corrected else ""
        )
        if va.value == vb.value:
            ev.add("vin_match", 1.0, W_VIN_SAME, f"{va.value} = {vb.value}{fixes}")
        else:
            ev.add(
                "vin_conflict",
                -1.0 if va.valid and vb.valid else -0.6,
                W_VIN_DIFFERENT,
                f"{va.value} != {vb.value}{fixes}; check digits valid: {va.valid}, {vb.valid}",
            )
    else:
        ev.add("vin_match", 0.0, W_VIN_SAME, "VIN missing on one side")
    ca, cb = (str(r.get("country") or "").upper() or None for r in (a, b))
    pa = parse_plate(str(a.get("plate") or ""), ca)
    pb = parse_plate(str(b.get("plate") or ""), cb)
    shown = f"{a.get('plate')} -> {pa} ~ {b.get('plate')} -> {pb}"
    if ca and cb and ca != cb:
        ev.add("country_conflict", -1.0, W_COUNTRY_DIFFERENT, f"registered in {ca} and {cb}")
    elif not pa.canonical or not pb.canonical:
        ev.add("plate_match", 0.0, W_PLATE_SAME, "plate missing on one side")
    elif (pa.kind, pa.canonical) == (pb.kind, pb.canonical):
        ocr = pa.ocr_fixes + pb.ocr_fixes
        ev.add(
            "plate_match",
            1.0,
            W_PLATE_SAME,
            shown + (f"; {ocr} OCR look-alike(s) read by format" if ocr else ""),
        )
    else:
        why = (
            "tractor unit and trailer"
            if pa.kind != pb.kind and "unknown" not in (pa.kind, pb.kind)
            else "differ"
        )
        ev.add("plate_conflict", -1.0, W_PLATE_DIFFERENT, f"{shown}: {why}")
    ma, mb = a.get("make"), b.get("make")
    if ma and mb:
        same = similarity(_make_key(str(ma)), _make_key(str(mb))) >= 0.75
        ev.add("make_match", 1.0 if same else -1.0, W_MAKE, f"{ma} ~ {mb}")
    return ev


def score_organization(a: dict[str, Any], b: dict[str, Any]) -> Evidence:
    ev = Evidence(ORG_BIAS)
    ca, cb = (str(r.get("country") or "").upper() or None for r in (a, b))
    ra, rb = normalize_registration(a.get("registration")), normalize_registration(b.get("registration"))
    if ca and cb and ca != cb:
        # Each country's registry numbers its own companies: equal digits from two registries are chance.
        ev.add("registration_match", 0.0, W_REGISTRATION_SAME, f"{ra} and {rb} from two registries")
    elif ra and rb:
        if ra == rb:
            ev.add("registration_match", 1.0, W_REGISTRATION_SAME, f"{ra} = {rb}")
        else:
            ev.add("registration_conflict", -1.0, W_REGISTRATION_DIFFERENT, f"{ra} != {rb}")
    else:
        ev.add("registration_match", 0.0, W_REGISTRATION_SAME, "registration missing on one side")
    if ca and cb:
        if ca == cb:
            ev.add("country_match", 1.0, W_ORG_COUNTRY_SAME, f"{ca} = {cb}")
        else:
            ev.add("country_conflict", -1.0, W_ORG_COUNTRY_DIFFERENT, f"registered in {ca} and {cb}")
    sim, notes = name_similarity(str(a.get("name") or ""), str(b.get("name") or ""))
    value = (sim - 0.9) / 0.1 if sim >= 0.9 else (sim - 0.9) / 1.0
    ev.add(
        "name_match", value, W_ORG_NAME, f"{a.get('name')} ~ {b.get('name')} [{sim:.2f}] " + "; ".join(notes)
    )
    return ev
