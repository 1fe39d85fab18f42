"""Checking a notebook's parameters before any work starts (used by every notebook).

Papermill's ``-p name value`` guesses each value's type, and parameter files can say anything,
so each notebook passes its parameters here first: one clear error names the parameter and the
value received, instead of a traceback from deep inside Keras twenty minutes later.
"""

from __future__ import annotations

import os
from pathlib import Path

from santa_lib.base import MIN_IMAGE_SIZE, WEIGHTS_CHOICES
from santa_lib.data import EMBEDDED
from santa_lib.precision import check_precision

WHOLE_NUMBERS_FROM_ONE = ("epochs", "head_epochs", "batch_size")
LEARNING_RATES = ("learning_rate", "head_learning_rate")


class ParameterError(ValueError):
    """A notebook parameter has a value the lesson cannot use."""


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_one(name: str, value: object) -> None:
    if name in WHOLE_NUMBERS_FROM_ONE or name == "steps_per_epoch":
        if name == "steps_per_epoch" and value is None:
            return
        if not _is_whole(value) or value < 1:
            raise ParameterError(f"{name} must be a whole number >= 1, got {value!r}.")
    elif name == "image_size":
        if not _is_whole(value) or value < MIN_IMAGE_SIZE:
            raise ParameterError(
                f"image_size must be a whole number >= {MIN_IMAGE_SIZE} (VGG19's smallest "
                f"input), got {value!r}."
            )
    elif name in LEARNING_RATES:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ParameterError(f"{name} must be a number > 0, got {value!r}.")
    elif name == "seed":
        if not _is_whole(value) or value < 0:
            raise ParameterError(f"seed must be a whole number >= 0, got {value!r}.")
    elif name == "data_dir":
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            raise ParameterError(
                f"data_dir must be a folder path or {EMBEDDED!r}, got {value!r}."
            )
        if str(value) != EMBEDDED and not Path(value).expanduser().is_dir():
            raise ParameterError(
                f"data_dir {str(value)!r} is not an existing folder. Give a folder holding "
                f"train/, validation/ and test/ (one sub-folder per class), or {EMBEDDED!r}."
            )
    elif name == "weights":
        if value is None or (isinstance(value, str) and value.lower() in (*WEIGHTS_CHOICES,
                                                                           "none")):
            return
        if not isinstance(value, (str, os.PathLike)) or not Path(value).expanduser().is_file():
            raise ParameterError(
                f"weights must be one of {list(WEIGHTS_CHOICES)} or the path of an existing "
                f"VGG19 no-top weights file, got {value!r}."
            )
    elif name == "precision":
        try:
            check_precision(value)
        except ValueError as error:
            raise ParameterError(str(error)) from None
    elif name == "unfreeze_from_layer":
        if not isinstance(value, str) or not value:
            raise ParameterError(f"unfreeze_from_layer must be a layer name, got {value!r}.")


def check_parameters(**parameters: object) -> None:
    """Raise :class:`ParameterError` for the first unusable parameter; print nothing if all fit.

    Known names: data_dir, weights, image_size, batch_size, epochs, head_epochs, learning_rate,
    head_learning_rate, steps_per_epoch (None or >= 1), seed, precision, unfreeze_from_layer.
    """
    for name, value in parameters.items():
        _check_one(name, value)
