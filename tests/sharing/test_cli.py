"""The sharing commands end to end: keys, partners, agreements (errors name the field), audit verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import update

from astara.db.engine import make_engine, transaction
from astara.db.models import AuditEntry
from astara.settings import Settings
from fixtures.cli import run_cli as run

from .conftest import EXAMPLE


@pytest.fixture
def astara(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings) -> Any:
    assert run(monkeypatch, capsys, "init")[0] == 0
    return lambda *args: run(monkeypatch, capsys, *args)


def test_keys_partners_agreements_and_the_audit_chain(astara: Any, cli_env: Settings, tmp_path: Path) -> None:
    code, out, _ = astara("keys", "show", "--format", "json")
    mine = json.loads(out)
    assert code == 0 and len(mine["fingerprint"].split()) == 8
    code, out, _ = astara("keys", "rotate")
    assert code == 0 and mine["fingerprint"] in out
    assert json.loads(astara("keys", "show", "--format", "json")[1])["fingerprint"] != mine["fingerprint"]

    code, out, _ = astara(
        "partner", "add", "IR-ANP", "--key", mine["public_key"], "--url", "http://127.0.0.1:9"
    )
    assert code == 0 and mine["fingerprint"] in out
    code, _, err = astara("partner", "add", "TR-JGK", "--key", "not-a-key")
    assert code == 2 and "base64" in err

    code, out, _ = astara("agreement", "add", str(EXAMPLE))
    assert code == 0 and "AZ-IR-BORDER-2024 with IR-ANP" in out
    assert "AZ-IR-BORDER-2024" in astara("agreement", "list")[1]
    bad = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    bad["clauses"][1]["fields"] = ["reference", "phone.number"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, _, err = astara("agreement", "add", str(path))
    assert code == 2 and "clauses.1" in err and "phone.number is nominal data" in err

    code, out, _ = astara("sync", "status")
    assert code == 0 and "IR-ANP" in out and "backlog 0" in out

    code, out, _ = astara("audit", "verify")
    assert code == 0 and "intact" in out
    engine = make_engine(cli_env.effective_database_url)
    with transaction(engine) as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(partner_code="TR-JGK"))
    engine.dispose()
    code, out, _ = astara("audit", "verify")
    assert code == 11 and "BROKEN at entry 2" in out
