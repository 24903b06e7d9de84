"""The import's fast paths: batches, restored settings, errors after rows were written."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select

from astara.agencies.scope import Scope
from astara.db import bulk_load
from astara.db.bulk_load import _flush as real_flush
from astara.db.engine import transaction
from astara.db.models import ImportJob, SeizureEvent, SeizureItem
from astara.errors import ImportFailed, InvalidInput
from astara.imports import rows as rows_module
from astara.imports import service, spawn
from astara.imports.chunks import _EMPTY, MISSING, FastRows, _overlay
from astara.imports.messages import Done, Prepared, PrepareJob, ReadFile
from astara.imports.schemas import ImportOptions, ImportReport
from conftest import TODAY
from fixtures.make import ids_row, import_file, large_imports_seen, write_ids


def _rows(count: int) -> list[dict[str, str]]:
    return [ids_row(AMOUNT=str(10 + n)) for n in range(count)]


def _count(engine: Engine, model: type) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_bad_row_after_written_batches_leaves_nothing(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH", 3)  # several batches are written before the bad row
    path = write_ids(tmp_path / "ids.csv", [*_rows(10), ids_row(DRUG_NAME="Unobtainium")])
    thresholds = gc.get_threshold()
    with pytest.raises(ImportFailed), transaction(engine) as session:
        service.run_import(session, scope, path, ImportOptions(mapping="unodc_ids", today=TODAY))
    assert (_count(engine, SeizureEvent), _count(engine, SeizureItem)) == (0, 0)
    assert gc.get_threshold() == thresholds


def test_batches_store_every_row_and_restore_settings(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH", 3)
    path = write_ids(tmp_path / "ids.csv", [*_rows(10), ids_row(AMOUNT="10")])  # the last: an exact duplicate
    thresholds = gc.get_threshold()
    sqlite = engine.dialect.name == "sqlite"
    pragma = "PRAGMA cache_size"
    with transaction(engine) as session:
        before = session.connection().exec_driver_sql(pragma).scalar() if sqlite else None
        report = service.run_import(session, scope, path, ImportOptions(mapping="unodc_ids", today=TODAY))
        after = session.connection().exec_driver_sql(pragma).scalar() if sqlite else None
    assert (report.events_created, report.items_created, report.exact_duplicate_rows) == (10, 10, 1)
    assert gc.get_threshold() == thresholds
    assert after == before  # the larger page cache was for the import only
    with transaction(engine) as session:
        first = session.scalars(select(SeizureEvent).where(SeizureEvent.duplicate_count == 2)).one()
        assert first.source_rows == [2, 12]
        assert [i.position for i in first.items] == [1]


def _mixed_rows() -> list[list[str]]:
    """Rows with an exact duplicate, a near duplicate, a flagged quantity, a warning and a bad row."""
    return [
        *_rows(7),
        ids_row(AMOUNT="10"),  # exact duplicate of the first row
        ids_row(AMOUNT="10.005"),  # near duplicate: kilograms within 0.1 %
        ids_row(AMOUNT="200000", DRUG_UNIT="Kilogram"),  # above the plausibility limit
        ids_row(TRANSPORT="Hovercraft"),  # unknown transport: a warning, text kept
        ids_row(DRUG_NAME="Unobtainium"),  # bad
        *_rows(3),  # three more exact duplicates
    ]


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    with transaction(engine) as session:
        events = session.scalars(select(SeizureEvent).order_by(SeizureEvent.id)).all()
        return [
            (e.id, e.source_rows, e.duplicate_count, e.possible_duplicate_of, e.quality_flags,
             e.transport_text, e.total_kg, [(i.drug_code, i.quantity, i.unit_code, i.kg) for i in e.items])
            for e in events
        ]  # fmt: skip


def _report_figures(report: ImportReport) -> tuple[object, ...]:
    return (report.rows_read, report.events_created, report.items_created, report.exact_duplicate_rows,
            report.near_duplicates, report.flagged, report.rejected_rows, report.warning_count,
            [(e["row"], e["column"]) for e in report.errors])  # fmt: skip


def test_the_worker_process_stores_what_the_importer_alone_stores(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ids(tmp_path / "ids.csv", _mixed_rows())
    monkeypatch.setattr(service, "BATCH", 4)  # several batches cross the pipe
    alone = import_file(engine, scope, path, keep_valid=True, rejects_path=tmp_path / "alone.csv")
    stored_alone = _stored(engine)
    with transaction(engine) as session:
        session.execute(delete(SeizureItem))
        session.execute(delete(SeizureEvent))
    monkeypatch.setattr(service, "PARALLEL_ROWS", 0)  # every file goes to the worker
    worker = import_file(engine, scope, path, keep_valid=True, rejects_path=tmp_path / "worker.csv")
    assert _report_figures(worker) == _report_figures(alone)
    assert (worker.events_created, worker.exact_duplicate_rows, worker.rejected_rows) == (10, 4, 1)
    assert _stored(engine) == stored_alone
    assert (tmp_path / "worker.csv").read_text() == (tmp_path / "alone.csv").read_text()
    assert "Unobtainium" in (tmp_path / "worker.csv").read_text()


def test_a_bad_row_found_by_the_worker_fails_the_import_with_its_row_and_column(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(service, "BATCH", 3)
    path = write_ids(tmp_path / "ids.csv", [*_rows(10), ids_row(DRUG_NAME="Unobtainium")])
    with pytest.raises(ImportFailed) as failure:
        import_file(engine, scope, path)
    assert failure.value.details[0]["row"] == 12
    assert failure.value.details[0]["column"] == "DRUG_NAME"
    assert (_count(engine, SeizureEvent), _count(engine, SeizureItem)) == (0, 0)


def test_a_file_the_worker_cannot_read_gives_the_readers_message(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "PARALLEL_ROWS", 0)
    path = tmp_path / "ids.csv"
    text = write_ids(tmp_path / "good.csv", _rows(3)).read_bytes()
    path.write_bytes(text + b"\xff\xfe broken \xff\n")  # not UTF-8 after the good rows
    with pytest.raises(InvalidInput, match=r"(?i)utf-8|encoding"):
        import_file(engine, scope, path)
    assert _count(engine, SeizureEvent) == 0


def _indexes(engine: Engine) -> list[str]:
    if engine.dialect.name != "sqlite":
        return []
    with transaction(engine) as session:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
        return [r[0] for r in session.connection().exec_driver_sql(sql)]


def test_indexes_set_aside_for_a_large_import_are_back_after_it_and_after_a_failure(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "DEFER_INDEXES_ROWS", 0)  # every import counts as large
    before = _indexes(engine)
    bad = write_ids(tmp_path / "bad.csv", [*_rows(5), ids_row(DRUG_NAME="Unobtainium")])
    with pytest.raises(ImportFailed):
        import_file(engine, scope, bad)
    assert _indexes(engine) == before
    report = import_file(engine, scope, write_ids(tmp_path / "good.csv", _rows(5)))
    assert report.events_created == 5
    assert _indexes(engine) == before
    if engine.dialect.name == "sqlite":
        assert any(name.startswith("ix_events_") for name in before)
        with transaction(engine) as session:  # the kept index and the rebuilt one answer for the new rows
            connection = session.connection()
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM seizure_events WHERE agency_id = 1 AND country = 'AZ' "
                "AND date > '2000-01-01'"
            ).all()
            assert "ix_events_agency_country_date" in str(plan)
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM seizure_items WHERE drug_code = 'heroin'"
            ).all()
            assert "ix_seizure_items_drug_code" in str(plan)
            found = "SELECT count(*) FROM seizure_items WHERE drug_code = 'heroin'"
            assert connection.exec_driver_sql(found).scalar() == 5


def test_a_large_import_keeps_the_indexes_it_names_and_rebuilds_the_others(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps every index")
    sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    present = large_imports_seen(monkeypatch, lambda c: {r[0] for r in c.exec_driver_sql(sql)})
    before = set(_indexes(engine))
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", _rows(5)))
    (during,) = present
    assert set(service.KEPT_INDEXES) <= during
    assert "ix_seizure_items_drug_code" not in during  # set aside, and rebuilt at the end
    assert set(_indexes(engine)) == before


def test_a_large_import_has_its_rows_flushed_to_disk_while_it_builds_its_indexes(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps every index")
    flushed: list[str] = []
    monkeypatch.setattr(bulk_load, "_flush", flushed.append)
    import_file(engine, scope, write_ids(tmp_path / "small.csv", _rows(2)))
    assert flushed == []  # a small import keeps its indexes: nothing to overlap
    monkeypatch.setattr(service, "DEFER_INDEXES_ROWS", 0)
    report = import_file(engine, scope, write_ids(tmp_path / "large.csv", _rows(5)))
    assert report.events_created == 3  # (the first two rows are the small file's)
    assert [Path(p).resolve() for p in flushed] == [Path(str(engine.url.database)).resolve()]


def test_flushing_a_file_to_disk_is_best_effort(tmp_path: Path) -> None:
    (tmp_path / "store").write_bytes(b"x" * 10)
    real_flush(str(tmp_path / "store"))  # writes nothing, raises nothing
    real_flush(str(tmp_path / "missing"))
    assert (tmp_path / "store").read_bytes() == b"x" * 10


@pytest.mark.parametrize("combinations", [0, rows_module.MAX_COMBINATIONS], ids=["uncached", "cached"])
def test_problems_of_coded_and_free_fields_name_each_row_in_column_order(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, combinations: int
) -> None:
    monkeypatch.setattr(rows_module, "MAX_COMBINATIONS", combinations)
    path = write_ids(
        tmp_path / "ids.csv",
        [
            ids_row(
                SEIZURE_DATE="2999-01-01", DRUG_NAME="Unobtainium", AMOUNT="-1"
            ),  # row 2: free, coded, free field
            ids_row(DRUG_NAME="Unobtainium", AMOUNT="5"),  # row 3: the same coded texts again
            ids_row(DRUG_NAME="Unobtainium", TRANSPORT="Hovercraft"),  # row 4: an error and a warning
            ids_row(TRANSPORT="Hovercraft", AMOUNT="7"),  # row 5: the warning alone, stored
            ids_row(AMOUNT="8"),
        ],
    )
    report = import_file(engine, scope, path, keep_valid=True)
    assert [(e["row"], e["column"]) for e in report.errors] == [
        (2, "SEIZURE_DATE"), (2, "DRUG_NAME"), (2, "AMOUNT"), (3, "DRUG_NAME"), (4, "DRUG_NAME"),
    ]  # fmt: skip
    assert "Unobtainium" in report.errors[3]["reason"]
    assert [(w["row"], w["column"]) for w in report.warnings] == [(4, "TRANSPORT"), (5, "TRANSPORT")]
    assert (report.events_created, report.rejected_rows) == (2, 3)
    with transaction(engine) as session:
        stored = {e.transport_text: e.items[0].quantity for e in session.scalars(select(SeizureEvent))}
    assert stored == {"Hovercraft": 7.0, "Private road": 8.0}


def test_a_script_without_a_main_guard_imports_once_through_the_worker(tmp_path: Path) -> None:
    """The worker is its own module: it never runs the caller's script again (spawn would)."""
    env = {**os.environ, "ASTARA_DATA_DIR": str(tmp_path / "data"), "ASTARA_AGENCY": "TEST"}
    env.pop("ASTARA_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "astara", "init"], env=env, check=True, capture_output=True)
    data = write_ids(tmp_path / "ids.csv", _rows(6))
    script = tmp_path / "load.py"
    script.write_text(
        "import datetime, pathlib\n"
        "import astara.imports.service as service\n"
        "from astara.imports.schemas import ImportOptions\n"
        "from astara.runtime import Runtime\n"
        "from astara.settings import Settings\n"
        "service.PARALLEL_ROWS = 0\n"
        "print('script ran', flush=True)\n"
        "with Runtime(Settings()).unit() as (session, scope):\n"
        f"    report = service.run_import(session, scope, pathlib.Path({str(data)!r}),\n"
        "        ImportOptions(mapping='unodc_ids', today=datetime.date(2024, 6, 1)))\n"
        "print('events', report.events_created)\n"
    )
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["script ran", "events 6"]


def _every_column(engine: Engine) -> list[tuple[object, ...]]:
    """Every stored event and item value but those that differ from one import to the next."""
    per_import = {"created_at", "updated_at", "import_job_id"}
    with transaction(engine) as session:
        events = session.scalars(select(SeizureEvent).order_by(SeizureEvent.id)).all()
        return [
            (
                tuple(getattr(e, c.key) for c in SeizureEvent.__table__.columns if c.key not in per_import),
                [
                    tuple(getattr(i, c.key) for c in SeizureItem.__table__.columns if c.key != "id")
                    for i in e.items
                ],
            )
            for e in events
        ]


def test_rows_parsed_column_by_column_are_stored_as_rows_parsed_one_by_one(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    short = ids_row(AMOUNT="31")[:-2]  # the last two columns missing: empty
    longer = [*ids_row(AMOUNT="32"), ""]  # an empty extra field: allowed
    extra = [*ids_row(AMOUNT="33"), "surprise"]  # a non-empty extra field: an error
    rows = [
        *_mixed_rows(),
        short,
        longer,
        extra,
        ids_row(AMOUNT=" 34 ", PLACE="  Bilasuvar customs  "),  # spaces around values
        ids_row(AMOUNT="35", PLACE="", ADMINISTRATIVE_DIVISION="Bilasuvar"),  # the admin area places it
        ids_row(AMOUNT="36", PLACE="", ADMINISTRATIVE_DIVISION=""),  # no place at all
        ids_row(AMOUNT="37", INSTALLATION=""),  # the place type comes from the gazetteer
        ids_row(AMOUNT="37", INSTALLATION="Airport"),  # the row's own place type wins
        ids_row(AMOUNT="38", DRUG_UNIT="Tablet", DRUG_NAME="Ecstasy"),  # kilograms by a tablet mass
        ids_row(AMOUNT="20000000", DRUG_UNIT="Ampoule"),  # no kilograms: a count flag
        ids_row(AMOUNT="39", SEIZURE_DATE="2016"),  # a year only
        ids_row(AMOUNT="39", SEIZURE_DATE="2016"),  # its exact duplicate
        ids_row(TRANSPORT="Hovercraft"),  # the earlier warning row again: an exact duplicate
        ids_row(AMOUNT="0"),  # bad
        ids_row(AMOUNT="40", DEPARTURE_COUNTRY="Iran (Islamic Republic of)"),
    ]
    path = write_ids(tmp_path / "ids.csv", rows)
    monkeypatch.setattr(service, "BATCH", 4)  # chunks end between duplicates and their originals
    monkeypatch.setattr(service, "BY_COLUMNS", False)
    by_rows = import_file(engine, scope, path, keep_valid=True, rejects_path=tmp_path / "rows.csv")
    stored_by_rows = _every_column(engine)
    with transaction(engine) as session:
        session.execute(delete(SeizureItem))
        session.execute(delete(SeizureEvent))
    monkeypatch.setattr(service, "BY_COLUMNS", True)
    by_columns = import_file(engine, scope, path, keep_valid=True, rejects_path=tmp_path / "columns.csv")
    same = {"job_id", "seconds", "rejects_file"}
    assert by_columns.model_dump(exclude=same) == by_rows.model_dump(exclude=same)
    assert (by_columns.rejected_rows, by_columns.exact_duplicate_rows, by_columns.flagged) == (3, 6, 2)
    assert _every_column(engine) == stored_by_rows
    assert len(stored_by_rows) == by_columns.events_created == 21
    assert (tmp_path / "columns.csv").read_text() == (tmp_path / "rows.csv").read_text()


def test_a_worker_started_early_prepares_the_import_or_is_stopped_when_the_file_is_small(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ids(tmp_path / "ids.csv", [*_rows(6), ids_row(TRANSPORT="Hovercraft"), *_rows(9)[6:]])
    options = ImportOptions(mapping="unodc_ids", today=TODAY)
    monkeypatch.setattr(spawn, "EARLY_BYTES", 0)
    monkeypatch.setattr(spawn, "_early", None)
    spawn.start_early(path, options)
    early = spawn._early
    assert early is not None
    report = import_file(engine, scope, path)  # small: prepared in this process
    assert report.events_created == 10
    assert spawn._early is None and early.poll() is not None and early.returncode != 0  # stopped
    stored = _every_column(engine)

    monkeypatch.setattr(service, "PARALLEL_ROWS", 0)  # every file goes to a worker
    monkeypatch.setattr(spawn, "BATCH", 2)  # the early worker reads ahead several chunks
    monkeypatch.setattr(service, "BATCH", 2)
    for told, taken in (
        (options, True),
        (ImportOptions(mapping="unodc_ids", today=TODAY, encoding="latin-1"), False),
    ):
        with transaction(engine) as session:
            session.execute(delete(SeizureItem))
            session.execute(delete(SeizureEvent))
        spawn.start_early(path, told)
        early = spawn._early
        assert early is not None
        report = import_file(engine, scope, path)
        assert report.events_created == 10 and report.warning_count == 1
        assert _every_column(engine) == stored  # the same, read ahead or not
        if taken:  # it was told this file and these options: it did the job and finished
            assert spawn._early is None and early.wait(timeout=30) == 0
        else:  # told another encoding: stopped, and a new worker did the job
            assert spawn._early is None and early.wait(timeout=30) != 0


def test_columns_cross_to_the_writing_process_with_their_missing_values_intact() -> None:
    """Rows of a chunk that leave a column unset hold MISSING there; after the pipe it is still MISSING."""
    fast = FastRows()
    fast.event = {"place_type": [MISSING, "airport"]}
    received = pickle.loads(pickle.dumps(fast, protocol=pickle.HIGHEST_PROTOCOL))
    assert received.event["place_type"][0] is MISSING
    assert received.column(received.event, "place_type") == [None, "airport"]


def test_the_worker_process_starts_without_the_database_layer() -> None:
    """The worker builds driver rows from plain-data layouts: loading SQLAlchemy and the models
    would delay its first batch by about a quarter of a second."""
    code = "import sys, astara.imports.worker; print(sorted(m for m in sys.modules if 'sqlalchemy' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("in_worker", [False, True], ids=["in process", "in the worker"])
def test_exact_duplicates_in_the_same_batch_and_in_later_ones_all_count(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_worker: bool
) -> None:
    """An event is written with the duplicates of its own batch; those of later batches are added
    to it at the end. Either way it stands for every row, and counts them all."""
    monkeypatch.setattr(service, "BATCH", 4)
    if in_worker:
        monkeypatch.setattr(service, "PARALLEL_ROWS", 0)
    first, other, third = ids_row(AMOUNT="10"), ids_row(AMOUNT="11"), ids_row(AMOUNT="20")
    rows = [first, first, other, ids_row(AMOUNT="12"), third, third, *_rows(5)[3:], first, other]
    path = write_ids(tmp_path / "ids.csv", rows)  # batches of rows 2-5, 6-9, 10-11
    report = import_file(engine, scope, path)
    assert (report.events_created, report.exact_duplicate_rows) == (6, 4)
    with transaction(engine) as session:
        stored = {
            e.source_rows[0]: (e.source_rows, e.duplicate_count)
            for e in session.scalars(select(SeizureEvent).where(SeizureEvent.duplicate_count > 1))
        }
    # first: two rows in its batch, one later; other: one later; third: both in its batch
    assert stored == {2: ([2, 3, 10], 3), 4: ([4, 11], 2), 6: ([6, 7], 2)}


@pytest.mark.parametrize("where", ["importer", "worker"])
def test_events_are_created_when_their_batch_is_written(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setattr(service, "BATCH", 3)
    if where == "worker":
        monkeypatch.setattr(service, "PARALLEL_ROWS", 0)
    rows = [*_rows(4), ids_row(TRANSPORT="Hovercraft"), *_rows(7)[4:]]  # the fifth row: parsed alone
    report = import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    with transaction(engine) as session:
        job = session.get(ImportJob, report.job_id)
        stored = session.execute(select(SeizureEvent.source_rows, SeizureEvent.created_at,
                                        SeizureEvent.updated_at)).all()  # fmt: skip
    assert job is not None and job.finished_at is not None
    times = [created for _rows_of, created, _updated in sorted(stored, key=lambda e: e[0][0])]
    assert len(times) == 8 and all(updated == created for _r, created, updated in stored)
    assert times == sorted(times) and times[0] < times[-1]  # batch after batch
    assert job.started_at <= times[0] and times[-1] <= job.finished_at
    assert times[3] == times[4] == times[5]  # the row parsed alone is stamped with its batch


def test_the_worker_reads_ahead_until_its_job_arrives(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from astara.imports import worker

    path = write_ids(tmp_path / "ids.csv", [*_rows(6), ids_row(TRANSPORT="Hovercraft"), *_rows(9)[6:]])
    monkeypatch.setattr(service, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(service, "BATCH", 2)
    jobs = []

    def spy(path: Path, job: object, report: ImportReport, rejects: object):  # type: ignore[no-untyped-def]
        jobs.append(job)
        return (yield from worker.prepare_in_worker(path, job, report, rejects))  # type: ignore[arg-type]

    monkeypatch.setattr(service, "prepare_in_worker", spy)
    import_file(engine, scope, path)
    (job,) = jobs

    class Inbox:
        """The job arrives after ``late`` chunks were read ahead."""

        def __init__(self, late: int) -> None:
            self.late, self.asked = late, 0

        def arrived(self) -> bool:
            self.asked += 1
            return self.asked > self.late

        def get(self) -> PrepareJob:
            return PrepareJob(job)

    told = ReadFile(path, job.options, job.batch, job.by_columns)
    sent: dict[int, list[object]] = {}
    for late in (0, 3, 99):
        inbox, messages = Inbox(late), []
        worker._work(told, inbox, messages.append)  # type: ignore[arg-type]
        assert inbox.asked == min(late, 5) + 1  # up to five chunks of two rows read ahead, asked once more
        sent[late] = messages
    assert [type(m) for m in sent[0]] == [Prepared] * 5 + [Done]
    assert pickle.dumps(sent[3]) == pickle.dumps(sent[0]) == pickle.dumps(sent[99])  # the same batches


def test_parsed_fields_overlay_columns_as_dict_update_would() -> None:
    """The column path lays each field's parsed values over what earlier fields set, row by row,
    exactly as the row parser's ``dict.update`` does: a row without text, or whose parse lacks a
    key, keeps what it had."""
    columns = {"date": ["2016-01-01", "2016-01-02", "2016-01-03", "2016-01-04"]}
    texts = ["May 2016", "", "somewhere", "May 2016"]
    parsed = {
        "May 2016": {"date": "2016-05-01", "precision": "month"},
        "": _EMPTY,
        "somewhere": {"place": "X"},
    }
    _overlay(columns, texts, parsed)
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    expected = []
    for text, before in zip(texts, ["2016-01-01", "2016-01-02", "2016-01-03", "2016-01-04"], strict=True):
        row = {"date": before, "precision": MISSING, "place": MISSING}
        if parsed[text] is not _EMPTY:
            row.update(parsed[text])
        expected.append(row)
    assert rows == expected
