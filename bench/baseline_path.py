"""The benchmark's baseline path: the three methods written the way the 2022 lesson wrote them,
ported to Keras 3 (one ``predict`` per batch of 10 for features, augmentation in the legacy
Python-side ``ImageDataGenerator``, the whole model re-run over the validation split every
epoch)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from bench_setup import SETTINGS, compile_binary, unfreeze_block5


def _generator(**augmenting):
    """The legacy ``ImageDataGenerator`` with VGG19's preprocessing (and ``augmenting``)."""
    import keras
    import tensorflow as tf

    image_data_generator = tf.keras.preprocessing.image.ImageDataGenerator
    return image_data_generator(preprocessing_function=keras.applications.vgg19.preprocess_input,
                                **augmenting)


def _flow(generator, folder: Path, batch_size: int, **options):
    return generator.flow_from_directory(str(folder), target_size=(64, 64), batch_size=batch_size,
                                         class_mode="binary", **options)


def baseline_method1(base, data_dir: Path, epochs: int) -> None:
    """Method 1: features by one ``predict`` per batch, then a dense head trained on them."""
    import keras

    m1 = SETTINGS["m1"]
    plain = _generator()

    def extract(split: str):
        flow = _flow(plain, data_dir / split, m1["batch_size"], shuffle=False)
        features, labels = [], []
        for index in range(len(flow)):
            images, batch_labels = flow[index]
            features.append(base.predict(images, verbose=0))
            labels.append(batch_labels)
        return np.concatenate(features).reshape(-1, 2048), np.concatenate(labels)

    (train_x, train_y), (val_x, val_y), (test_x, test_y) = (
        extract(s) for s in ("train", "validation", "test"))
    head = keras.Sequential([keras.Input((2048,)), keras.layers.Dense(256, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])
    compile_binary(head, m1["learning_rate"])
    head.fit(train_x, train_y, epochs=epochs, batch_size=m1["batch_size"],
             validation_data=(val_x, val_y), verbose=0)
    head.evaluate(test_x, test_y, verbose=0)


def baseline_methods2and3(base, data_dir: Path, epochs: dict[str, int], seed: int) -> dict:
    """Methods 2 (frozen base, augmented generator) and 3 (block 5 unfrozen); their seconds."""
    import keras

    m2, m3 = SETTINGS["m2"], SETTINGS["m3"]
    times = {}
    started = time.perf_counter()
    augmenting = _generator(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
                            shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
                            fill_mode="nearest")
    train_flow = _flow(augmenting, data_dir / "train", m2["batch_size"], seed=seed)
    plain = _generator()
    val_flow, test_flow = (_flow(plain, data_dir / split, m2["batch_size"], shuffle=False)
                           for split in ("validation", "test"))
    model = keras.Sequential([base, keras.layers.Flatten(),
                              keras.layers.Dense(132, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    base.trainable = False
    compile_binary(model, m2["learning_rate"])
    # every step of every epoch: no steps_per_epoch, so the generator is never exhausted early
    model.fit(train_flow, epochs=epochs["m2"], validation_data=val_flow, verbose=0)
    model.evaluate(test_flow, verbose=0)
    times["m2"] = time.perf_counter() - started

    started = time.perf_counter()
    unfreeze_block5(base)
    compile_binary(model, m3["learning_rate"])
    model.fit(train_flow, epochs=epochs["m3"], validation_data=val_flow, verbose=0)
    model.evaluate(test_flow, verbose=0)
    times["m3"] = time.perf_counter() - started
    return times


def run_baseline(data_dir: Path, epochs: dict[str, int], seed: int) -> dict[str, float]:
    """The three methods written the way the 2022 lesson wrote them, ported to Keras 3.

    Timing points are the lesson path's: each method's clock starts after the base is built and
    covers reading the pictures, training and the test score.
    """
    import keras

    keras.utils.set_random_seed(seed)
    base = keras.applications.VGG19(weights=None, include_top=False, input_shape=(64, 64, 3))
    started = time.perf_counter()
    baseline_method1(base, data_dir, epochs["m1"])
    times = {"m1": time.perf_counter() - started}
    return {**times, **baseline_methods2and3(base, data_dir, epochs, seed)}
