"""The records of the method notebooks' runs: what they hold, where they are filed, how notebook
05 and the sweeps find them (used by :mod:`santa_lib.internals.results`, notebook 05, sweeps).

A record is filed in the lesson's cache under a key made from its notebook, every parameter it
ran with (``"auto"`` replaced by what it chose) and the Keras backend (:func:`key_parameters`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from santa_lib.internals.cache import cache_key, default_cache_dir

RESULT_MIME = "application/vnd.santa-lib.result+json"
"""Mime type of the result bundle a method notebook displays (read by ``tools/run_lessons.py``).

The bundle's JSON has the keys ``notebook`` (file stem, e.g. ``"02_frozen_base_augmentation"``),
``method``, ``test_accuracy``, ``test_loss``, ``test_size`` (test pictures scored),
``test_labels`` and ``test_probabilities`` (each test picture's class and P(class 1), in the
split's order), ``test_pictures`` (a fingerprint of the test split: two records are paired only
when it is the same), ``seconds`` (the method's own part), ``head``
(method 3: ``{"seconds", "images_seen", "source", "history"}`` of the head training it builds
on; else
None), ``features`` (method 1: ``{"seconds", "seconds_now", "source"}`` of extracting the
features it builds on, in full even when read from the cache; else None), ``scored_epoch``
(1-based: whose weights were tested), ``data`` (the pictures:
``embedded``, ``photos`` or a folder), ``weights`` (in words), ``backend``, ``precision``,
``trainable_parameters``, ``images_seen``, ``parameters`` (name to value, as the notebook ran),
``key`` (what the record is filed by, :func:`key_parameters`), ``environment`` (machine, host,
libraries: :func:`santa_lib.internals.environment.environment`), ``history`` (metric name to
per-epoch values), ``saved_at`` (seconds since the epoch) and, for a record a sweep filed,
``sweep`` (``{"concurrency", "cores", "worker", "retried"}``: how it ran on Dask).
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
_CORE = {"data_dir": "auto", "weights": "auto", "image_size": 64}
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
    "04_from_scratch": {"data_dir": "auto", "image_size": 64, "batch_size": 20, "epochs": 20,
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


BASELINE = "04_from_scratch"
"""The notebook of the model trained with no pretraining, the methods' yardstick."""
NO_WEIGHTS = "none (trained from scratch)"
"""How the records name the weights of notebook 04's model, which starts from none."""


def method2_settings(notebook: str, parameters: Mapping[str, object]) -> dict[str, object]:
    """The settings of the method-2 model a run of notebook 02 makes, or a run of notebook 03
    starts from (03's ``head_epochs`` and ``head_learning_rate`` are 02's ``epochs`` and
    ``learning_rate``), from that run's ``parameters`` (or its record's key, with its pictures,
    weights and backend)."""
    renames = HEAD_SETTINGS if notebook == "03_fine_tuning" else {}
    names = [*METHOD2_SETTINGS, *(["backend"] if "backend" in parameters else [])]
    return {name: parameters[renames.get(name, name)] for name in names}


def key_parameters(parameters: Mapping[str, object], data: str, weights: str | None,
                   backend: str) -> dict[str, object]:
    """What a record is filed and found by: the parameters a notebook ran with, where
    ``data_dir`` becomes the pictures it used (``embedded``, ``photos`` or the folder),
    ``weights`` (when it has the parameter) the base's weights (``imagenet``, ``random`` or the
    file), and the Keras ``backend``. Runs that chose differently under ``"auto"`` never mix."""
    key = {**parameters, "data_dir": data, "backend": backend}
    if "weights" in parameters:
        key["weights"] = weights
    return key


def result_path(notebook: str, key: Mapping, cache_dir: str | Path | None = None) -> Path:
    """Where the record of ``notebook`` run with exactly ``key`` (:func:`key_parameters`) is
    kept."""
    digest = cache_key("result-v3", notebook, sorted(key.items()))
    return Path(cache_dir or default_cache_dir()) / "results" / f"{notebook}-{digest}.json"


def load_result(notebook: str, key: Mapping, cache_dir: str | Path | None = None) -> dict | None:
    """The record of ``notebook`` run with ``key``, or None when it has not run so."""
    try:
        return json.loads(result_path(notebook, key, cache_dir).read_text())
    except (OSError, ValueError):
        return None


def test_fingerprint(test) -> str:
    """Which test pictures, in which order, with which labels: a key of each picture's class
    folder and file name and its label (``test``: a :class:`santa_lib.data.Split`)."""
    names = [f"{Path(path).parent.name}/{Path(path).name}" for path in test.paths]
    return cache_key("test-pictures", names, [int(label) for label in test.labels])


def find_records(wanted: Mapping[str, object], cache_dir: str | Path | None = None,
                 ) -> tuple[list[dict], dict[str, dict]]:
    """The newest record of each method notebook filed by ``wanted`` (names of
    :func:`key_parameters` to values), for notebook 05.

    A value of None in ``wanted`` means "any value" (each notebook's own default, usually);
    every other value must match the record's key of that name, where the notebook has one.
    Returns the records found, in method order, and, for each notebook without one, the
    values it must be run with (those of ``wanted`` it declares).
    """
    folder = Path(cache_dir or default_cache_dir()) / "results"
    wanted = {name: value for name, value in wanted.items() if value is not None}
    found, missing = [], {}
    for notebook in METHODS:
        records = []
        for path in sorted(folder.glob(f"{notebook}-*.json")):
            try:
                record = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            key = record.get("key") if isinstance(record, dict) else None
            if isinstance(key, dict) and all(key.get(name, value) == value
                                             for name, value in wanted.items()):
                records.append(record)
        if records:
            found.append(max(records, key=lambda record: record.get("saved_at", 0.0)))
        else:
            missing[notebook] = {name: value for name, value in wanted.items()
                                 if name in METHOD_DEFAULTS[notebook]}
    return found, missing


def result_bundles(notebook: Mapping) -> list[dict]:
    """The records (:data:`RESULT_MIME` display bundles) an executed notebook shows, in order
    (``notebook``: its JSON as a dict, or nbformat's node)."""
    found = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            value = (output.get("data") or {}).get(RESULT_MIME)
            if value is not None:
                found.append(json.loads(value) if isinstance(value, str) else dict(value))
    return found


def data_of(record: Mapping) -> str:
    """A record's pictures: its ``data`` when it has one, else its parameters' ``data_dir``."""
    return str(record.get("data") or record.get("parameters", {}).get("data_dir"))


def machine_of(record: Mapping) -> str | None:
    """The machine a record (or a sweep's summary) was made on, where it says."""
    return record.get("machine") or (record.get("environment") or {}).get("machine")


def backend_of(summary: Mapping) -> str:
    """The backend a sweep summary's runs used: its ``keras_backend``, else its records'."""
    return summary.get("keras_backend") or ", ".join(sorted({
        str(run["backend"]) for run in summary["runs"] if run.get("backend")})) or "not recorded"


def weights_kind(record: Mapping) -> str:
    """A record's base weights as its key names them: ``imagenet``, ``random``, a file's path,
    or ``none`` (notebook 04); read off the ``weights`` label for records made before keys."""
    key = record.get("key") or {}
    if record.get("notebook") == BASELINE or str(record.get("weights")) == NO_WEIGHTS:
        return "none"
    if key.get("weights"):
        return str(key["weights"])
    label = str(record.get("weights", "")).lower()
    return "random" if label.startswith("random") else "imagenet" if "imagenet" in label else label


def run_seconds(run: Mapping) -> float:
    """The time a run took: its own, plus the head it trained itself (notebook 03) or the
    features it computed itself (notebook 01)."""
    head = run.get("head") or {}
    own_head = head.get("seconds", 0.0) if head.get("source") == "trained in this notebook" else 0
    return run["seconds"] + own_head + (run.get("features") or {}).get("seconds_now", 0.0)
