"""Each method notebook's run: parameters checked, a clock, and a record for the comparison.

A method notebook (01-03) starts with ``run = sl.Run("01_feature_extraction", globals())``, which
checks the parameters its ``parameters`` cell set and starts the clock; ``run.stop_clock()``
after the test score stops it; ``run.save(...)`` at the end keeps a small JSON record of the run
(parameters, test scores, training history, the epoch scored, time, weights, precision,
trainable parameters, images seen; for method 3, the cost of the head it builds on). The record
goes to two places:

- the lesson's cache, under a key made from the notebook's name and every parameter it ran with:
  notebook 05 finds the runs made with the parameters it is given, and runs made with other
  parameters (an instructor's other settings, at the same time) never mix in;
- the notebook's own output, as a display bundle of type :data:`RESULT_MIME` (with a one-line
  text form), so ``tools/run_lessons.py`` reads the results of the very notebooks it executed.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from pathlib import Path

from santa_lib.internals.cache import cache_key, default_cache_dir
from santa_lib.internals.files import atomic_write_text
from santa_lib.internals.params import checked_parameters
from santa_lib.internals.timing import format_duration

RESULT_MIME = "application/vnd.santa-lib.result+json"
"""Mime type of the result bundle a method notebook displays (read by ``tools/run_lessons.py``).

The bundle's JSON has the keys ``notebook`` (file stem, e.g. ``"02_frozen_base_augmentation"``),
``method``, ``test_accuracy``, ``test_loss``, ``test_size`` (test pictures scored; None in
records made before it was kept), ``seconds`` (the method's own part), ``head``
(method 3: ``{"seconds", "images_seen", "source"}`` of the head training it builds on; else
None), ``scored_epoch`` (1-based: whose weights were tested), ``weights``, ``precision``,
``trainable_parameters``, ``images_seen``, ``parameters`` (name to value, as the notebook ran),
``history`` (metric name to per-epoch values) and ``saved_at`` (seconds since the epoch).
"""

METHODS = {
    "01_feature_extraction": "1 · feature extraction",
    "02_frozen_base_augmentation": "2 · frozen base + augmentation",
    "03_fine_tuning": "3 · fine-tuning",
    "04_from_scratch": "baseline · no pretraining",
}
"""The notebooks that train a model and keep a record, by file stem, and how the comparison names
them: the three methods and the baseline trained from scratch."""

HEAD_SETTINGS = {"epochs": "head_epochs", "learning_rate": "head_learning_rate"}
"""Notebook 03's names for the settings of the method-2 training it starts from."""
METHOD2_SETTINGS = ("data_dir", "weights", "image_size", "batch_size", "epochs", "learning_rate",
                    "steps_per_epoch", "precision", "seed")
_CORE = {"data_dir": "embedded", "weights": "auto", "image_size": 64}
METHOD_DEFAULTS: dict[str, dict[str, object]] = {
    "01_feature_extraction": {**_CORE, "batch_size": 10, "epochs": 20, "learning_rate": 1e-4,
                              "precision": "float32", "seed": 0},
    "02_frozen_base_augmentation": {**_CORE, "batch_size": 20, "epochs": 10,
                                    "learning_rate": 2e-5, "steps_per_epoch": None,
                                    "precision": "float32", "seed": 0},
    "03_fine_tuning": {**_CORE, "batch_size": 20, "head_epochs": 10, "head_learning_rate": 2e-5,
                       "epochs": 10, "learning_rate": 1e-5, "steps_per_epoch": None,
                       "unfreeze_from_layer": "block5_conv1", "precision": "float32", "seed": 0,
                       "my_photo": None},
    "04_from_scratch": {"data_dir": "embedded", "image_size": 64, "batch_size": 20, "epochs": 20,
                        "learning_rate": 1e-3, "precision": "float32", "seed": 0},
}
"""Each method notebook's ``parameters`` cell, as committed (a test keeps the two the same):
what ``None`` means in notebooks 00 and 04."""


def method_settings(given: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """Each method notebook's parameters when run with ``given``: its defaults, with the values of
    ``given`` that it declares and that are not None (as ``make lessons`` passes a file's)."""
    return {notebook: {name: given[name] if given.get(name) is not None else default
                       for name, default in defaults.items()}
            for notebook, defaults in METHOD_DEFAULTS.items()}


def images_seen(history, settings: Mapping[str, object], train_size: int) -> int:
    """Training pictures (or augmented versions of them) that went through training: every
    epoch of ``history`` at ``settings``' ``steps_per_epoch`` x ``batch_size``, or, without a step
    cap, all ``train_size`` training pictures."""
    epochs = len(history_values(history)["loss"])
    steps = settings.get("steps_per_epoch")
    return epochs * (steps * settings["batch_size"] if steps else train_size)


def trainable_parameters(model) -> int:
    """How many numbers the optimizer updates: the sizes of ``model.trainable_weights``."""
    return int(sum(math.prod(weight.shape) for weight in model.trainable_weights))


def result_path(notebook: str, parameters: Mapping, cache_dir: str | Path | None = None) -> Path:
    """Where the record of ``notebook`` run with exactly ``parameters`` is kept."""
    key = cache_key("result-v2", notebook, sorted(parameters.items()))
    return Path(cache_dir or default_cache_dir()) / "results" / f"{notebook}-{key}.json"


def load_result(notebook: str, parameters: Mapping,
                cache_dir: str | Path | None = None) -> dict | None:
    """The record of ``notebook`` run with ``parameters``, or None when it has not run so."""
    try:
        return json.loads(result_path(notebook, parameters, cache_dir).read_text())
    except (OSError, ValueError):
        return None


def history_values(history) -> dict[str, list[float]]:
    """The per-epoch metrics of a Keras ``History`` (or of an already plain dict), as floats."""
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping):
        raise TypeError(
            f"expected a keras History or a dict of lists, got {type(history).__name__}")
    return {name: [float(value) for value in series] for name, series in values.items()}


def scored_epoch(history) -> int:
    """The epoch (1-based) whose weights a run keeps and tests: the first with the best
    validation accuracy, as ``EarlyStopping(monitor="val_accuracy", restore_best_weights=True)``
    picks it."""
    values = history_values(history)
    accuracies = values.get("val_accuracy") or values.get("accuracy") or [0.0]
    return int(max(range(len(accuracies)), key=lambda epoch: (accuracies[epoch], -epoch))) + 1


class Run:
    """One method notebook's run (see the module docstring)."""

    def __init__(self, notebook: str, namespace: Mapping[str, object]):
        if notebook not in METHODS:
            raise ValueError(f"notebook must be one of {list(METHODS)}, got {notebook!r}.")
        self.notebook = notebook
        missing = [name for name in METHOD_DEFAULTS[notebook] if name not in namespace]
        if missing:
            raise NameError(f"{notebook} needs the parameters {missing}: run its parameters cell "
                            "first.")
        self.parameters = checked_parameters(
            {name: namespace[name] for name in METHOD_DEFAULTS[notebook]})
        self.started = time.perf_counter()
        self.seconds: float | None = None
        self.head: dict | None = None

    def method2_settings(self) -> dict[str, object]:
        """The settings of the method-2 model this run makes (02) or starts from (03)."""
        renames = HEAD_SETTINGS if self.notebook == "03_fine_tuning" else {}
        return {name: self.parameters[renames.get(name, name)] for name in METHOD2_SETTINGS}

    def stop_clock(self) -> str:
        """Stop the method's clock (at its test score); the time taken, in words."""
        self.seconds = time.perf_counter() - self.started
        return format_duration(self.seconds)

    def record_head(self, seconds: float, images_seen: int, source: str,
                    history=None) -> None:
        """Method 3: the head training it builds on, when it was done in this run."""
        self.head = {"seconds": float(seconds), "images_seen": int(images_seen),
                     "source": source,
                     "history": None if history is None else history_values(history)}

    def head_history(self) -> dict[str, list[float]] | None:
        """Method 3: the per-epoch history of the head training it builds on, when known (from
        this run, or from notebook 02's record), so both phases can be drawn as one run."""
        return (self._head_cost() or {}).get("history")

    def _head_cost(self) -> dict | None:
        if self.notebook != "03_fine_tuning" or self.head is not None:
            return self.head
        record = load_result("02_frozen_base_augmentation", self.method2_settings())
        if record is None:
            return None
        return {"seconds": record["seconds"], "images_seen": record["images_seen"],
                "source": "notebook 02's run", "history": record.get("history")}

    def record(self, model, history, test_loss: float, test_accuracy: float, train_size: int,
               weights: str, test_size: int | None = None) -> dict:
        """This run's record, as :meth:`save` keeps it (see :data:`RESULT_MIME`)."""
        import keras

        if self.seconds is None:
            self.stop_clock()
        head = self._head_cost()
        own = self.seconds - (self.head or {}).get("seconds", 0.0)
        values = history_values(history)
        return {
            "notebook": self.notebook, "method": METHODS[self.notebook],
            "test_accuracy": float(test_accuracy), "test_loss": float(test_loss),
            "test_size": None if test_size is None else int(test_size),
            "seconds": float(own), "head": head, "scored_epoch": scored_epoch(values),
            "weights": weights,
            "precision": keras.mixed_precision.global_policy().compute_dtype,
            "trainable_parameters": trainable_parameters(model),
            "images_seen": images_seen(values, self.parameters, train_size),
            "parameters": dict(self.parameters), "history": values, "saved_at": time.time(),
        }

    def save(self, model, history, test_loss: float, test_accuracy: float, train_size: int,
             weights: str, test_size: int | None = None,
             cache_dir: str | Path | None = None) -> None:
        """Keep this run's record in the cache and show it in the notebook (``test_size``: how
        many test pictures the accuracy was measured on, for its interval)."""
        result = self.record(model, history, test_loss, test_accuracy, train_size, weights,
                             test_size)
        path = result_path(self.notebook, self.parameters, cache_dir)
        atomic_write_text(path, json.dumps(result, indent=1))
        _show(result)


def _show(result: dict) -> None:
    """Display the record (text and :data:`RESULT_MIME`); outside a notebook, print the text."""
    summary = (f"Saved for notebook 05: {result['method']}, test accuracy "
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


def collect_results(given: Mapping[str, object],
                 cache_dir: str | Path | None = None) -> tuple[list[dict], dict[str, dict]]:
    """The newest record of each method notebook run with ``given``, for notebook 05.

    A value of None in ``given`` means "any value" (each notebook's own default, usually);
    every other value must match the record's parameter of that name, where the notebook has
    one. Returns the records found, in method order, and, for each notebook without one, the
    parameters it must be run with (the given values it declares).
    """
    folder = Path(cache_dir or default_cache_dir()) / "results"
    wanted = {name: value for name, value in given.items() if value is not None}
    found, missing = [], {}
    for notebook in METHODS:
        records = []
        for path in sorted(folder.glob(f"{notebook}-*.json")):
            try:
                record = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            parameters = record.get("parameters", {})
            if all(parameters.get(name, value) == value for name, value in wanted.items()):
                records.append(record)
        if records:
            found.append(max(records, key=lambda record: record.get("saved_at", 0.0)))
        else:
            missing[notebook] = {name: value for name, value in wanted.items()
                                 if name in METHOD_DEFAULTS[notebook]}
    return found, missing
