"""The linkage job on Spark (``astara link --engine spark``, the ``astara[spark]`` extra).

A local Spark session (``local[2]``, bound to loopback) with Splink's similarity UDF jar;
the feature columns become Spark DataFrames and Splink runs the same settings as on DuckDB.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from astara.matching.linkage.errors import LinkageEngineError
from astara.matching.linkage.model import Candidate, run_splink

_SESSION: list[Any] = []


def spark_session() -> Any:
    """One local Spark session per process, with Splink's jar of string-similarity UDFs."""
    if _SESSION:
        return _SESSION[0]
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
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


def spark_api_and_frames(left: dict[str, list[Any]], right: dict[str, list[Any]]) -> tuple[Any, list[Any]]:
    """Splink's SparkAPI and the two sides as Spark DataFrames."""
    import pyarrow as pa
    from splink.backends.spark import SparkAPI

    session = spark_session()
    frames = [session.createDataFrame(pa.table(side).to_pandas()) for side in (left, right)]
    api = SparkAPI(spark_session=session, break_lineage_method="persist")  # type: ignore[no-untyped-call]
    return api, frames


def predict(
    left: dict[str, list[Any]], right: dict[str, list[Any]], extra: list[str], train: bool | None
) -> tuple[list[Candidate], bool]:
    """Candidate pairs, and whether the model was trained."""
    db_api, frames = spark_api_and_frames(left, right)
    return run_splink(db_api, frames, left, right, extra, train, _fetch)


def _fetch(predictions: Any, wanted: list[str]) -> Iterable[Any]:
    return predictions.as_spark_dataframe().select(*wanted).collect()  # type: ignore[no-any-return]
