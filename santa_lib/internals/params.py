"""Every notebook parameter's rule, checked before any work starts (used by every notebook).

Papermill's ``-p name value`` guesses each value's type, and parameter files can say anything,
so each notebook checks its parameters first: one clear error names the parameter and the value
received, instead of a traceback from deep inside Keras twenty minutes later. This module is the
one home of those rules; the modules that use a value call the rule from here.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Mapping
from pathlib import Path

EMBEDDED = "embedded"
"""The ``data_dir`` value for the synthetic pictures (:mod:`santa_lib.sources.embedded`)."""
PHOTOS = "photos"
"""The ``data_dir`` value for the 2022 lesson's photos (:mod:`santa_lib.sources.photos`)."""
WEIGHTS_CHOICES = ("auto", "imagenet", "random")
PRECISIONS = ("float32", "bfloat16")
MIN_IMAGE_SIZE = 32
"""VGG19 halves the picture five times: 32 pixels become 1."""
VGG19_CONVOLUTIONS_PER_BLOCK = (2, 2, 4, 4, 4)
VGG19_LAYER_NAMES: tuple[str, ...] = tuple(
    name
    for block, convolutions in enumerate(VGG19_CONVOLUTIONS_PER_BLOCK, start=1)
    for name in [*(f"block{block}_conv{i}" for i in range(1, convolutions + 1)),
                 f"block{block}_pool"]
)
"""The names of VGG19's layers without its top, in order, as ``keras.applications`` makes them."""


class ParameterError(ValueError):
    """A notebook parameter has a value the lesson cannot use."""


def whole_number(value: object, name: str, minimum: int = 0, maximum: int | None = None,
                 why: str = "") -> int:
    """``value`` as an ``int`` (Python or NumPy integer, not a bool), at least ``minimum`` and at
    most ``maximum``; otherwise a ``ValueError`` naming ``name`` (``why`` is added in brackets)."""
    try:
        number = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        bounds = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise ValueError(f"{name} must be a whole number {bounds}"
                         + (f" ({why})" if why else "") + f", got {value!r}.")
    return number


def check_data_dir(data_dir: object) -> str:
    """``data_dir``: ``"embedded"``, ``"photos"`` or an existing folder."""
    keywords = f"{EMBEDDED!r} (the built-in synthetic photos) or {PHOTOS!r} (the 2022 photos)"
    if not isinstance(data_dir, (str, os.PathLike)) or not str(data_dir).strip():
        raise ValueError(f"data_dir must be a folder holding train/, validation/ and test/, "
                         f"or {keywords}; got {data_dir!r}.")
    if str(data_dir) not in (EMBEDDED, PHOTOS) and not Path(data_dir).expanduser().is_dir():
        raise ValueError(
            f"data_dir {str(data_dir)!r} is not an existing folder (looked for "
            f"{Path(data_dir).expanduser().resolve()}). Give a folder holding train/, "
            f"validation/ and test/ (one sub-folder per class), or {keywords}."
        )
    return str(data_dir)


def check_weights(weights: object) -> str | Path:
    """``weights``: ``"auto"``, ``"imagenet"``, ``"random"`` (or None) or a file's path."""
    if weights is None or (isinstance(weights, str) and weights.lower() in ("random", "none")):
        return "random"
    if isinstance(weights, str) and weights.lower() in ("auto", "imagenet"):
        return weights.lower()
    if isinstance(weights, (str, os.PathLike)) and str(weights).strip():
        path = Path(weights).expanduser()
        if path.is_file():
            return path
    raise ValueError(
        f"weights must be one of {list(WEIGHTS_CHOICES)} or the path of an existing VGG19 "
        f"no-top weights file (.h5), got {weights!r}. Use 'auto' (ImageNet when available, "
        "else random), 'imagenet', 'random', or a file path."
    )


def check_image_size(image_size: object) -> int:
    """``image_size``: VGG19 without its top needs squares of 32 pixels or more."""
    return whole_number(image_size, "image_size", MIN_IMAGE_SIZE,
                        why="VGG19 halves the picture five times")


def check_precision(precision: object) -> str:
    """``precision``: one of :data:`PRECISIONS`."""
    if not isinstance(precision, str) or precision.lower() not in PRECISIONS:
        raise ValueError(f"precision must be one of {list(PRECISIONS)}, got {precision!r}.")
    return precision.lower()


def check_layer_name(name: object) -> str:
    """``unfreeze_from_layer``: one of VGG19's layer names, listed if not."""
    if not isinstance(name, str) or name not in VGG19_LAYER_NAMES:
        raise ValueError(f"unfreeze_from_layer must name a layer of VGG19, got {name!r}. Its "
                         f"layers are: {', '.join(VGG19_LAYER_NAMES)}.")
    return name


def check_my_photo(my_photo: object) -> object:
    """``my_photo``: None (a few test pictures), or the path of a picture file."""
    if my_photo is None:
        return None
    if isinstance(my_photo, (str, os.PathLike)) and str(my_photo).strip():
        path = Path(my_photo).expanduser()
        if path.is_file():
            return path
        raise ValueError(f"my_photo {str(my_photo)!r} is not a file (looked for "
                         f"{path.resolve()}). Give the path of a picture (JPEG, PNG, WebP, ...) "
                         "or None for a few test pictures.")
    raise ValueError(f"my_photo must be the path of a picture file, or None for a few test "
                     f"pictures; got {my_photo!r}.")


def _whole_from_one(name: str) -> Callable[[object], object]:
    return lambda value: whole_number(value, name, 1)


def _learning_rate(name: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{name} must be a number > 0, got {value!r}.")
        return value

    return check


def _steps_per_epoch(value: object) -> object:
    """None (every training image once per epoch) or a whole number >= 1 (smoke runs)."""
    return value if value is None else whole_number(value, "steps_per_epoch", 1)


RULES: dict[str, Callable[[object], object]] = {
    "data_dir": check_data_dir,
    "weights": check_weights,
    "image_size": check_image_size,
    "batch_size": _whole_from_one("batch_size"),
    "epochs": _whole_from_one("epochs"),
    "head_epochs": _whole_from_one("head_epochs"),
    "learning_rate": _learning_rate("learning_rate"),
    "head_learning_rate": _learning_rate("head_learning_rate"),
    "steps_per_epoch": _steps_per_epoch,
    "unfreeze_from_layer": check_layer_name,
    "precision": check_precision,
    "seed": lambda value: whole_number(value, "seed", 0),
    "my_photo": check_my_photo,
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


def checked_parameters(namespace: Mapping[str, object],
                       none_means_default: bool = False) -> dict[str, object]:
    """The lesson's parameters that a notebook's namespace holds (``globals()`` right after its
    ``parameters`` cell), each checked by its rule; returns them by name.

    With ``none_means_default`` (notebooks 00 and 04, whose training settings are ``None`` for
    "each notebook's own default") a ``None`` is kept without a check.
    """
    found = {name: namespace[name] for name in RULES if name in namespace}
    check_parameters(**{name: value for name, value in found.items()
                        if not (none_means_default and value is None)})
    return found
