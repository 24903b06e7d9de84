"""A store made at each earlier schema revision, holding demo data (and, from the revision that has
them, sharing state and an audit chain), upgrades to the newest with the same figures; and the
commands that report and apply upgrades."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, Table, delete, inspect, select, text

from astara.agencies.scope import Scope
from astara.agencies.service import create_agency
from astara.analysis.service import stats
from astara.db.engine import head_revision, make_engine, transaction
from astara.db.migrate import upgrade
from astara.db.models import Base, MatchKey, MatchKeyVersion
from astara.demo.service import DEMO_FILE
from astara.errors import StoreError
from astara.imports.schemas import ImportOptions
from astara.imports.service import run_import
from astara.matching import store
from astara.matching.keys import keys_of
from astara.settings import Settings
from astara.sharing import audit
from astara.sharing import service as sharing
from astara.sharing.agreements import load_agreement_file
from astara.sharing.keys import load_or_create
from astara.sharing.schemas import PartnerIn
from fixtures.cli import run_cli

EXAMPLE = Path(__file__).resolve().parents[2] / "src/astara/sharing/examples/az-ir-border-services.yaml"
EARLIER = [f"{n:04d}" for n in range(1, int(head_revision()))]
DEMO_ROWS = 400


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A store at the newest revision with a slice of the demo data, a partner, an agreement and an
    audit chain (only read by the tests)."""
    root = tmp_path_factory.mktemp("source")
    with gzip.open(DEMO_FILE, "rt", encoding="utf-8") as fh:
        head = list(itertools.islice(fh, DEMO_ROWS + 1))
    sample = root / "demo-slice.csv"
    sample.write_text("".join(head), encoding="utf-8")
    engine = make_engine(f"sqlite:///{root / 'astara.sqlite3'}")
    upgrade(engine)
    with transaction(engine) as session:
        session.info["data_dir"] = root
        scope = create_agency(session, "AZ-SCS", "State Customs Committee", "AZ")
        options = ImportOptions(
            mapping="unodc_ids", keep_valid=True, duplicates="merge", today=dt.date(2026, 1, 15)
        )
        run_import(session, scope, sample, options)
        partner_key = load_or_create(root / "partner").public_b64
        sharing.add_partner(session, scope, PartnerIn(code="IR-ANP", key=partner_key, name="Partner"))
        sharing.add_agreement(session, scope, load_agreement_file(EXAMPLE))
        audit.append(session, scope, "view", partner="IR-ANP", details={"why": "upgrade test"})
    yield engine, scope
    engine.dispose()


def _copy(source: Engine, target: Engine) -> dict[str, int]:
    """Copy each row of the source into the tables and columns the target's older schema has."""
    have = set(inspect(target).get_table_names())
    copied = {}
    with source.connect() as reading, target.begin() as writing:
        for table in Base.metadata.sorted_tables:
            if table.name not in have:
                continue
            old = Table(table.name, MetaData(), autoload_with=writing)
            columns = [c.name for c in old.columns]
            rows = [dict(r._mapping) for r in reading.execute(select(*(table.c[c] for c in columns)))]
            if rows:
                writing.execute(old.insert(), rows)
            copied[table.name] = len(rows)
    return copied


def _figures(engine: Engine, scope: Scope) -> dict[str, Any]:
    with transaction(engine) as session:
        return {
            by: stats(session, scope, [by], None, sort="key").model_dump(mode="json")["groups"]
            for by in ("drug", "departure_country", "year")
        }


def _counts(engine: Engine, names: list[str]) -> dict[str, int]:
    with engine.connect() as conn:
        return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names}


@pytest.mark.slow
@pytest.mark.parametrize("revision", EARLIER)
def test_a_store_at_an_earlier_revision_upgrades_with_the_same_figures(
    revision: str, source: Any, database_url: str, tmp_path: Path
) -> None:
    engine, scope = source
    target = make_engine(database_url)
    try:
        upgrade(target, revision)
        copied = _copy(engine, target)
        assert copied["seizure_events"] > 100
        upgrade(target)
        assert _counts(target, list(copied)) == copied
        assert _figures(target, scope) == _figures(engine, scope)
        if "audit_log" in copied:  # the chain written before anchors and checkpoints still verifies
            with transaction(target) as session:
                checked = audit.verify(session, scope, tmp_path)
            assert checked.ok and checked.entries == copied["audit_log"], checked.reason
    finally:
        target.dispose()


def test_db_current_and_upgrade_report_and_apply(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "db", "current")
    assert code == 0 and "no schema yet" in out
    engine = make_engine(cli_env.effective_database_url)
    upgrade(engine, "0006")
    engine.dispose()
    code, out, _ = run_cli(monkeypatch, capsys, "db", "current")
    assert f"schema revision 0006; this Astara needs {head_revision()}: run `astara db upgrade`" in out
    code, _, err = run_cli(monkeypatch, capsys, "serve", "--port", "1")
    assert code == StoreError.exit_code and "run `astara db upgrade`" in err
    code, out, _ = run_cli(monkeypatch, capsys, "db", "upgrade")
    assert code == 0 and f"from revision 0006 to {head_revision()}" in out
    code, out, _ = run_cli(monkeypatch, capsys, "db", "upgrade")
    assert "nothing to do" in out
    code, out, _ = run_cli(monkeypatch, capsys, "db", "current", "--format", "json")
    assert '"current": "' + head_revision() in out


def test_a_store_ahead_of_the_code_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    engine = make_engine(cli_env.effective_database_url)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setattr("astara.db.engine.head_revision", lambda: "0012")
    monkeypatch.setattr("astara.operations.service.head_revision", lambda: "0012")
    code, _, err = run_cli(monkeypatch, capsys, "db", "upgrade")
    assert code == StoreError.exit_code and "newer than this Astara's 0012" in err
    code, _, err = run_cli(monkeypatch, capsys, "seizures", "list")
    assert code == StoreError.exit_code and "newer than this Astara's 0012" in err


def test_an_upgrade_rebuilds_the_keys_an_older_version_filed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    engine = make_engine(cli_env.effective_database_url)
    upgrade(engine)
    record = {"name": "Kaveh Nikandish Transport", "country": "IR"}
    with transaction(engine) as session:
        scope = create_agency(session, "IR-ANP", "Anti-Narcotics Police", "IR")
        entity, _ = store.create_entity(session, scope, "organization", record)
        # As a store keyed before versions were kept: other keys, and no version row.
        session.execute(delete(MatchKey))
        session.execute(delete(MatchKeyVersion))
        session.add(MatchKey(agency_id=scope.agency_id, kind="organization", source="store",
                             entity_id=entity.id, key="ow:old-rule"))  # fmt: skip
    code, out, _ = run_cli(monkeypatch, capsys, "db", "upgrade")
    assert code == 0 and "match keys rebuilt with this version's rules for 1 agency" in out
    with transaction(engine) as session:
        keys = set(session.scalars(select(MatchKey.key).where(MatchKey.entity_id == entity.id)))
    assert keys == keys_of("organization", record)
    code, out, _ = run_cli(monkeypatch, capsys, "db", "upgrade")
    assert code == 0 and "match keys" not in out
    engine.dispose()


def test_a_new_store_has_current_keys_and_nothing_to_rebuild(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "db", "upgrade")
    assert code == 0 and "to " + head_revision() in out and "match keys" not in out
