"""What an import is asked to do, and what it reports back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict  # pydantic reads typing's own only from Python 3.12

from astara.kit.limits import ReadLimits

MAX_LISTED = 1000  # problems listed in a report; the rejects file has all of them


class ImportOptions(BaseModel):
    mapping: str = "astara"
    encoding: str = "utf-8-sig"
    delimiter: str | None = None
    member: str | None = Field(default=None, description="File inside a ZIP archive, when it holds several.")
    keep_valid: bool = Field(default=False, description="Store the valid rows even when some rows are bad.")
    rejects_path: Path | None = Field(default=None, description="Write the bad rows and their reasons here.")
    duplicates: Literal["merge", "keep"] = Field(
        default="merge",
        description="merge: identical rows of one file are one event (counted once, rows listed); "
        "keep: every row is its own event.",
    )
    dry_run: bool = Field(default=False, description="Check everything, write nothing.")
    limit_bytes: int = 1 << 30
    limits: ReadLimits = Field(default_factory=ReadLimits)
    today: dt.date = Field(default_factory=dt.date.today)


class RowProblem(TypedDict):
    """A bad (an error) or doubtful (a warning) value, as the report names it."""

    row: int  # the file's row number
    column: str
    value: str
    reason: str


class ImportReport(BaseModel):
    job_id: str | None
    file: str
    file_sha256: str
    mapping: str
    status: str  # completed | partial | dry_run | failed
    rows_read: int = 0
    events_created: int = 0
    items_created: int = 0
    events_already_present: int = 0
    exact_duplicate_rows: int = 0
    near_duplicates: int = 0
    flagged: int = 0
    rejected_rows: int = 0
    persons_created: int = 0
    vehicles_created: int = 0
    watch_alerts: int = 0
    errors: list[RowProblem] = Field(default_factory=list)
    warnings: list[RowProblem] = Field(default_factory=list)
    warning_count: int = 0
    duplicate_examples: list[dict[str, Any]] = Field(default_factory=list)
    unused_columns: list[str] = Field(default_factory=list)
    rejects_file: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        verb = "to create " if self.status == "dry_run" else "created   "
        lines = [
            f"{self.file} ({self.mapping}): {self.status}",
            f"  rows read            {self.rows_read:>10,}",
            f"  events {verb}   {self.events_created:>10,}  ({self.items_created:,} items)",
            f"  already present      {self.events_already_present:>10,}",
            f"  exact duplicate rows {self.exact_duplicate_rows:>10,}",
            f"  near duplicates      {self.near_duplicates:>10,}  (flagged, stored)",
            f"  flagged quantities   {self.flagged:>10,}",
            f"  rejected rows        {self.rejected_rows:>10,}",
            f"  warnings             {self.warning_count:>10,}",
            f"  seconds              {self.seconds:>10.1f}",
        ]
        if self.persons_created or self.vehicles_created or self.watch_alerts:
            alerts = f"({self.watch_alerts:,} watch-list alerts)"
            lines.append(f"  persons created      {self.persons_created:>10,}  {alerts}")
        if self.vehicles_created:
            lines.append(f"  vehicles created     {self.vehicles_created:>10,}")
        if self.unused_columns:
            lines.append(f"  columns not used: {', '.join(self.unused_columns)}")
        if self.rejects_file:
            lines.append(f"  rejects written to {self.rejects_file}")
        if self.job_id and self.events_created and self.status != "dry_run":
            lines.append(f"  its records:          astara seizures list --where import_job={self.job_id}")
            if self.near_duplicates:
                flagged = f"--where import_job={self.job_id} --where possible_duplicate=yes"
                lines.append(f"  possible duplicates:  astara seizures list {flagged}")
        return "\n".join(lines)
