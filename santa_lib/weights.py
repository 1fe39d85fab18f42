"""Where VGG19's weights come from: ImageNet through Keras' cache, a file, or random (00-03).

The notebooks' ``weights`` parameter takes one of:

- ``"auto"`` (the default): ImageNet weights when Keras has them cached or can download them;
  otherwise random weights, with a plain message saying so, why, and how to get the real ones;
- ``"imagenet"``: ImageNet weights or a fast, clear failure; never a silent fallback;
- ``"random"`` (or ``None``): seeded random weights, calibrated on training images
  (:func:`santa_lib.base.calibrate`);
- a path to a VGG19 no-top weights file (``.h5`` or ``.weights.h5``).

:func:`choose_weights` settles that choice without building anything (a probe of the download
host takes at most a few seconds); :mod:`santa_lib.base` then builds the network from it.
Downloads, the cache folder and the hash check are Keras' own (``keras.utils.get_file``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from santa_lib.network import host_reachable

WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + WEIGHTS_FILE
)
WEIGHTS_MD5 = "253f8cb515780f3b799900260a226db6"
"""The hash Keras checks the no-top file against (``keras.applications.vgg19``)."""

WEIGHTS_CHOICES = ("auto", "imagenet", "random")


class WeightsError(RuntimeError):
    """The requested weights cannot be used; the message says what to do instead."""


def keras_models_dir() -> Path:
    """The folder Keras downloads pretrained weights into: ``$KERAS_HOME/models`` or
    ``~/.keras/models``, as Keras itself settled it when it was imported."""
    from keras.src.backend.config import keras_home

    return Path(keras_home()) / "models"


def cached_weights_path() -> Path:
    """Where Keras looks for the VGG19 no-top ImageNet weights before downloading them."""
    return keras_models_dir() / WEIGHTS_FILE


def how_to_get_weights() -> str:
    """Advice for a machine that cannot download the ImageNet weights."""
    return (
        f"To use ImageNet weights offline, download {WEIGHTS_URL} on a machine with internet, "
        f"then copy it to {cached_weights_path()} "
        "(or run `python -m santa_lib weights install FILE`) and re-run."
    )


def check_weights(weights: object) -> str | Path:
    """The ``weights`` parameter as ``"auto"``, ``"imagenet"``, ``"random"`` or a file path.

    Raises ``ValueError`` naming the parameter for anything else.
    """
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


@dataclass(frozen=True)
class WeightsChoice:
    """Which weights the base gets: ``kind`` is ``"imagenet"``, ``"random"`` or ``"file"``.

    ``fallback_reason`` is set when ``"auto"`` fell back to random weights; ``path`` is the
    weights file for ``"file"`` (and the Keras cache file for ``"imagenet"``).
    """

    kind: str
    path: Path | None = None
    fallback_reason: str | None = None

    @property
    def label(self) -> str:
        """Short form for tables and results: ``imagenet``, ``random``, ``random (offline
        fallback)`` or ``file``."""
        return "random (offline fallback)" if self.fallback_reason else self.kind

    @property
    def note(self) -> str:
        """What a notebook prints about its weights, with the fallback said plainly."""
        if self.kind == "imagenet":
            return f"Using ImageNet weights ({self.path})."
        if self.kind == "file":
            return f"Using VGG19 weights from {self.path}."
        if self.fallback_reason is None:
            return ("Using random VGG19 weights (asked for), calibrated on training images: "
                    "no ImageNet features.")
        return ("OFFLINE FALLBACK: using RANDOM VGG19 weights, calibrated on training images, "
                f"instead of ImageNet ones. Why: {self.fallback_reason}. "
                + how_to_get_weights())


Probe = Callable[[str], tuple[bool, str]]


def choose_weights(weights: object = "auto", probe: Probe = host_reachable) -> WeightsChoice:
    """Settle which weights ``weights`` means on this machine, now, without building VGG19.

    ``"imagenet"`` raises :class:`WeightsError` at once (with the advice) when the file is not
    cached and the download host cannot be reached; ``"auto"`` falls back to random weights.
    """
    choice = check_weights(weights)
    if choice == "random":
        return WeightsChoice("random")
    if isinstance(choice, Path):
        return WeightsChoice("file", path=choice)
    cached = cached_weights_path()
    if cached.is_file():
        return WeightsChoice("imagenet", path=cached)
    reachable, reason = probe(WEIGHTS_URL)
    if reachable:
        return WeightsChoice("imagenet", path=cached)
    why = f"the ImageNet weights are not cached and {reason}"
    if choice == "imagenet":
        raise WeightsError(f"weights='imagenet', but {why}. " + how_to_get_weights())
    return WeightsChoice("random", fallback_reason=why)


def weights_outlook(weights: object = "auto", probe: Probe = host_reachable) -> str:
    """Say, before the long notebooks, which weights notebooks 01-03 will use (notebook 00)."""
    try:
        choice = choose_weights(weights, probe)
    except WeightsError as error:
        return f"Notebooks 01-03 will stop at once: {error}"
    if choice.kind == "file":
        return f"Notebooks 01-03 will use the VGG19 weights in {choice.path}."
    if choice.kind == "imagenet":
        if choice.path is not None and choice.path.is_file():
            return f"Notebooks 01-03 will use the ImageNet weights cached at {choice.path}."
        return ("Notebooks 01-03 will use ImageNet weights: Keras downloads them (about 80 MB) "
                f"on first use and keeps them at {choice.path}.")
    if choice.fallback_reason is None:
        return "Notebooks 01-03 will use random VGG19 weights (asked for): no ImageNet features."
    return (f"OFFLINE: {choice.fallback_reason}, so notebooks 01-03 will fall back to random "
            "VGG19 weights, calibrated on training images. " + how_to_get_weights())


def install_weights(source: str | os.PathLike) -> Path:
    """Check a downloaded VGG19 no-top weights file and put it where Keras looks for it.

    Keras' own ``get_file`` copies it and checks the hash Keras publishes; the copy lands in the
    Keras cache only once it has passed (a wrong or truncated file raises :class:`WeightsError`,
    and nothing is installed). The source file is only read.
    """
    source = Path(source).expanduser().resolve()
    if not source.is_file():
        raise WeightsError(f"{source} is not a file. Download {WEIGHTS_URL} and give its path.")
    import keras

    destination = cached_weights_path()
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=destination.parent))
    try:
        try:
            checked = keras.utils.get_file(WEIGHTS_FILE, origin=source.as_uri(),
                                           cache_subdir=str(staging), file_hash=WEIGHTS_MD5)
        except ValueError as error:  # Keras: "Incomplete or corrupted file detected"
            raise WeightsError(
                f"{source} is not Keras' {WEIGHTS_FILE} ({source.stat().st_size:,} bytes; a "
                f"truncated download is the usual cause): {error} Download {WEIGHTS_URL} "
                "again; nothing was installed.") from None
        os.replace(checked, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination
