"""The linkage job on Spark (``astara link --engine spark``, the ``astara[spark]`` extra).

A local Spark session (``local[2]``, bound to loopback) with Splink's similarity UDF jar;
the feature columns become Spark DataFrames and Splink runs the same settings as on DuckDB.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from astara.matching.linkage.errors import LinkageEngineError
from astara.matching.linkage.model import BATCH, Candidate, run_splink

_SESSION: list[Any] = []


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
    try:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("astara-link")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
    except Exception as exc:  # no Java, or the JVM did not start
        raise LinkageEngineError(f"Spark did not start: {str(exc)[:300]}") from exc
    session.sparkContext.setLogLevel("ERROR")
    _SESSION.append(session)
    return session


def spark_api_and_frames(left: Any, right: Any) -> tuple[Any, list[Any]]:
    """Splink's SparkAPI and the two sides (Arrow tables) as Spark DataFrames."""
    from splink.backends.spark import SparkAPI  # deferred: Splink's Spark backend needs pyspark, an extra

    session = spark_session()
    frames = [session.createDataFrame(side.to_pandas()) for side in (left, right)]
    api = SparkAPI(spark_session=session, break_lineage_method="persist")  # type: ignore[no-untyped-call]
    return api, frames


def predict(
    left: Any, right: Any, extra: list[str], train: bool | None, take: Callable[[list[Candidate]], None]
) -> bool:
    """Hand Splink's candidate pairs to ``take`` in batches; whether the model was trained."""
    db_api, frames = spark_api_and_frames(left, right)
    return run_splink(db_api, frames, left.num_rows, right.num_rows, extra, train, _fetch, take)


def _fetch(predictions: Any, wanted: list[str]) -> Iterator[list[Any]]:
    """The candidates through the driver a batch at a time (``toLocalIterator``: a partition at a time)."""
    rows = predictions.as_spark_dataframe().select(*wanted).toLocalIterator()
    while batch := list(islice(rows, BATCH)):
        yield batch
