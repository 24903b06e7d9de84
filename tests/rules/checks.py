"""The checkers behind the rule tests: each reads Python source (or ARCHITECTURE.md) and returns what
breaks a rule, so a test can run it on the tree and on a small snippet that breaks the rule."""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "astara"

STATEMENTS = frozenset({"select", "update", "delete", "insert", "text"})
RUNS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql", "scalar", "scalars", "query"})
FRAMEWORKS = frozenset({"fastapi", "starlette", "typer", "click"})


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # relative to src/astara
    line: int
    what: str
    function: str = ""  # the enclosing top-level function or method, when there is one

    def __str__(self) -> str:
        where = f" in {self.function}()" if self.function else ""
        return f"{self.path}:{self.line}{where}: {self.what}"


def modules() -> Iterator[tuple[str, str]]:
    """(path relative to src/astara, source) of every module of the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


def matches(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(path, pattern) for pattern in patterns)


def _functions(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node -> the name of the outermost function (or class.method) holding it."""
    owner: dict[ast.AST, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = name
            if not name and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            elif not name and isinstance(child, ast.ClassDef):
                for item in child.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        visit(item, f"{child.name}.{item.name}")
                continue
            owner[child] = inner
            visit(child, inner)

    visit(tree, "")
    return owner


def _imports(tree: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """(names bound to sqlalchemy's statement builders, names bound to the sqlalchemy module, every
    name an import binds)."""
    builders: set[str] = set()
    sqlalchemy: set[str] = set()
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            from_sqlalchemy = (node.module or "").split(".")[0] == "sqlalchemy"
            for alias in node.names:
                imported.add(alias.asname or alias.name)
                if from_sqlalchemy and alias.name in STATEMENTS:
                    builders.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                imported.add(bound)
                if alias.name.split(".")[0] == "sqlalchemy":
                    sqlalchemy.add(bound)
    return builders, sqlalchemy, imported


def sql_statements(path: str, source: str) -> list[Finding]:
    """Statements built with sqlalchemy (select, update, delete, insert, text) and statements run
    (``.execute``, ``.scalars``, ``.query`` ... on anything but ``self`` or an imported module)."""
    tree = ast.parse(source)
    owner = _functions(tree)
    builders, sqlalchemy, imported = _imports(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        what = ""
        if isinstance(func, ast.Name) and func.id in builders:
            what = f"{func.id}()"
        elif isinstance(func, ast.Attribute):
            receiver = func.value.id if isinstance(func.value, ast.Name) else None
            if receiver in sqlalchemy and func.attr in STATEMENTS:
                what = f"{receiver}.{func.attr}()"
            elif func.attr in RUNS and receiver not in {"self", "cls"} and receiver not in imported:
                what = f".{func.attr}()"
        if what:
            found.append(Finding(path, node.lineno, what, owner.get(node, "")))
    return sorted(found)


def framework_imports(path: str, source: str) -> list[Finding]:
    """Imports of the web and command-line frameworks, and of Astara's own web adapter."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        for name in names:
            if name.split(".")[0] in FRAMEWORKS or name == "astara.web" or name.startswith("astara.web."):
                found.append(Finding(path, node.lineno, f"imports {name}"))
    return found


def unscoped_writes(path: str, source: str, agency_owned: set[str]) -> list[Finding]:
    """UPDATE or DELETE statements on an agency-owned model not built by ``scoped_update`` or
    ``scoped_delete``: ``update(Model)``, ``delete(Model)``, ``session.query(Model)...delete()``."""
    tree = ast.parse(source)
    owner = _functions(tree)
    builders, sqlalchemy, _ = _imports(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = ""
        if isinstance(func, ast.Name) and func.id in builders & {"update", "delete"}:
            name = func.id
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in sqlalchemy
            and func.attr in {"update", "delete"}
        ):
            name = func.attr
        if name:
            model = node.args[0] if node.args else None
            if isinstance(model, ast.Name) and model.id in agency_owned:
                found.append(Finding(path, node.lineno, f"{name}({model.id})", owner.get(node, "")))
            continue
        if isinstance(func, ast.Attribute) and func.attr in {"update", "delete"}:
            for inner in ast.walk(func.value):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr == "query"
                    and inner.args
                    and isinstance(inner.args[0], ast.Name)
                    and inner.args[0].id in agency_owned
                ):
                    what = f"query({inner.args[0].id}).{func.attr}()"
                    found.append(Finding(path, node.lineno, what, owner.get(node, "")))
    return sorted(found)


# -- ARCHITECTURE.md ---------------------------------------------------------------------------------

_FILE = re.compile(r"^[\w*.\-]+(?:/[\w*.\-]+)*(?:\.(?:py|yaml|sh|md|csv|ini|toml)|/)$")
_DOTTED = re.compile(r"^([a-z_]+(?:[./][a-z_]+)*)\.([A-Za-z_]\w*)(?:\(.*\))?$")
_TOKEN = re.compile(r"[\w*.\-]+(?:/[\w*.\-]+)+/?|[\w*\-]+\.(?:py|yaml|sh)\b")


def _top_level_names(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _exists(path: str, bases: list[Path]) -> bool:
    pattern = path.rstrip("/")
    return any(any(base.glob(pattern)) if "*" in pattern else (base / pattern).exists() for base in bases)


def _module(dotted: str, bases: list[Path]) -> Path | None:
    """The module file a dotted or slashed name names (``db.engine``, ``imports/service``)."""
    parts = re.split(r"[./]", dotted)
    for base in bases:
        candidate = base.joinpath(*parts).with_suffix(".py")
        if candidate.is_file():
            return candidate
    return None


def missing_paths(text: str, root: Path = ROOT) -> list[str]:
    """Paths (``web/app.py``, ``tests/agencies/``, ``*/routes.py``) and module names
    (``db/engine.PAGE_SIZE``, ``agencies.scope.scoped()``) the document names that do not exist.
    A name is looked for from the repository, from the package and, in a row of the table of domain
    folders, from that row's folder; a bare file name anywhere under the package or tests/ (in a row:
    under that row's folder). Module names whose first part is no module of the package are not
    checked (``Settings.from_environment()``)."""
    package = root / "src" / "astara"
    problems: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        bases = [root, package]
        row = re.match(r"^\|\s*`([a-z_]+)/`", line)
        if row:
            bases.append(package / row.group(1))
        names = _TOKEN.findall(line) if in_code else re.findall(r"`([^`]+)`", line)
        for name in (n.strip() for n in names):
            if name.startswith(("DATA_DIR", "ASTARA_", "http", "../")) or " " in name:
                continue
            if _FILE.match(name):
                within = [bases[-1]] if row else [package, root / "tests"]  # where a bare name may be
                bare = "/" not in name and any(any(folder.rglob(name)) for folder in within)
                if not bare and not _exists(name, bases):
                    problems.append(name)
                continue
            dotted = _DOTTED.match(name)
            if not dotted:
                continue
            first = re.split(r"[./]", dotted.group(1))[0]
            if not any((b / first).is_dir() or (b / f"{first}.py").is_file() for b in bases[1:]):
                continue  # not a name of this package
            module = _module(dotted.group(1), bases[1:])
            if module is None:
                if not any((b / dotted.group(1).replace(".", "/")).is_dir() for b in bases[1:]):
                    problems.append(name)  # a package's own names (``vocab.get_vocabulary()``) are not read
                continue
            if dotted.group(2) not in _top_level_names(module):
                problems.append(name)
    return problems


# -- imports -----------------------------------------------------------------------------------------

_DEFERRED = re.compile(r"#\s*deferred:\s*\S")


def local_imports(path: str, source: str) -> list[Finding]:
    """Imports inside a function that do not say why they wait (``# deferred: <why>`` on the
    import's line or the line above it); an import at module level, under ``if TYPE_CHECKING`` or
    not, is not one."""
    tree = ast.parse(source)
    owner = _functions(tree)
    lines = source.splitlines()
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                said = lines[max(child.lineno - 2, 0) : child.end_lineno or child.lineno]
                if not any(_DEFERRED.search(line) for line in said):
                    names = ", ".join(alias.name for alias in child.names)
                    module = "." * getattr(child, "level", 0) + (getattr(child, "module", None) or "")
                    what = f"imports {module + ': ' if module else ''}{names} inside a function"
                    found.append(Finding(path, child.lineno, what, owner.get(child, "")))
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return sorted(found)
