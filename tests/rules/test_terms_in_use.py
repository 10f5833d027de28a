"""Every term the code counts has a row in the terms table, and is declared where the office's
start-up check finds it (the ``TERMS`` constant of its module): a missing row stops the office
at start-up instead of surfacing as an error, or a silent default, on the day it is counted."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from models.timing.terms import (
    MissingTerms,
    declared_terms,
    default_terms,
    load_terms,
    require_terms,
)

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("models", "tasks", "flows", "deployments")
TERM_ID = re.compile(r"^[a-z_]+\.[a-z_]+$")
TABLE_CALLS = {"get", "due", "latest_extended_due", "figure"}  # TermsTable methods taking an id


def _sources() -> list[Path]:
    """The code that counts terms (not the table's own module, nor the migrations)."""
    return [
        p
        for layer in LAYERS
        for p in (ROOT / layer).rglob("*.py")
        if "migrations" not in p.parts and p.parent != ROOT / "models" / "timing"
    ]


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _is_term_keyword(name: str | None) -> bool:
    return bool(name) and (name == "term_id" or name.endswith("_term"))


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is str]


class _Uses(ast.NodeVisitor):
    """Term ids written at a call site (``terms.due("x.y", ...)``, ``term_id="x.y"``) and the
    module constants holding ids (a name with TERM in it, as the code's convention has it)."""

    def __init__(self) -> None:
        self.at_call_sites: list[tuple[int, str]] = []
        self.constants: list[tuple[int, str]] = []

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        receiver = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        if (
            isinstance(func, ast.Attribute)
            and func.attr in TABLE_CALLS
            and ("terms" in receiver or "table" in receiver)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            self.at_call_sites.append((node.lineno, node.args[0].value))
        self.at_call_sites += [
            (node.lineno, kw.value.value)
            for kw in node.keywords
            if _is_term_keyword(kw.arg)
            and isinstance(kw.value, ast.Constant)
            and isinstance(kw.value.value, str)
        ]
        self.generic_visit(node)


def _uses(path: Path) -> _Uses:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    uses = _Uses()
    uses.visit(tree)
    for stmt in tree.body:  # module level only
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if any("TERM" in n and n != "TERMS" for n in names):
            value = stmt.value
            assert value is not None
            ids = [s for s in _strings(value) if TERM_ID.match(s)]
            uses.constants += [(stmt.lineno, s) for s in ids]
    return uses


USES = {path: _uses(path) for path in _sources()}


def test_every_term_the_code_names_has_a_row() -> None:
    known = {t.id for t in default_terms().terms}
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {term_id}"
        for path, uses in USES.items()
        for line, term_id in [*uses.at_call_sites, *uses.constants]
        if term_id not in known
    ]
    assert not missing, "no row in the terms table for:\n" + "\n".join(missing)


def test_term_ids_are_module_constants_not_literals_at_call_sites() -> None:
    """One place per module: a call site names the constant, so the module's ``TERMS`` lists
    every id it counts and the start-up check sees it."""
    literal = [
        f"{path.relative_to(ROOT)}:{line}: {term_id}"
        for path, uses in USES.items()
        if path.parts[len(ROOT.parts)] in {"models", "tasks", "flows"}
        for line, term_id in uses.at_call_sites
    ]
    assert not literal, "use a module constant listed in TERMS:\n" + "\n".join(literal)


def test_every_term_constant_is_in_its_modules_terms() -> None:
    undeclared = []
    for path, uses in USES.items():
        if not uses.constants or path.parts[len(ROOT.parts)] == "deployments":
            continue
        declared = set(getattr(importlib.import_module(_module(path)), "TERMS", ()))
        undeclared += [
            f"{path.relative_to(ROOT)}:{line}: {term_id}"
            for line, term_id in uses.constants
            if term_id not in declared
        ]
    assert not undeclared, "add to the module's TERMS:\n" + "\n".join(undeclared)


def test_the_start_up_check_passes_on_the_shipped_table() -> None:
    from deployments.cli.office import require_declared_terms

    require_declared_terms()  # raises MissingTerms otherwise


def test_a_declared_term_without_a_row_stops_the_start(tmp_path: Path) -> None:
    """The check compares the declared ids with the table the office loads: a row deleted from
    the yaml is named, not defaulted."""
    from models.sweeps import sweep_subjects

    ids = declared_terms([sweep_subjects])
    assert ids == {"control.reminder", "control.escalation"}
    shipped = (ROOT / "models/timing/data/terms.yaml").read_text(encoding="utf-8")
    start = shipped.index("  - id: control.escalation")
    end = shipped.find("\n  - id:", start + 1)
    (tmp_path / "terms.yaml").write_text(
        shipped[:start] + (shipped[end + 1 :] if end != -1 else ""), encoding="utf-8"
    )
    trimmed = load_terms(tmp_path / "terms.yaml")
    with pytest.raises(MissingTerms, match=r"control\.escalation"):
        require_terms(ids, trimmed)
    require_terms(ids - {"control.escalation"}, trimmed)  # the others are still there
