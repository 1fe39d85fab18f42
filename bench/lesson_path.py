"""The benchmark's lesson path: the three methods through santa_lib, as the notebooks run them
(features in large batches, the frozen front's validation outputs computed once)."""

from __future__ import annotations

import time
from pathlib import Path

from bench_setup import SETTINGS, compile_binary, unfreeze_block5


def lesson_method1(base, splits, epochs: int) -> float:
    """Method 1: cached features in large batches, then a dense head; its test accuracy."""
    import keras

    from santa_lib.features import extract_features
    from santa_lib.preprocessing import VGG19Preprocessing

    m1 = SETTINGS["m1"]
    extractor = keras.Sequential([keras.Input((64, 64, 3)), VGG19Preprocessing(), base])
    features = extract_features(extractor, *splits)
    classifier = keras.Sequential([keras.Input((2, 2, 512)), keras.layers.Flatten(),
                                   keras.layers.Dense(256, activation="relu"),
                                   keras.layers.Dense(1, activation="sigmoid")])
    compile_binary(classifier, m1["learning_rate"])
    classifier.fit(features["train"], splits.train.labels, epochs=epochs,
                   batch_size=m1["batch_size"],
                   validation_data=(features["validation"], splits.validation.labels), verbose=0)
    return classifier.evaluate(features["test"], splits.test.labels, verbose=0)[1]


def train_and_test(model, splits, augment, settings: dict, epochs: int, seed: int) -> float:
    """Methods 2 and 3: augmented batches, validation by the frozen front computed once, then
    the test score."""
    from santa_lib.training import FrozenFrontValidation, batches_in_order, training_batches

    compile_binary(model, settings["learning_rate"])
    validation, test = splits.validation, splits.test
    model.fit(training_batches(splits.train, settings["batch_size"], augment=augment, seed=seed),
              epochs=epochs, verbose=0, shuffle=False,
              callbacks=[FrozenFrontValidation(validation.images, validation.labels)])
    test_batches = batches_in_order(test.images, test.labels, settings["batch_size"])
    return model.evaluate(test_batches, verbose=0)[1]


def run_lesson(data_dir: Path, epochs: dict[str, int], seed: int) -> tuple[dict, dict]:
    """The three methods through santa_lib, as the notebooks run them.

    Random weights are calibrated as the offline notebooks do, so the accuracies mean something;
    ImageNet weights need no calibration, so building the base stays out of the timing, as in
    the baseline.
    """
    import keras

    from santa_lib.augment import augmentation
    from santa_lib.data import load_data
    from santa_lib.training import method2_model
    from santa_lib.weights import choose_weights

    keras.utils.set_random_seed(seed)
    times, accuracy = {}, {}
    started = time.perf_counter()
    splits = load_data(data_dir, 64)  # reading the pictures counts, as in the baseline
    reading = time.perf_counter() - started
    choice = choose_weights("random", splits.train.images, seed)
    base = keras.applications.VGG19(weights=choice.keras_weights, include_top=False,
                                    input_shape=(64, 64, 3))

    started = time.perf_counter() - reading
    accuracy["m1"] = lesson_method1(base, splits, epochs["m1"])
    times["m1"] = time.perf_counter() - started

    augment = augmentation(seed)
    started = time.perf_counter()
    model = method2_model(base, 64)
    base.trainable = False
    accuracy["m2"] = train_and_test(model, splits, augment, SETTINGS["m2"], epochs["m2"], seed)
    times["m2"] = time.perf_counter() - started

    started = time.perf_counter()
    unfreeze_block5(base)
    accuracy["m3"] = train_and_test(model, splits, augment, SETTINGS["m3"], epochs["m3"], seed)
    times["m3"] = time.perf_counter() - started
    return times, accuracy
