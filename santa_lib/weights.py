"""Which weights VGG19 gets, and random weights made usable (home notebook: 01; also 00, 02, 03).

The notebooks build the base themselves, with the line a transfer-learning lesson is about::

    base = keras.applications.VGG19(weights=choice.keras_weights, include_top=False,
                                    input_shape=(image_size, image_size, 3))

This module only settles ``choice.keras_weights`` from the ``weights`` parameter, and says which
it is:

- ``"auto"`` (the default): ``"imagenet"`` when Keras has the file cached or can download it
  (it is fetched here, through Keras' own cache and hash check); otherwise random weights (the
  offline fallback), with a plain message saying so, why, and how to get the real ones;
- ``"imagenet"``: ImageNet weights or a fast, clear failure; never a silent fallback;
- ``"random"`` (or ``None``): seeded random weights;
- a path to a VGG19 no-top weights file, refused up front unless it fills every tensor.

Random weights straight from Keras (``weights=None``) teach nothing here (see :func:`lsuv`), so
for random weights the argument is a file of random weights drawn from the seed and calibrated
on training pictures, made once per key and kept in the lesson's cache
(:func:`calibrated_weights`). Pretrained weights are never touched.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from santa_lib.internals.cache import arrays_fingerprint, cache_key, default_cache_dir
from santa_lib.internals.files import atomic_write
from santa_lib.internals.params import check_image_size, check_weights
from santa_lib.sources.imagenet import (
    WEIGHTS_MD5,
    WeightsError,
    cached_weights_path,
    check_weights_file,
    download_weights,
    how_to_get_weights,
    imagenet_available,
)
from santa_lib.sources.network import Probe, host_reachable

CALIBRATION_IMAGES = 128
CALIBRATION_VERSION = "calibrated-v2"
"""Part of the calibrated weights' cache key: bumped whenever drawing or calibrating changes."""


@dataclass(frozen=True)
class WeightsChoice:
    """Which weights the base gets: ``kind`` is ``"imagenet"``, ``"random"`` or ``"file"``.

    ``argument`` is what to pass to ``keras.applications.VGG19(weights=...)``: ``"imagenet"``,
    a weights file's path, or, for random weights, the file of calibrated random weights this
    module made (``None``, Keras' raw random weights, only when no training pictures were given).
    ``fallback_reason`` is set when ``"auto"`` fell back to random weights.
    """

    kind: str
    path: Path | None = None
    fallback_reason: str | None = None
    calibration: str = ""

    @property
    def keras_weights(self) -> str | None:
        """The ``weights=`` argument for ``keras.applications.VGG19``."""
        return None if self.path is None else (
            "imagenet" if self.kind == "imagenet" else str(self.path))

    @property
    def source(self) -> str:
        """What records are filed by (:func:`santa_lib.internals.records.key_parameters`):
        ``imagenet``, ``random`` or the file's path."""
        return str(self.path.resolve()) if self.kind == "file" else self.kind

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
        calibrated = f" {self.calibration}" if self.calibration else ""
        if self.fallback_reason is None:
            return (f"Using random VGG19 weights (asked for): no ImageNet features.{calibrated}")
        return (f"OFFLINE FALLBACK: RANDOM VGG19 weights, not ImageNet's ({self.fallback_reason})."
                f"{calibrated} Notebook 00 says how to get ImageNet's.")


def _imagenet_or_why(probe: Probe, download: bool) -> tuple[bool, str]:
    """Is the ImageNet file here (or fetched now)? ``(answer, why not)``."""
    available, why = imagenet_available(probe)
    if not available or not download or cached_weights_path().is_file():
        return available, why
    try:
        download_weights()
    except Exception as error:  # Keras raises a bare Exception for failed downloads
        return False, f"the ImageNet weights could not be downloaded ({error})"
    return True, ""


def choose_weights(weights: object = "auto", train_images: np.ndarray | None = None,
                   seed: int = 0, *, probe: Probe = host_reachable,
                   download: bool = True) -> WeightsChoice:
    """Settle which weights ``weights`` means on this machine, now (see the module docstring).

    ``"imagenet"`` raises :class:`~santa_lib.sources.imagenet.WeightsError` within seconds, with
    the advice, when the file is neither cached nor downloadable; ``"auto"`` falls back to
    random weights. A weights file is checked against VGG19 first. Random weights are drawn
    from ``seed`` and calibrated on ``train_images`` (uint8 pictures, whose size is the input
    size), once per key (:func:`calibrated_weights`). ``download=False`` only probes the host
    and builds nothing (notebook 00's outlook).
    """
    choice = check_weights(weights)
    image_size = 64 if train_images is None else check_image_size(train_images.shape[1])
    if isinstance(choice, Path):
        if download:
            with keeping_random_state():
                check_weights_file(choice, image_size)
        return WeightsChoice("file", path=choice)
    why = None
    if choice != "random":
        available, why = _imagenet_or_why(probe, download)
        if available:
            return WeightsChoice("imagenet", path=cached_weights_path())
        if choice == "imagenet":
            raise WeightsError(f"weights='imagenet', but {why}. " + how_to_get_weights())
    if train_images is None or not download:
        return WeightsChoice("random", fallback_reason=why)
    path, said = calibrated_weights(train_images, seed)
    return WeightsChoice("random", path=path, fallback_reason=why, calibration=said)


def weights_preview(weights: object = "auto", probe: Probe = host_reachable) -> str:
    """Say, before the long notebooks, which weights notebooks 01-03 will use (notebook 00),
    looking without fetching anything (:func:`choose_weights` with ``download=False``)."""
    try:
        choice = choose_weights(weights, probe=probe, download=False)
    except WeightsError as error:
        return f"Notebooks 01-03 will stop at once: {error}"
    if choice.kind == "file":
        return f"Notebooks 01-03 will use the VGG19 weights in {choice.path}."
    if choice.kind == "imagenet":
        if choice.path is not None and choice.path.is_file():
            return f"Notebooks 01-03 will use the ImageNet weights cached at {choice.path}."
        return ("Notebooks 01-03 will use ImageNet weights: Keras downloads them (about 80 MB) "
                f"on first use and keeps them at {choice.path}.")
    random = ("random VGG19 weights, rescaled layer by layer on training pictures so that the "
              "signal neither fades nor blows up on its way through (notebook 01 explains)")
    if choice.fallback_reason is None:
        return f"Notebooks 01-03 will use {random}, as asked: no ImageNet features."
    return (f"OFFLINE: {choice.fallback_reason}, so notebooks 01-03 will fall back to {random}. "
            + how_to_get_weights())


def weights_key(choice: WeightsChoice, image_size: int, train_images: np.ndarray,
                seed: int = 0) -> str:
    """A key for the base's weights, known before building it (for cache entries)."""
    import keras

    if choice.kind == "imagenet":
        return cache_key("imagenet", WEIGHTS_MD5, image_size)
    if choice.kind == "file":
        stat = choice.path.stat()
        return cache_key("file", str(choice.path.resolve()), stat.st_size, stat.st_mtime_ns,
                         image_size)
    return cache_key(CALIBRATION_VERSION, seed, image_size,
                     arrays_fingerprint([train_images]), CALIBRATION_IMAGES,
                     keras.mixed_precision.global_policy().name)


def _draw_random_kernels(model, seed: int) -> None:
    """Glorot-uniform kernels and zero biases from ``seed`` alone, whatever ran before."""
    import keras

    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    for index, layer in enumerate(convolutions):
        initializer = keras.initializers.GlorotUniform(seed=seed * 1000 + index)
        layer.kernel.assign(initializer(tuple(layer.kernel.shape)))
        layer.bias.assign(np.zeros(tuple(layer.bias.shape), dtype="float32"))


def lsuv(model, images: np.ndarray, count: int = CALIBRATION_IMAGES, seed: int = 0) -> None:
    """Data-dependent start for random weights: centred, unit-variance convolutions, in place.

    Keras draws VGG19's random kernels with Glorot's scheme and zero biases. Through 16
    convolutions each followed by a ReLU the signal shrinks, so the base's output ends up
    about 1/1000 of its input, and almost all of it is one shared offset: a dense head trained
    with RMSprop at the lesson's small learning rates barely moves on such features. This is
    the classic fix for deep ReLU networks without batch normalisation (LSUV, Mishkin and
    Matas 2016, with centring): going layer by layer over ``count`` training images (uint8
    RGB), rescale each kernel so its outputs have unit variance per channel, and set each bias so
    they have zero mean. The weights stay random; only their scale and offset are set from the
    data. Never used on pretrained weights.
    """
    import keras

    from santa_lib.preprocessing import VGG19Preprocessing

    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(images), size=min(count, len(images)), replace=False)
    x = VGG19Preprocessing()(images[np.sort(chosen)])
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Conv2D):
            z = keras.ops.convert_to_numpy(layer.convolution_op(x, layer.kernel))
            std = z.std(axis=(0, 1, 2)) + 1e-6
            layer.kernel.assign(layer.kernel.numpy() / std)
            layer.bias.assign(-(z / std).mean(axis=(0, 1, 2)))
        x = keras.ops.cast(layer(x), "float32")  # measured in float32 under any dtype policy


@contextlib.contextmanager
def keeping_random_state() -> Iterator[None]:
    """Run the block without moving Python's or NumPy's global random generators.

    Keras draws the seeds of unseeded initializers from Python's ``random``: a network built
    only to make a file (here) must not change the head's initial weights in the notebook, or
    a run with an empty cache and a run with a warm one would train different models.
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def calibrated_weights(train_images: np.ndarray, seed: int = 0) -> tuple[Path, str]:
    """The file of VGG19's random weights, drawn from ``seed`` and calibrated on training
    pictures (:func:`lsuv`), made once per key and kept in the cache; and what was done, in words.
    """
    import keras

    image_size = int(train_images.shape[1])
    key = weights_key(WeightsChoice("random"), image_size, train_images, seed)
    path = Path(default_cache_dir()) / "weights" / f"vgg19-{key}.weights.h5"
    if path.is_file():
        return path, f"Calibrated on training pictures before: read back from {path}."
    with keeping_random_state():
        base = keras.applications.VGG19(weights=None, include_top=False,
                                        input_shape=(image_size, image_size, 3))
        _draw_random_kernels(base, seed)
        lsuv(base, train_images)
        atomic_write(path, base.save_weights)
    return path, (f"Calibrated on {min(CALIBRATION_IMAGES, len(train_images))} training "
                  f"pictures (see below) and kept in {path}.")


__all__ = ["WeightsChoice", "calibrated_weights", "choose_weights", "weights_key",
           "weights_preview"]
