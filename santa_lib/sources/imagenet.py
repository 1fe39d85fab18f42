"""VGG19's ImageNet weights file: where Keras keeps it, fetching it, installing a copy offline.

With ``weights="imagenet"`` Keras downloads ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``
(80 MB) on first use into ``$KERAS_HOME/models`` (or ``~/.keras/models``) and checks it against
the hash it publishes. This module uses Keras' own ``keras.utils.get_file`` for that, the same
cache and the same hash, so the lesson can fetch the file before building the network (and say
plainly what happened when it cannot), and so ``python -m santa_lib weights install FILE`` can
put a copy downloaded elsewhere where Keras looks for it. :mod:`santa_lib.weights` decides which
weights a notebook gets.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from santa_lib.internals.environment import keras_home
from santa_lib.internals.files import atomic_write
from santa_lib.sources.network import Probe

WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + WEIGHTS_FILE
)
WEIGHTS_MD5 = "253f8cb515780f3b799900260a226db6"
"""The hash Keras checks the no-top file against (``keras.applications.vgg19``)."""


class WeightsError(RuntimeError):
    """The requested weights cannot be used; the message says what to do instead."""


def keras_models_dir() -> Path:
    """The folder Keras downloads pretrained weights into: ``$KERAS_HOME/models`` or
    ``~/.keras/models``, found as Keras finds it, without importing Keras (a sweep's client
    asks, and need not start TensorFlow for it)."""
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
        atomic_write(destination, lambda temp: shutil.move(checked, temp))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination


def imagenet_available(probe: Probe, cache_only: bool = False) -> tuple[bool, str]:
    """Can ``weights="auto"`` have ImageNet's weights: cached, or (unless ``cache_only``) their
    host reachable now? ``(answer, why not)``. ``probe`` is
    :func:`santa_lib.sources.network.host_reachable` or a stand-in; nothing is downloaded."""
    if cached_weights_path().is_file():
        return True, ""
    if cache_only:
        return False, "the ImageNet weights are not cached"
    reachable, reason = probe(WEIGHTS_URL)
    return (True, "") if reachable else (False, f"the ImageNet weights are not cached and "
                                                f"{reason}")


def download_weights() -> Path:
    """Fetch the file into Keras' cache as ``keras.applications.VGG19(weights="imagenet")``
    would (same address, folder and hash check); returns its path. Raises what Keras raises."""
    import keras

    return Path(keras.utils.get_file(WEIGHTS_FILE, WEIGHTS_URL, cache_subdir="models",
                                     file_hash=WEIGHTS_MD5))


def check_weights_file(path: Path, image_size: int) -> None:
    """Refuse a weights file that does not fill every tensor of VGG19 without its top.

    Keras 3 only warns when a ``.weights.h5`` file does not match the model, and keeps random
    values for what it could not load; the lesson makes that an error, before any training.
    """
    import keras

    model = keras.applications.VGG19(weights=None, include_top=False,
                                     input_shape=(image_size, image_size, 3))
    initial = model.get_weights()
    advice = (f"Give a VGG19 no-top weights file such as Keras' {WEIGHTS_FILE} "
              "(`python -m santa_lib weights install FILE` checks one).")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.load_weights(str(path))
        except Exception as error:
            raise WeightsError(f"weights file {path} does not fit VGG19 without its top at "
                               f"{image_size}x{image_size}: {error}. {advice}") from error
    # Kernels start random, so one still equal to its initial value was not loaded (biases
    # start at zero and may legitimately stay there).
    untouched = [variable.path for variable, before in zip(model.weights, initial, strict=True)
                 if np.any(before) and np.array_equal(variable.numpy(), before)]
    if untouched or any("Skipping" in str(warning.message) for warning in caught):
        missing = ", ".join(untouched[:4]) or "some layers"
        raise WeightsError(f"weights file {path} does not fit VGG19 without its top: it left "
                           f"{missing} without weights. {advice}")
