"""SQL on the store lives in repositories and db/ (ARCHITECTURE.md, "Layers"): a service or an
adapter asks a repository function, so every query is found in one file per domain."""

from __future__ import annotations

from rules.checks import matches, modules, sql_statements

STORE_LAYER = ("*/repository.py", "seizures/dimensions.py", "agencies/scope.py", "db/*")

# SQL that runs on another engine than the store, in a module named for that engine.
OTHER_ENGINES = {
    "analysis/columnar.py": "the statistics' SQL run on DuckDB over a Parquet snapshot of the store",
    "gazetteer/cities.py": "its own read-only SQLite file of GeoNames cities, built from the package data",
    "matching/linkage/duckdb_engine.py": "Splink's tables in the linkage job's own DuckDB database",
}


def _outside(findings_of: dict[str, str]) -> list[str]:
    return [
        str(finding)
        for path, source in findings_of.items()
        if not matches(path, STORE_LAYER) and path not in OTHER_ENGINES
        for finding in sql_statements(path, source)
    ]


def test_sql_runs_only_in_repositories_and_db() -> None:
    assert _outside(dict(modules())) == []


def test_every_engine_allowed_still_runs_sql() -> None:
    tree = dict(modules())
    assert [path for path in OTHER_ENGINES if path not in tree or not sql_statements(path, tree[path])] == []


def test_the_rule_finds_sql_in_a_service() -> None:
    service = """
from sqlalchemy import select, update as change
import sqlalchemy as sa
from astara.matching import store

def names(session, scope):
    store.query(session, scope, "person")  # a module's function, not SQL
    rows = session.scalars(select(Person.name))
    session.execute(change(Person).values(name=""))
    return sa.text("SELECT 1"), rows
"""
    found = _outside({"matching/service.py": service, "matching/repository.py": service})
    assert found == [
        "matching/service.py:8 in names(): .scalars()",
        "matching/service.py:8 in names(): select()",
        "matching/service.py:9 in names(): .execute()",
        "matching/service.py:9 in names(): change()",
        "matching/service.py:10 in names(): sa.text()",
    ]


def test_a_method_named_execute_on_self_is_not_sql() -> None:
    runner = "class Runner:\n    def run(self, job):\n        return self.execute(job)\n"
    assert _outside({"jobs/runner.py": runner}) == []
