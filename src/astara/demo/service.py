"""Load the shipped demo data (the IDS regional subset) for an agency; loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.demo import repository
from astara.imports.schemas import ImportOptions, ImportReport
from astara.imports.service import run_import
from astara.kit.ids import file_sha256

DEMO_FILE = Path(__file__).with_name("data") / "ids_2011_2016_caucasus_iran_region_subset.csv.gz"


def load_demo(session: Session, scope: Scope, today: dt.date | None = None) -> ImportReport:
    """Import the demo file with the IDS mapping, keeping valid rows and merging identical rows.

    When the agency already imported this very file, its stored report is returned instead
    (importing again would change nothing, only take time).
    """
    done = repository.completed_import(session, scope, file_sha256(DEMO_FILE), "unodc_ids")
    if done is not None and done.report:
        report = ImportReport.model_validate(done.report)
        report.status = f"already loaded ({report.status})"
        return report
    options = ImportOptions(
        mapping="unodc_ids", keep_valid=True, duplicates="merge", today=today or dt.date.today()
    )
    return run_import(session, scope, DEMO_FILE, options)
