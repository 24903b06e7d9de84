from astara.analysis.cli import FIELDS
from astara.seizures.dimensions import DIMENSIONS


def test_stats_help_lists_every_field_there_is() -> None:
    assert tuple(DIMENSIONS) == FIELDS
