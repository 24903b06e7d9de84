"""The sharing demo: two Astara instances on loopback, an Azerbaijani customs and an Iranian police.

``python -m astara.sharing.demo [WORKDIR]`` (or ``scripts/sharing-demo.sh``) creates two separate
instances (own data folder, SQLite store and key pair), starts each as a real server process,
exchanges keys, loads the agreement on both sides, records seizures at AZ-SCS through its REST API,
pulls them at IR-ANP over signed HTTP, shows the nominal fields the agreement forbids absent, runs a
hit/no-hit check on the driver and on his truck's plate (the agreement lets only the plate out),
and retracts a record, showing the signed receipt AZ-SCS gets back. Every step goes through the
``astara`` command or the API, as an operator would, except linking the driver to the seizure
(there is no API for persons yet).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from astara.agencies.service import scope_for
from astara.db.engine import make_engine, transaction
from astara.db.models import EventEntityLink, Person, Vehicle
from astara.sharing import outbox, repository
from astara.sharing.keys import canonical, verify

EXAMPLE = Path(__file__).parent / "examples" / "az-ir-border-services.yaml"
AGREEMENT = "AZ-IR-BORDER-2024"
SECRET = "agreed-at-the-astara-border-meeting"  # noqa: S105 - the demo's shared matching secret
DRIVER = "Mohammad Rezaei"  # as AZ customs wrote it from the passport's Latin line
SUSPECT = "محمد رضایی"  # the same man in IR-ANP's own files
OTHER = "Əli Həsənov"
PLATE = "45 ع 123 - 67"  # the truck's Iranian plate
FORBIDDEN = ("Mohammad Rezaei", "informant K-7", "AZ-2025-0902")  # driver name, notes, unvalidated ref


@dataclass
class Instance:
    code: str
    name: str
    country: str
    root: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.root / 'astara.sqlite3'}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "ASTARA_DATA_DIR": str(self.root),
            "ASTARA_DATABASE_URL": self.database_url,
            "ASTARA_AGENCY": self.code,
            "ASTARA_LOG_LEVEL": "WARNING",
        }

    def astara(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "astara", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.code}: astara {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, token: str | None = None, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


@contextmanager
def serving(*instances: Instance) -> Iterator[None]:
    """Each instance as its own uvicorn process on a free loopback port; stopped on leaving."""
    try:
        for inst in instances:
            inst.port = _free_port()
            cmd = [sys.executable, "-m", "uvicorn", "--factory", "astara.web.app:app_from_environment",
                   "--host", "127.0.0.1", "--port", str(inst.port), "--log-level", "warning"]  # fmt: skip
            inst.proc = subprocess.Popen(cmd, env=inst.env())  # noqa: S603 - our own interpreter
        for inst in instances:
            for _ in range(300):
                try:
                    http("GET", f"{inst.url}/api/sharing/key")
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"{inst.code} did not start on {inst.url}")
        yield
    finally:
        for inst in instances:
            if inst.proc is not None:
                inst.proc.terminate()
                inst.proc.wait(timeout=30)


def _link_driver(az: Instance, record_id: str) -> None:
    """Link the driver and truck to the seizure (what a case officer does in the record)."""
    engine = make_engine(az.database_url)
    try:
        with transaction(engine) as session:
            scope = scope_for(session, az.code, None)
            session.add(Person(id="p-demo-1", agency_id=scope.agency_id, name=DRIVER, nationality="IR"))
            session.add(Vehicle(id="v-demo-1", agency_id=scope.agency_id, plate=PLATE, country="IR"))
            for kind, entity, role in (
                ("person", "p-demo-1", "driver"),
                ("vehicle", "v-demo-1", "conveyance"),
            ):
                session.add(EventEntityLink(agency_id=scope.agency_id, event_id=record_id, entity_type=kind,
                                            entity_id=entity, role=role))  # fmt: skip
            session.flush()
            outbox.record_changed(session, scope, [record_id])
    finally:
        engine.dispose()


def _receipts(az: Instance, ir_key: str) -> list[dict[str, Any]]:
    """The receipts AZ-SCS holds from IR-ANP, each with its signature checked against IR-ANP's key."""
    engine = make_engine(az.database_url)
    try:
        with transaction(engine) as session:
            scope = scope_for(session, az.code, None)
            return [
                {
                    **r.body,
                    "signature": r.signature,
                    "signature_ok": verify(ir_key, canonical(r.body), r.signature),
                }
                for r in repository.receipts(session, scope, "IR-ANP", "received")
            ]
    finally:
        engine.dispose()


def run(workdir: Path, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the whole demo in ``workdir``; returns what each step showed (the test checks it)."""
    az = Instance(
        "AZ-SCS", "State Customs Committee of the Republic of Azerbaijan", "AZ", workdir / "az-customs"
    )
    ir = Instance(
        "IR-ANP", "Anti-Narcotics Police of the Islamic Republic of Iran", "IR", workdir / "ir-police"
    )
    out: dict[str, Any] = {}

    def step(title: str) -> None:
        say(f"\n== {title} " + "=" * max(0, 70 - len(title)))

    step("1. Two instances, each with its own data folder and SQLite store")
    for inst in (az, ir):
        inst.root.mkdir(parents=True, exist_ok=True)
        say(f"{inst.code}: " + inst.astara("init", "--name", inst.name, "--country", inst.country))
    with serving(az, ir):
        say(f"AZ-SCS serving on {az.url}, IR-ANP on {ir.url}")

        step("2. Keys exchanged out of band; fingerprints confirmed by voice")
        keys = {inst.code: http("GET", f"{inst.url}/api/sharing/key") for inst in (az, ir)}
        for me, other in ((az, ir), (ir, az)):
            said = me.astara("partner", "add", other.code, "--url", other.url, "--key",
                             keys[other.code]["public_key"], "--name", other.name)  # fmt: skip
            say(f"{me.code} registers {said.replace(chr(10), '; ')}")
        out["fingerprints"] = {code: k["fingerprint"] for code, k in keys.items()}

        step("3. The agreement, loaded on both sides, and its matching secret")
        for inst in (az, ir):
            say(f"{inst.code}: " + inst.astara("agreement", "add", str(EXAMPLE)))
            inst.astara("hit", "secret", AGREEMENT, "--set", SECRET)

        step("4. AZ-SCS records two seizures through its REST API")
        token = az.astara("token", "create", "demo").split(": ", 1)[1]
        records = []
        for reference, validated, kg in (("AZ-2025-0901", True, 260), ("AZ-2025-0902", False, 41)):
            created = http("POST", f"{az.url}/api/seizures", token, {
                "reference": reference, "date": "2025-11-03", "place": "Astara border crossing",
                "country": "AZ", "departure_country": "IR", "transport": "truck",
                "concealment": "false compartment", "notes": "source: informant K-7",
                "validation_status": "validated" if validated else None,
                "items": [{"drug": "heroin", "quantity": kg, "unit": "kg"}],
            })  # fmt: skip
            records.append(created["id"])
            say(f"AZ-SCS recorded {reference} ({kg} kg heroin, truck) as {created['id']}")
        _link_driver(az, records[0])
        say(f"AZ-SCS linked the driver {DRIVER!r} and an Iranian truck plate to {records[0]}")
        explained = az.astara("agreement", "explain", "--partner", "IR-ANP", "--record", records[0])
        wanted = ("person.", "vehicle.", "reference", "notes")
        shown_lines = [
            x for x in explained.splitlines() if not x.startswith("  ") or any(w in x for w in wanted)
        ]
        say("\n".join(shown_lines))

        step("5. IR-ANP pulls AZ-SCS's signed feed over HTTP")
        say("IR-ANP: " + ir.astara("sync", "pull", "AZ-SCS"))
        received = json.loads(ir.astara("sync", "received", "--partner", "AZ-SCS", "--format", "json"))
        wire = json.dumps(received, ensure_ascii=False)
        out["received"] = sorted({r["record_id"] for r in received})
        out["forbidden_absent"] = {text: text not in wire for text in FORBIDDEN}
        first = max((r for r in received if r["record_id"] == records[0]), key=lambda r: r["version"])
        say(f"IR-ANP holds {len(out['received'])} records from AZ-SCS; {records[0]} v{first['version']}:")
        say(json.dumps(first["record"], ensure_ascii=False, indent=1)[:1500])
        for text, absent in out["forbidden_absent"].items():
            say(f"  {'absent ' if absent else 'PRESENT'}  {text!r}")

        step("6. Hit/no-hit: IR-ANP checks its suspect and his truck against AZ-SCS's index")
        index = workdir / "az-hit-index.json"
        say("AZ-SCS: " + az.astara("hit", "index", "--partner", "IR-ANP", "--out", str(index)))
        out["index_has_no_name"] = DRIVER not in index.read_text(encoding="utf-8")
        out["hits"] = {}
        # the agreement lets plates out (art6.2) and no names: the index answers for plates only
        for query in (("--name", SUSPECT), ("--name", OTHER), ("--plate", PLATE, "--country", "IR")):
            found = json.loads(ir.astara("hit", "check", str(index), *query, "--format", "json"))
            out["hits"][query[1]] = [h["reference"] for h in found]
            say(f"IR-ANP checks {query[1]!r}: " + (
                "; ".join(f"hit: {h['agency']} holds reference {h['reference']}, contact {h['contact']}"
                          for h in found) or "no hit"))  # fmt: skip

        step("7. AZ-SCS retracts a record; IR-ANP applies it and returns a signed receipt")
        say("AZ-SCS: " + az.astara("sync", "retract", records[0], "--reason", "wrong crossing recorded"))
        say("IR-ANP: " + ir.astara("sync", "pull", "AZ-SCS"))
        shown = json.loads(ir.astara("sync", "received", "--partner", "AZ-SCS", "--record", records[0],
                                     "--format", "json"))  # fmt: skip
        out["retracted_everywhere"] = all(v["retracted_at"] and v["record"] == {} for v in shown)
        out["receipts"] = _receipts(az, keys["IR-ANP"]["public_key"])
        for receipt in out["receipts"]:
            say(f"AZ-SCS holds a receipt: {receipt['from']} applied the retraction of {receipt['record_id']} "
                f"at {receipt['applied_at']}; signature {receipt['signature'][:24]}... "
                f"{'verified' if receipt['signature_ok'] else 'INVALID'} with IR-ANP's key")  # fmt: skip
        say("AZ-SCS: " + az.astara("sync", "status"))

        step("8. Both audit chains verified")
        out["audit"] = {inst.code: inst.astara("audit", "verify") for inst in (az, ir)}
        for code, text in out["audit"].items():
            say(f"{code}: {text}")
    out["records"] = records
    return out


def main() -> None:
    if len(sys.argv) > 1:
        workdir = Path(sys.argv[1])
        workdir.mkdir(parents=True, exist_ok=True)
        run(workdir)
        print(f"\nthe two instances' data is in {workdir}")
        return
    with tempfile.TemporaryDirectory(prefix="astara-sharing-demo-") as tmp:
        run(Path(tmp))


if __name__ == "__main__":
    main()
