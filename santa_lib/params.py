"""Checking a notebook's parameters before any work starts (used by every notebook).

Papermill's ``-p name value`` guesses each value's type, and parameter files can say anything,
so each notebook passes its parameters here first: one clear error names the parameter and the
value received, instead of a traceback from deep inside Keras twenty minutes later.

Each rule lives with the module that owns the value (``data_dir`` in :mod:`santa_lib.data`,
``weights`` in :mod:`santa_lib.weights`, ``image_size`` in :mod:`santa_lib.base`, ``precision``
in :mod:`santa_lib.precision`, ``unfreeze_from_layer`` in :mod:`santa_lib.freezing`); the
training settings' rules are here. :func:`check_parameters` applies them all.
"""

from __future__ import annotations

from collections.abc import Callable

from santa_lib.base import check_image_size
from santa_lib.data import check_data_dir
from santa_lib.freezing import check_layer_name
from santa_lib.precision import check_precision
from santa_lib.weights import check_weights


class ParameterError(ValueError):
    """A notebook parameter has a value the lesson cannot use."""


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def whole_from_one(name: str) -> Callable[[object], object]:
    """The rule for counts such as ``epochs`` and ``batch_size``: a whole number >= 1."""

    def check(value: object) -> object:
        if not _is_whole(value) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}.")
        return value

    return check


def check_learning_rate(name: str) -> Callable[[object], object]:
    """The rule for learning rates: a number > 0."""

    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{name} must be a number > 0, got {value!r}.")
        return value

    return check


def check_steps_per_epoch(value: object) -> object:
    """``None`` (every training image once per epoch) or a whole number >= 1 (smoke runs)."""
    return value if value is None else whole_from_one("steps_per_epoch")(value)


def check_seed(value: object) -> object:
    """One seed for Python, NumPy and Keras: a whole number >= 0."""
    if not _is_whole(value) or value < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {value!r}.")
    return value


RULES: dict[str, Callable[[object], object]] = {
    "data_dir": check_data_dir,
    "weights": check_weights,
    "image_size": check_image_size,
    "batch_size": whole_from_one("batch_size"),
    "epochs": whole_from_one("epochs"),
    "head_epochs": whole_from_one("head_epochs"),
    "learning_rate": check_learning_rate("learning_rate"),
    "head_learning_rate": check_learning_rate("head_learning_rate"),
    "steps_per_epoch": check_steps_per_epoch,
    "unfreeze_from_layer": check_layer_name,
    "precision": check_precision,
    "seed": check_seed,
}
"""Every parameter a lesson notebook may have, with the rule its value must follow."""


def check_parameters(**parameters: object) -> dict[str, object]:
    """Apply each parameter's rule; return the parameters as given, for the run's record.

    Raises :class:`ParameterError` for the first unusable value, and for a name no notebook
    knows (a misspelt parameter would otherwise be ignored), listing the known names.
    """
    unknown = sorted(set(parameters) - set(RULES))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown}; the lesson's parameters are "
                             f"{sorted(RULES)}.")
    for name, value in parameters.items():
        try:
            RULES[name](value)
        except ValueError as error:
            raise ParameterError(str(error)) from None
    return dict(parameters)
