"""Data augmentation for methods 2 and 3, as the 2022 lesson did it (home notebook: 02).

The reference augmented with ``ImageDataGenerator(rotation_range=40, width_shift_range=0.2,
height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
fill_mode="nearest")``. That generator composes the flip, rotation, shifts, shear and zoom of
each picture into one affine map and resamples the picture **once**. Chaining Keras'
``RandomRotation``, ``RandomTranslation``, ``RandomZoom`` and ``RandomShear`` layers instead
resamples it four times, and each bilinear resampling blurs it a little more: the augmented
training pictures end up visibly softer than the untouched validation and test pictures, a
difference the model then has to bridge. :class:`RandomAffine` draws the same random settings as
the old generator and resamples once, with ``keras.ops.image.affine_transform``.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

ROTATION_DEGREES = 40.0
SHIFT_FRACTION = 0.2
ZOOM_FRACTION = 0.2
SHEAR_DEGREES = 0.2
"""The old generator's ``shear_range`` was in degrees: a shear of tan(0.2 deg) = 0.0035, kept."""


class RandomAffine(keras.layers.Layer):
    """Random flip, rotation, shift, shear and zoom of a batch of images, resampled once.

    Each picture gets its own draw, as in ``ImageDataGenerator``: a horizontal flip with
    probability 1/2, a rotation uniform in +-``rotation_degrees``, shifts uniform in
    +-``shift_fraction`` of the width and of the height, a shear angle uniform in
    +-``shear_degrees``, and zoom factors for each axis uniform in 1 +- ``zoom_fraction``, all
    about the picture's centre. Gaps at the borders take the nearest pixel. Only active when
    called with ``training=True``; otherwise the images pass through untouched.
    """

    def __init__(self, rotation_degrees: float = ROTATION_DEGREES,
                 shift_fraction: float = SHIFT_FRACTION, zoom_fraction: float = ZOOM_FRACTION,
                 shear_degrees: float = SHEAR_DEGREES, horizontal_flip: bool = True,
                 fill_mode: str = "nearest", seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rotation_degrees = rotation_degrees
        self.shift_fraction = shift_fraction
        self.zoom_fraction = zoom_fraction
        self.shear_degrees = shear_degrees
        self.horizontal_flip = horizontal_flip
        self.fill_mode = fill_mode
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _uniform(self, count, half_width: float, centre: float = 0.0):
        return keras.random.uniform((count,), centre - half_width, centre + half_width,
                                    seed=self.seed_generator)

    def transforms(self, count, height, width):
        """``count`` random maps from output to input pixel coordinates, Keras' 8-number form."""
        angle = self._uniform(count, math.radians(self.rotation_degrees))
        shear = self._uniform(count, math.radians(self.shear_degrees))
        zoom_x = self._uniform(count, self.zoom_fraction, 1.0)
        zoom_y = self._uniform(count, self.zoom_fraction, 1.0)
        shift_x = self._uniform(count, self.shift_fraction) * width
        shift_y = self._uniform(count, self.shift_fraction) * height
        flip = ops.ones((count,))
        if self.horizontal_flip:
            coin = keras.random.uniform((count,), seed=self.seed_generator)
            flip = ops.where(coin < 0.5, -1.0, 1.0)
        cos, sin = ops.cos(angle), ops.sin(angle)
        # input = A (output - centre) + centre + shift, with A = rotation @ shear @ zoom @ flip
        a00 = cos * zoom_x * flip
        a01 = (-cos * ops.sin(shear) - sin * ops.cos(shear)) * zoom_y
        a10 = sin * zoom_x * flip
        a11 = (-sin * ops.sin(shear) + cos * ops.cos(shear)) * zoom_y
        centre_x, centre_y = (width - 1) / 2.0, (height - 1) / 2.0
        b0 = centre_x + shift_x - a00 * centre_x - a01 * centre_y
        b1 = centre_y + shift_y - a10 * centre_x - a11 * centre_y
        zeros = ops.zeros((count,))
        return ops.stack([a00, a01, b0, a10, a11, b1, zeros, zeros], axis=1)

    def call(self, images, training=True):
        if not training:
            return images
        shape = ops.shape(images)
        transform = self.transforms(shape[0], ops.cast(shape[1], "float32"),
                                    ops.cast(shape[2], "float32"))
        return ops.image.affine_transform(images, transform, interpolation="bilinear",
                                          fill_mode=self.fill_mode)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rotation_degrees": self.rotation_degrees,
                "shift_fraction": self.shift_fraction, "zoom_fraction": self.zoom_fraction,
                "shear_degrees": self.shear_degrees, "horizontal_flip": self.horizontal_flip,
                "fill_mode": self.fill_mode, "seed": self.seed}


def augmentation(seed: int | None = None) -> RandomAffine:
    """The reference lesson's augmentation: flips, rotations, shifts, zooms, a tiny shear."""
    return RandomAffine(seed=seed, name="augmentation")


def sharpness(pictures) -> float:
    """Fine detail in pictures: the mean absolute difference between horizontal neighbours
    (0-255 scale). Every resampling of a picture lowers it a little."""
    pictures = np.asarray(pictures, dtype="float32")
    return float(np.abs(np.diff(pictures, axis=2)).mean())


def sharpness_report(pictures, chained_layers, seed: int | None = None) -> str:
    """How much fine detail augmented pictures keep (notebooks 02 and 04): ``chained_layers``
    (a ``keras.Sequential`` of Keras' one-move-each layers) against :func:`augmentation`, one
    resampling, both in training mode.

    Both are fresh copies, made without touching Python's or NumPy's random state, so the
    notebook's own layers and models draw the same as without this measurement.
    """
    import keras

    from santa_lib.weights import keeping_random_state

    pictures = np.asarray(pictures, dtype="float32")
    original = sharpness(pictures)
    with keeping_random_state():
        chain, single = keras.models.clone_model(chained_layers), augmentation(seed)
    rows = [("the pictures as they are", original),
            ("Keras' layers, chained", sharpness(chain(pictures, training=True))),
            ("sl.augmentation, one resampling", sharpness(single(pictures, training=True)))]
    return "\n".join(f"{name:<32} {value:5.1f}  ({value / original:.0%} of the detail)"
                     for name, value in rows)
