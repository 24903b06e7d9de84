"""NUL characters are refused at the door; uploaded file names cannot climb out of their folder."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from astara.web.inputs import safe_file_name


def test_nul_in_a_body_or_a_query_is_a_clear_422(api_client: TestClient) -> None:
    body = api_client.post("/api/tokens", json={"name": "a\u0000b"})
    assert body.status_code == 422 and "NUL" in body.json()["error"]["message"]
    query = api_client.get("/api/seizures", params={"q": "x\x00"})
    assert query.status_code == 422 and "query string" in query.json()["error"]["message"]
    assert api_client.post("/api/tokens", json={"name": "fine"}).status_code == 201  # bodies still arrive


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("report\x00.csv", "report.csv"),
        ("  Астара 2016.xlsx ", "Астара 2016.xlsx"),
        ("", "upload.csv"),
        ("...", "upload.csv"),
    ],
)
def test_file_names_keep_only_their_last_part(given: str, kept: str) -> None:
    assert safe_file_name(given) == kept


def test_numbers_beyond_64_bits_are_a_422(api_client: TestClient) -> None:
    response = api_client.delete(f"/api/tokens/{2**63}")
    assert response.status_code == 422 and "does not fit the store" in response.json()["error"]["message"]
