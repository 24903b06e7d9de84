"""The linkage job on Spark (``astara link --engine spark``, the ``astara[spark]`` extra).

A local Spark session (one process, bound to loopback) with Splink's similarity UDF jar, set for one
small machine (``spark_conf``). Both sides are written as Parquet files in a folder of the job's own and
read back, and Splink's intermediate tables are written there too (its ``parquet`` lineage break), so
every query Spark plans starts from files; Splink runs the same settings as on DuckDB.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from astara.matching.linkage.errors import LinkageEngineError
from astara.matching.linkage.model import BATCH, Candidate, run_splink

CORES = min(os.cpu_count() or 2, 4)  # task threads sharing the 1 GB heap: more would each spill sooner
PARTITIONS = 2 * CORES  # two tasks a core per stage: one can wait on disk while the other computes
DRIVER_MEMORY = "1g"  # the JVM's heap; Spark spills shuffles and sorts to disk past its share of it
ROW_GROUP = 50_000  # records a Parquet row group: the unit Spark splits a side's file into tasks
BREAK_LINEAGE = "parquet"  # Splink's tables written to files: each later query plans from a file scan

_SESSION: list[Any] = []


def spark_conf(jar: str) -> dict[str, str]:
    """The session's settings, each one for a job on the cores and memory of one machine."""
    return {
        "spark.master": f"local[{CORES}]",  # one JVM, a task thread a core: no cluster to ship rows to
        "spark.app.name": "astara-link",
        "spark.jars": jar,  # Splink's Java UDFs (jaro_winkler, damerau_levenshtein): no Python workers
        # Spark's 200 shuffle partitions make 200 tiny tasks a stage, each scheduled and spilled alone.
        "spark.sql.shuffle.partitions": str(PARTITIONS),
        "spark.default.parallelism": str(PARTITIONS),
        # Adaptive execution merges the partitions a stage leaves small and broadcasts a side that
        # turns out small (on since Spark 3.2; set so a site's spark-defaults.conf cannot drop it).
        "spark.sql.adaptive.enabled": "true",
        "spark.sql.adaptive.coalescePartitions.enabled": "true",
        "spark.driver.memory": DRIVER_MEMORY,
        # Splink's small results (EM's counts, the u sample's levels) reach pandas through Arrow.
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.enabled": "false",  # no web server on a port for a command-line job
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",  # a local job: no other interface
        "spark.driver.bindAddress": "127.0.0.1",
    }


def spark_session() -> Any:
    """One local Spark session per process, with Splink's jar of string-similarity UDFs."""
    if _SESSION:
        return _SESSION[0]
    try:  # deferred: pyspark is an optional extra; without it --engine spark says what to install
        from pyspark.sql import SparkSession  # deferred: as above
        from splink.backends.spark import similarity_jar_location  # deferred: as above
    except ImportError as exc:
        raise LinkageEngineError(
            "--engine spark needs the spark extra: pip install 'astara[spark]' (pyspark and Java 17)"
        ) from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local job: no other interface
    builder = SparkSession.builder
    for key, value in spark_conf(similarity_jar_location()).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # no Java, or the JVM did not start
        raise LinkageEngineError(f"Spark did not start: {str(exc)[:300]}") from exc
    session.sparkContext.setLogLevel("ERROR")
    _SESSION.append(session)
    return session


def spark_api_and_frames(left: Any, right: Any, folder: str) -> tuple[Any, list[Any]]:
    """Splink's SparkAPI writing its tables under ``folder``, and the two sides (Arrow tables) as
    Spark DataFrames read from Parquet files there.

    Files rather than ``createDataFrame``: an in-memory side is a local relation that Spark's optimizer
    copies row by row, in the driver, each time it plans one of Splink's queries.
    """
    import pyarrow.parquet as pq  # deferred: a heavy library, loaded when a link runs
    from splink.backends.spark import SparkAPI  # deferred: Splink's Spark backend needs pyspark, an extra

    session = spark_session()
    frames = []
    for name, side in (("left", left), ("right", right)):
        path = os.path.join(folder, f"{name}.parquet")
        pq.write_table(side, path, row_group_size=ROW_GROUP)
        frames.append(session.read.parquet(path))
    session.sparkContext.setCheckpointDir(os.path.join(folder, "splink"))
    api = SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=session, break_lineage_method=BREAK_LINEAGE, num_partitions_on_repartition=PARTITIONS
    )
    return api, frames


def predict(
    left: Any, right: Any, extra: list[str], train: bool | None, take: Callable[[list[Candidate]], None]
) -> bool:
    """Hand Splink's candidate pairs to ``take`` in batches; whether the model was trained."""
    with tempfile.TemporaryDirectory(prefix="astara-link-spark-") as folder:
        db_api, frames = spark_api_and_frames(left, right, folder)
        return run_splink(db_api, frames, left.num_rows, right.num_rows, extra, train, _fetch, take)


def _fetch(predictions: Any, wanted: list[str]) -> Iterator[list[Any]]:
    """The candidates through the driver a batch at a time (``toLocalIterator``: a partition at a time)."""
    rows = predictions.as_spark_dataframe().select(*wanted).toLocalIterator()
    while batch := list(islice(rows, BATCH)):
        yield batch
