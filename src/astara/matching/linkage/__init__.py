"""Batch linkage of person records (``astara link``): two files, or a file against the store.

The job has four steps, a module each:

1. ``records``: **read** each side (CSV, XLSX/ODS or JSONL) through a column mapping (``Columns``:
   options, or the usual header names) into person records, or the store's persons.
2. ``features``: the matching layer's name keys as Splink's columns, once per distinct name;
   ``blocking``: the block keys records are paired on, every block capped at ``MAX_BLOCK``.
3. ``model``: **Splink** (4.x) on those blocks and a Fellegi-Sunter model, run on DuckDB
   (``duckdb_engine``) or Spark (``spark``, the ``astara[spark]`` extra).
4. ``decide``: **re-scoring** of the candidate pairs by the explained matcher, a batch at a time,
   and clusters.

``job.link_records`` runs steps 2 to 4; ``output`` writes pairs and clusters.
"""

from astara.matching.linkage.blocking import MAX_BLOCK, BlockStats, block_keys
from astara.matching.linkage.errors import LinkageEngineError, LinkageError
from astara.matching.linkage.features import Names, feature_table, name_features
from astara.matching.linkage.job import ALGORITHM, DECISIONS, LinkResult, Timings, link_records
from astara.matching.linkage.model import Candidate, splink_settings
from astara.matching.linkage.output import write_clusters, write_pairs
from astara.matching.linkage.records import Columns, normalize_birth_date, read_records, store_records

__all__ = [
    "ALGORITHM",
    "DECISIONS",
    "MAX_BLOCK",
    "BlockStats",
    "Candidate",
    "Columns",
    "LinkResult",
    "LinkageEngineError",
    "LinkageError",
    "Names",
    "Timings",
    "block_keys",
    "feature_table",
    "link_records",
    "name_features",
    "normalize_birth_date",
    "read_records",
    "splink_settings",
    "store_records",
    "write_clusters",
    "write_pairs",
]
