from __future__ import annotations

import itertools

import pytest

from astara.vocab import Vocabulary

SCHEMES = ["admiralty", "europol_4x4", "uk_3x5x2"]


def test_schemes_and_aliases(vocab: Vocabulary) -> None:
    g = vocab.grading
    assert set(g.schemes) == set(SCHEMES)
    assert g.scheme("4x4").code == "europol_4x4"
    assert g.scheme("NATO").code == "admiralty"
    assert g.scheme("3x5x2").code == "uk_3x5x2"
    assert [t.code for t in g.scheme("admiralty").source.all()] == list("ABCDEF")
    assert [t.code for t in g.scheme("europol_4x4").source.all()] == ["A", "B", "C", "X"]
    assert [t.code for t in g.scheme("uk_3x5x2").info.all()] == ["1", "2", "3", "4", "5"]
    handling = g.scheme("uk_3x5x2").handling
    assert handling is not None and handling.codes() == ["P", "C"]


def test_lossless_round_trip(vocab: Vocabulary) -> None:
    g = vocab.grading
    fwd = g.convert("admiralty", ("A", "1"), "europol_4x4")
    assert (fwd.source, fwd.info, fwd.loss) == ("A", "1", None)
    back = g.convert("europol_4x4", (fwd.source, fwd.info), "admiralty")
    assert (back.source, back.info, back.loss) == ("A", "1", None)


def test_lossy_conversion_says_so(vocab: Vocabulary) -> None:
    g = vocab.grading
    fwd = g.convert("admiralty", ("C", "2"), "europol_4x4")
    assert (fwd.source, fwd.info) == ("B", "2")
    assert fwd.loss is not None and "Europol 4x4 source B covers Admiralty source B and C" in fwd.loss
    back = g.convert("europol_4x4", ("B", "2"), "admiralty")
    assert (back.source, back.info) == ("B", "2")
    assert back.loss is not None and "Europol 4x4 source B covers Admiralty source B and C" in back.loss


def test_same_scheme_is_identity(vocab: Vocabulary) -> None:
    r = vocab.grading.convert("admiralty", ("b", "3"), "admiralty")
    assert (r.source, r.info, r.loss) == ("B", "3", None)


def test_invalid_grade(vocab: Vocabulary) -> None:
    with pytest.raises(KeyError):
        vocab.grading.convert("europol_4x4", ("D", "1"), "admiralty")
    with pytest.raises(KeyError):
        vocab.grading.convert("martian", ("A", "1"), "admiralty")


@pytest.mark.parametrize(("a", "b"), list(itertools.permutations(SCHEMES, 2)))
def test_every_grade_converts_and_round_trips_or_reports_loss(vocab: Vocabulary, a: str, b: str) -> None:
    g = vocab.grading
    sa = g.scheme(a)
    for src, info in itertools.product(sa.source.codes(), sa.info.codes()):
        fwd = g.convert(a, (src, info), b)
        g.validate(b, (fwd.source, fwd.info))
        back = g.convert(b, (fwd.source, fwd.info), a)
        if (back.source, back.info) != (src, info):
            assert fwd.loss or back.loss, (a, b, src, info)
