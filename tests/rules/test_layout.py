"""The shape of the tree: modules a reader can hold in mind, and tests/ mirroring the package."""

from __future__ import annotations

from rules.checks import PACKAGE, ROOT, modules

MOST_LINES = 600
LONGER = {
    "db/models.py": "every ORM model in one place, read as a schema",
}


def _too_long(tree: dict[str, str]) -> list[str]:
    return [
        f"{path}: {len(source.splitlines())} lines"
        for path, source in tree.items()
        if len(source.splitlines()) > MOST_LINES and path not in LONGER
    ]


def _untested(packages: list[str], tests: set[str]) -> list[str]:
    return [name for name in packages if name not in tests]


def test_no_module_is_over_600_lines() -> None:
    assert _too_long(dict(modules())) == []


def test_the_size_rule_finds_a_long_module() -> None:
    assert _too_long({"matching/big.py": "x = 1\n" * 601, "matching/fine.py": "x = 1\n" * 600}) == [
        "matching/big.py: 601 lines"
    ]


def _packages() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))


def _tested() -> set[str]:
    return {p.parent.name for p in (ROOT / "tests").glob("*/test_*.py")}


def test_every_package_folder_has_a_tests_folder() -> None:
    assert _untested(_packages(), _tested()) == []


def test_the_mirror_rule_finds_a_package_without_tests() -> None:
    assert _untested(["matching", "seizures"], {"matching", "web"}) == ["seizures"]
