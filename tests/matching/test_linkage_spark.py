"""``astara link --engine spark``: the same job on Splink's Spark backend (a local session), the same pairs.

Runs where the ``astara[spark]`` extra (pyspark) and Java are installed, as in CI; skips otherwise.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pytest

from astara.matching.linkage.spark import spark_session
from fixtures.cli import run_cli as run
from matching.test_linkage import EXPECTED, LEFT, RIGHT, write_csv

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]' (CI installs it)")
if shutil.which("java") is None:
    pytest.skip("no Java on PATH: Spark needs Java 17 (CI installs it)", allow_module_level=True)

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def test_spark_engine_links_the_same_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    left, right = write_csv(tmp_path / "left.csv", LEFT), write_csv(tmp_path / "right.csv", RIGHT)
    out = tmp_path / "pairs.csv"
    code, stdout, err = run(
        monkeypatch, capsys, "link", str(left), str(right), "--engine", "spark", "--out", str(out)
    )
    assert code == 0, err
    with out.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {(r["left_id"], r["right_id"]) for r in rows} == EXPECTED
    assert "Splink (spark" in stdout
    assert all(float(r["splink_probability"]) > 0 for r in rows)


def test_spark_link_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link holds no table in the JVM's memory once done (the session lives on in the process),
    and its working files go with it."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    left, right = write_csv(tmp_path / "left.csv", LEFT), write_csv(tmp_path / "right.csv", RIGHT)
    code, _, err = run(monkeypatch, capsys, "link", str(left), str(right), "--engine", "spark")
    assert code == 0, err
    assert spark_session()._jsparkSession.sharedState().cacheManager().isEmpty()
    assert list(scratch.iterdir()) == []
