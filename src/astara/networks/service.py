"""Networks: entities linked through the seizures they appear in; timelines of an entity, place or route.

The network is bipartite (entities and events, an edge per role); its projection on entities links
two entities by the events they share. Communities are Louvain communities of the projection (a
fixed seed, so the same data gives the same communities); centralities are degree and betweenness
on the projection. GraphML carries the bipartite graph with every attribute for other tools (Gephi,
i2 import); the JSON is what the web graph view draws.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from itertools import combinations
from typing import Any

import networkx as nx
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.flows import place_label
from astara.errors import InvalidInput
from astara.kit.countries import CountryNotFound, country_name
from astara.matching import identities
from astara.matching.keys import KINDS
from astara.networks import repository
from astara.networks.schemas import (
    Community,
    NetworkEdge,
    NetworkNode,
    NetworkResult,
    Timeline,
    TimelineEntry,
)
from astara.seizures.dimensions import parse_where
from astara.vocab import get_vocabulary

METHOD = (
    "Entities are linked when they appear in the same seizure event (any role); the weight is the "
    "number of events shared. Communities: Louvain on that projection (seed 1). Centrality: degree and "
    "betweenness on the projection. Records resolved as one identity (matching/identities.py) are one node."
)


def _identities(
    session: Session, scope: Scope, rows: list[tuple[str, str, str, str]]
) -> dict[tuple[str, str], list[str]]:
    """(kind, entity id) -> the members of its resolved identity, smallest (the identity's id) first."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for _, kind, entity_id, _ in rows:
        if kind in KINDS:
            by_kind[kind].add(entity_id)
    return {
        (kind, ref): members
        for kind, ids in by_kind.items()
        for ref, members in identities.members_of(session, scope, kind, sorted(ids)).items()
    }


def _label(labels: dict[str, str], members: list[str]) -> str:
    """Every distinct name of an identity's own members (one per script or spelling)."""
    return " / ".join(dict.fromkeys(labels[m] for m in members if m in labels)) or members[0]


def _graph(session: Session, scope: Scope, where: list[str]) -> tuple[nx.Graph, int]:
    rows = repository.links(session, scope, parse_where(where))
    members_of = _identities(session, scope, rows)
    graph = nx.Graph()
    ids_by_kind: dict[str, set[str]] = defaultdict(set)
    for event_id, kind, member_id, role in rows:
        members = members_of.get((kind, member_id), [member_id])
        entity_id = members[0]
        ids_by_kind[kind].update(members)
        event, entity = f"event:{event_id}", f"{kind}:{entity_id}"
        graph.add_node(event, kind="event", label=event_id)
        graph.add_node(entity, kind=kind, members=members)
        if graph.has_edge(entity, event):
            roles = graph.edges[entity, event]["label"].split(", ")
            graph.edges[entity, event]["label"] = ", ".join(sorted({*roles, role}))
        else:
            graph.add_edge(entity, event, kind="role", label=role, weight=1)
    labels = {
        kind: repository.entity_labels(session, scope, kind, sorted(ids)) for kind, ids in ids_by_kind.items()
    }
    for _, data in graph.nodes(data=True):
        if data["kind"] != "event":
            data["label"] = _label(labels[data["kind"]], data["members"])
    return graph, len({r[0] for r in rows})


def _projection(graph: nx.Graph) -> nx.Graph:
    projection = nx.Graph()
    for node, data in graph.nodes(data=True):
        if data["kind"] != "event":
            projection.add_node(node)
    for node, data in graph.nodes(data=True):
        if data["kind"] == "event":
            for a, b in combinations(sorted(graph.neighbors(node)), 2):
                weight = projection.edges[a, b]["weight"] + 1 if projection.has_edge(a, b) else 1
                projection.add_edge(a, b, weight=weight)
    return projection


def network(session: Session, scope: Scope, where: list[str] | None = None) -> NetworkResult:
    """The entities of the agency's seizures that ``where`` selects, their links, communities, centrality."""
    where = list(where or [])
    graph, n_events = _graph(session, scope, where)
    projection = _projection(graph)
    communities = (
        nx.community.louvain_communities(projection, weight="weight", seed=1)
        if projection.number_of_nodes()
        else []
    )
    ordered = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    member_of = {node: i for i, members in enumerate(ordered) for node in members}
    degree = nx.degree_centrality(projection) if projection.number_of_nodes() > 1 else {}
    between = nx.betweenness_centrality(projection, weight=None) if projection.number_of_nodes() > 2 else {}
    nodes = []
    for node, data in sorted(graph.nodes(data=True)):
        is_event = data["kind"] == "event"
        nodes.append(
            NetworkNode(
                id=node,
                label=str(data.get("label", node)),
                kind=data["kind"],
                events=1 if is_event else graph.degree(node),
                community=None if is_event else member_of.get(node),
                degree=None if is_event else round(degree.get(node, 0.0), 4),
                betweenness=None if is_event else round(between.get(node, 0.0), 4),
                members=None if is_event else list(data["members"]),
            )
        )
    edges = [
        NetworkEdge(source=a, target=b, kind="role", label=d["label"], weight=1)
        for a, b, d in sorted(graph.edges(data=True), key=lambda e: (min(e[0], e[1]), max(e[0], e[1])))
    ]
    edges += [
        NetworkEdge(source=a, target=b, kind="shared", label=f"{d['weight']} shared", weight=d["weight"])
        for a, b, d in sorted((min(a, b), max(a, b), d) for a, b, d in projection.edges(data=True))
    ]
    labels = {n.id: n.label for n in nodes}
    summary = []
    for i, members in enumerate(ordered):
        central = sorted(members, key=lambda m: (-between.get(m, 0.0), -degree.get(m, 0.0), m))
        events = {e for m in members for e in graph.neighbors(m)}
        summary.append(
            Community(id=i, size=len(members), members=[labels[m] for m in central], events=len(events))
        )
    return NetworkResult(
        where=where, events=n_events, nodes=nodes, edges=edges, communities=summary, method=METHOD
    )


def to_graphml(result: NetworkResult) -> str:
    """The network as GraphML (nodes with kind, label, community and centrality; edges with role/weight)."""
    graph = nx.Graph()
    for node in result.nodes:
        attributes = {k: v for k, v in node.model_dump().items() if k != "id" and v is not None}
        if "members" in attributes:
            attributes["members"] = " ".join(attributes["members"])  # GraphML holds no lists
        graph.add_node(node.id, **attributes)
    for edge in result.edges:
        graph.add_edge(edge.source, edge.target, kind=edge.kind, label=edge.label, weight=edge.weight)
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def _country(code: str | None) -> str:
    if not code:
        return "?"
    try:
        return country_name(code)
    except CountryNotFound:
        return code


def _route_where(route: str) -> list[str]:
    """``IR>AZ`` (departure > seizure) or ``IR>AZ>RU`` (… > destination) as filters."""
    parts = [p.strip() for p in route.replace("→", ">").split(">")]
    if not 2 <= len(parts) <= 3 or not all(parts):
        raise InvalidInput(
            f"a route is written DEPARTURE>COUNTRY or DEPARTURE>COUNTRY>DESTINATION, not {route!r}"
        )
    fields = ("departure_country", "country", "destination_country")
    return [f"{field}={value}" for field, value in zip(fields, parts, strict=False)]


def timeline(
    session: Session,
    scope: Scope,
    *,
    entity: str | None = None,
    place: str | None = None,
    route: str | None = None,
    where: list[str] | None = None,
    limit: int = 1000,
) -> Timeline:
    """The seizures of an entity (``person:ID``), a place or a route, oldest first; an entity's are
    those of its whole resolved identity, partners' received records among them (marked)."""
    if sum(x is not None for x in (entity, place, route)) != 1:
        raise InvalidInput("give exactly one of an entity (TYPE:ID), a place or a route")
    filters = list(where or [])
    roles: dict[str, list[str]] = defaultdict(list)
    received: list[TimelineEntry] = []
    ids: list[str] | None = None
    if entity is not None:
        kind, _, entity_id = entity.partition(":")
        if not entity_id:
            raise InvalidInput(f"an entity is written TYPE:ID (e.g. person:P1), not {entity!r}")
        members = (
            identities.members_of(session, scope, kind, [entity_id])[entity_id]
            if kind in KINDS
            else [entity_id]
        )
        for event_id, k, e, role in repository.links(session, scope, parse_where(filters)):
            if k == kind and e in members:
                roles[event_id].append(role)
        ids = sorted(roles)
        if not filters:  # a partner's record is not filtered by our fields: shown only unfiltered
            received = _received_entries(session, scope, members)
        label = _label(repository.entity_labels(session, scope, kind, members), members)
        subject = f"{kind} {label}" + (
            f" (identity {members[0]}, {len(members)} records)" if len(members) > 1 else ""
        )
    elif place is not None:
        filters.append(f"place={place}")
        subject = f"place {place_label(place) or place}"
    else:
        assert route is not None
        filters += _route_where(route)
        subject = f"route {route}"
    drugs = get_vocabulary().drugs
    entries = []
    for event in repository.events(session, scope, parse_where(filters), ids, limit):
        names = []
        for item in event.items:
            try:
                names.append(drugs.get(item.drug_code).name)
            except KeyError:
                names.append(item.drug_code)
        path = " → ".join(
            _country(c) for c in (event.departure_country, event.country, event.destination_country)
        )
        entries.append(
            TimelineEntry(
                date=event.date,
                date_precision=event.date_precision,
                event_id=event.id,
                place=place_label(event.place_id) or event.place_text,
                country=event.country,
                route=path,
                drugs=", ".join(dict.fromkeys(names)),
                kg=round(event.total_kg or 0.0, 6),
                roles=sorted(roles.get(event.id, [])),
            )
        )
    if received:
        entries = sorted([*entries, *received], key=lambda e: (e.date is None, e.date or dt.date.min))[:limit]
    return Timeline(subject=subject, entries=entries)


def _received_entries(session: Session, scope: Scope, members: list[str]) -> list[TimelineEntry]:
    """The partners' records an identity's received members (``r<row>.<n>``) appear in, the latest
    version of each record once, marked with the partner."""
    positions: dict[int, set[int]] = defaultdict(set)
    for ref in members:
        number, dot, n = ref[1:].partition(".")
        if ref[:1] == "r" and dot and number.isdigit() and n.isdigit():
            positions[int(number)].add(int(n))
    latest: dict[tuple[str, str], tuple[int, TimelineEntry]] = {}
    drugs = get_vocabulary().drugs
    for row in repository.received(session, scope, sorted(positions)):
        record: dict[str, Any] = row.record if isinstance(row.record, dict) else {}
        event: dict[str, Any] = record["event"] if isinstance(record.get("event"), dict) else {}
        entities: list[Any] = record["entities"] if isinstance(record.get("entities"), list) else []
        items = [i for i in record.get("items") or [] if isinstance(i, dict)]
        names = []
        for item in items:
            try:
                names.append(drugs.get(str(item.get("drug_code"))).name)
            except KeyError:
                names.append(str(item.get("drug_code") or "?"))
        try:
            date = dt.date.fromisoformat(str(event.get("date"))[:10]) if event.get("date") else None
        except ValueError:  # a partner's record is signed, not trusted
            date = None
        kg = event.get("total_kg")
        if not isinstance(kg, int | float):
            kg = sum(i["kg"] for i in items if isinstance(i.get("kg"), int | float))
        roles = sorted(
            {
                str(entities[n].get("role"))
                for n in positions[row.id]
                if n < len(entities) and isinstance(entities[n], dict)
            }
        )
        entry = TimelineEntry(
            date=date,
            date_precision=event.get("date_precision"),
            event_id=str(event.get("reference") or row.record_id),
            place=event.get("place_text") or event.get("place_id"),
            country=event.get("country"),
            route=" → ".join(
                _country(event.get(c)) for c in ("departure_country", "country", "destination_country")
            ),
            drugs=", ".join(dict.fromkeys(names)),
            kg=round(float(kg), 6),
            roles=roles,
            received_from=row.partner_code,
        )
        key = (row.partner_code, row.record_id)
        if key not in latest or latest[key][0] < row.version:
            latest[key] = (row.version, entry)
    return [entry for _, entry in latest.values()]


def format_timeline(result: Timeline) -> str:
    lines = [f"timeline of {result.subject}: {len(result.entries)} seizures"]
    for e in result.entries:
        when = e.date.isoformat() if e.date else "????-??-??"
        role = f" [{', '.join(e.roles)}]" if e.roles else ""
        origin = f"  received from {e.received_from}: {e.event_id}" if e.received_from else ""
        lines.append(f"{when}  {e.drugs:<24} {e.kg:>12,.3f} kg  {e.place or '-'}  ({e.route}){role}{origin}")
    return "\n".join(lines)


def format_network(result: NetworkResult) -> str:
    entities = [n for n in result.nodes if n.kind != "event"]
    lines = [
        f"{len(entities)} entities in {result.events} seizure events, {len(result.communities)} communities"
    ]
    for c in result.communities:
        lines.append(f"  community {c.id}: {c.size} entities, {c.events} events: {', '.join(c.members[:8])}")
    top = sorted(entities, key=lambda n: (-(n.betweenness or 0), -(n.degree or 0), n.label))[:10]
    lines.append("most central: " + ", ".join(f"{n.label} ({n.kind}, {n.betweenness:.2f})" for n in top))
    lines.append(result.method)
    return "\n".join(lines)
