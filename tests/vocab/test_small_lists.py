"""route_roles.yaml, validation_statuses.yaml, source_types.yaml."""

from __future__ import annotations

from astara.vocab import Vocabulary


def test_route_roles(vocab: Vocabulary) -> None:
    assert vocab.route_roles.codes() == ["producing", "departure", "transit", "destination", "seizure"]
    assert (t := vocab.route_roles.lookup("country of origin")) and t.code == "producing"


def test_validation_statuses(vocab: Vocabulary) -> None:
    assert vocab.validation_statuses.codes() == ["draft", "submitted", "validated", "rejected", "retracted"]
    assert (t := vocab.validation_statuses.lookup("Withdrawn")) and t.code == "retracted"


def test_source_types(vocab: Vocabulary) -> None:
    assert vocab.source_types.codes() == [
        "official_record",
        "spreadsheet_import",
        "news",
        "press_release",
        "partner_share",
        "api",
        "interchange",
    ]
    assert (t := vocab.source_types.lookup("Press release")) and t.code == "press_release"
