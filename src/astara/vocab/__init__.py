"""Controlled vocabularies (drugs, units, transport, places, concealment, grading, TLP, ...).

Data lives in YAML files under ``astara/vocab/data``; they are validated and loaded once::

    from astara.vocab import get_vocabulary
    v = get_vocabulary()
    v.drugs.lookup("гашиш").code   # 'hashish'
    v.units.to_kg(2900, "lb", "cocaine").kg
"""

from astara.vocab.grading import Grading, GradingConversion, GradingScheme
from astara.vocab.loader import DATA_DIR, Vocabulary, get_vocabulary, load_vocabulary
from astara.vocab.models import Drug, DrugSet, KgEquivalent, Term, TermSet, Unit, VocabularyError
from astara.vocab.normalize import norm_key
from astara.vocab.units import ConversionDefaults, UnitSet

__all__ = [
    "DATA_DIR",
    "ConversionDefaults",
    "Drug",
    "DrugSet",
    "Grading",
    "GradingConversion",
    "GradingScheme",
    "KgEquivalent",
    "Term",
    "TermSet",
    "Unit",
    "UnitSet",
    "Vocabulary",
    "VocabularyError",
    "get_vocabulary",
    "load_vocabulary",
    "norm_key",
]
