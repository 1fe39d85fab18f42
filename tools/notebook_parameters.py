"""A notebook file's ``parameters`` cell, and the YAML files that override it (tools only).

The installed package never reads the repository's notebooks; the runner, the report and the
student copies do, through this module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import yaml


def notebook_defaults(notebook: str | Path) -> dict[str, object]:
    """The values assigned in a notebook's cell tagged ``parameters`` (empty without one).

    The lesson's parameters cells hold ``name = literal`` lines only (``make test`` checks it).
    """
    cells = [cell for cell in nbformat.read(notebook, as_version=4).cells
             if "parameters" in cell.metadata.get("tags", [])]
    if not cells:
        return {}
    return {node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(cells[0].source).body if isinstance(node, ast.Assign)}


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's ``parameters`` cell."""
    return set(notebook_defaults(notebook))


def load_parameters(path: Path | None) -> dict:
    """The mapping in a YAML parameters file (empty without one)."""
    if path is None:
        return {}
    try:
        values = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SystemExit(f"error: cannot read parameters file {path}: {error}") from error
    if not isinstance(values, dict):
        raise SystemExit(f"error: parameters file {path} must hold a mapping of name: value.")
    return values
