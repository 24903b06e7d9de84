"""kit.deferred: a module declared deferred runs at its first attribute look-up, not before."""

from __future__ import annotations

import sys
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


def test_a_deferred_module_is_its_packages_attribute_as_after_an_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deferred_package").mkdir()
    (tmp_path / "deferred_package" / "__init__.py").write_text("")
    (tmp_path / "deferred_package" / "child.py").write_text("ANSWER = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = deferred("deferred_package.child", "only the answer needs it")
    import deferred_package  # type: ignore[import-not-found]

    assert deferred_package.child is module
    assert deferred_package.child.ANSWER == 42
    monkeypatch.delitem(sys.modules, "deferred_package.child")
    monkeypatch.delitem(sys.modules, "deferred_package")


def test_the_help_copy_notes_the_files_it_came_from_without_loading_a_deferred_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deferred_unused.py").write_text("import sys\nsys.ran_unused = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "ran_unused", False, raising=False)
    deferred("deferred_unused", "never used")
    assert str(tmp_path / "deferred_unused.py") in help_cache._files()
    assert sys.ran_unused is False  # type: ignore[attr-defined]
    monkeypatch.delitem(sys.modules, "deferred_unused")
