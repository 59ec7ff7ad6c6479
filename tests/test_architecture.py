"""The package's shape: layers whose arrows point down, no deferred imports of its own modules."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from revitalize.core import settings

PACKAGE = settings.PROJECT_ROOT / "revitalize"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_import_linter_contracts_are_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (make test installs it)")
    r = subprocess.run([exe, "--config", str(settings.PROJECT_ROOT / ".importlinter")], capture_output=True,
                       text=True, cwd=settings.PROJECT_ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout


def test_no_project_module_is_imported_inside_a_function():
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("revitalize"):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
                if isinstance(node, ast.Import) and any(a.name.startswith("revitalize") for a in node.names):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, f"deferred imports of project modules: {found}"


def test_no_importlib_lookup_of_project_modules():
    hits = [str(p.relative_to(PACKAGE)) for p in _modules()
            if "importlib.import_module" in p.read_text(encoding="utf-8")]
    assert not hits


def test_only_the_db_module_opens_duckdb():
    hits = [str(p.relative_to(PACKAGE)) for p in _modules() if "duckdb.connect(" in p.read_text(encoding="utf-8")]
    assert hits == ["data/db.py"]


def test_no_sql_statement_outside_the_sql_folder():
    """Every statement is a file in data/sql/ (read by db.sql); code only names them."""
    verbs = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE ", "ALTER ", "DROP ")
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.lstrip().upper()
                if text.startswith(verbs) and (" FROM " in text or " INTO " in text or " SET " in text
                                               or " TABLE " in text):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, f"inline SQL: {offenders}"
