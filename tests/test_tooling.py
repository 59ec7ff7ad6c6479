"""The house tooling is clean: ruff (pyflakes, isort, bugbear, pyupgrade, complexity ≤ 15) and mypy on the layers
without Streamlit, as configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys

from revitalize.core import settings


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=settings.PROJECT_ROOT, capture_output=True, text=True,
                          timeout=900)


def test_ruff_is_clean():
    r = _run("ruff", "check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_is_clean_on_the_layers_without_streamlit():
    r = _run("mypy")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout
