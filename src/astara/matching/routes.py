"""REST API of the matching store: candidate queries, entities, judgements, watch lists and alerts."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from astara.auth.roles import require
from astara.matching import identities, keys, store, watch
from astara.sharing import audit
from astara.web.deps import unit

router = APIRouter(prefix="/api", tags=["matching"])
KindName = Literal["person", "vehicle", "organization"]


class RecordIn(BaseModel):
    """A person (name, birth_date, nationality, id_number), vehicle (plate, country, vin, make) or
    organization (name, country, registration)."""

    model_config = ConfigDict(extra="forbid")

    kind: KindName = "person"
    name: str | None = Field(None, max_length=300)
    birth_date: str | None = Field(None, max_length=10)
    nationality: str | None = Field(None, max_length=2)
    id_number: str | None = Field(None, max_length=64)
    script_hint: str | None = Field(None, max_length=10)
    plate: str | None = Field(None, max_length=40)
    country: str | None = Field(None, max_length=2)
    vin: str | None = Field(None, max_length=17)
    make: str | None = Field(None, max_length=100)
    registration: str | None = Field(None, max_length=64)

    def fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude={"kind"}).items() if v}


class QueryIn(RecordIn):
    entity_id: str | None = Field(None, max_length=80, description="Candidates for this stored entity.")
    limit: int = Field(20, ge=1, le=500)


class EntityIn(RecordIn):
    event_id: str | None = Field(None, max_length=32)
    role: str = Field("subject", min_length=1, max_length=40)


class JudgementIn(BaseModel):
    kind: KindName = "person"
    a: str = Field(min_length=1, max_length=80)
    b: str = Field(min_length=1, max_length=80)
    verdict: Literal["same", "not_same", "unsure"]
    note: str = Field("", max_length=1000)


class WatchListIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=1000)


@router.post("/match/query")
def post_query(request: Request, body: QueryIn) -> dict[str, Any]:
    """Ranked candidates in the store for one record, each with score, decision and explanation."""

    with unit(request) as (session, scope):
        audit.append(
            session, scope, "view_nominal", record=body.entity_id, details={"kind": body.kind, "query": True}
        )
        return store.query(
            session, scope, body.kind, body.fields(), entity_id=body.entity_id, limit=body.limit
        )


@router.post("/match/reindex")
def post_reindex(request: Request) -> dict[str, int]:

    with unit(request) as (session, scope):
        return store.reindex(session, scope)


@router.post("/match/entities", status_code=201)
def post_entity(request: Request, body: EntityIn) -> dict[str, Any]:
    """Store a person, vehicle or organization; its keys are filed and the watch lists checked."""

    with unit(request) as (session, scope):
        entity, alerts = store.create_entity(
            session, scope, body.kind, body.fields(), event_id=body.event_id, role=body.role
        )
        return {
            "id": entity.id,
            "kind": body.kind,
            "record": store.record_of(body.kind, entity),
            "alerts": [watch.alert_dict(a, "") for a in alerts],
        }


@router.post("/match/judgements", status_code=201)
def post_judgement(request: Request, body: JudgementIn) -> dict[str, Any]:

    with unit(request) as (session, scope):
        return store.judgement_dict(
            store.judge(session, scope, body.kind, body.a, body.b, body.verdict, body.note)
        )


@router.get("/match/judgements")
def get_judgements(
    request: Request, a: str = Query(max_length=80), b: str = Query(max_length=80)
) -> list[dict[str, Any]]:
    """Every judgement of a pair, oldest first; the last one counts."""

    with unit(request) as (session, scope):
        require(scope, "records.read")
        return [store.judgement_dict(r) for r in store.judgement_history(session, scope, a, b)]


@router.get("/watchlists")
def get_watchlists(request: Request) -> list[dict[str, Any]]:

    with unit(request) as (session, scope):
        return watch.lists(session, scope)


@router.post("/watchlists", status_code=201)
def post_watchlist(request: Request, body: WatchListIn) -> dict[str, Any]:

    with unit(request) as (session, scope):
        row = watch.create_list(session, scope, body.name, body.description)
        return {"id": row.id, "name": row.name, "description": row.description, "entries": 0}


@router.get("/watchlists/{name}")
def get_watchlist(request: Request, name: str, removed: bool = False) -> dict[str, Any]:

    with unit(request) as (session, scope):
        return watch.show_list(session, scope, name, include_removed=removed)


@router.post("/watchlists/{name}/entries", status_code=201)
def post_watch_entry(request: Request, name: str, body: RecordIn) -> dict[str, Any]:

    with unit(request) as (session, scope):
        return watch.entry_dict(watch.add_entry(session, scope, name, body.kind, body.fields()))


@router.delete("/watchlists/{name}/entries/{entry_id}")
def delete_watch_entry(request: Request, name: str, entry_id: int) -> dict[str, Any]:

    with unit(request) as (session, scope):
        return watch.entry_dict(watch.remove_entry(session, scope, name, entry_id))


@router.get("/alerts")
def get_alerts(
    request: Request,
    status: Literal["open", "acknowledged", "all"] = "open",
    limit: int = Query(200, ge=1, le=1000),
) -> list[dict[str, Any]]:

    with unit(request) as (session, scope):
        return watch.alerts(session, scope, None if status == "all" else status, limit)


@router.post("/alerts/{alert_id}/ack")
def post_alert_ack(request: Request, alert_id: int) -> dict[str, Any]:

    with unit(request) as (session, scope):
        alert = watch.acknowledge(session, scope, alert_id)
        return {"id": alert.id, "status": alert.status}


@router.get("/identities/conflicts")
def get_identity_conflicts(request: Request, kind: KindName | None = None) -> list[dict[str, Any]]:
    """Joins the resolver refused: a ``same`` across a ``not_same``, a shared identifier that contradicts."""

    with unit(request) as (session, scope):
        return identities.list_conflicts(session, scope, kind)


@router.post("/identities/resolve")
def post_identities_resolve(request: Request, kind: KindName | None = None) -> list[dict[str, Any]]:
    """Resolve every identity again (the reference run); audited when identities are formed or undone."""

    with unit(request) as (session, scope):
        return identities.resolve(session, scope, [kind] if kind else keys.KINDS)


@router.get("/identities/{ref}")
def get_identity(request: Request, ref: str, kind: KindName | None = None) -> dict[str, Any]:
    """An identity by its id or any member's id: members, their labels, the evidence, its conflicts."""

    with unit(request) as (session, scope):
        return identities.show(session, scope, ref, kind)
