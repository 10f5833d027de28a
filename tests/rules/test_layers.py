"""The layers hold: deployments → flows → tasks → models, SQL only in ``models/``, short steps.

Checked on the source text (no import), so a violation names its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL_NAMES = {"select", "update", "insert", "delete", "text", "func", "and_", "or_", "exists"}
LONGEST = 60  # lines of a function in flows/ and tasks/


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, []) for a in node.names)
    return found


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_the_domain_imports_no_prefect_and_nothing_above_it() -> None:
    wrong = [
        _where(path, line)
        for path in _modules("models")
        for line, module, _ in _imports(path)
        if module.split(".")[0] in {"prefect", "tasks", "flows", "deployments"}
    ]
    assert not wrong, f"models/ imports a layer above it: {wrong}"


def test_tasks_and_flows_do_not_import_the_cli_layer() -> None:
    wrong = [
        _where(path, line)
        for path in _modules("tasks", "flows")
        for line, module, _ in _imports(path)
        if module.split(".")[0] == "deployments"
    ]
    assert not wrong, f"a task or flow imports deployments/: {wrong}"


@pytest.mark.parametrize("folder", ["tasks", "flows", "deployments"])
def test_sql_lives_in_the_stores_of_models(folder: str) -> None:
    wrong = [
        _where(path, line)
        for path in _modules(folder)
        for line, module, names in _imports(path)
        if module.startswith("sqlalchemy") and SQL_NAMES & set(names)
    ]
    assert not wrong, f"SQL written outside models/: {wrong}"


@pytest.mark.parametrize("folder", ["tasks", "flows"])
def test_steps_and_flows_are_short(folder: str) -> None:
    long = []
    for path in _modules(folder):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > LONGEST:
                    long.append(f"{_where(path, node.lineno)} {node.name}: {lines} lines")
    assert not long, f"functions over {LONGEST} lines: {long}"
