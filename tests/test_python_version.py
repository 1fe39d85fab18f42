"""The Python the project claims: `make` stops at once, saying what to do, on an older one."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OLD_PYTHONS = sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python"))


def python_check(python: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "python-check", f"PYTHON={python}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_this_python_passes_the_check():
    assert python_check(sys.executable).returncode == 0


@pytest.mark.skipif(not OLD_PYTHONS, reason="no Python 3.10 here (pyenv) to try")
def test_an_older_python_is_refused_at_once_with_what_to_do():
    result = python_check(str(OLD_PYTHONS[-1]))
    assert result.returncode != 0
    assert "needs Python 3.11 or newer" in result.stdout and "Python 3.10" in result.stdout
    assert "PYTHON=" in result.stdout  # what to do


def test_the_claim_is_the_same_in_pyproject():
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()
