"""Networks and timelines as the CLI, the API and the web graph view receive them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class NetworkNode(BaseModel):
    id: str = Field(description='"person:ID", "vehicle:ID"... or "event:ID".')
    label: str
    kind: str = Field(description="person, organization, vehicle, phone, document or event")
    events: int = Field(description="Seizure events the entity appears in (1 for an event).")
    community: int | None = Field(default=None, description="Community of linked entities (events: none).")
    degree: float | None = Field(default=None, description="Degree centrality among entities.")
    betweenness: float | None = Field(default=None, description="Betweenness centrality among entities.")
    members: list[str] | None = Field(
        default=None, description="The entity ids resolved as this one identity (events: none)."
    )


class NetworkEdge(BaseModel):
    source: str
    target: str
    kind: str = Field(
        description='"role" (entity to event, label = the role) or "shared" (entity to entity).'
    )
    label: str
    weight: int = Field(description="Events the two share (1 for a role edge).")


class Community(BaseModel):
    id: int
    size: int
    members: list[str] = Field(description="Labels of the community's entities, most central first.")
    events: int


class NetworkResult(BaseModel):
    where: list[str]
    events: int
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    communities: list[Community]
    method: str


class TimelineEntry(BaseModel):
    date: dt.date | None
    date_precision: str | None
    event_id: str
    place: str | None
    country: str | None
    route: str
    drugs: str
    kg: float
    roles: list[str] = Field(default_factory=list, description="The entity's roles in the event.")
    received_from: str | None = Field(
        default=None, description="The partner a received record came from (none for the agency's own)."
    )


class Timeline(BaseModel):
    subject: str
    entries: list[TimelineEntry]
