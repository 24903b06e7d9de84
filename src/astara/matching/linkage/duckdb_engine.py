"""The linkage job on DuckDB (``astara link``'s default engine): both sides as Arrow tables in a
DuckDB database of the job's own, which spills to a temporary folder past ``DUCKDB_MEMORY``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from astara.matching.linkage.model import BATCH, Candidate, run_splink

DUCKDB_MEMORY = "1GB"  # DuckDB spills to disk past this (its default is 80 % of the machine)


def predict(
    left: Any, right: Any, extra: list[str], train: bool | None, take: Callable[[list[Candidate]], None]
) -> bool:
    """Hand Splink's candidate pairs to ``take`` in batches; whether the model was trained."""
    import duckdb  # deferred: heavy libraries, loaded when a link runs
    from splink import DuckDBAPI

    with tempfile.TemporaryDirectory(prefix="astara-link-") as spill:
        con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY, "temp_directory": spill})

        def fetch(predictions: Any, wanted: list[str]) -> Iterator[list[Any]]:
            """The few columns wanted, straight from Splink's table, a batch at a time."""
            sql = f"select {', '.join(wanted)} from {predictions.physical_name}"  # noqa: S608 - Splink's names
            result = con.execute(sql)
            while rows := result.fetchmany(BATCH):
                yield rows

        try:
            con.register("astara_left", left)
            con.register("astara_right", right)
            api = DuckDBAPI(connection=con)
            return run_splink(
                api, ["astara_left", "astara_right"], left.num_rows, right.num_rows, extra, train, fetch, take
            )
        finally:
            con.close()
