"""A record received from a partner over the signed feed: its entities become candidates, and one
that matches a watch-list entry raises an alert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from astara.matching import store, watch
from astara.sharing import service
from sharing.conftest import Node, feed_of, link, make_node, receipts_to, record_seizure


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    az = make_node(tmp_path / "az", "AZ-SCS", "State Customs Committee", "AZ")
    ir = make_node(tmp_path / "ir", "IR-ANP", "Anti-Narcotics Police", "IR")
    link(az, ir)
    yield az, ir
    az.engine.dispose()
    ir.engine.dispose()


def test_a_watch_listed_truck_in_a_received_record_raises_an_alert(nodes: tuple[Node, Node]) -> None:
    az, ir = nodes
    with ir.unit() as (session, scope):
        watch.create_list(session, scope, "trucks")
        watch.add_entry(session, scope, "trucks", "vehicle", {"plate": "ir 12-b-345 67", "country": "IR"})
    record_seizure(az, "AZ-2025-0201", driver="Məmməd Rzayev", plate="IR 12 B 345 67")
    result = service.pull(ir.unit, ir.keys, "AZ-SCS", 500, fetch=feed_of(az), post=receipts_to(az))
    assert result.received == 2
    with ir.unit() as (session, scope):
        alerts = watch.alerts(session, scope)
        found = store.query(session, scope, "vehicle", {"plate": "IR-12-B-345-67", "country": "IR"})
    # the record arrived twice (as created, then with its truck linked); the truck is in the second
    assert [a["origin"] for a in alerts] == ["received"]
    assert alerts[0]["entity_id"].startswith("r") and "IR 12 B 345 67" in alerts[0]["label"]
    assert [c["source"] for c in found["candidates"]] == ["received from AZ-SCS"]
    assert found["candidates"][0]["match"]
