"""Each method notebook's run: parameters checked, a clock, and a record for the comparison.

A method notebook (01-04) starts with ``run = sl.Run("01_feature_extraction", globals())``, which
checks the parameters its ``parameters`` cell set and starts the clock; ``run.uses(pictures,
choice)`` notes which pictures and weights ``"auto"`` settled on; ``run.stop_clock()`` after the
test score stops it; ``run.save(...)`` at the end keeps a small JSON record of the run
(parameters, test scores and each test picture's answer, training history, the epoch scored,
time, pictures, weights, backend, precision, machine and libraries, trainable parameters, images
seen; for method 3, the cost of the head it builds on). The record goes to two places:

- the lesson's cache, under a key made from the notebook's name, every parameter it ran with
  (``"auto"`` replaced by what it chose) and the Keras backend (:func:`key_parameters`):
  notebook 05 finds the runs made with the parameters it is given, and runs made with other
  parameters, pictures, weights or backend never mix in;
- the notebook's own output, as a display bundle of type :data:`RESULT_MIME` (with a one-line
  text form), so ``tools/run_lessons.py`` reads the results of the very notebooks it executed.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from santa_lib.internals.environment import environment
from santa_lib.internals.files import atomic_write_text
from santa_lib.internals.params import checked_parameters
from santa_lib.internals.records import (
    METHOD_DEFAULTS,
    METHODS,
    NO_WEIGHTS,
    RESULT_MIME,
    key_parameters,
    load_result,
    method2_settings,
    result_path,
    test_fingerprint,
)
from santa_lib.internals.timing import format_duration


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
        # checked in the namespace itself: a number written as text ("1e-5", as papermill -f
        # passes it) becomes the number there too, for the notebook's later cells
        checked = checked_parameters(namespace)
        self.parameters = {name: checked[name] for name in METHOD_DEFAULTS[notebook]}
        self.started = time.perf_counter()
        self.seconds: float | None = None
        self.head: dict | None = None
        self.features: dict | None = None
        self.data: str | None = None
        self.weights, self.weights_source = NO_WEIGHTS, None

    def uses(self, pictures: object, weights: object | None = None) -> None:
        """Note what this run settled on: ``pictures`` (a :class:`santa_lib.data.DataChoice`)
        and the base's ``weights`` (a :class:`santa_lib.weights.WeightsChoice`; None for
        notebook 04, whose model starts from none). Its record is filed by them."""
        self.data = pictures.label
        if weights is not None:
            self.weights, self.weights_source = weights.label, weights.source

    def key(self, parameters: Mapping[str, object] | None = None) -> dict[str, object]:
        """What this run's record (or, given ``parameters``, another notebook's record made with
        the same pictures, weights and backend) is filed by: :func:`key_parameters`."""
        if self.data is None:
            raise RuntimeError("run.uses(pictures, choice) must come first: it notes which "
                               "pictures and weights this run uses, which its record is filed by.")
        import keras

        return key_parameters(self.parameters if parameters is None else parameters, self.data,
                              self.weights_source, keras.backend.backend())

    def method2_settings(self) -> dict[str, object]:
        """The settings of the method-2 model this run makes (02) or starts from (03)."""
        return method2_settings(self.notebook, self.parameters)

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

    def record_features(self, features: object) -> None:
        """Method 1: what extracting its features cost (``features``: what
        :func:`santa_lib.features.extract_features` returned), counted like method 3's head: in
        full, whether computed now or read from the cache, where an earlier run paid for it."""
        source = ("computed in this notebook" if features.seconds_now >= features.seconds
                  else "read from the cache" if not features.seconds_now
                  else "partly read from the cache")
        self.features = {"seconds": float(features.seconds),
                         "seconds_now": float(features.seconds_now), "source": source}

    def head_history(self) -> dict[str, list[float]] | None:
        """Method 3: the per-epoch history of the head training it builds on, when known (from
        this run, or from notebook 02's record), so both phases can be drawn as one run."""
        return (self._head_cost() or {}).get("history")

    def _head_cost(self) -> dict | None:
        if self.notebook != "03_fine_tuning" or self.head is not None:
            return self.head
        record = load_result("02_frozen_base_augmentation", self.key(self.method2_settings()))
        if record is None:
            return None
        return {"seconds": record["seconds"], "images_seen": record["images_seen"],
                "source": "notebook 02's run", "history": record.get("history")}

    def record(self, model: object, history: object, test_loss: float, test_accuracy: float,
               test_probabilities: object, test: object, train_size: int) -> dict:
        """This run's record, as :meth:`save` keeps it (see :data:`RESULT_MIME`)."""
        import keras

        if self.seconds is None:
            self.stop_clock()
        head = self._head_cost()
        own = (self.seconds - (self.head or {}).get("seconds", 0.0)
               - (self.features or {}).get("seconds_now", 0.0))
        values = history_values(history)
        probabilities = [float(p) for p in np.asarray(test_probabilities, "float64").ravel()]
        if len(probabilities) != len(test):
            raise ValueError(f"{len(probabilities)} test probabilities for {len(test)} test "
                             "pictures: give one per picture, in the split's order.")
        key = self.key()
        return {
            "notebook": self.notebook, "method": METHODS[self.notebook],
            "test_accuracy": float(test_accuracy), "test_loss": float(test_loss),
            "test_size": len(test), "test_labels": [int(label) for label in test.labels],
            "test_probabilities": probabilities, "test_pictures": test_fingerprint(test),
            "seconds": float(own), "head": head, "scored_epoch": scored_epoch(values),
            "features": self.features,
            "data": self.data, "weights": self.weights, "backend": key["backend"],
            "precision": keras.mixed_precision.global_policy().compute_dtype,
            "trainable_parameters": trainable_parameters(model),
            "images_seen": images_seen(values, self.parameters, train_size),
            "parameters": dict(self.parameters), "key": key, "environment": environment(),
            "history": values, "saved_at": time.time(),
        }

    def save(self, model: object, history: object, test_loss: float, test_accuracy: float,
             test_probabilities: object, test: object, train_size: int,
             cache_dir: str | Path | None = None) -> None:
        """Keep this run's record in the cache and show it in the notebook: ``test_loss`` and
        ``test_accuracy`` as ``evaluate`` gave them, ``test_probabilities`` each test picture's
        P(class 1) as ``predict`` gave it, ``test`` the test split, ``train_size`` how many
        training pictures there are (for the pictures seen)."""
        result = self.record(model, history, test_loss, test_accuracy, test_probabilities, test,
                             train_size)
        atomic_write_text(result_path(self.notebook, result["key"], cache_dir),
                          json.dumps(result, indent=1))
        _show(result)


def _cost(result: dict) -> str:
    """The record's time as notebook 05 counts it: the method's own seconds, plus the features
    (method 1) or the head (method 3) it builds on, where known."""
    own = result["seconds"]
    for part, what in (("features", "extracting the features"), ("head", "the head's training")):
        cost = result.get(part)
        if cost:
            return (f"{own + cost['seconds']:.0f} s in all: {own:.0f} s of its own and "
                    f"{cost['seconds']:.0f} s {what}")
    if result["notebook"] == "03_fine_tuning":
        return f"{own:.0f} s of its own (the head's training not recorded)"
    return f"{own:.0f} s"


def _show(result: dict) -> None:
    """Display the record (text and :data:`RESULT_MIME`); outside a notebook, print the text."""
    summary = (f"Saved for notebook 05: {result['method']}, test accuracy "
               f"{result['test_accuracy']:.3f}, {_cost(result)}.")
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:  # not in a notebook
        print(summary)
    else:
        display({"text/plain": summary, RESULT_MIME: result}, raw=True)
