"""A VGG19 base with seeded random weights, built as the notebooks build theirs.

``conftest.random_base`` (session-wide, 64 pixels) is the shared one; the tests that need another
size, or a base they may change, build their own here.
"""

from __future__ import annotations


def random_vgg19(image_size: int = 64, seed: int = 0):
    """``keras.applications.VGG19(weights=None, include_top=False)``, its draw seeded."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.applications.VGG19(weights=None, include_top=False,
                                    input_shape=(image_size, image_size, 3))
