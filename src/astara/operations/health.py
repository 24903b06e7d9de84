"""Liveness and readiness: what a load balancer asks, and what an administrator is shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from astara.db.engine import ping, require_schema
from astara.errors import StoreError
from astara.operations.service import schema_state
from astara.runtime import Runtime
from astara.sharing import keys


@dataclass
class Readiness:
    ready: bool
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)


def readiness(runtime: Runtime) -> Readiness:
    """Store reachable, schema current, instance key present; each check's detail for an administrator."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        ping(runtime.engine)
        checks["store"] = {"ok": True, "dialect": runtime.engine.dialect.name}
    except Exception as exc:  # the driver's own errors vary; all mean "cannot reach the store"
        checks["store"] = {
            "ok": False,
            "reason": str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        }
    if checks["store"]["ok"]:
        try:
            require_schema(runtime.engine)
            checks["schema"] = {"ok": True, "revision": schema_state(runtime.engine).current}
        except StoreError as exc:
            checks["schema"] = {"ok": False, "reason": exc.message}
    else:
        checks["schema"] = {"ok": False, "reason": "the store cannot be reached"}
    pair = keys.load_existing(runtime.settings.data_dir)
    checks["keys"] = (
        {"ok": True, "fingerprint": pair.fingerprint}
        if pair is not None
        else {"ok": False, "reason": f"no instance key in {keys.key_dir(runtime.settings.data_dir)}"}
    )
    return Readiness(all(c["ok"] for c in checks.values()), checks)
