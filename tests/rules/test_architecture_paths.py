"""Every file, folder and module name ARCHITECTURE.md gives exists, so the page a newcomer reads
first stays true as the code moves."""

from __future__ import annotations

from rules.checks import ROOT, missing_paths

ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_every_path_architecture_names_exists() -> None:
    assert missing_paths(ARCHITECTURE) == []


def test_the_rule_finds_a_path_that_moved() -> None:
    page = """
```
 */service.py   web/gone.py      adapters
```
| folder | what |
|---|---|
| `auth/` | logins (`ratelimit.py`), tokens (`tokens.py`) |

Queries go through `agencies.scope.scoped()` and `agencies.scope.unscoped()`; see `web/app.py`,
`db/engine.NO_SUCH_SIZE`, `db/engine.PAGE_SIZE`, `tests/nowhere/` and `Settings.from_environment()`.
"""
    assert missing_paths(page) == [
        "web/gone.py",
        "tokens.py",
        "agencies.scope.unscoped()",
        "db/engine.NO_SUCH_SIZE",
        "tests/nowhere/",
    ]
