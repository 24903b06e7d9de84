"""FastAPI, Starlette, Typer and Astara's web adapter stay in the adapters (ARCHITECTURE.md,
"Layers"): services, repositories, kit and db are called the same way by the command, the API and the
pages."""

from __future__ import annotations

from rules.checks import framework_imports, matches, modules

ADAPTERS = ("cli.py", "__main__.py", "*/cli.py", "*_cli.py", "*/routes.py", "web/*")


def _below_adapters(tree: dict[str, str]) -> list[str]:
    return [
        str(finding)
        for path, source in tree.items()
        if not matches(path, ADAPTERS)
        for finding in framework_imports(path, source)
    ]


def test_frameworks_are_imported_only_by_adapters() -> None:
    assert _below_adapters(dict(modules())) == []


def test_the_rule_finds_a_framework_in_a_service() -> None:
    service = (
        "import typer\n\ndef f():\n    from fastapi import HTTPException\n"
        "    from starlette.requests import Request\n    from astara.web.i18n import language_of\n"
    )
    found = _below_adapters({"seizures/service.py": service, "seizures/routes.py": service})
    assert found == [
        "seizures/service.py:1: imports typer",
        "seizures/service.py:4: imports fastapi",
        "seizures/service.py:5: imports starlette.requests",
        "seizures/service.py:6: imports astara.web.i18n",
    ]
