"""``astara extract FILE...`` for a person, ``astara extract --jsonl IN`` for a batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.cli import run_cli as run

ARTICLE = (
    "Home | News | Region\n"
    "Customs officers at the Astara customs post seized 21 kg of opium hidden in a consignment of "
    "tomatoes on Tuesday, the State Customs Committee said. The Iranian driver was detained.\n"
)


def test_a_file_read_for_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, "extract", str(path), "--published", "2024-05-17")
    assert code == 0
    assert f"{path} [en]: 1 event(s)" in out
    assert "opium" in out and "21 kg" in out and "2024-05-14" in out  # the Tuesday before the 17th
    assert "cover cargo tomatoes" in out
    assert '"Customs officers at the Astara customs post seized 21 kg' in out  # the supporting sentence


def test_a_file_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, "extract", str(path), "--format", "json")
    assert code == 0
    (event,) = json.loads(out)["events"]
    assert event["drug"] == "opium" and event["kg"] == 21 and event["evidence"]["quantity"]
    assert ARTICLE[slice(*event["evidence"]["cover_cargo"])] == "tomatoes"


def test_a_batch_of_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "a", "text": ARTICLE, "published": "2024-05-17", "url": "https://example.org/a"},
        {"id": "b", "text": "The ministers discussed trade and transport links.", "published": None},
        "not json at all",
        {"id": "c", "text": "In 2019 police seized 12 tons of drugs nationwide.", "published": "2020-01-10"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n\n",
        encoding="utf-8",
    )
    code, out, _ = run(monkeypatch, capsys, "extract", "--jsonl", str(path))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == ["a", "b", "line-3", "c"]
    assert [e["drug"] for e in rows[0]["events"]] == ["opium"] and rows[0]["events"][0][
        "date"
    ] == "2024-05-14"
    assert rows[1]["events"] == []
    assert rows[2]["warnings"][0].startswith("bad JSON")
    assert rows[3]["events"] == [] and rows[3]["statistics"][0]["value"] == 12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract", "missing.txt"], "no such file: missing.txt"),
        (["extract"], "give one or more FILEs, or --jsonl IN"),
        (["extract", "{file}", "--format", "xml"], "--format must be text or json, not 'xml'"),
        (["extract", "{file}", "--published", "17/05/2024"], "--published must be a date"),
    ],
)
def test_bad_requests_are_named(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(monkeypatch, capsys, *[a.replace("{file}", str(path)) for a in args])
    assert code == 2
    assert message in err
