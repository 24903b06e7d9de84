"""``astara jobs run|list|show``: the job runner and what jobs did."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer

from astara.cli import emit, runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.db import engine as db_engine
    from astara.jobs import runner, schedule, schemas, service
else:
    _WHY = "the store and the runner load when a command runs, not when the help lists it"
    db_engine = deferred("astara.db.engine", _WHY)
    runner = deferred("astara.jobs.runner", _WHY)
    schedule = deferred("astara.jobs.schedule", _WHY)
    schemas = deferred("astara.jobs.schemas", _WHY)
    service = deferred("astara.jobs.service", _WHY)

jobs_app = typer.Typer(help="Background jobs: the runner, and what each job did.", no_args_is_help=True)
Fmt = Annotated[str, typer.Option("--format", help="table or json")]


@jobs_app.command("run")
def jobs_run(
    once: Annotated[
        bool, typer.Option("--once", help="Run what is queued now, then exit (cron, tests).")
    ] = False,
    poll: Annotated[float, typer.Option(min=0.1, help="Seconds between looks at the queue.")] = 2.0,
    no_schedule: Annotated[
        bool, typer.Option("--no-schedule", help="Do not queue the jobs of DATA_DIR/schedule.toml.")
    ] = False,
) -> None:
    """Run queued jobs of every agency: for ever (a service), or with --once until the queue is empty.
    Each look at the queue first queues the scheduled jobs due (DATA_DIR/schedule.toml)."""
    rt = runtime()
    db_engine.require_schema(rt.engine)
    entries = [] if no_schedule else _entries()
    jobs = runner.Runner(rt, schedule=schedule.scheduler(rt.engine, entries))
    if entries:
        typer.echo(
            f"{len(entries)} scheduled jobs from {rt.settings.data_dir / schedule.FILE_NAME}", err=True
        )
    if once:
        typer.echo(f"{jobs.run_once()} jobs run")
        return
    stop = threading.Event()

    def _terminate(*_: object) -> None:  # systemctl stop: end after the job at hand, not inside it
        stop.set()
        jobs.wake()

    signal.signal(signal.SIGTERM, _terminate)
    typer.echo("running jobs; stop with Ctrl-C", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        jobs.serve(stop, poll)
    typer.echo("stopped", err=True)


def _line(job: object) -> str:
    assert isinstance(job, schemas.JobOut)
    total = f"/{job.progress_total}" if job.progress_total is not None else ""
    outcome = job.error or (
        ", ".join(f"{k} {v}" for k, v in (job.result or {}).items() if v) if job.result else ""
    )
    return (f"{job.id}  {job.kind:<14} {job.status:<8} {job.progress_done}{total}  "
            f"{job.created_at:%Y-%m-%d %H:%M}  {outcome}").rstrip()  # fmt: skip


@jobs_app.command("list")
def jobs_list(
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many of the newest.")] = 50,
    fmt: Fmt = "table",
) -> None:
    """The newest jobs (an administrator sees the agency's, others their own)."""
    with runtime().unit() as (session, scope):
        rows = service.list_jobs(session, scope, limit)
    emit([j.model_dump(mode="json") for j in rows], fmt, "\n".join(_line(j) for j in rows) or "no jobs")


@jobs_app.command("show")
def jobs_show(job_id: Annotated[str, typer.Argument(help="The job's id.")], fmt: Fmt = "table") -> None:
    """One job: status, progress, result or error."""
    current = runtime()
    with current.unit() as (session, scope):
        job = service.get_job(session, scope, job_id, current.settings.data_dir)
    emit(job.model_dump(mode="json"), fmt, _line(job))


def _entries() -> list[Any]:
    settings = runtime().settings
    return list(schedule.load(settings.data_dir / schedule.FILE_NAME, settings.agency))


@jobs_app.command("schedule")
def jobs_schedule(fmt: Fmt = "table") -> None:
    """The scheduled jobs (DATA_DIR/schedule.toml): each one's next run and last run with its outcome."""

    rt = runtime()
    db_engine.require_schema(rt.engine)
    entries = schedule.load(rt.settings.data_dir / schedule.FILE_NAME, rt.settings.agency)
    with db_engine.transaction(rt.engine) as session:
        planned = schedule.plan(session, entries)
    lines = []
    for p in planned:
        last = "never run"
        if p.problem is not None:
            last = f"cannot be queued: {p.problem}"
        elif p.last is not None:
            outcome = p.last.error or ", ".join(f"{k} {v}" for k, v in (p.last.result or {}).items() if v)
            last = f"last {p.last.created_at:%Y-%m-%d %H:%M} {p.last.status} {outcome}".rstrip()
        every = p.entry.every + (f" at {p.entry.at}" if p.entry.at else "")
        lines.append(f"{p.entry.name:<20} {p.entry.kind:<14} every {every:<5} "
                     f"next {p.next_at:%Y-%m-%d %H:%M}  {last}")  # fmt: skip
    none = f"no scheduled jobs: write {rt.settings.data_dir / schedule.FILE_NAME}"
    emit([p.as_dict() for p in planned], fmt, "\n".join(lines) or none)


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
