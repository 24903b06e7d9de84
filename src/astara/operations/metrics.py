"""``/metrics`` in the Prometheus text format: the server's requests, and the store's figures.

Requests are counted by method, route (the route's pattern, never the address asked for, so the
label set stays small) and status, with latency histograms, in the process that answered. The
store's figures (imports, jobs such as partner pulls, partners' backlog, alerts, audit entries,
events) are read when scraped, for the agency of the token's user, so every process answers them
alike. With several server processes, set PROMETHEUS_MULTIPROC_DIR and request figures are summed
over all of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope as Acting
from astara.db.models import AuditEntry, MatchAlert, SeizureEvent
from astara.operations import repository
from astara.sharing import service as sharing

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class RequestMetrics:
    """The request counters and histograms of one app (a registry of its own: tests build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "astara_http_requests", "HTTP requests answered", ["method", "route", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "astara_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip

    def render(self, session: Session, scope: Acting) -> bytes:
        registry = self.registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        out = generate_latest(registry)
        store = CollectorRegistry()
        store.register(StoreFigures(session, scope))
        return out + generate_latest(store)


class StoreFigures:
    """A collector reading the agency's figures from the store when scraped."""

    def __init__(self, session: Session, scope: Acting) -> None:
        self.session, self.scope = session, scope

    def collect(self) -> Iterator[Metric]:
        session, scope = self.session, self.scope
        imports = GaugeMetricFamily(
            "astara_imports", "Imports kept in the store, by outcome", labels=["status"]
        )
        for status, n in sorted(repository.imports_by_status(session, scope).items()):
            imports.add_metric([status], n)
        yield imports
        jobs = GaugeMetricFamily(
            "astara_jobs",
            "Background jobs (partner pulls, imports) by kind and state",
            labels=["kind", "status"],
        )
        for (kind, status), n in sorted(repository.jobs_by_kind_and_status(session, scope).items()):
            jobs.add_metric([kind, status], n)
        yield jobs
        for name, what, model in (
            ("astara_audit_entries", "Entries in the agency's audit chain", AuditEntry),
            ("astara_alerts", "Watch-list alerts raised", MatchAlert),
            ("astara_seizure_events", "Seizure events held", SeizureEvent),
        ):
            yield GaugeMetricFamily(name, what, value=repository.count(session, scope, model))
        received = GaugeMetricFamily(
            "astara_partner_received_records", "Records pulled from each partner", labels=["partner"]
        )
        backlog = GaugeMetricFamily(
            "astara_partner_backlog", "Outbox entries a partner has not confirmed", labels=["partner"]
        )
        success = GaugeMetricFamily(
            "astara_partner_last_pull_success_timestamp_seconds", "Last successful pull", labels=["partner"]
        )
        for state in sharing.status(session, scope):
            received.add_metric([state.partner], state.received)
            backlog.add_metric([state.partner], state.backlog)
            if state.last_success_at is not None:
                success.add_metric([state.partner], state.last_success_at.timestamp())
        yield from (received, backlog, success)
