"""The shape of the code (STYLE.md): no import cycle, small functions, a test file per
module, and only the CLI prints."""

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
SHARED_TEST_FILES = {"harvester.cli.run": "test_cli.py"}


def test_every_module_has_its_test_file():
    """harvester/x.py is tested in tests/test_x.py, harvester/cli/x.py in tests/test_cli_x.py."""
    missing = []
    for name in modules():
        parts = name.split(".")[1:]
        if (
            not parts
            or parts[-1] == "__main__"
            or (TESTS / SHARED_TEST_FILES.get(name, "-")).exists()
        ):
            continue
        candidates = {f"test_{'_'.join(parts)}.py", f"test_{parts[-1]}.py"}
        if not any((TESTS / c).exists() for c in candidates):
            missing.append(name)
    assert missing == []


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
