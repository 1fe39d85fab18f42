"""Building VGG19's convolutional base from a weights choice, and calibrating random weights
(home notebook: 01; also used by 02 and 03).

:func:`build_base` turns a :class:`santa_lib.weights.WeightsChoice` into the network: ImageNet
weights through Keras, weights from a file (refused unless they fill every tensor), or seeded
random weights, calibrated once per key and kept in the lesson's cache (:func:`calibrate`).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from santa_lib.cache import arrays_fingerprint, atomic_write, cache_key, default_cache_dir
from santa_lib.weights import WEIGHTS_FILE, WEIGHTS_MD5, WeightsChoice, WeightsError, choose_weights

MIN_IMAGE_SIZE = 32
CALIBRATION_IMAGES = 128
CALIBRATION_VERSION = "calibrated-v2"
"""Part of the calibrated weights' cache key: bumped whenever drawing or calibrating changes."""


def check_image_size(image_size: object) -> int:
    """The ``image_size`` parameter: VGG19 without its top needs squares of 32 pixels or more."""
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)) \
            or image_size < MIN_IMAGE_SIZE:
        raise ValueError(
            f"image_size must be a whole number >= {MIN_IMAGE_SIZE} (VGG19 halves the picture "
            f"five times), got {image_size!r}."
        )
    return int(image_size)


def _vgg19(weights: str | None, image_size: int):
    import keras

    return keras.applications.VGG19(
        weights=weights, include_top=False, input_shape=(image_size, image_size, 3)
    )


def calibrate(model, images: np.ndarray, count: int = CALIBRATION_IMAGES, seed: int = 0) -> None:
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
            z = np.asarray(layer.convolution_op(x, layer.kernel))
            std = z.std(axis=(0, 1, 2)) + 1e-6
            layer.kernel.assign(np.asarray(layer.kernel) / std)
            layer.bias.assign(-(z / std).mean(axis=(0, 1, 2)))
        x = keras.ops.cast(layer(x), "float32")  # measured in float32 under any dtype policy


def _draw_random_kernels(model, seed: int) -> None:
    """Glorot-uniform kernels and zero biases from ``seed`` alone, whatever ran before."""
    import keras

    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    for index, layer in enumerate(convolutions):
        initializer = keras.initializers.GlorotUniform(seed=seed * 1000 + index)
        layer.kernel.assign(initializer(tuple(layer.kernel.shape)))
        layer.bias.assign(np.zeros(tuple(layer.bias.shape), dtype="float32"))


def weights_key(choice: WeightsChoice, image_size: int, seed: int,
                calibration_images: np.ndarray | None) -> str:
    """A key for the base's weights, known before building it (for cache entries)."""
    import keras

    if choice.kind == "imagenet":
        return cache_key("imagenet", WEIGHTS_MD5, image_size)
    if choice.kind == "file":
        stat = choice.path.stat()
        return cache_key("file", str(choice.path.resolve()), stat.st_size, stat.st_mtime_ns,
                         image_size)
    images = "none" if calibration_images is None else arrays_fingerprint([calibration_images])
    return cache_key(CALIBRATION_VERSION, seed, image_size, images, CALIBRATION_IMAGES,
                     keras.mixed_precision.global_policy().name)


def _random_base(image_size: int, seed: int, calibration_images: np.ndarray | None):
    """Seeded random weights, calibrated once per key and read back from the cache after."""
    model = _vgg19(None, image_size)
    if calibration_images is None:
        _draw_random_kernels(model, seed)
        return model
    key = weights_key(WeightsChoice("random"), image_size, seed, calibration_images)
    path = Path(default_cache_dir()) / "weights" / f"vgg19-{key}.weights.h5"
    if path.is_file():
        model.load_weights(path)
        return model
    _draw_random_kernels(model, seed)
    calibrate(model, calibration_images)
    atomic_write(path, model.save_weights)
    return model


def _imagenet_base(image_size: int):
    """ImageNet weights through Keras' own download, cache and hash check."""
    try:
        return _vgg19("imagenet", image_size)
    except Exception as error:  # Keras raises a bare Exception for failed downloads
        from santa_lib.weights import how_to_get_weights

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


def build_base(weights: WeightsChoice | object = "auto", image_size: int = 64, seed: int = 0,
               calibration_images: np.ndarray | None = None):
    """VGG19 without its classifier, for ``image_size`` x ``image_size`` RGB input.

    ``weights`` is a :class:`~santa_lib.weights.WeightsChoice` (from
    :func:`~santa_lib.weights.choose_weights`, whose ``note`` says what the notebook gets) or a
    ``weights`` parameter value. Random weights are drawn from ``seed`` and, when
    ``calibration_images`` (uint8 training images) are given, calibrated on them
    (:func:`calibrate`); the calibrated weights are kept in the cache, so the next notebook with
    the same key reads them back instead of calibrating again.
    """
    image_size = check_image_size(image_size)
    choice = weights if isinstance(weights, WeightsChoice) else choose_weights(weights)
    if choice.kind == "imagenet":
        return _imagenet_base(image_size)
    if choice.kind == "file":
        return _base_from_file(choice.path, image_size)
    return _random_base(image_size, seed, calibration_images)


def describe_base(base) -> str:
    """One line with the base's parameter count and output shape, as the lesson checks them."""
    shape = "x".join(str(d) for d in base.output_shape[1:])
    return f"{base.name}: {base.count_params():,} parameters, output {shape}"
