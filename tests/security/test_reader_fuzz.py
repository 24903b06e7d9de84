"""Fuzzing the readers (hole 7 of the security issue): whatever a file holds, reading it ends in
rows or in an AstaraError, never another exception, and a bomb stays within 1 GB of address space.

``tests/imports/test_readers_property.py`` covers random bytes under each suffix and well-formed
CSV; this adds what an attacker writes: quotes, NULs, separators and line ends in any order, long
lines and cells, archives with random members and methods, damaged workbooks, and compressed
bombs read in a process whose address space is capped.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from contextlib import ExitStack
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from astara.errors import AstaraError
from astara.imports.readers import open_source
from astara.kit.limits import ReadLimits
from fixtures.bombs import gzip_line, zip_bomb

TESTS = Path(__file__).resolve().parents[1]
SMALL = ReadLimits(
    decompressed_bytes=2_000_000, compression_ratio=50, line_chars=2000, cell_chars=1000, columns=20
)
TRIED = {"inputs": 0}

# Pieces an attacker strings together: quotes, separators, line ends, NULs, formulas, long runs.
PIECES = st.one_of(
    st.sampled_from(['"', '""', ";", ",", "\t", "|", "\n", "\r", "\r\n", "\x00", "=1+2", "\ufeff", " "]),
    st.text(max_size=8),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", '"', ";", "\n"]), st.integers(0, 3000)),
)
TEXTS = st.lists(PIECES, max_size=40).map("".join).map(lambda body: "A;B;C\n" + body)
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "cp1251", "latin-1"])


def outcome(
    path: Path, limits: ReadLimits = SMALL, *, keep: bool = True
) -> list[tuple[int, list[object]]] | AstaraError:
    """The rows of ``path`` (none kept unless ``keep``), or the AstaraError reading it raised; any
    other exception propagates."""
    TRIED["inputs"] += 1
    try:
        with ExitStack() as stack:
            rows = open_source(path, stack, limits=limits).rows
            if keep:
                return list(rows)
            for _ in rows:  # (an importer holds a batch at a time, not the file's rows)
                pass
            return []
    except AstaraError as exc:
        assert exc.message
        return exc


def _in_file(data: bytes, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="astara-fuzz-"))
    path = folder / name
    path.write_bytes(data)
    return path


def _sheet() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    for row in (["A", "B"], ["1", "=2+2"], [3.5, None]):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SHEET = _sheet()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, ENCODINGS, st.sampled_from([".csv", ".txt", ".tsv"]))
def test_any_text_reads_as_rows_or_an_astara_error(text: str, encoding: str, suffix: str) -> None:
    data = text.encode(encoding, errors="replace")
    result = outcome(_in_file(data, "in" + suffix))
    if isinstance(result, list):
        assert all(len(values) <= SMALL.columns for _n, values in result)
        assert all(len(str(v)) <= SMALL.cell_chars for _n, values in result for v in values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "a.csv",
                    "b.txt",
                    "c.xlsx",
                    "d.ods",
                    "__MACOSX/e.csv",
                    "dir/",
                    "f.bin",
                    "[Content_Types].xml",
                ]
            ),
            st.one_of(TEXTS.map(str.encode), st.binary(max_size=300), st.just(SHEET)),
            st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]),
        ),
        max_size=3,
    ),
    st.sampled_from(["in.zip", "in.xlsx", "in.ods"]),
)
def test_any_archive_reads_as_rows_or_an_astara_error(
    members: list[tuple[str, bytes, int]], name: str
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data, method in members:
            archive.writestr(zipfile.ZipInfo(member), data, compress_type=method)
    outcome(_in_file(buffer.getvalue(), name))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, len(SHEET) - 1), st.integers(0, 255)), max_size=8),
    st.integers(1, len(SHEET)),
)
def test_a_damaged_workbook_reads_as_rows_or_an_astara_error(
    changes: list[tuple[int, int]], keep: int
) -> None:
    data = bytearray(SHEET)
    for at, byte in changes:
        data[at] = byte
    outcome(_in_file(bytes(data[:keep]), "in.xlsx"))


# Run by test_bombs_stay_within_a_gigabyte in a process whose address space is capped.
@settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(["zip", "gz", "xlsx"]),
    st.sampled_from([b"x", b'"', b"\x00", b";", b"\t", b"\r"]),  # (many short rows: test_input_limits)
    st.integers(50, 500),  # megabytes it expands to
)
def bombs_are_refused(kind: str, unit: bytes, megabytes: int) -> None:
    block = (unit * (1 << 20))[: 1 << 20]
    folder = Path(tempfile.mkdtemp(prefix="astara-bomb-"))
    if kind == "gz":
        path = gzip_line(folder / "in.csv.gz", megabytes, block)
    else:
        inner = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "in.csv"
        path = zip_bomb(folder / f"in.{kind}", inner, block, megabytes)
    result = outcome(path, ReadLimits(), keep=False)
    assert isinstance(result, AstaraError), f"{kind} of {megabytes} MB of {unit!r} was read"


def test_bombs_stay_within_a_gigabyte() -> None:
    script = (
        "import json, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        f"sys.path.insert(0, {str(TESTS)!r})\n"
        "from security import test_reader_fuzz as fuzz\n"
        "fuzz.bombs_are_refused()\n"
        "status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines())\n"
        "print(json.dumps({'inputs': fuzz.TRIED['inputs'], 'peak_kb': int(status['VmHWM'].split()[0])}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    print(f"bombs: {result['inputs']} read, peak resident {result['peak_kb'] / 1024:.0f} MB")
    assert result["inputs"] >= 10
