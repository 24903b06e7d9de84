"""Importing a spreadsheet through the pages: check, see row errors, confirm, download the rejects."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth.service import add_user, create_token, scope_of
from astara.db.engine import transaction
from fixtures.make import ids_row, write_ids


def _csrf(client: TestClient, url: str = "/imports/new") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


def _upload(client: TestClient, path: Path, mapping: str = "unodc_ids") -> tuple[str, str]:
    with path.open("rb") as f:
        page = client.post("/imports/new", files={"file": (path.name, f)},
                           data={"mapping": mapping, "csrf_token": _csrf(client)})  # fmt: skip
    token = re.search(r'action="/imports/([\w-]+)/confirm"', page.text)
    return page.text, token.group(1) if token else ""


def test_check_shows_row_errors_then_keep_valid_stores_the_rest(
    api_client: TestClient, tmp_path: Path
) -> None:
    rows = [ids_row(AMOUNT="5"), ids_row(AMOUNT="x"), ids_row(AMOUNT="7", DRUG_NAME="Unobtainium")]
    text, token = _upload(api_client, write_ids(tmp_path / "mixed.csv", rows))
    assert "3 rows read" in text and "2 rows cannot be imported" in text
    errors = re.findall(r'<tr><td class="num">(\d+)</td><td>(\w+)</td>', text)
    assert errors == [("3", "AMOUNT"), ("4", "DRUG_NAME")]  # row numbers count the header as row 1
    assert "→ quantity" in text and "→ drug" in text  # which column feeds which field
    assert api_client.get("/api/seizures").json()["total"] == 0  # checking writes nothing

    done = api_client.post(
        f"/imports/{token}/confirm", data={"keep_valid": "true", "csrf_token": _csrf(api_client)}
    )
    assert done.status_code == 200 and "1 seizure events created" in done.text
    assert api_client.get("/api/seizures").json()["total"] == 1
    rejects = api_client.get(f"/imports/{token}/rejects.csv")
    assert rejects.status_code == 200 and "Unobtainium" in rejects.text and "reason" in rejects.text.lower()


def test_a_file_without_the_required_columns_is_refused_and_not_kept(
    api_client: TestClient, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "wrong.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    text, token = _upload(api_client, path)
    assert token == "" and "required column" in text
    assert not any((settings.data_dir / "uploads").glob("*/wrong.csv"))


def test_only_built_in_mappings_and_only_the_uploaders_token(
    api_client: TestClient, tmp_path: Path, engine: Engine, scope: Scope
) -> None:
    path = write_ids(tmp_path / "ok.csv", [ids_row()])
    text, _ = _upload(api_client, path, mapping="/etc/passwd.yaml")
    assert "no mapping" in text
    _, token = _upload(api_client, path)
    with transaction(engine) as session:
        other = add_user(session, scope, "farid@az-scs", "analyst", None)
        session.flush()
        plain = create_token(session, scope_of(session, other), "stranger")[1]
    stranger = TestClient(api_client.app, headers={"Authorization": f"Bearer {plain}"})  # another user
    refused = stranger.post(f"/imports/{token}/confirm", data={"csrf_token": "none needed"})
    assert refused.status_code == 404
