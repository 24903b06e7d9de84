"""``scoped_update`` and ``scoped_delete`` change only the acting agency's rows, even when the rest of
the statement would match another agency's too."""

from __future__ import annotations

from sqlalchemy import Engine, select

from astara.agencies.scope import Scope, scoped_delete, scoped_update
from astara.db.engine import transaction
from astara.db.models import WatchList


def _lists(engine: Engine) -> list[tuple[int, str, str]]:
    with transaction(engine) as session:
        rows = session.execute(select(WatchList.agency_id, WatchList.name, WatchList.description))
        return sorted((a, n, d) for a, n, d in rows)


def test_an_update_and_a_delete_leave_the_other_agency_alone(
    engine: Engine, scope: Scope, scope_b: Scope
) -> None:
    with transaction(engine) as session:
        for owner in (scope, scope_b):
            session.add_all(WatchList(agency_id=owner.agency_id, name=name) for name in ("couriers", "ports"))
    with transaction(engine) as session:
        session.execute(scoped_update(WatchList, scope).values(description="checked"))
        session.execute(scoped_delete(WatchList, scope).where(WatchList.name == "ports"))
    assert _lists(engine) == [
        (scope.agency_id, "couriers", "checked"),
        (scope_b.agency_id, "couriers", ""),
        (scope_b.agency_id, "ports", ""),
    ]
