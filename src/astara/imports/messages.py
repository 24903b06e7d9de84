"""The messages between an import and its worker process (:mod:`astara.imports.worker`), pickled
on the worker's standard input and output by :mod:`astara.imports.channel`.

To the worker: :class:`ReadFile` as it starts (:mod:`astara.imports.spawn`), then
:class:`PrepareJob` once the importer has opened its store. From it: a :class:`Prepared` per
batch, then :class:`Done` or :class:`Failed`. Standard library only at run time: ``astara
import`` loads this before anything else, to start the worker early.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (annotations only: see the module's docstring)
    from astara.imports.prepare import Batch, Job, Merged
    from astara.imports.rows import Problem
    from astara.imports.schemas import ImportOptions, ImportReport


@dataclass(frozen=True)
class ReadFile:
    """What the worker can start on before its job arrives: the file, and how to read and parse it.
    An early worker is taken only for an import told the same (equal messages)."""

    path: Path
    options: ImportOptions
    batch: int  # rows a batch
    by_columns: bool  # parse clean rows column by column


@dataclass(frozen=True)
class PrepareJob:
    """The rest of the worker's job: what it needs from the importer's store (the tables' layouts)."""

    job: Job


@dataclass(frozen=True)
class Prepared:
    """A batch ready to write, and the rows read so far (the import's progress)."""

    batch: Batch
    rows_read: int


@dataclass(frozen=True)
class Done:
    """The file is prepared: what the worker found out, for the job's report."""

    report: ImportReport
    rejects: list[tuple[list[Problem], list[object]]]
    merged: Merged


@dataclass(frozen=True)
class Failed:
    """The worker stopped on ``error``, which the importer raises."""

    error: BaseException


FromWorker = Prepared | Done | Failed
