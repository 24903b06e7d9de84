"""Demo: two Astara instances on loopback share seizures under the Azerbaijan-Iran agreement.

Starts an Azerbaijani customs instance (AZ-SCS) and an Iranian police instance (IR-ANP), each with
its own SQLite database and key pair, registers each other's keys, loads the example agreement,
records two seizures on the Azerbaijani side (one with a driver and a truck), pulls them to the
Iranian side (the driver's name stays behind; the plate goes, as Article 6.2 allows), checks the
driver's name written in Cyrillic against a hit/no-hit index, and retracts one seizure, showing the
signed receipt that comes back.

Run: ``.venv/bin/python src/astara/sharing/examples/two_instances.py``
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

EXAMPLE = Path(__file__).with_name("az-ir-border-services.yaml")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="astara-two-instances-"))
    sites = {"AZ-SCS": ("State Customs Committee", "AZ"), "IR-ANP": ("Anti-Narcotics Police", "IR")}
    env, urls, procs = {}, {}, []
    for code in sites:
        env[code] = {
            **os.environ,
            "ASTARA_DATA_DIR": str(root / code),
            "ASTARA_AGENCY": code,
            "ASTARA_ENVIRONMENT": "test",
            "ASTARA_LOG_LEVEL": "WARNING",
        }
        urls[code] = f"http://127.0.0.1:{_port()}"

    def astara(code: str, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "astara", *args],
            env=env[code],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"astara {' '.join(args)} ({code}) failed: {done.stderr}")
        return done.stdout.strip()

    for code, (name, country) in sites.items():
        astara(code, "init", "--name", name, "--country", country)
    keys = {code: json.loads(astara(code, "keys", "show", "--format", "json")) for code in sites}
    for code in sites:
        other = "IR-ANP" if code == "AZ-SCS" else "AZ-SCS"
        print(
            f"[{code}] "
            + astara(
                code, "partner", "add", other, "--url", urls[other], "--key", keys[other]["public_key"]
            ).replace("\n", "  ")
        )
        print(f"[{code}] " + astara(code, "agreement", "add", str(EXAMPLE)))
        astara(code, "hit", "secret", "AZ-IR-BORDER-2024", "--set", "demo-secret-agreed-by-telephone")
    for code in sites:
        port = urls[code].rsplit(":", 1)[1]
        procs.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                [sys.executable, "-m", "astara", "serve", "--port", port],
                env=env[code],
                stdout=subprocess.DEVNULL,
            )
        )
    try:
        for url in urls.values():
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"{url}/api/sharing/key", timeout=2)  # noqa: S310 - http://127.0.0.1
                    break
                except OSError:
                    time.sleep(0.1)
        record = _record_seizures(env["AZ-SCS"])
        print("[IR-ANP] " + astara("IR-ANP", "sync", "pull", "AZ-SCS"))
        print("[IR-ANP] received:\n" + astara("IR-ANP", "sync", "received", "--partner", "AZ-SCS"))
        got = json.loads(astara("IR-ANP", "sync", "received", "--partner", "AZ-SCS", "--format", "json"))
        print(
            "[IR-ANP] nominal data received: "
            + json.dumps([r["record"].get("entities") for r in got], ensure_ascii=False)
        )
        index = root / "hits.json"
        print("[AZ-SCS] " + astara("AZ-SCS", "hit", "index", "--partner", "IR-ANP", "--out", str(index)))
        print("[IR-ANP] " + astara("IR-ANP", "hit", "check", str(index), "--name", "Мамед Рзаев"))
        print("[AZ-SCS] " + astara("AZ-SCS", "sync", "retract", record, "--reason", "entered twice"))
        print("[IR-ANP] " + astara("IR-ANP", "sync", "pull", "AZ-SCS"))
        print("[AZ-SCS] " + astara("AZ-SCS", "sync", "status"))
        print("[AZ-SCS] " + astara("AZ-SCS", "audit", "verify"))
        print("[IR-ANP] " + astara("IR-ANP", "audit", "verify"))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()


def _record_seizures(env: dict[str, str]) -> str:
    """Two seizures on the Azerbaijani side, the first with its driver and truck (in-process)."""
    from astara.db.models import EventEntityLink, Person, Vehicle
    from astara.runtime import Runtime
    from astara.seizures.schemas import SeizureCreate, SeizureItemIn
    from astara.seizures.service import create_seizure
    from astara.settings import Settings
    from astara.sharing import outbox

    rt = Runtime(Settings(data_dir=Path(env["ASTARA_DATA_DIR"]), environment="test"), agency="AZ-SCS")
    with rt.unit() as (session, scope):
        first = create_seizure(
            session,
            scope,
            SeizureCreate(
                reference="AZ-2025-0412",
                date="2025-10-14",
                place="Astara",
                country="AZ",
                departure_country="IR",
                transport="truck",
                concealment="false compartment",
                notes="tip from informant K-7",
                items=[SeizureItemIn(drug="heroin", quantity=260, unit="kg")],
            ),
        )
        create_seizure(
            session,
            scope,
            SeizureCreate(
                reference="AZ-2025-0413",
                date="2025-10-20",
                place="Bilasuvar",
                country="AZ",
                departure_country="IR",
                transport="car",
                items=[SeizureItemIn(drug="opium", quantity=41.5, unit="kg")],
            ),
        )
        session.add(Person(id="p-412", agency_id=scope.agency_id, name="Məmməd Rzayev", nationality="IR"))
        session.add(Vehicle(id="v-412", agency_id=scope.agency_id, plate="IR 12 B 345 67", country="IR"))
        session.add(
            EventEntityLink(
                agency_id=scope.agency_id,
                event_id=first.id,
                entity_type="person",
                entity_id="p-412",
                role="driver",
            )
        )
        session.add(
            EventEntityLink(
                agency_id=scope.agency_id,
                event_id=first.id,
                entity_type="vehicle",
                entity_id="v-412",
                role="conveyance",
            )
        )
        session.flush()
        outbox.record_changed(session, scope, [first.id])
    print("[AZ-SCS] recorded AZ-2025-0412 (heroin 260 kg, driver and truck) and AZ-2025-0413 (opium 41.5 kg)")
    return first.id


if __name__ == "__main__":
    main()
