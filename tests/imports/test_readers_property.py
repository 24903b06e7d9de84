"""Property tests: whatever bytes a file holds, reading it ends in rows or in a clear InvalidInput."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from astara.errors import InvalidInput
from astara.imports.readers import open_source

CSV_TEXT = st.lists(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
        min_size=1,
        max_size=5,
    ),
    min_size=0,
    max_size=6,
)


def _read(data: bytes, suffix: str) -> list[tuple[int, list[object]]] | str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"in{suffix}"
        path.write_bytes(data)
        try:
            with ExitStack() as stack:
                return list(open_source(path, stack).rows)
        except InvalidInput as exc:
            return exc.message


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from([".csv", ".xlsx", ".zip", ".gz", ".txt"]))
def test_random_bytes_never_crash_the_reader(data: bytes, suffix: str) -> None:
    result = _read(data, suffix)
    assert isinstance(result, list | str)
    if isinstance(result, str):
        assert result  # a reason, never an empty message


@settings(max_examples=150)
@given(CSV_TEXT, st.sampled_from([";", ",", "\t"]))
def test_csv_rows_come_back_with_their_line_numbers(rows: list[list[str]], sep: str) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep)
    writer.writerow(["COUNTRY", "DRUG_NAME", "AMOUNT"])
    writer.writerows(rows)
    result = _read(buffer.getvalue().encode("utf-8"), ".csv")
    assert isinstance(result, list)
    numbers = [n for n, _ in result]
    assert numbers == sorted(numbers) and all(n >= 2 for n in numbers)
    assert len(result) == sum(1 for r in rows if any(v.strip() for v in r))
