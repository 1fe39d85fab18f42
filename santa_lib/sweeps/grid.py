"""A sweep's grid file, read into runs: one (notebook, point) each, keyed as its record is.

A grid file is YAML::

    notebooks: [01_feature_extraction, 03_fine_tuning]
    parameters:
      seed: [0, 1, 2]          # a list: each of these values
      epochs: 3                # a scalar: the same in every point

The points are the Cartesian product of the lists (the first parameter varies slowest). Each
notebook is given only the parameters its ``parameters`` cell declares (points that differ only
in others are one run for it), and its run is keyed as
its own ``sl.Run(...).save`` keys its record (:func:`santa_lib.internals.results.result_path`),
so a run whose record is already in the cache need not run again.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from santa_lib.internals.params import ParameterError, checked_parameters
from santa_lib.internals.results import METHOD_DEFAULTS, METHODS, result_path


class GridError(ValueError):
    """A grid file, or a notebook it names, that a sweep cannot use (the message says what to
    do)."""


@dataclass(frozen=True)
class SweepRun:
    """One notebook run with one point of the grid."""

    notebook: str
    point: dict[str, object]
    """The grid point (every parameter of the grid)."""
    parameters: dict[str, object]
    """What papermill gives the notebook: the point's values its ``parameters`` cell declares."""
    record_parameters: dict[str, object] = field(repr=False)
    """The parameters the notebook's record is keyed by (its defaults, overridden)."""

    def record_path(self, cache_dir: str | Path | None = None) -> Path:
        """Where this run's record is kept (as ``sl.Run(...).save`` keeps it)."""
        return result_path(self.notebook, self.record_parameters, cache_dir)

    @property
    def key(self) -> str:
        """The record's key: its file name without the notebook's name."""
        return self.record_path("").stem[len(self.notebook) + 1:]

    def describe(self) -> str:
        """``01_feature_extraction seed=1, epochs=1``: the notebook and what it is given."""
        values = ", ".join(f"{name}={value!r}" for name, value in self.parameters.items())
        return f"{self.notebook} ({values or 'its defaults'})"


@dataclass(frozen=True)
class Grid:
    """A grid file, read: its runs in order (points in order, notebooks as listed)."""

    path: Path
    notebooks: list[str]
    texts: dict[str, str]
    """Each notebook's file, as JSON text (what the workers are sent)."""
    runs: list[SweepRun]

    @property
    def stem(self) -> str:
        """The grid file's name without ``.yaml``: names its summary and output folder."""
        return self.path.stem


class _Loader(yaml.SafeLoader):
    """YAML 1.1 reads ``1e-5`` as a string; this loader reads it as the float it means."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?$"
               r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
    list("-+0123456789."))


def record_parameters(notebook: str, given: Mapping[str, object]) -> dict[str, object]:
    """The parameters ``notebook`` keys its record by when run with ``given``: its defaults
    overridden by the values it declares, through ``checked_parameters`` as ``sl.Run`` does.

    A value the notebook's own check refuses keeps its key (the run then fails in the notebook,
    which says why, and leaves no record).
    """
    defaults = METHOD_DEFAULTS[notebook]
    values = {name: given.get(name, default) for name, default in defaults.items()}
    try:
        return checked_parameters(values)
    except (ParameterError, ValueError):
        return values


def declared_parameters(text: str) -> dict[str, object]:
    """The ``name = literal`` assignments of a notebook's cell tagged ``parameters``."""
    for cell in json.loads(text).get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell["source"]
            source = "".join(source) if isinstance(source, list) else source
            return {node.targets[0].id: ast.literal_eval(node.value)
                    for node in ast.parse(source).body
                    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    return {}


def _load(path: Path) -> dict:
    if not path.is_file():
        raise GridError(f"grid file {path} not found: give a YAML grid such as "
                        "params/sweeps/seeds.yaml.")
    try:
        values = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where else ""
        raise GridError(f"grid file {path} is not readable YAML{line}: fix it, as in "
                        "params/sweeps/seeds.yaml.") from None
    if not isinstance(values, dict) or not set(values) <= {"notebooks", "parameters"}:
        raise GridError(f"grid file {path} must hold a mapping with the keys 'notebooks' (a list) "
                        "and 'parameters' (name: value or list of values).")
    return values


def _notebooks(path: Path, values: dict) -> list[str]:
    notebooks = values.get("notebooks")
    notebooks = [notebooks] if isinstance(notebooks, str) else notebooks
    if not isinstance(notebooks, list) or not notebooks:
        raise GridError(f"grid file {path}: 'notebooks' must be a non-empty list of notebook "
                        f"names, such as [{', '.join(METHODS)}].")
    wrong = [str(name) for name in notebooks if name not in METHODS]
    if wrong:
        raise GridError(f"grid file {path}: {', '.join(wrong)} cannot be swept: only the method "
                        f"notebooks, which save a record, can: {', '.join(METHODS)}.")
    return list(dict.fromkeys(notebooks))


def _points(path: Path, values: dict) -> list[dict[str, object]]:
    parameters = values.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise GridError(f"grid file {path}: 'parameters' must be a mapping of name: value or "
                        "name: [values].")
    empty = [name for name, value in parameters.items() if value == []]
    if empty:
        raise GridError(f"grid file {path}: parameter {empty[0]} has an empty list: give it at "
                        "least one value.")
    choices = [value if isinstance(value, list) else [value] for value in parameters.values()]
    return [dict(zip(parameters, point, strict=True)) for point in itertools.product(*choices)]


def read_notebook(folder: Path, notebook: str) -> str:
    """The JSON text of ``folder/notebook.ipynb``."""
    path = folder / f"{notebook}.ipynb"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise GridError(f"notebook {path} not found: give the folder of the lesson's notebooks "
                        "with --notebooks DIR.") from None


def read_grid(path: str | Path, notebooks_dir: str | Path = "notebooks") -> Grid:
    """Read a grid file and the notebooks it lists; raises :class:`GridError`."""
    path = Path(path)
    values = _load(path)
    notebooks = _notebooks(path, values)
    points = _points(path, values)
    texts = {name: read_notebook(Path(notebooks_dir), name) for name in notebooks}
    try:
        declared = {name: declared_parameters(text) for name, text in texts.items()}
    except (ValueError, SyntaxError, KeyError) as error:
        raise GridError(f"a notebook in {notebooks_dir} has an unreadable parameters cell "
                        f"({error}): give the lesson's notebooks with --notebooks DIR.") from None
    unknown = [name for name in points[0]
               if not any(name in names for names in declared.values())]
    if unknown:
        raise GridError(f"grid file {path}: no listed notebook declares the parameter "
                        f"{unknown[0]}: remove it or list a notebook that has it.")
    runs = [SweepRun(notebook, point,
                     {name: value for name, value in point.items() if name in declared[notebook]},
                     record_parameters(notebook, {name: value for name, value in point.items()
                                                  if name in declared[notebook]}))
            for point in points for notebook in notebooks]
    unique: dict[tuple[str, str], SweepRun] = {}  # a notebook that lacks a varied parameter
    for run in runs:                                # runs once for all its values
        unique.setdefault((run.notebook, run.key), run)
    return Grid(path, notebooks, texts, list(unique.values()))
