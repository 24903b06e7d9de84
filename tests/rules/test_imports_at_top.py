"""Imports at module top (ARCHITECTURE.md, "Rules the code keeps"): the dependency graph reads at the
top of each module. A module that must not load another until it is used declares it with
``astara.kit.deferred.deferred(name, why)``; an import that stays inside a function says
``# deferred: <why>`` (an import cycle, a driver only one database needs)."""

from __future__ import annotations

from rules.checks import local_imports, matches, modules

# Start-up before Typer: ``--version`` and ``--help`` are answered before anything else is loaded.
START_UP = ("__main__.py",)


def _bare(tree: dict[str, str]) -> list[str]:
    return [
        str(finding)
        for path, source in tree.items()
        if not matches(path, START_UP)
        for finding in local_imports(path, source)
    ]


def test_imports_are_at_module_top_or_say_why_they_wait() -> None:
    assert _bare(dict(modules())) == []


def test_the_rule_finds_a_bare_import_in_a_function() -> None:
    service = (
        "import json\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from astara.db.models import Agency\n"
        "def f():\n    from astara.sharing import outbox\n    return outbox\n"
        "def g():\n    # deferred: a cycle with matching.store\n    from astara.matching import store\n"
        "def h():\n    import psycopg  # deferred: the PostgreSQL driver, only on PostgreSQL\n"
        "class C:\n    def m(self):\n        if True:\n            import yaml\n"
    )
    found = _bare({"sharing/service.py": service, "__main__.py": service})
    assert found == [
        "sharing/service.py:6 in f(): imports astara.sharing: outbox inside a function",
        "sharing/service.py:16 in C.m(): imports yaml inside a function",
    ]
