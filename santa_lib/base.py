"""The VGG19 convolutional base and where its weights come from (home notebook: 01).

``weights`` takes one of:

- ``"auto"`` (the default): ImageNet weights when Keras has them cached or can download them;
  otherwise random weights, with a plain message saying so and how to get the real ones.
- ``"imagenet"``: ImageNet weights or a fast, clear failure; never a silent fallback.
- ``"random"`` (or ``None``): seeded random weights, calibrated on training images
  (see :func:`calibrate`).
- a path to a VGG19 no-top weights file (``.h5`` or ``.weights.h5``).

Images go through :func:`preprocess_images`, ``keras.applications.vgg19.preprocess_input``:
RGB to BGR and the ImageNet channel means subtracted, which is what the ImageNet weights were
trained on. The 2022 reference lesson rescaled by 1/255 instead; with those inputs the features
of this deep ReLU network are tiny, and with random weights nothing is learned at all.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import urllib.parse
import warnings
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import numpy as np

WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + WEIGHTS_FILE
)
WEIGHTS_MD5 = "253f8cb515780f3b799900260a226db6"
"""The hash Keras checks the downloaded no-top file against."""

MIN_IMAGE_SIZE = 32
WEIGHTS_CHOICES = ("auto", "imagenet", "random")
DOWNLOAD_PROBE_SECONDS = 3.0


class WeightsError(RuntimeError):
    """The requested weights cannot be used; the message says what to do instead."""


def keras_home() -> Path:
    """The folder Keras caches downloads in: ``$KERAS_HOME`` or ``~/.keras`` (as Keras does)."""
    if os.environ.get("KERAS_HOME"):
        return Path(os.environ["KERAS_HOME"]).expanduser()
    home = Path.home()
    return (home if os.access(home, os.W_OK) else Path("/tmp")) / ".keras"


def cached_weights_path() -> Path:
    """Where Keras looks for the VGG19 no-top ImageNet weights before downloading them."""
    return keras_home() / "models" / WEIGHTS_FILE


def how_to_get_weights() -> str:
    """Advice for a machine that cannot download the ImageNet weights."""
    return (
        f"To use ImageNet weights offline, download {WEIGHTS_URL} on a machine with internet, "
        f"then copy it to {cached_weights_path()} "
        "(or run `python -m santa_lib weights install FILE`) and re-run."
    )


def download_reachable(timeout: float = DOWNLOAD_PROBE_SECONDS) -> tuple[bool, str]:
    """Can the weights host be reached? Answers within about ``timeout`` seconds, never hangs.

    The name lookup runs in a helper thread too, because a slow resolver ignores socket time-outs.
    """
    host = urllib.parse.urlsplit(WEIGHTS_URL).hostname or ""

    def connect() -> tuple[bool, str]:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                return True, "reachable"
        except OSError as error:
            return False, f"{host} cannot be reached ({error.strerror or error})"

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(connect).result(timeout=timeout + 0.5)
    except FutureTimeout:
        return False, f"{host} did not answer within {timeout:.0f} s"
    finally:
        pool.shutdown(wait=False)


def check_image_size(image_size: int) -> int:
    """VGG19 without its top needs square inputs of at least 32 pixels."""
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)):
        raise ValueError(f"image_size must be a whole number of pixels, got {image_size!r}.")
    if image_size < MIN_IMAGE_SIZE:
        raise ValueError(
            f"image_size must be at least {MIN_IMAGE_SIZE} for VGG19 (five 2x2 poolings), "
            f"got {image_size}."
        )
    return int(image_size)


def normalise_weights(weights: str | os.PathLike | None) -> str | Path:
    """Map the ``weights`` parameter to ``"auto"``, ``"imagenet"``, ``"random"`` or a file path."""
    if weights is None or (isinstance(weights, str) and weights.lower() in ("random", "none")):
        return "random"
    if isinstance(weights, str) and weights.lower() in ("auto", "imagenet"):
        return weights.lower()
    path = Path(weights).expanduser()
    if isinstance(weights, (str, os.PathLike)) and path.is_file():
        return path
    raise ValueError(
        f"weights={weights!r} is neither one of {list(WEIGHTS_CHOICES)} nor an existing "
        "weights file. Use 'auto' (ImageNet when available, else random), 'imagenet', "
        "'random', or the path to a VGG19 no-top .h5 file."
    )


def _vgg19(weights: str | None, image_size: int):
    import keras

    return keras.applications.VGG19(
        weights=weights, include_top=False, input_shape=(image_size, image_size, 3)
    )


CALIBRATION_IMAGES = 128


def calibrate(model, images: np.ndarray, count: int = CALIBRATION_IMAGES, seed: int = 0) -> None:
    """Data-dependent start for random weights: centred, unit-variance convolutions, in place.

    Keras draws VGG19's random kernels with Glorot's scheme and zero biases. Through 16
    convolutions each followed by a ReLU the signal shrinks, so the base's output ends up
    about 1/1000 of its input, and almost all of it is one shared offset: a dense head trained
    with RMSprop at the lesson's small learning rates barely moves on such features. This is
    the classic fix for deep ReLU networks without batch normalisation (LSUV, Mishkin and
    Matas 2016, with centring): going layer by layer over ``count`` training images, rescale
    each kernel so its outputs have unit variance per channel, and set each bias so they have
    zero mean. The weights stay random; only their scale and offset are set from the data.
    Never used on pretrained weights.
    """
    import keras

    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(images), size=min(count, len(images)), replace=False)
    x = preprocess_images(images[np.sort(chosen)])
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Conv2D):
            z = np.asarray(layer.convolution_op(x, layer.kernel))
            std = z.std(axis=(0, 1, 2)) + 1e-6
            layer.kernel.assign(np.asarray(layer.kernel) / std)
            layer.bias.assign(-(z / std).mean(axis=(0, 1, 2)))
        x = keras.ops.cast(layer(x), "float32")  # measured in float32 under any dtype policy


def _random_base(image_size: int, calibration_images: np.ndarray | None):
    """VGG19 with seeded random weights, calibrated when images are given."""
    model = _vgg19(None, image_size)
    if calibration_images is not None:
        calibrate(model, calibration_images)
    return model


def _imagenet_base(image_size: int):
    """ImageNet weights through Keras' own cache and download, failing fast when offline."""
    if not cached_weights_path().is_file():
        reachable, reason = download_reachable()
        if not reachable:
            raise WeightsError(f"ImageNet weights are not cached and {reason}. "
                               + how_to_get_weights())
    try:
        return _vgg19("imagenet", image_size)
    except Exception as error:  # Keras raises a bare Exception for failed downloads
        raise WeightsError(f"ImageNet weights could not be loaded: {error}. "
                           + how_to_get_weights()) from error


def _base_from_file(path: Path, image_size: int):
    """VGG19 with weights from a file, refusing a file that does not fill every tensor.

    Keras 3 only warns when a ``.weights.h5`` file does not match the model and keeps random
    values for what it could not load; here that is an error.
    """
    model = _vgg19(None, image_size)
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
                 if np.any(before) and np.array_equal(np.asarray(variable), before)]
    if untouched or any("Skipping" in str(warning.message) for warning in caught):
        missing = ", ".join(untouched[:4]) or "some layers"
        raise WeightsError(f"weights file {path} does not fit VGG19 without its top: it left "
                           f"{missing} without weights. {advice}")
    return model


def _calibrated(images: np.ndarray | None) -> str:
    if images is None:
        return ""
    return f", calibrated on {min(CALIBRATION_IMAGES, len(images))} training images"


def build_base(weights: str | os.PathLike | None = "auto", image_size: int = 64,
               calibration_images: np.ndarray | None = None):
    """Build VGG19 without its classifier, for ``image_size`` x ``image_size`` RGB input.

    Returns ``(model, note)`` where ``note`` is one or more sentences saying which weights were
    used and, for a fallback, why and how to get the ImageNet ones. Print it in the notebook.
    Random weights (asked for, or the offline fallback) are calibrated on
    ``calibration_images`` (uint8 training images, see :func:`calibrate`) when given.
    """
    image_size = check_image_size(image_size)
    choice = normalise_weights(weights)
    if choice == "imagenet":
        return _imagenet_base(image_size), f"Using ImageNet weights ({cached_weights_path()})."
    if choice == "random":
        return (_random_base(image_size, calibration_images),
                "Using random weights (asked for)" + _calibrated(calibration_images)
                + ": no ImageNet features.")
    if isinstance(choice, Path):
        return _base_from_file(choice, image_size), f"Using weights from {choice}."
    try:
        return _imagenet_base(image_size), f"Using ImageNet weights ({cached_weights_path()})."
    except WeightsError as error:
        note = (
            "OFFLINE FALLBACK: using RANDOM VGG19 weights"
            + _calibrated(calibration_images) + f" instead of ImageNet ones. Why: {error}"
        )
        return _random_base(image_size, calibration_images), note


def weights_outlook(weights: str | os.PathLike | None = "auto") -> str:
    """Say, without building the model, which weights ``build_base(weights)`` will end up using.

    Notebook 00 prints it, so a student learns before the long notebooks whether the lesson
    will run on ImageNet weights or on the offline fallback, and how to change that.
    """
    choice = normalise_weights(weights)
    if choice == "random":
        return "Notebooks 01-03 will use random VGG19 weights (asked for): no ImageNet features."
    if isinstance(choice, Path):
        return f"Notebooks 01-03 will use the VGG19 weights in {choice}."
    cached = cached_weights_path()
    if cached.is_file():
        return f"Notebooks 01-03 will use the ImageNet weights cached at {cached}."
    reachable, reason = download_reachable()
    if reachable:
        return ("Notebooks 01-03 will use ImageNet weights: Keras downloads them (about 80 MB) "
                f"on first use and keeps them at {cached}.")
    if choice == "imagenet":
        return (f"weights='imagenet', but the ImageNet weights are not cached and {reason}: "
                "notebooks 01-03 will stop at once. " + how_to_get_weights())
    return ("OFFLINE: the ImageNet weights are not cached and " + reason + ", so notebooks "
            "01-03 will fall back to random VGG19 weights, calibrated on training images. "
            + how_to_get_weights())


def preprocess_images(images):
    """VGG19's ImageNet preprocessing on uint8 RGB images (a new float32 array or tensor)."""
    import keras

    if isinstance(images, np.ndarray):
        images = images.astype("float32", copy=True)
    else:
        images = keras.ops.cast(images, "float32")
    return keras.applications.vgg19.preprocess_input(images)


def describe_base(base) -> str:
    """One line with the base's parameter count and output shape, as the lesson checks them."""
    shape = "x".join(str(d) for d in base.output_shape[1:])
    return f"{base.name}: {base.count_params():,} parameters, output {shape}"


def file_md5(path: str | os.PathLike) -> str:
    """The MD5 hex digest of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def install_weights(source: str | os.PathLike) -> Path:
    """Copy a downloaded VGG19 no-top weights file to where Keras looks for it.

    The file must have the hash Keras publishes for it (the same check Keras makes after a
    download); a wrong or truncated file raises :class:`WeightsError` and nothing is installed.
    The source file is only read.
    """
    source = Path(source).expanduser()
    if not source.is_file():
        raise WeightsError(f"{source} is not a file. Download {WEIGHTS_URL} and give its path.")
    digest = file_md5(source)
    if digest != WEIGHTS_MD5:
        raise WeightsError(
            f"{source} is not Keras' {WEIGHTS_FILE}: its MD5 is {digest}, Keras expects "
            f"{WEIGHTS_MD5} ({source.stat().st_size:,} bytes; a truncated download is the usual "
            f"cause). Download {WEIGHTS_URL} again; nothing was installed."
        )
    from santa_lib.cache import atomic_write

    return atomic_write(cached_weights_path(), lambda temp: shutil.copyfile(source, temp))
