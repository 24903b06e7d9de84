"""kit.deferred: a module declared deferred runs at its first attribute look-up, not before."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from astara.kit import help_cache
from astara.kit.deferred import deferred


def test_a_deferred_module_runs_when_first_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "deferred_example.py").write_text("import sys\nsys.ran_example = True\nANSWER = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "deferred_example", raising=False)
    monkeypatch.setattr(sys, "ran_example", False, raising=False)
    module = deferred("deferred_example", "only the answer needs it")
    assert sys.ran_example is False  # type: ignore[attr-defined]
    assert module.ANSWER == 42
    assert sys.ran_example is True  # type: ignore[attr-defined]
    assert deferred("deferred_example", "loaded already") is sys.modules["deferred_example"]
    monkeypatch.delitem(sys.modules, "deferred_example")


def test_a_deferral_must_say_why_and_name_a_module() -> None:
    with pytest.raises(ValueError, match="say why"):
        deferred("json", " ")
    with pytest.raises(ModuleNotFoundError):
        deferred("astara.no_such_module", "a test")


def test_a_deferred_module_first_used_by_many_threads_at_once_is_whole_for_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a module that takes a while to run: a thread reading it half-run would miss ANSWER
    (tmp_path / "deferred_slow.py").write_text("import time\ntime.sleep(0.3)\nANSWER = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = deferred("deferred_slow", "only the answer needs it")
    start = threading.Barrier(8)
    answers: list[object] = []

    def read() -> None:
        start.wait()
        try:
            answers.append(module.ANSWER)
        except AttributeError as exc:
            answers.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [42] * 8
    monkeypatch.delitem(sys.modules, "deferred_slow")


def test_a_deferred_module_imported_later_is_the_same_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deferred_package").mkdir()
    (tmp_path / "deferred_package" / "__init__.py").write_text("")
    (tmp_path / "deferred_package" / "child.py").write_text("ANSWER = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = deferred("deferred_package.child", "only the answer needs it")
    assert module.ANSWER == 42
    import deferred_package.child  # type: ignore[import-not-found]

    assert (
        deferred_package.child.ANSWER == 42
        and deferred("deferred_package.child", "x") is deferred_package.child
    )
    monkeypatch.delitem(sys.modules, "deferred_package.child")
    monkeypatch.delitem(sys.modules, "deferred_package")


def test_the_help_copy_does_not_load_a_deferred_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deferred_unused.py").write_text("import sys\nsys.ran_unused = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "ran_unused", False, raising=False)
    deferred("deferred_unused", "never used")
    help_cache._files()
    assert sys.ran_unused is False  # type: ignore[attr-defined]
    assert "deferred_unused" not in sys.modules
