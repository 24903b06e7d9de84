"""The matching layer's scheduled jobs: a watch-list run (``matching.watch``) and a full identity
resolution (``matching.resolve``), each a function ``(work, params) -> result`` of :mod:`astara.jobs`."""

from __future__ import annotations

from typing import Any

from astara.jobs.service import Work
from astara.matching import identities, watch
from astara.matching.keys import KINDS

RUN_BATCH = 50  # watch-list entries checked per transaction: progress shows between them


def watch_job(work: Work, params: dict[str, Any]) -> dict[str, Any]:
    """Check every stored and received entity against the watch lists (``params.lists``: only those).

    Each batch of entries commits on its own, so progress is visible on SQLite too; a run cut short
    leaves its alerts, and the next run raises only the ones still missing."""
    names = params.get("lists")
    with work.unit() as (session, scope):
        ids = watch.entries_to_run(session, scope, names)
    raised: dict[str, int] = {}
    for start in range(0, len(ids), RUN_BATCH):
        with work.unit() as (session, scope):
            for alert in watch.run_entries(session, scope, ids[start : start + RUN_BATCH]):
                raised[alert.kind] = raised.get(alert.kind, 0) + 1
        done = min(start + RUN_BATCH, len(ids))
        work.progress(done, len(ids), f"{done} of {len(ids)} watch-list entries checked")
    by_kind = {f"alerts_{kind}": n for kind, n in raised.items()}
    return {"entries": len(ids), "alerts": sum(raised.values()), **by_kind}


def resolve_job(work: Work, params: dict[str, Any]) -> dict[str, Any]:
    """Resolve the identities of ``params.kinds`` (default all) from scratch, one kind per transaction:
    the reference run that sets right whatever the incremental resolution after each write missed."""
    kinds = list(params.get("kinds") or KINDS)
    totals = {"identities": 0, "formed": 0, "undone": 0, "conflicts": 0}
    for n, kind in enumerate(kinds):
        with work.unit() as (session, scope):
            (change,) = identities.resolve(session, scope, [kind])
        totals["identities"] += change["identities"]
        totals["formed"] += len(change["merged"])
        totals["undone"] += len(change["split"])
        totals["conflicts"] += change["conflicts"]
        totals[f"identities_{kind}"] = change["identities"]
        work.progress(n + 1, len(kinds), f"{kind} identities resolved")
    return totals
