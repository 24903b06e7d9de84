"""Progress of jobs that hold the store's write transaction for their whole run (an import).

On SQLite such a job holds the only write lock until it ends, so a progress row would wait on the
job itself: their progress goes to ``DATA_DIR/jobs/<id>.progress`` (JSON, replaced atomically),
which the runner, the API and the page share on any store, PostgreSQL included, as they share the
uploads beside it. The runner copies the last figures into the job's row when the job ends.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from astara.jobs.schemas import JobOut

JOB_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")  # secrets.token_urlsafe: no path can be built from one


def _file(data_dir: Path, job_id: str) -> Path:
    if not JOB_ID.fullmatch(job_id):
        raise ValueError(f"not a job id: {job_id!r}")
    return data_dir / "jobs" / f"{job_id}.progress"


def write(
    data_dir: Path, job_id: str, done: int, total: int | None, message: str, figures: dict[str, int]
) -> None:
    """Replace the job's progress (a reader sees the old figures or the new, never half of them)."""
    path = _file(data_dir, job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    body = {"done": done, "total": total, "message": message[:200], "figures": figures}
    temporary.write_text(json.dumps(body), encoding="utf-8")
    os.replace(temporary, path)


def read(data_dir: Path, job_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads(_file(data_dir, job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet (or already removed by the job's end)
        return None
    return found


def remove(data_dir: Path, job_id: str) -> None:
    _file(data_dir, job_id).unlink(missing_ok=True)


def overlay(job: JobOut, data_dir: Path) -> JobOut:
    """A running job with its progress from the file, where it has one."""
    found = read(data_dir, job.id) if job.status == "running" else None
    if found is None:
        return job
    figures = {"progress_done": found["done"], "progress_total": found["total"],
               "progress_message": found["message"], "figures": found["figures"]}  # fmt: skip
    return job.model_copy(update=figures)
