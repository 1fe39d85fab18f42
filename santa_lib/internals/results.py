"""What each method notebook leaves behind for the comparison (notebooks 01-03 write, 04 reads).

Each of notebooks 01-03 ends with :func:`save_result`: a small JSON record of the run (its
parameters, test scores, training history, time, weights kind, precision, trainable parameters and
images seen). It goes to two places:

- the lesson's cache, under a key made from the notebook's name and every parameter it ran with,
  so notebook 04 finds the run made with the parameters it is given, and a run with other
  parameters never mixes in;
- the notebook's own output, as a display bundle of type :data:`RESULT_MIME` (with a one-line
  text form), so ``tools/run_lessons.py`` reads the results of the very notebooks it executed.
"""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

from santa_lib.internals.cache import cache_key, default_cache_dir
from santa_lib.internals.files import atomic_write

RESULT_MIME = "application/vnd.santa-lib.result+json"
"""Mime type of the result bundle a method notebook displays (read by ``tools/run_lessons.py``).

The bundle's JSON has the keys ``notebook`` (file stem, e.g. ``"02_frozen_base_augmentation"``),
``method`` (e.g. ``"2 · frozen base + augmentation"``), ``test_accuracy``, ``test_loss``,
``seconds``, ``weights`` (``"imagenet"``, ``"random"``, ``"random (offline fallback)"`` or
``"file"``), ``precision``, ``trainable_parameters``, ``images_seen``, ``parameters`` (name to
value, as the notebook ran) and ``history`` (metric name to per-epoch values).
"""

METHODS = {
    "01_feature_extraction": "1 · feature extraction",
    "02_frozen_base_augmentation": "2 · frozen base + augmentation",
    "03_fine_tuning": "3 · fine-tuning",
}
"""The method notebooks, by file stem, and how the comparison names their methods."""

def trainable_parameters(model) -> int:
    """How many numbers the optimizer updates: the sizes of ``model.trainable_weights``."""
    return int(sum(math.prod(weight.shape) for weight in model.trainable_weights))


def method_result(notebook: str, parameters: dict, *, test_loss: float, test_accuracy: float,
                  seconds: float, weights: str, precision: str, model, images_seen: int,
                  history) -> dict:
    """One method's record, as :func:`save_result` stores it (see :data:`RESULT_MIME`)."""
    values = getattr(history, "history", history)
    return {
        "notebook": notebook,
        "method": METHODS[notebook],
        "test_accuracy": float(test_accuracy),
        "test_loss": float(test_loss),
        "seconds": float(seconds),
        "weights": weights,
        "precision": precision,
        "trainable_parameters": trainable_parameters(model),
        "images_seen": int(images_seen),
        "parameters": dict(parameters),
        "history": {name: [float(value) for value in series] for name, series in values.items()},
    }


def result_path(notebook: str, parameters: dict, cache_dir: str | Path | None = None) -> Path:
    """Where the record of ``notebook`` run with exactly ``parameters`` is kept."""
    key = cache_key("result-v1", notebook, sorted(parameters.items()))
    return Path(cache_dir or default_cache_dir()) / "results" / f"{notebook}-{key}.json"


def save_result(result: dict, cache_dir: str | Path | None = None) -> None:
    """Keep ``result`` in the cache (:func:`result_path`) and show it in the notebook (text and
    :data:`RESULT_MIME`; outside a notebook, the text)."""
    path = result_path(result["notebook"], result["parameters"], cache_dir)
    text = json.dumps(result, indent=1)
    atomic_write(path, lambda temp: temp.write_text(text))
    summary = (f"Saved for notebook 04: method {result['method']}, test accuracy "
               f"{result['test_accuracy']:.3f}, {result['seconds']:.0f} s.")
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:  # not in a notebook
        print(summary)
    else:
        display({"text/plain": summary, RESULT_MIME: result}, raw=True)


def load_result(notebook: str, parameters: dict,
                cache_dir: str | Path | None = None) -> dict | None:
    """The record of ``notebook`` run with ``parameters``, or None when it has not run so."""
    try:
        return json.loads(result_path(notebook, parameters, cache_dir).read_text())
    except (OSError, ValueError):
        return None


def notebook_defaults(notebook: str | Path) -> dict[str, object]:
    """The values assigned in a notebook's cell tagged ``parameters`` (empty without one).

    The lesson's parameters cells hold ``name = literal`` lines only (``make test`` checks it).
    """
    import nbformat

    cells = [cell for cell in nbformat.read(notebook, as_version=4).cells
             if "parameters" in cell.metadata.get("tags", [])]
    if not cells:
        return {}
    return {node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(cells[0].source).body if isinstance(node, ast.Assign)}


def expected_parameters(notebook: Path, given: dict[str, object]) -> dict[str, object]:
    """The parameters ``notebook`` ran with when given the values in ``given``.

    Its own defaults, with those of ``given`` that it declares; a value of None in ``given``
    means "the notebook's own default" (notebook 04 passes its parameters this way).
    """
    defaults = notebook_defaults(notebook)
    return {**defaults,
            **{name: value for name, value in given.items()
               if name in defaults and value is not None}}


def lesson_notebooks(folder: str | Path | None = None) -> Path:
    """The folder of the lesson's notebooks: ``folder``, or the current one when it holds them
    (as when a notebook runs), or ``notebooks/`` beside the package."""
    if folder is not None:
        return Path(folder)
    here = Path.cwd()
    if all((here / f"{notebook}.ipynb").is_file() for notebook in METHODS):
        return here
    return Path(__file__).resolve().parent.parent / "notebooks"


def collect_results(given: dict[str, object], folder: str | Path | None = None,
                    cache_dir: str | Path | None = None) -> tuple[list[dict], dict[str, dict]]:
    """The records of notebooks 01-03 run with ``given`` (None: each notebook's own default).

    Returns the records found, in method order, and, for each notebook without one, the
    parameters it would have to run with.
    """
    found, missing = [], {}
    for notebook in METHODS:
        expected = expected_parameters(lesson_notebooks(folder) / f"{notebook}.ipynb", given)
        result = load_result(notebook, expected, cache_dir)
        if result is None:
            missing[notebook] = expected
        else:
            found.append(result)
    return found, missing
