"""Pydantic shapes of a job, as the API, the CLI and the page show it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from astara.kit.dates import UtcDateTime


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    status: str  # queued | running | done | failed
    params: dict[str, Any]
    progress_done: int
    progress_total: int | None
    progress_message: str
    result: dict[str, Any] | None
    error: str | None
    created_by: int | None
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    attempts: int
    figures: dict[str, int] = {}  # a job's own progress figures (an import: rows read, written)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class JobAccepted(BaseModel):
    """202: the answer is being worked out by a job; ``job`` is its address to poll."""

    job: str
    id: str
    status: str
    progress_done: int
    progress_total: int | None
