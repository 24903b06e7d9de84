"""An UPDATE or DELETE on an agency-owned table is built by ``agencies.scope.scoped_update`` or
``scoped_delete``, so no write forgets the agency (ARCHITECTURE.md, "Tenancy in one place")."""

from __future__ import annotations

from astara.db.models import NOMINAL_MODELS, Base
from rules.checks import modules, unscoped_writes

AGENCY_OWNED = {m.__name__ for m in Base.__subclasses__() if "agency_id" in m.__table__.columns} | {
    m.__name__ for m in NOMINAL_MODELS.values()
}

# Writes that are not one agency's on purpose: module:function, and why.
UNSCOPED = {
    "jobs/repository.py:claim": "a runner takes the queued jobs of every agency",
    "jobs/repository.py:write": "the run's claim token holds the row, whichever agency queued it",
    "jobs/repository.py:take_back": "the reaper frees stale jobs of every agency",
    "auth/repository.py:touch_token": "a token is what tells which agency is acting",
    "auth/repository.py:revoke_web_sessions": "a user's sessions, found by the user of one agency",
}


def _unscoped(tree: dict[str, str]) -> list[str]:
    return [
        str(finding)
        for path, source in tree.items()
        for finding in unscoped_writes(path, source, AGENCY_OWNED)
        if f"{path}:{finding.function}" not in UNSCOPED
    ]


def test_agency_owned_tables_are_written_through_the_scoping_helpers() -> None:
    assert _unscoped(dict(modules())) == []


def test_every_unscoped_write_allowed_is_still_there() -> None:
    tree = dict(modules())
    there = {
        f"{path}:{f.function}"
        for path, source in tree.items()
        for f in unscoped_writes(path, source, AGENCY_OWNED)
    }
    assert sorted(set(UNSCOPED) - there) == []


def test_the_rule_finds_a_hand_written_agency_filter() -> None:
    repository = """
from sqlalchemy import delete, update
from astara.agencies.scope import scoped_delete

def forget(session, scope, ids):
    session.execute(delete(MatchKey).where(MatchKey.agency_id == scope.agency_id))
    session.execute(update(SeizureEvent).values(version=2))
    session.query(SharingNonce).filter(SharingNonce.id.in_(ids)).delete()
    session.execute(scoped_delete(MatchKey, scope))
    session.execute(delete(LoginFailure))
"""
    assert _unscoped({"matching/repository.py": repository}) == [
        "matching/repository.py:6 in forget(): delete(MatchKey)",
        "matching/repository.py:7 in forget(): update(SeizureEvent)",
        "matching/repository.py:8 in forget(): query(SharingNonce).delete()",
    ]
