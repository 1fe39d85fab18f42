"""Every notebook parameter's rule, checked before any work starts (used by every notebook).

Papermill's ``-p name value`` guesses each value's type, and parameter files can say anything,
so each notebook checks its parameters first: one clear error names the parameter and the value
received, instead of a traceback from deep inside Keras twenty minutes later. This module is the
one home of those rules; the modules that use a value call the rule from here. It is also the one
reader of parameters files (:func:`load_parameters_file`: ``make lessons``, the student copies,
the sweeps' grids) and of a notebook's ``parameters`` cell (:func:`parameters_cell`).
"""

from __future__ import annotations

import ast
import json
import operator
import os
import re
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path

AUTO = "auto"
"""The ``data_dir`` value that picks the 2022 photos where they can be had, else the embedded
pictures (:func:`santa_lib.data.choose_data`): every notebook's default."""
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
    """``data_dir``: ``"auto"``, ``"embedded"``, ``"photos"`` or an existing folder."""
    keywords = (f"{AUTO!r} (the 2022 photos where they can be had, else the built-in pictures), "
                f"{EMBEDDED!r} (the built-in synthetic pictures) or {PHOTOS!r} (the 2022 photos)")
    if not isinstance(data_dir, (str, os.PathLike)) or not str(data_dir).strip():
        raise ValueError(f"data_dir must be a folder holding train/, validation/ and test/, "
                         f"or {keywords}; got {data_dir!r}.")
    if str(data_dir) not in (AUTO, EMBEDDED, PHOTOS) and not Path(data_dir).expanduser().is_dir():
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


NUMBER_TEXT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
"""A number written out in decimal: ``1e-5``, ``2.5E-4``, ``.001``, ``10``."""


def number_from_text(value: object) -> object:
    """The float that text such as ``"1e-5"`` means (YAML 1.1, which papermill's ``-f FILE``
    reads with, gives ``1e-5`` as text); any other value as it is."""
    if isinstance(value, str) and NUMBER_TEXT.match(value.strip()):
        return float(value.strip())
    return value


def _learning_rate(name: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        number = number_from_text(value)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not number > 0:
            raise ValueError(f"{name} must be a number > 0, got {value!r}.")
        return number

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
    """Apply each parameter's rule; return the parameters as given, for the run's record, except
    that a number written as text (``"1e-5"``) comes back as the number it means.

    Raises :class:`ParameterError` for the first unusable value, and for a name no notebook
    knows (a misspelt parameter would otherwise be ignored), listing the known names.
    """
    unknown = sorted(set(parameters) - set(RULES))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown}; the lesson's parameters are "
                             f"{sorted(RULES)}.")
    checked = dict(parameters)
    for name, value in parameters.items():
        try:
            meant = RULES[name](value)
        except ValueError as error:
            raise ParameterError(str(error)) from None
        if isinstance(value, str) and isinstance(meant, (int, float)):
            checked[name] = meant
    return checked


def checked_parameters(namespace: Mapping[str, object],
                       none_means_default: bool = False) -> dict[str, object]:
    """The lesson's parameters that a notebook's namespace holds (``globals()`` right after its
    ``parameters`` cell), each checked by its rule; returns them by name.

    A number written as text (``learning_rate = "1e-5"``, as papermill's ``-f FILE.yaml``
    injects YAML 1.1's reading of ``1e-5``) is accepted and returned as the float it means, and,
    when ``namespace`` can be written (a notebook's ``globals()``), replaced there too, so the
    notebook's later cells see a float.

    With ``none_means_default`` (notebooks 00 and 04, whose training settings are ``None`` for
    "each notebook's own default") a ``None`` is kept without a check.
    """
    found = {name: namespace[name] for name in RULES if name in namespace}
    checked = check_parameters(**{name: value for name, value in found.items()
                                  if not (none_means_default and value is None)})
    for name, value in checked.items():
        if value is not found[name]:
            found[name] = value
            if isinstance(namespace, MutableMapping):
                namespace[name] = value
    return found


class ParameterFileError(ValueError):
    """A parameters (or grid) file that cannot be read: the message names it and what to do."""


def _number_loader(yaml):
    """PyYAML's safe loader, reading ``1e-5`` (text for YAML 1.1) as the float it means."""
    loader = type("NumberLoader", (yaml.SafeLoader,), {})
    loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?$"
                   r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
        list("-+0123456789."))
    return loader


def load_parameters_file(path: str | os.PathLike, what: str = "parameters file",
                         example: str = "params/smoke.yaml") -> dict[str, object]:
    """The mapping in a YAML parameters file (``name: value``; empty file: ``{}``), with every
    number read as a number, ``1e-5`` included (``make lessons PARAMS=``, the student copies,
    the sweeps' grids).

    Raises :class:`ParameterFileError` naming the file (as ``what``), the line of a YAML error
    and what to do (``example``: a file to follow).
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        why = "not found" if isinstance(error, FileNotFoundError) else f"unreadable ({error})"
        raise ParameterFileError(f"{what} {path} {why}: give a YAML file such as "
                                 f"{example}.") from None
    try:
        values = yaml.load(text, Loader=_number_loader(yaml))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark else ""
        raise ParameterFileError(f"{what} {path} is not readable YAML{line}: fix it, as in "
                                 f"{example}.") from None
    if not isinstance(values, dict) and values is not None:
        raise ParameterFileError(f"{what} {path} must hold a mapping of name: value, as "
                                 f"{example} does.")
    return values or {}


def parameters_cell(notebook: str | os.PathLike | Mapping) -> dict[str, object]:
    """The values that a notebook's cell tagged ``parameters`` assigns (its ``name = literal``
    lines), by name; empty without such a cell. ``notebook``: a notebook file, or the notebook
    as read (nbformat's node or the file's JSON as a dict).

    Raises ``ValueError`` naming the notebook when that cell is not ``name = literal`` lines.
    """
    where = "the notebook" if isinstance(notebook, Mapping) else str(notebook)
    if not isinstance(notebook, Mapping):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            try:
                return {node.targets[0].id: ast.literal_eval(node.value)
                        for node in ast.parse(source).body
                        if isinstance(node, ast.Assign) and len(node.targets) == 1
                        and isinstance(node.targets[0], ast.Name)}
            except (SyntaxError, ValueError) as error:
                raise ValueError(f"the parameters cell of {where} is not `name = literal` "
                                 f"lines ({error}): restore it from the lesson's "
                                 "notebooks.") from None
    return {}
