"""Two requests that meet a partner's sync state for the first time at once (the sharing page
loaded by two users) both answer, instead of one failing on the unique (agency, partner) key."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.sharing import repository


def test_two_transactions_making_a_partners_sync_state_at_once_both_succeed(
    engine: Engine, scope: Scope
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time: there is no race to lose")
    first = Session(engine)
    repository.sync_state(first, scope, "IR-ANP")  # made, not yet committed
    found: dict[str, object] = {}

    def second() -> None:
        try:
            with transaction(engine) as session:
                found["cursor"] = repository.sync_state(session, scope, "IR-ANP").pulled_cursor
        except Exception as exc:
            found["error"] = exc

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)  # the second insert now waits on the first's uncommitted row
    first.commit()
    first.close()
    thread.join(timeout=20)
    assert found == {"cursor": 0}
