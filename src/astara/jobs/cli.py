"""``astara jobs run|list|show``: the job runner and what jobs did."""

from __future__ import annotations

from typing import Annotated

import typer

from astara.cli import emit, runtime

jobs_app = typer.Typer(help="Background jobs: the runner, and what each job did.", no_args_is_help=True)
Fmt = Annotated[str, typer.Option("--format", help="table or json")]


@jobs_app.command("run")
def jobs_run(
    once: Annotated[
        bool, typer.Option("--once", help="Run what is queued now, then exit (cron, tests).")
    ] = False,
    poll: Annotated[float, typer.Option(min=0.1, help="Seconds between looks at the queue.")] = 2.0,
) -> None:
    """Run queued jobs of every agency: for ever (a service), or with --once until the queue is empty."""
    import contextlib
    import signal
    import threading

    from astara.db.engine import require_schema
    from astara.jobs.runner import Runner

    rt = runtime()
    require_schema(rt.engine)
    runner = Runner(rt)
    if once:
        typer.echo(f"{runner.run_once()} jobs run")
        return
    stop = threading.Event()

    def _terminate(*_: object) -> None:  # systemctl stop: end after the job at hand, not inside it
        stop.set()
        runner.wake()

    signal.signal(signal.SIGTERM, _terminate)
    typer.echo("running jobs; stop with Ctrl-C", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        runner.serve(stop, poll)
    typer.echo("stopped", err=True)


def _line(job: object) -> str:
    from astara.jobs.schemas import JobOut

    assert isinstance(job, JobOut)
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
    from astara.jobs import service

    with runtime().unit() as (session, scope):
        rows = service.list_jobs(session, scope, limit)
    emit([j.model_dump(mode="json") for j in rows], fmt, "\n".join(_line(j) for j in rows) or "no jobs")


@jobs_app.command("show")
def jobs_show(job_id: Annotated[str, typer.Argument(help="The job's id.")], fmt: Fmt = "table") -> None:
    """One job: status, progress, result or error."""
    from astara.jobs import service

    current = runtime()
    with current.unit() as (session, scope):
        job = service.get_job(session, scope, job_id, current.settings.data_dir)
    emit(job.model_dump(mode="json"), fmt, _line(job))


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
