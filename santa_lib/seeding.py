"""One seed for Python, NumPy and Keras (used at the top of every notebook)."""

from __future__ import annotations


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and the Keras backend with one number.

    Call it once, before building models or data pipelines, so that weight initialisation,
    shuffling and augmentation repeat from run to run.
    """
    import keras

    keras.utils.set_random_seed(int(seed))
