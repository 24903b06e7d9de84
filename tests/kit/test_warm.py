"""The warm copy of the CLI (kit/warm.py, kit/warm_server.py): it answers as a cold run does, and
every condition it refuses makes the command run cold, still correctly.

Each test has a runtime folder of its own under /tmp (a socket's path is short) and stops the
servers it started. A command is asked of the warm copy alone by WARM (exit code NOT_ANSWERED when
none answered it), and run in full by ``python -m astara``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from astara.kit import warm
from astara.settings import Settings
from fixtures.cli import run_cli
from fixtures.make import ids_row, write_ids

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Unix sockets, descriptor passing and /proc"
)

NOT_ANSWERED = 97
WARM = (
    "import sys\n"
    "from astara.kit import warm\n"
    "code = warm.answer(sys.argv[1:])\n"
    f"sys.exit({NOT_ANSWERED} if code is None else code)\n"
)
T = TypeVar("T")


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **extra}


def _done(done: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return done.returncode, done.stdout, done.stderr


def cold(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    return _done(subprocess.run([sys.executable, "-m", "astara", *args], input=stdin, capture_output=True,
                                text=True, env=_env(ASTARA_WARM="0"), check=False))  # fmt: skip


def astara(*args: str) -> tuple[int, str, str]:
    """As a person types it: warm when a server answers, else cold (and a server is started)."""
    return _done(subprocess.run([sys.executable, "-m", "astara", *args], capture_output=True, text=True,
                                env=_env(), check=False))  # fmt: skip


def warm_only(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    return _done(subprocess.run([sys.executable, "-c", WARM, *args], input=stdin, capture_output=True,
                                text=True, env=_env(), check=False))  # fmt: skip


def _eventually(found: Callable[[], T], what: str, seconds: float = 120) -> T:
    end = time.monotonic() + seconds
    while not (value := found()):
        if time.monotonic() > end:
            raise AssertionError(f"never: {what}")
        time.sleep(0.05)
    return value


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _children(pid: int) -> list[tuple[int, str]]:
    """The processes whose parent is ``pid``, with their state (Z: a zombie)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append((int(entry.name), fields[0]))
    return found


def _servers(place: Path) -> list[int]:
    pids = []
    for lock in place.glob("warm-*.lock"):
        text = lock.read_text().strip()
        if text.isdigit() and _alive(int(text)):
            pids.append(int(text))
    return pids


def _stop(place: Path) -> None:
    for pid in _servers(place):
        os.kill(pid, signal.SIGTERM)
        try:
            _eventually(lambda pid=pid: not _alive(pid), f"server {pid} ends", seconds=20)  # type: ignore[misc]
        except AssertionError:
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def place(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The runtime folder's ``astara`` folder, warm copies on, each idle a minute at most."""
    runtime = Path(tempfile.mkdtemp(prefix="aw-", dir="/tmp"))  # a short socket path
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("ASTARA_WARM", "1")
    monkeypatch.setenv("ASTARA_WARM_IDLE_SECONDS", "60")
    yield runtime / "astara"
    if (runtime / "astara").is_dir():
        _stop(runtime / "astara")
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def store(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings, tmp_path: Path
) -> str:
    """A store of three seizures; the id of one."""
    rows = [ids_row(AMOUNT=str(i + 1)) for i in range(2)] + [ids_row(DRUG_NAME="Opium", AMOUNT="7")]
    assert run_cli(monkeypatch, capsys, "init")[0] == 0
    path = write_ids(tmp_path / "ids.csv", rows)
    assert run_cli(monkeypatch, capsys, "import", str(path), "--mapping", "unodc_ids")[0] == 0
    code, out, _ = run_cli(monkeypatch, capsys, "seizures", "list", "--format", "json")
    assert code == 0
    return str(json.loads(out)["items"][0]["id"])


def _start(place: Path) -> int:
    """Run a command (cold: it starts a server), then wait until the server listens; its pid."""
    assert astara("stats", "--by", "drug")[0] == 0
    _eventually(lambda: list(place.glob("warm-*.sock")), "a server listens")
    return _servers(place)[0]


def test_a_warm_run_prints_and_exits_as_a_cold_run(place: Path, store: str) -> None:
    server = _start(place)
    for args in (("stats", "--by", "drug"), ("seizures", "show", store), ("seizures", "show", "nope"),
                 ("stats", "--by", "colour"), ("seizures", "list", "--format", "json")):  # fmt: skip
        expected = cold(*args)
        assert warm_only(*args) == expected
        assert astara(*args) == expected  # the whole command, as typed
    assert cold("seizures", "show", "nope")[0] == 3  # a failure: its message and code, kept
    assert "Heroin" in cold("stats", "--by", "drug")[1]
    # each child reaped: the server leaves no zombie (nor any child) behind
    _eventually(lambda: not _children(server), "the server's children are gone", seconds=20)


def test_a_warm_command_reads_its_standard_input(place: Path, store: str) -> None:
    _start(place)
    pairs = "\n".join(
        json.dumps({"id": str(n), "kind": "person", "a": {"name": a}, "b": {"name": b}})
        for n, (a, b) in enumerate([("Rashad Mammadov", "Рашад Мамедов"), ("Leyla Aliyeva", "Omid Karimi")])
    )
    expected = cold("match", "pairs", "--jsonl", "-", stdin=pairs)
    assert expected[0] == 0 and len(expected[1].splitlines()) == 2
    assert warm_only("match", "pairs", "--jsonl", "-", stdin=pairs) == expected


def test_ctrl_c_ends_the_warm_child(place: Path, store: str) -> None:
    server = _start(place)
    waiting, child = _blocked(server)
    try:
        waiting.send_signal(signal.SIGINT)
        assert waiting.wait(timeout=60) == 130
        assert "aborted" in waiting.stderr.read()  # type: ignore[union-attr]
        _eventually(lambda: not _alive(child), "the child ends", seconds=20)
    finally:
        waiting.kill()
        waiting.communicate()


def test_a_command_that_writes_or_prompts_never_goes_warm(place: Path, store: str) -> None:
    for argv in (["serve"], ["import", "x.csv"], ["user", "password", "admin"], ["db", "upgrade"],
                 ["demo"], ["backup"], ["restore", "x"], ["agency", "add", "IR-ANP"], ["stats", "--help"],
                 ["--version"], ["--agency", "AZ-SCS", "seizures", "--debug", "show", "x"]):  # fmt: skip
        assert not warm.allowed(argv), argv
    assert warm.allowed(["--agency", "AZ-SCS", "--debug", "seizures", "show", "x"])
    _start(place)
    assert warm_only("agency", "list")[0] == 0  # answered warm
    assert warm_only("agency", "add", "IR-ANP", "--name", "Anti-Narcotics Police")[0] == NOT_ANSWERED


def test_a_folder_others_may_use_is_refused_and_the_command_runs_cold(
    place: Path, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    place.mkdir(mode=0o755)
    place.chmod(0o755)
    assert warm.folder() is None
    assert astara("stats", "--by", "drug") == cold("stats", "--by", "drug")
    time.sleep(1)  # (no server may have been started: nothing to wait for but a wrong one)
    assert list(place.iterdir()) == []


def test_a_link_or_someone_elses_folder_is_refused(place: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    place.symlink_to(elsewhere)
    assert warm.folder() is None
    assert warm.answer(["stats", "--by", "drug"]) is None
    place.unlink()
    place.mkdir(mode=0o700)
    assert warm.folder() == str(place)
    if os.getuid() != 0:
        pytest.skip("only root can give a folder to someone else")
    os.chown(place, 65534, 65534)
    assert warm.folder() is None
    assert warm.answer(["stats", "--by", "drug"]) is None


def test_turned_off_or_too_long_a_socket_path_runs_cold(place: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTARA_WARM", "0")
    assert warm.answer(["stats", "--by", "drug"]) is None
    assert not place.exists()  # not even its folder made
    monkeypatch.setenv("ASTARA_WARM", "1")
    deep = place.parent / ("d" * 100)
    deep.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    assert warm.answer(["stats", "--by", "drug"]) is None
    warm.start_server(["stats", "--by", "drug"])
    assert list((deep / "astara").iterdir()) == []


def test_an_edited_file_of_the_package_names_another_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "astara"
    (package / "data").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "service.py").write_text("ANSWER = 1\n")
    (package / "data" / "words.yaml").write_text("a: 1\n")
    monkeypatch.setattr(warm, "PACKAGE", str(package))

    def address() -> str:
        monkeypatch.setattr(warm, "_known", [])
        return warm.address(str(tmp_path))

    first = address()
    assert address() == first
    (package / "__pycache__" / "service.cpython-311.pyc").write_bytes(b"compiled")
    assert address() == first  # bytecode is not the code
    (package / "service.py").write_text("ANSWER = 42\n")
    second = address()
    assert second != first
    os.utime(package / "data" / "words.yaml", ns=(1, 1))
    assert address() not in (first, second)


def _blocked(server: int) -> tuple[subprocess.Popen[str], int]:
    """A warm ``match pairs`` that has answered one pair and waits for more; the child's pid."""
    waiting = subprocess.Popen(
        [sys.executable, "-c", WARM, "match", "pairs", "--jsonl", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    assert waiting.stdin is not None and waiting.stdout is not None
    pair = {"id": "1", "kind": "person", "a": {"name": "Rashad Mammadov"}, "b": {"name": "Рашад Мамедов"}}
    waiting.stdin.write(json.dumps(pair) + "\n")
    waiting.stdin.flush()
    assert json.loads(waiting.stdout.readline())["id"] == "1"
    running = [pid for pid, state in _children(server) if state != "Z"]
    assert len(running) == 1
    return waiting, running[0]


def test_a_child_that_dies_gives_an_error_not_a_traceback(place: Path, store: str) -> None:
    server = _start(place)
    waiting, child = _blocked(server)
    try:
        os.kill(child, signal.SIGKILL)
        assert waiting.wait(timeout=60) == 1
        assert waiting.stderr is not None
        assert waiting.stderr.read() == "error: the warm astara ended without an exit code\n"
    finally:
        waiting.kill()
        waiting.communicate()


def test_a_server_that_does_not_answer_is_not_waited_for(place: Path, store: str) -> None:
    server = _start(place)
    os.kill(server, signal.SIGSTOP)
    try:
        assert astara("seizures", "show", store) == cold("seizures", "show", store)
    finally:
        os.kill(server, signal.SIGCONT)
    # the connection it then accepts finds the client gone: nothing runs twice, and it still serves
    assert warm_only("seizures", "show", store) == cold("seizures", "show", store)
