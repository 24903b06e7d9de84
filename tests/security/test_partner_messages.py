"""Hole 9: a correctly signed but malformed partner message is refused naming the field, never a 500,
and nothing of it is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SharingReceipt, SharingReceived
from astara.errors import InvalidInput
from astara.settings import Settings
from astara.sharing import feed, hits, service, sync
from astara.sharing.keys import KeyPair, load_or_create
from astara.sharing.schemas import PartnerIn
from astara.web.app import create_app


@pytest.fixture
def partner_key(tmp_path: Path, engine: Engine, scope: Scope) -> KeyPair:
    """IR-ANP, registered as AZ-SCS's partner with this key."""
    pair = load_or_create(tmp_path / "ir")
    with transaction(engine) as session:
        service.add_partner(session, scope, PartnerIn(code="IR-ANP", url=None, key=pair.public_b64))
    return pair


def _post_receipts(client: TestClient, keys: KeyPair, body: bytes) -> Any:
    headers = feed.sign_request(keys, "POST", "/api/sharing/receipts", "", "IR-ANP", "AZ-SCS", body)
    return client.post("/api/sharing/receipts", content=body, headers=headers)


def _receipt(keys: KeyPair, **changes: Any) -> dict[str, Any]:
    body = {"format": feed.FORMAT, "type": "receipt", "from": "IR-ANP", "to": "AZ-SCS", "cursor": 1,
            "record_id": "r1", "version": 1, "applied_at": "2026-01-15T10:00", **changes}  # fmt: skip
    return feed.signed(keys, {k: v for k, v in body.items() if v is not None})


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"not json at all", "not JSON"),
        (b"[1, 2, 3]", "receipts"),
        (b'{"receipts": 7}', "receipts"),
        (None, "cursor"),  # a signed receipt without its cursor
    ],
)
def test_a_signed_but_malformed_receipt_post_is_refused_naming_what(
    settings: Settings, engine: Engine, partner_key: KeyPair, body: bytes | None, named: str
) -> None:
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    if body is None:
        body = json.dumps({"receipts": [_receipt(partner_key, cursor=None)]}).encode()
    answer = _post_receipts(client, partner_key, body)
    assert answer.status_code == 422, answer.text
    assert named in answer.json()["error"]["message"]
    with transaction(engine) as session:
        assert session.scalar(select(func.count(SharingReceipt.id))) == 0


@pytest.mark.parametrize(
    "changes",
    [{"cursor": "seven"}, {"cursor": -1}, {"version": True}, {"record_id": ["r1"]}, {"applied_at": None}],
)
def test_each_wrong_field_of_a_signed_receipt_is_named(
    engine: Engine, scope: Scope, partner_key: KeyPair, changes: dict[str, Any]
) -> None:
    with transaction(engine) as session:
        partner = service.get_partner(session, scope, "IR-ANP")
        with pytest.raises(InvalidInput) as caught:
            sync.accept_receipts(session, scope, partner, [_receipt(partner_key, **changes)])
    assert caught.value.details[0]["field"] == next(iter(changes))


def _entry(keys: KeyPair, **changes: Any) -> dict[str, Any]:
    payload = {"agreement": "AZ-IR-1", "tlp": "TLP:AMBER", "onward_sharing": "forbidden",
               "record": {"id": "r1", "entities": []}, "clauses": {}}  # fmt: skip
    body = {"format": feed.FORMAT, "type": "entry", "cursor": 1, "from": "IR-ANP", "to": "AZ-SCS",
            "kind": "record", "record_id": "r1", "version": 1, "queued_at": "2026-01-15T10:00:00",
            "payload": payload}  # fmt: skip
    for key, value in changes.items():
        if key.startswith("payload."):
            payload[key.removeprefix("payload.")] = value
        else:
            body[key] = value
    return feed.signed(keys, body)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "erase-everything"}, "kind"),
        ({"payload": "a string"}, "payload"),
        ({"payload.record": ["not", "a", "record"]}, "record"),
        ({"payload.tlp": None}, "tlp"),
    ],
)
def test_a_signed_but_malformed_feed_entry_stores_nothing(
    engine: Engine, scope: Scope, partner_key: KeyPair, changes: dict[str, Any], field: str
) -> None:
    with transaction(engine) as session:
        partner = service.get_partner(session, scope, "IR-ANP")
        good = _entry(partner_key, cursor=1, record_id="r0")
        with pytest.raises(InvalidInput) as caught:
            sync.apply_entries(session, scope, partner_key, partner, [good, _entry(partner_key, **changes)])
    assert caught.value.details[0]["field"] == field
    with transaction(engine) as session:
        assert session.scalar(select(func.count(SharingReceived.id))) == 0  # not even the good one


def test_a_received_record_with_odd_entities_is_filed_without_crashing(
    engine: Engine, scope: Scope, partner_key: KeyPair
) -> None:
    odd = {"id": "r1", "entities": ["a string", {"type": "person", "fields": {"name": 12}},
                                    {"type": "person", "fields": {"name": "Rustam Aliyev"}}]}  # fmt: skip
    with transaction(engine) as session:
        partner = service.get_partner(session, scope, "IR-ANP")
        applied = sync.apply_entries(
            session, scope, partner_key, partner, [_entry(partner_key, **{"payload.record": odd})]
        )
    assert applied.received == 1


def test_a_signed_hit_index_naming_a_path_as_its_agreement_is_refused(
    settings: Settings, engine: Engine, scope: Scope, partner_key: KeyPair
) -> None:
    body = {"format": feed.FORMAT, "type": "hit_index", "from": "IR-ANP", "to": "AZ-SCS",
            "algorithm": hits.ALGORITHM, "agreement": "../../outside", "contact": "x",
            "entries": []}  # fmt: skip
    with transaction(engine) as session, pytest.raises(InvalidInput) as caught:
        hits.check(session, scope, settings.data_dir, feed.signed(partner_key, body), name="Rustam Aliyev")
    assert caught.value.details[0]["field"] == "agreement"
    assert not (settings.data_dir.parent / "outside.secret").exists()
    assert not list(settings.data_dir.rglob("*outside*"))
