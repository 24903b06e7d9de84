"""The linkage job on DuckDB (``astara link``'s default engine): both sides as Arrow tables in a
DuckDB database of the job's own, which spills to a temporary folder past ``DUCKDB_MEMORY``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any

from astara.matching.linkage.model import Candidate, run_splink

DUCKDB_MEMORY = "4GB"  # DuckDB spills to disk past this (its default is 80 % of the machine)


def predict(
    left: dict[str, list[Any]], right: dict[str, list[Any]], extra: list[str], train: bool | None
) -> tuple[list[Candidate], bool]:
    """Candidate pairs, and whether the model was trained."""
    import duckdb  # deferred: heavy libraries, loaded when a link runs
    import pyarrow as pa
    from splink import DuckDBAPI

    with tempfile.TemporaryDirectory(prefix="astara-link-") as spill:
        con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY, "temp_directory": spill})

        def fetch(predictions: Any, wanted: list[str]) -> Iterable[Any]:
            """The few columns wanted, straight from Splink's table."""
            sql = f"select {', '.join(wanted)} from {predictions.physical_name}"  # noqa: S608 - Splink's names
            return con.execute(sql).fetchall()

        try:
            con.register("astara_left", pa.table(left))
            con.register("astara_right", pa.table(right))
            api = DuckDBAPI(connection=con)
            return run_splink(api, ["astara_left", "astara_right"], left, right, extra, train, fetch)
        finally:
            con.close()
