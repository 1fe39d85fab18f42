"""A sweep's grid file, read into runs: one (notebook, point) each, keyed as its record will be.

A grid file is YAML (read by :func:`santa_lib.internals.params.load_parameters_file`, so
``1e-5`` is a number)::

    notebooks: [01_feature_extraction, 03_fine_tuning]
    parameters:
      seed: [0, 1, 2]          # a list: each of these values
      epochs: 3                # a scalar: the same in every point

The points are the Cartesian product of the lists (the first parameter varies slowest). Each
notebook is given only the parameters its ``parameters`` cell declares (points that differ only
in others are one run for it), and its run is keyed as its own ``sl.Run(...).save`` will key
its record (:mod:`santa_lib.sweeps.keys`), so a run whose record is already in the cache need
not run again.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from santa_lib.internals.cache import cache_key
from santa_lib.internals.params import (
    AUTO,
    EMBEDDED,
    PHOTOS,
    ParameterFileError,
    load_parameters_file,
    parameters_cell,
)
from santa_lib.internals.records import METHODS, result_path
from santa_lib.sweeps.keys import Settler, key_digest, parameters_as_run, record_key

EXAMPLE = "params/sweeps/seeds.yaml"
KEYWORDS = (AUTO, EMBEDDED, PHOTOS, "imagenet", "random", "none")
"""``data_dir`` and ``weights`` values that are no path (``None``, written ``none``, too)."""


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
    record_key: dict[str, object] = field(repr=False)
    """What its record will be filed by, as foretold (:mod:`santa_lib.sweeps.keys`)."""

    def record_path(self, cache_dir: str | Path | None = None) -> Path:
        """Where this run's record will be kept (as ``sl.Run(...).save`` keeps it)."""
        return result_path(self.notebook, self.record_key, cache_dir)

    @property
    def key(self) -> str:
        """The record's digest: its file name without the notebook's name."""
        return key_digest(self.notebook, self.record_key)

    def describe(self) -> str:
        """``01_feature_extraction (seed=1, epochs=1)``: the notebook and what it is given."""
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
        """The grid file's name without ``.yaml``: names its output folder."""
        return self.path.stem

    @property
    def name(self) -> str:
        """``<stem>-<8 hex digits>``: the stem and a digest of the file's resolved path, which
        names its summary (two grids of one stem in two folders keep theirs apart)."""
        return f"{self.stem}-{cache_key('sweep-grid', str(self.path.resolve()))[:8]}"

    def text_digest(self, notebook: str) -> str:
        """A digest of the notebook text sent for ``notebook`` (part of its runs' Dask keys)."""
        return cache_key("notebook-text", self.texts[notebook])[:8]


def _load(path: Path) -> dict:
    try:
        values = load_parameters_file(path, "grid file", EXAMPLE)
    except ParameterFileError as error:
        raise GridError(str(error)) from None
    if not set(values) <= {"notebooks", "parameters"}:
        raise GridError(f"grid file {path} must hold a mapping with the keys 'notebooks' (a list) "
                        "and 'parameters' (name: value or list of values), as in "
                        f"{EXAMPLE}.")
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
    for name in ("data_dir", "weights"):
        listed = parameters.get(name)
        for value in listed if isinstance(listed, list) else [listed]:
            if str(value).lower() not in KEYWORDS and not Path(str(value)).expanduser(
                    ).is_absolute():
                raise GridError(f"grid file {path}: {name} {value!r} is a relative path: give it "
                                "absolute (each notebook runs in a folder of its own).")
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


def _declared(notebooks_dir: Path, texts: dict[str, str]) -> dict[str, dict[str, object]]:
    """Each notebook's parameters cell, as in the text that will run."""
    declared = {}
    for name, text in texts.items():
        try:
            declared[name] = parameters_cell(json.loads(text))
        except ValueError as error:  # JSONDecodeError too
            raise GridError(f"notebook {notebooks_dir / name}.ipynb is unreadable ({error}): "
                            "give the lesson's notebooks with --notebooks DIR.") from None
    return declared


def read_grid(path: str | Path, notebooks_dir: str | Path = "notebooks",
              settler: Settler | None = None) -> Grid:
    """Read a grid file and the notebooks it lists, each run keyed with ``settler`` (a new
    :class:`~santa_lib.sweeps.keys.Settler` by default: ``"auto"`` settled here, now); raises
    :class:`GridError`."""
    path, settler = Path(path), settler or Settler()
    values = _load(path)
    notebooks = _notebooks(path, values)
    points = _points(path, values)
    texts = {name: read_notebook(Path(notebooks_dir), name) for name in notebooks}
    declared = _declared(Path(notebooks_dir), texts)
    unknown = [name for name in points[0]
               if not any(name in names for names in declared.values())]
    if unknown:
        raise GridError(f"grid file {path}: no listed notebook declares the parameter "
                        f"{unknown[0]}: remove it or list a notebook that has it.")
    unique: dict[tuple[str, str], SweepRun] = {}  # a notebook that lacks a varied parameter
    for point in points:                            # runs once for all its values
        for notebook in notebooks:
            given = {name: value for name, value in point.items() if name in declared[notebook]}
            key = record_key(notebook, parameters_as_run(notebook, declared[notebook], given),
                             settler)
            run = SweepRun(notebook, point, given, key)
            unique.setdefault((notebook, run.key), run)
    return Grid(path, notebooks, texts, list(unique.values()))
