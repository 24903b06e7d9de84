"""Passwords, roles and API tokens in the service layer, and the CLI's user and token commands."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth import service
from astara.auth.ratelimit import LoginLimits
from astara.db.engine import transaction
from astara.db.models import User
from astara.errors import InvalidInput, NotAuthenticated, PermissionDenied
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.seizures.service import create_seizure
from conftest import PASSWORD, admin_name


def test_passwords_are_stored_as_argon2id_and_checked(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        service.set_password(session, scope, admin_name(scope), PASSWORD)
        stored = session.query(User).filter_by(username=admin_name(scope)).one().password_hash
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    with transaction(engine) as session:
        assert service.authenticate(session, admin_name(scope), PASSWORD, LoginLimits()).id == scope.user_id


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "at least 12"), ("aaaaaaaaaaaaaaaa", "5 different"), ("admin-secret-123!", "user name")],
)
def test_weak_passwords_are_refused_with_the_reason(
    engine: Engine, scope: Scope, password: str, reason: str
) -> None:
    with transaction(engine) as session, pytest.raises(InvalidInput, match=reason):
        service.set_password(session, scope, admin_name(scope), password)


def test_roles_decide_who_may_write_and_manage(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        liaison = service.add_user(session, scope, "farid@az-scs", "liaison", PASSWORD)
        session.flush()
        liaison_scope = service.scope_of(session, liaison)
    seizure = SeizureCreate(reference="R-1", date="2020-02-02", country="AZ",
                            items=[SeizureItemIn(drug="heroin", quantity=1, unit="kg")])  # fmt: skip
    with transaction(engine) as session, pytest.raises(PermissionDenied, match="you are liaison"):
        create_seizure(session, liaison_scope, seizure)
    with transaction(engine) as session, pytest.raises(PermissionDenied):
        service.add_user(session, liaison_scope, "x@az-scs", "analyst", PASSWORD)
    with transaction(engine) as session, pytest.raises(PermissionDenied):
        service.set_password(session, liaison_scope, admin_name(scope), "a brand new passphrase")
    with transaction(engine) as session:
        service.set_password(session, liaison_scope, "farid@az-scs", "my own new passphrase")  # own: fine


def test_api_tokens_are_hashed_usable_and_revocable(
    api_client: TestClient, engine: Engine, scope: Scope, scope_b: Scope
) -> None:
    made = api_client.post("/api/tokens", json={"name": "nightly export"})
    assert made.status_code == 201
    plain = made.json()["token"]
    assert plain.startswith("astara_") and made.json()["prefix"] == plain[:12]
    listed = api_client.get("/api/tokens").json()
    assert "token" not in listed[0] and {t["name"] for t in listed} == {"tests", "nightly export"}
    second = TestClient(api_client.app, headers={"Authorization": f"Bearer {plain}"})
    assert second.get("/api/me").json()["agency"] == "AZ-SCS"
    used = {t["name"]: t["last_used_at"] for t in api_client.get("/api/tokens").json()}
    assert used["nightly export"] is not None  # recorded (to the nearest ten minutes)
    with transaction(engine) as session, pytest.raises(Exception, match="does not exist"):
        service.revoke_token(session, scope_b, made.json()["id"])  # another agency cannot revoke it
    assert api_client.delete(f"/api/tokens/{made.json()['id']}").json()["revoked_at"] is not None
    refused = second.get("/api/me")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    with transaction(engine) as session, pytest.raises(NotAuthenticated):
        service.scope_for_token(session, plain + "x")
