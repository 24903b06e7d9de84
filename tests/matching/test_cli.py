"""``astara match pairs --jsonl``: a file or stdin in, one decision with its explanation per line out."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from fixtures.cli import run_cli as run

PAIRS = [
    {
        "id": "x1",
        "kind": "person",
        "a": {"name": "Mamed Rzaev", "birth_date": "1971-05-05", "nationality": "AZ"},
        "b": {"name": "Məmməd Rzayev", "birth_date": "1971-05-05", "nationality": "AZ"},
    },
    {
        "id": "x2",
        "kind": "vehicle",
        "a": {"plate": "10-AB-123", "country": "AZ"},
        "b": {"plate": "10 AB 124", "country": "AZ"},
    },
    {
        "id": "x3",
        "kind": "organization",
        "a": {"name": "Kaspi Tranzit MMC", "country": "AZ", "registration": None},
        "b": {"name": "ООО «Каспи Транзит»", "country": "AZ", "registration": None},
    },
]


def _check(out: str) -> None:
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["x1", "x2", "x3"]
    assert [r["match"] for r in rows] == [True, False, True]
    for row in rows:
        assert 0 <= row["score"] <= 1
        assert row["explanation"]["algorithm"] == "astara-match-1" and row["explanation"]["features"]


def test_pairs_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PAIRS) + "\n", encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, "match", "pairs", "--jsonl", str(path))
    assert code == 0
    _check(out)


def test_pairs_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(json.dumps(p) + "\n" for p in PAIRS)))
    code, out, _ = run(monkeypatch, capsys, "match", "pairs", "--jsonl", "-")
    assert code == 0
    _check(out)


def test_a_bad_line_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "y", "kind": "ship", "a": {}, "b": {}}\n', encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, "match", "pairs", "--jsonl", str(path))
    assert code == 2 and "line 1" in err
