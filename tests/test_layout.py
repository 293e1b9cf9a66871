"""The shape of the code (STYLE.md): packages along the flow, no import cycle, small
functions, a test file per module, and only the CLI prints."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "harvester"
TESTS = Path(__file__).parent
MAX_FUNCTION_LINES = 40


def modules() -> dict[str, ast.Module]:
    """Every module of the package by dotted name, parsed."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package's modules `name` imports at its top level (what a cycle is made of)."""
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("harvester"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
    return found - {name}


def test_no_import_cycle():
    """The package's modules import each other without a cycle."""
    trees = modules()
    graph = {name: imports(name, tree, set(trees)) for name, tree in trees.items()}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            pytest.fail(f"import cycle: {' -> '.join([*path[path.index(name) :], name])}")
        if name in done:
            return
        for other in sorted(graph.get(name, ())):
            visit(other, [*path, name])
        done.add(name)

    for name in graph:
        visit(name, [])


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A function's lines of code: from its first statement after the docstring."""
    body = node.body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return (node.end_lineno or node.lineno) - body[0].lineno + 1


def test_functions_are_short_or_say_why():
    """No function has over 40 lines of code unless a `# long:` comment just above or on its
    `def` says why."""
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                signature = "\n".join(lines[node.lineno - 2 : node.body[0].lineno - 1])
                if body_lines(node) > MAX_FUNCTION_LINES and "# long:" not in signature:
                    long.append(f"{path.name}:{node.name}: {body_lines(node)} lines")
    assert long == []


# The harvest command is `cli/__init__` dispatching to `cli/run`: one test file for both.
SHARED_TEST_FILES = {"harvester.cli": "cli/test_run.py"}


def is_package_docstring_only(name: str, tree: ast.Module) -> bool:
    """A package's `__init__` that holds nothing but its docstring has nothing to test."""
    return (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists() and all(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in tree.body
    )


def test_every_module_has_its_test_file():
    """harvester/x.py is tested in tests/test_x.py, harvester/pkg/x.py in tests/pkg/test_x.py."""
    missing = []
    for name, tree in modules().items():
        parts = name.split(".")[1:]
        if not parts or parts[-1] == "__main__" or is_package_docstring_only(name, tree):
            continue
        test = SHARED_TEST_FILES.get(name) or "/".join([*parts[:-1], f"test_{parts[-1]}.py"])
        if not (TESTS / test).exists():
            missing.append(name)
    assert missing == []


# The flow, bottom to top (README, "How it is built"). A package imports only packages of
# a lower rank; packages of one rank (the sources and the database) never import each
# other. The common modules below every package import only each other.
COMMON = {
    "harvester",
    "harvester.errors",
    "harvester.models",
    "harvester.files",
    "harvester.config",
    "harvester.config_words",
    "harvester.taxonomy",
}
RANKS = {"net": 1, "arxiv": 2, "oai": 2, "db": 2, "harvest": 3, "outputs": 4, "job": 5, "cli": 6}


def package_of(name: str) -> str | None:
    """The package a module belongs to, or None for a common module."""
    if name in COMMON:
        return None
    if name == "harvester.__main__":
        return "cli"
    return name.split(".")[1]


def every_import(tree: ast.Module) -> set[str]:
    """Every module of the package that `tree` imports, at any depth (lazy imports too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("harvester"):
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("harvester")}
    return found


def layering_violations(trees: dict[str, ast.Module]) -> list[str]:
    """Each import that goes up the flow or sideways between packages of one rank."""
    bad = []
    for name, tree in trees.items():
        mine = package_of(name)
        for other in sorted(every_import(tree) & set(trees)):
            theirs = package_of(other)
            if theirs is None or theirs == mine:
                continue
            if mine is None or RANKS[theirs] >= RANKS[mine]:
                bad.append(f"{name} imports {other}")
    return bad


def test_packages_import_only_packages_below_them():
    """Each package imports only those below it in the flow, and the common modules none."""
    trees = modules()
    assert {package_of(n) for n in trees} - {None} == set(RANKS)
    assert layering_violations(trees) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        pytest.param(
            "harvester.db.store", "from harvester.arxiv import feed", id="db-imports-arxiv"
        ),
        pytest.param("harvester.net.pacer", "from harvester.db import store", id="net-imports-db"),
        pytest.param(
            "harvester.models", "from harvester.net import pacer", id="common-imports-net"
        ),
        pytest.param(
            "harvester.harvest.topic", "import harvester.cli.run", id="harvest-imports-cli"
        ),
        pytest.param(
            "harvester.arxiv.client",
            "def f():\n    from harvester.harvest import walk",
            id="lazy-import-upward",
        ),
    ],
)
def test_an_upward_import_is_found(module: str, source: str):
    """An import that goes against the flow, even inside a function, is reported."""
    trees = modules()
    trees[module].body.extend(ast.parse(source).body)
    assert layering_violations(trees) != []


def test_only_the_cli_prints():
    """Only `harvester.cli` calls print; the library logs or raises."""
    printing = [
        name
        for name, tree in modules().items()
        if not name.startswith("harvester.cli")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
    ]
    assert printing == []
