"""schemathesis against the OpenAPI document: no request the schema allows makes the server fail.

Every operation gets generated requests (as the administrator, with an API token); a 5xx answer,
or a response body that contradicts the declared schema, fails the test and names the operation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error, response_schema_conformance  # noqa: E402

# Free-text filters (where=FIELD=VALUE) are valid strings to the schema and may still name an unknown
# field (422 by design), so "schema-valid data is accepted" is not one of the checks.
CHECKS = [not_a_server_error, response_schema_conformance]


def _first_lines(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " / ".join(
        lines[:1] + [line for line in lines if line.startswith(("curl", "`{", "[", "Expected"))][:3]
    )


def test_api_never_fails_on_what_its_schema_allows(
    api_client: TestClient, api_token: str, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    rows = [ids_row(AMOUNT="5"), ids_row(AMOUNT="7", DRUG_NAME="Opium", SEIZURE_DATE="2015-03"),
            ids_row(COUNTRY="Georgia", PLACE="Tbilisi", ADMINISTRATIVE_DIVISION="")]  # fmt: skip
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))  # responses with records in them
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_client.app)
    headers = {"Authorization": f"Bearer {api_token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except BaseExceptionGroup as group:  # schemathesis reports failures as a group: keep them all
            failures += [f"{operation.label}: {_first_lines(e)}" for e in group.exceptions]
        except AssertionError as exc:
            failures.append(f"{operation.label}: {exc}")
    assert failures == [], "\n".join(failures)
