"""What a run's record will be filed by, foretold on the client before the run (to skip runs
already done), as :func:`santa_lib.internals.records.key_parameters` files it in the notebook.

The parameters are those the notebook runs with: what papermill gives it, over the defaults of
the ``parameters`` cell of the notebook text actually sent (not the committed defaults: an
edited notebook keys by its own values). ``"auto"`` is settled as the notebook settles it, now:
the pictures by :func:`santa_lib.sources.photos.auto_source`, the weights by
:func:`santa_lib.sources.imagenet.imagenet_available`; the backend is read as Keras will read it
(``KERAS_BACKEND``, else ``keras.json``), without importing Keras. A worker that settles
otherwise (the photos' host came back, another backend) files its record under its own key; the
next sweep runs that point again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from santa_lib.internals.environment import configured_backend
from santa_lib.internals.params import AUTO, ParameterError, checked_parameters
from santa_lib.internals.records import (
    METHOD_DEFAULTS,
    key_parameters,
    method2_settings,
    result_path,
)
from santa_lib.sources.network import Probe, host_reachable
from santa_lib.sources.settle import settled_data, settled_weights


@dataclass
class Settler:
    """Settles ``"auto"`` as a notebook would, asking each question (a network probe) once."""

    probe: Probe | None = None
    backend: str = field(default_factory=configured_backend)
    answers: dict[str, str] = field(default_factory=dict)

    def data(self, data_dir: object) -> str:
        """The pictures ``data_dir`` means: ``embedded``, ``photos`` or the folder's path."""
        if str(data_dir) != AUTO:
            return settled_data(str(data_dir))
        if "data" not in self.answers:
            self.answers["data"] = settled_data(AUTO, self.probe or host_reachable)
        return self.answers["data"]

    def weights(self, weights: object) -> str:
        """The base's weights ``weights`` means: ``imagenet``, ``random`` or the file's path."""
        if str(weights).lower() != "auto":
            return settled_weights(weights)
        if "weights" not in self.answers:
            self.answers["weights"] = settled_weights("auto", self.probe or host_reachable)
        return self.answers["weights"]


def parameters_as_run(notebook: str, defaults: Mapping[str, object],
                      given: Mapping[str, object]) -> dict[str, object]:
    """The parameters ``sl.Run`` keys ``notebook``'s record by: ``defaults`` (the notebook's own
    parameters cell) overridden by ``given``, checked as ``sl.Run`` checks them (a number
    written as text becomes that number). Values the check refuses are kept as they are: the run
    fails in the notebook, which says why, and leaves no record."""
    values = {name: given.get(name, defaults.get(name, committed))
              for name, committed in METHOD_DEFAULTS[notebook].items()}
    try:
        return checked_parameters(values)
    except (ParameterError, ValueError):
        return values


def record_key(notebook: str, parameters: Mapping[str, object],
               settler: Settler) -> dict[str, object]:
    """The key the run's record will be filed by (:func:`key_parameters`)."""
    weights = settler.weights(parameters["weights"]) if "weights" in parameters else None
    return key_parameters(parameters, settler.data(parameters["data_dir"]), weights,
                          settler.backend)


def key_digest(notebook: str, key: Mapping[str, object]) -> str:
    """The record file's digest: its name without the notebook's name and ``.json``."""
    return result_path(notebook, key, "").stem[len(notebook) + 1:]


def method2_of(notebook: str, key: Mapping[str, object]) -> tuple | None:
    """The method-2 model a run of 02 makes or a run of 03 starts from, as comparable values
    (03's ``head_epochs`` and ``head_learning_rate`` are 02's ``epochs`` and ``learning_rate``;
    the pictures, weights and backend as settled); None for 01 and 04."""
    if notebook not in ("02_frozen_base_augmentation", "03_fine_tuning"):
        return None
    return tuple(json.dumps(value, default=str)
                 for value in method2_settings(notebook, key).values())
