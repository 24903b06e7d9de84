"""The sharing demo end to end: two server processes, the CLI on both sides, every step checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from astara.sharing import demo

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_shows_sync_forbidden_fields_a_cross_script_hit_and_a_receipt(tmp_path: Path) -> None:
    lines: list[str] = []
    out = demo.run(tmp_path, lines.append)
    first, second = out["records"]
    assert out["received"] == sorted([first, second])
    assert out["forbidden_absent"] == dict.fromkeys(demo.FORBIDDEN, True)
    assert out["index_has_no_name"]
    # the example agreement lets the truck's plate out, and no name: only the plate hits
    assert out["hits"] == {demo.SUSPECT: [], demo.OTHER: [], demo.PLATE: ["AZ-2025-0901"]}
    assert out["retracted_everywhere"]
    [receipt] = out["receipts"]
    assert receipt["record_id"] == first and receipt["from"] == "IR-ANP" and receipt["signature_ok"]
    assert all(text.startswith("audit chain intact") for text in out["audit"].values())
    assert any("hit: AZ-SCS holds reference AZ-2025-0901" in line for line in lines)
    assert (tmp_path / "az-customs" / "astara.sqlite3").exists() and (tmp_path / "ir-police").is_dir()


def test_the_demo_script_runs_with_one_command(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable}  # the interpreter running the tests has Astara
    done = subprocess.run([str(ROOT / "scripts/sharing-demo.sh"), str(tmp_path)], capture_output=True,
                          text=True, timeout=600, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "verified with IR-ANP's key" in done.stdout and "no hit" in done.stdout
