"""Place texts as agencies and the UNODC IDS write them resolve to the right place."""

from __future__ import annotations

import collections
import csv
import shutil
from pathlib import Path

import pytest

from astara.gazetteer import DATA_DIR, Gazetteer, Place, get_gazetteer, load_gazetteer
from astara.gazetteer.text import parse, segments, stems

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
IDS_REGION = SHARED_DATA / "unodc_ids" / "ids_2011_2016_caucasus_iran_region_subset.csv"

# AZ IDS values that name no place we can locate: a postal control unit, an unlocated customs post
# (the sources give no coordinates for "Gosha Tepe"), and districts not in our data nor in GeoNames'
# towns of 15,000+.
AZ_UNPLACEABLE = {
    "Podrazdelenie po kontrolyu za pochtovymi otpravleniyami",
    "Tamozhennyy post Gosha Tepe",
    "Gosha Tepe",
    "Absheron",
    "Gadjigabul",
}


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return get_gazetteer()


def _id(place: Place | None) -> str | None:
    return None if place is None else place.id


@pytest.mark.parametrize(
    ("text", "country", "admin_area", "place_id"),
    [
        # the IDS PLACE strings of the Azerbaijani customs posts
        ("Astarinskiy tamozhenno-propusknoy punkt", "AZ", "Astara", "az-ir-astara-road"),
        ("Astarinskiy rayon KPP Astara", "AZ", "Astara", "az-ir-astara-road"),
        ("Bilyasuvarskiy rayon KPP Bilyasuvar", "AZ", "Bilasuvar", "az-ir-bilasuvar-road"),
        ("Samurskiy tamozhenno-propusknoy punkt", "AZ", "Samur", "az-ru-samur-road"),
        ("Tamozhennyy post Gosha Tepe", "AZ", "Gosha Tepe", None),
        # other ways of naming a checkpoint, in several languages
        ("Astara customs post", None, None, "az-ir-astara-road"),
        ("KPP Bilyasuvar", None, None, "az-ir-bilasuvar-road"),
        ("КПП Астара", None, None, "az-ir-astara-road"),
        ("Астаринский таможенно-пропускной пункт", None, None, "az-ir-astara-road"),
        ("Astara gömrük-keçid məntəqəsi", None, None, "az-ir-astara-road"),
        ("Samur customs checkpoint", None, None, "az-ru-samur-road"),
        ("Samurskiy tamozhennyy post", "AZ", None, "az-ru-samur-road"),
        ("گمرک آستارا", None, None, "az-ir-astara-road"),
        # bare names in every script
        ("Astara", "AZ", None, "az-ir-astara-road"),
        ("Астара", None, None, "az-ir-astara-road"),
        ("آستارا", None, None, "az-ir-astara-road"),
        ("Biləsuvar", None, None, "az-ir-bilasuvar-road"),
        ("Tsiteli Khidi", "GE", None, "az-ge-red-bridge-road"),
        # a district when the text or the record says it is the district
        ("Astara", "AZ", "Astara", "az-district-astara"),
        ("Bilyasuvar", "AZ", "Bilasuvar", "az-district-bilasuvar"),
        ("Astarinskiy rayon", "AZ", None, "az-district-astara"),
        ("Masallinskiy rayon", None, None, "az-district-masally"),
        ("Dzhalilabad", "AZ", "Djalilabad", "az-district-jalilabad"),
        ("Lenkoran'", "AZ", "Lenkoran", "az-district-lankaran"),
        ("Fizuli", "AZ", None, "az-district-fuzuli"),
        ("Djabrail", "AZ", None, "az-district-jabrayil"),
        ("Imishli checkpoint", "AZ", None, "az-district-imishli"),  # no listed crossing there
        # ports: by port name, or a town name together with "port"
        ("Port of Baku", None, None, "port-az-baku-alat"),
        ("Aktau port", None, None, "port-kz-aktau"),
        ("Bandar-e Anzali", "IR", None, "port-ir-anzali"),
        # provinces are not places
        ("Hormozgan", "IR", None, None),
        ("Ahal Welayaty", "TM", None, None),
        ("Prison", "AZ", "Baku", None),
    ],
)
def test_resolve(
    g: Gazetteer, text: str, country: str | None, admin_area: str | None, place_id: str | None
) -> None:
    assert _id(g.resolve(text, country=country, admin_area=admin_area)) == place_id


def test_a_crossing_is_on_the_side_asked_for(g: Gazetteer) -> None:
    from_az = g.resolve("Astara", country="AZ")
    from_ir = g.resolve("Astara", country="IR")
    assert from_az is not None and from_ir is not None
    assert from_az.id == from_ir.id == "az-ir-astara-road"
    assert (from_az.country, from_ir.country) == ("AZ", "IR")
    assert from_ir.countries == ("AZ", "IR") and from_ir.country_a == "AZ" and from_ir.country_b == "IR"
    assert from_az.kind == "crossing" and from_az.place_type == "land_border"
    assert from_az.lat == pytest.approx(38.436) and from_az.lon == pytest.approx(48.873)
    assert from_az.precision == "approx_2km" and "report.az" in from_az.source
    assert g.resolve("Astara", country="TR") is None  # neither side, and no Turkish town of that name
    # the record's district wins over the crossing only on the district's own side
    assert _id(g.resolve("Astara", country="IR", admin_area="Astara")) == "az-ir-astara-road"


def test_country_filter_accepts_names(g: Gazetteer) -> None:
    assert _id(g.resolve("Astara", country="Azerbaijan")) == "az-ir-astara-road"
    place = g.resolve("Samur", country="Russian Federation")
    assert place is not None and place.id == "az-ru-samur-road" and place.country == "RU"


@pytest.mark.parametrize(
    ("text", "country", "name", "code"),
    [
        ("Baku", None, "Baku", "AZ"),
        ("Баку", None, "Baku", "AZ"),
        ("Johannesburg", None, "Johannesburg", "ZA"),
        ("Sumgait", "AZ", "Sumgayit", "AZ"),
        ("Tbilisi", "GE", "Tbilisi", "GE"),
        ("Bandar Abbas", "IR", "Bandar Abbas", "IR"),
        ("Kerman/Bam", "IR", "Bam", "IR"),
        ("Baku, Ispravitel'noe  uchrezhdeniya  2", "AZ", "Baku", "AZ"),
        ("Ashgabat, Ahal Welayaty", "TM", "Ashgabat", "TM"),
        ("Aktau", None, "Aktau", "KZ"),
        ("Shirvan", "AZ", None, "AZ"),
        ("Shirvan", "IR", None, "IR"),
    ],
)
def test_cities_from_geonames(
    g: Gazetteer, text: str, country: str | None, name: str | None, code: str
) -> None:
    place = g.resolve(text, country=country)
    assert place is not None and place.kind == "city" and place.place_type == "inland"
    assert place.id.startswith("geonames:") and place.country == code
    assert name is None or place.name == name
    assert place.lat is not None and place.lon is not None
    assert g.get(place.id) == place


def test_get_and_all(g: Gazetteer) -> None:
    places = g.all()
    assert len(places) == 36 + 19
    assert {place.kind for place in places} == {"crossing", "port", "border_point", "district"}
    assert g.get("az-ir-astara-road").name.startswith("Astara")
    assert g.get("az-district-astara").kind == "district"
    for bad in ("nowhere", "geonames:0", "geonames:abc"):
        with pytest.raises(KeyError):
            g.get(bad)


def test_data_files_carry_ids_codes_types_and_sources() -> None:
    with (DATA_DIR / "crossings.csv").open(encoding="utf-8") as handle:
        crossings = list(csv.DictReader(handle))
    assert len(crossings) == 36
    assert {row["place_type"] for row in crossings} == {"land_border", "seaport", "border_point"}
    for row in crossings:
        assert row["id"] and row["source"] and row["precision"]
        assert len(row["country_a"]) == 2 and len(row["country_b"]) in (0, 2)
        assert -90 <= float(row["lat"]) <= 90 and -180 <= float(row["lon"]) <= 180
    with (DATA_DIR / "districts.csv").open(encoding="utf-8") as handle:
        districts = list(csv.DictReader(handle))
    assert len(districts) == 19 and all(row["source"] for row in districts)
    assert (DATA_DIR / "ATTRIBUTION.md").exists()


def test_load_gazetteer_from_another_directory_without_cities(tmp_path: Path) -> None:
    for name in ("crossings.csv", "districts.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    own = load_gazetteer(tmp_path, use_cities=False)
    assert _id(own.resolve("KPP Astara")) == "az-ir-astara-road"
    assert own.resolve("Baku") is None
    assert [place.kind for place in own.search("Bak")] == ["port"]


def test_search_ranks_own_places_first_in_any_script(g: Gazetteer) -> None:
    assert [p.id for p in g.search("Ast", 2)] == ["az-ir-astara-road", "az-ir-astara-rail"]
    assert g.search("Биля")[0].id == "az-ir-bilasuvar-road"
    assert g.search("آستا")[0].id == "az-ir-astara-road"
    assert g.search("Ленкор")[0].id == "az-district-lankaran"
    baku = g.search("Bak", 5)
    assert baku[0].kind == "port" and "Baku" in [p.name for p in baku if p.kind == "city"]
    assert g.search("Johannes", 1)[0].name == "Johannesburg"
    assert len(g.search("a", 7)) == 7
    assert all(p.country == "IR" for p in g.search("Ast", 10, country="IR"))
    assert g.search("") == [] and g.search("  ") == []


def test_text_rules() -> None:
    query = parse("Astarinskiy rayon KPP Astara")
    assert query.facility and query.area and query.groups == ("astara", "astarinskiy")
    assert stems("astarinskiy") == ("astarin", "astar")
    assert stems("samurskiy") == ("samur",)
    assert stems("bilyasuvar") == ()
    assert parse("Tamozhennyy post Gosha Tepe").core == "goshatepe"
    assert parse("Mary Welayaty").region
    assert segments("Kerman/Rayen") == ["Kerman/Rayen", "Rayen", "Kerman"]
    assert segments("Baku, Tyur'ma") == ["Baku, Tyur'ma", "Baku", "Tyur'ma"]


@pytest.mark.shared_data
def test_every_azerbaijani_ids_place_resolves() -> None:
    if not IDS_REGION.exists():
        pytest.skip("shared IDS regional subset not available")
    g = get_gazetteer()
    with IDS_REGION.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter=";") if row["COUNTRY"] == "Azerbaijan"]
    assert rows
    kinds: collections.Counter[str] = collections.Counter()
    unresolved = set()
    for place_text, admin in {(row["PLACE"], row["ADMINISTRATIVE_DIVISION"]) for row in rows}:
        text = place_text or admin
        if not text:
            continue
        # as the importer does: the PLACE (or the district when PLACE is empty), then the district
        place = g.resolve(text, country="AZ", admin_area=admin or None)
        if place is None and admin and admin != text:
            place = g.resolve(admin, country="AZ")
        if place is None:
            unresolved.add(text)
        else:
            assert place.country == "AZ"
            kinds[place.kind] += 1
    assert unresolved <= AZ_UNPLACEABLE
    assert kinds["crossing"] == 4 and kinds["district"] >= 10 and kinds["city"] >= 20


@pytest.mark.parametrize(
    ("name", "country", "city"),
    [
        ("Poti", "GE", "Poti"),  # also an old name of a far bigger Brazilian city
        ("Abadan", "IR", "Abadan"),  # one letter from another city's alternate name
        ("Kozan", "TR", "Kozan"),
        ("Odessa", "UA", "Odesa"),  # an established exonym keeps its city over a smaller namesake
        ("Smyrna", "TR", "İzmir"),  # a famous old name of a city many times bigger stays with it
    ],
)
def test_a_city_s_own_name_beats_another_city_s_alternate_name(
    g: Gazetteer, name: str, country: str, city: str
) -> None:
    place = g.resolve(name)
    assert place is not None and (place.country, place.name) == (country, city)
