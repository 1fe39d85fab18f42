import logging

import keras
import numpy as np
import pytest

from santa_lib.augment import augmentation
from santa_lib.base import build_base
from santa_lib.sources.folder import load_splits
from santa_lib.training import (
    FrozenFrontValidation,
    method2_model,
    method2_model_path,
    save_model,
    steady_batches,
    train_method2_head,
    training_batches,
)


@pytest.fixture
def splits(small_data):
    return load_splits(small_data, image_size=64)


def compile_for_the_lesson(model, learning_rate=1e-5):
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])


def unfreeze_block5(base):
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name.startswith("block5")


def test_reference_parameter_counts(random_base):
    model = method2_model(random_base, 64)
    assert [layer.count_params() for layer in model.layers] == [0, 20_024_384, 0, 270_468, 133]


def test_every_training_picture_once_per_epoch_raw(splits):
    train = splits["train"]
    batches = list(training_batches(train, batch_size=4).as_numpy_iterator())
    assert [len(labels) for _, labels in batches] == [4, 4, 2]
    labels = np.concatenate([labels for _, labels in batches])
    assert sorted(labels.tolist()) == sorted(train.labels.tolist())
    # without augmentation the batches are the raw pictures, shuffled
    pictures = np.concatenate([pictures for pictures, _ in batches])
    assert sorted(map(float, pictures.sum(axis=(1, 2, 3)))) == sorted(
        map(float, train.images.astype("float32").sum(axis=(1, 2, 3))))


def test_capped_steps_repeat_and_augmentation_changes_pictures(splits):
    train = splits["train"]
    batches = training_batches(train, batch_size=4, augment=augmentation(0), steps_per_epoch=2)
    taken = list(batches.take(4).as_numpy_iterator())
    assert [len(labels) for _, labels in taken] == [4, 4, 4, 4]  # runs on past the 10 pictures
    pictures = np.concatenate([pictures for pictures, _ in taken])
    originals = {image.astype("float32").tobytes() for image in train.images}
    assert not any(picture.tobytes() in originals for picture in pictures)


def test_pipelines_keep_order_and_run_without_autotuning(splits):
    validation = splits["validation"]
    batches = steady_batches(validation.images, validation.labels, batch_size=3)
    images = np.concatenate([images for images, _ in batches.as_numpy_iterator()])
    np.testing.assert_array_equal(images, validation.images)
    for dataset in (batches, training_batches(splits["train"], batch_size=4)):
        assert dataset.options().autotune.enabled is False


def test_model_path_depends_on_weights_and_training_settings(splits):
    settings = dict(epochs=10, batch_size=20, learning_rate=2e-5, steps_per_epoch=None, seed=0)
    train, validation = splits["train"], splits["validation"]
    path = method2_model_path("weights-a", train, validation, **settings)
    assert path == method2_model_path("weights-a", train, validation, **settings)
    assert method2_model_path("weights-b", train, validation, **settings) != path
    for name, value in [("epochs", 1), ("learning_rate", 1e-4), ("seed", 1),
                        ("steps_per_epoch", 2), ("batch_size", 10)]:
        assert method2_model_path("weights-a", train, validation,
                                  **{**settings, name: value}) != path, name


def test_saved_model_keeps_weights_and_frozen_flags(random_base, tmp_path):
    model = method2_model(random_base, 64)
    random_base.trainable = False
    try:
        path = save_model(model, tmp_path / "models" / "head.keras")
        assert not list(path.parent.glob(".*"))  # no temporary file left behind
        loaded = keras.models.load_model(path)
    finally:
        random_base.trainable = True
    assert len(loaded.trainable_weights) == 4
    np.testing.assert_array_equal(loaded.get_layer("head_dense").get_weights()[0],
                                  model.get_layer("head_dense").get_weights()[0])


@pytest.mark.parametrize("fine_tune", [False, True])
def test_cached_validation_scores_match_a_full_evaluation(splits, fine_tune):
    base = build_base("random", 64, seed=0)
    model = method2_model(base, 64)
    base.trainable = False
    if fine_tune:
        unfreeze_block5(base)
    compile_for_the_lesson(model)
    validation = splits["validation"]
    history = model.fit(training_batches(splits["train"], 5, steps_per_epoch=1), epochs=2,
                        steps_per_epoch=1, verbose=0,
                        callbacks=[FrozenFrontValidation(validation.images, validation.labels)])
    loss, accuracy = model.evaluate(validation.images, validation.labels, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(loss, rel=1e-4)
    assert history.history["val_accuracy"][-1] == pytest.approx(accuracy)
    assert len(history.history["val_loss"]) == 2


def test_validation_is_in_the_logs_of_callbacks_after_it(splits):
    base = build_base("random", 64, seed=0)
    model = method2_model(base, 64)
    base.trainable = False
    compile_for_the_lesson(model)
    keep_best = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=5,
                                              restore_best_weights=True)
    validation = splits["validation"]
    model.fit(training_batches(splits["train"], 5, steps_per_epoch=1), epochs=2,
              steps_per_epoch=1, verbose=0,
              callbacks=[FrozenFrontValidation(validation.images, validation.labels), keep_best])
    assert keep_best.best_weights is not None  # it saw val_accuracy every epoch


def test_notebook_02_steps_in_one_call_train_the_head_only(splits):
    base = build_base("random", 64, seed=0)
    before = base.get_weights()
    model = train_method2_head(base, splits["train"], splits["validation"], image_size=64,
                               epochs=1, batch_size=5, learning_rate=1e-3, steps_per_epoch=1,
                               augment=augmentation(0), seed=0)
    assert len(model.trainable_weights) == 4 and not base.trainable
    for ours, theirs in zip(base.get_weights(), before, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_head_then_fine_tuning_in_short_runs_prints_no_retracing_warning(splits, caplog,
                                                                        monkeypatch):
    """Notebook 03's path when it trains the head itself, at smoke size: one fit, an evaluation,
    a second fit after unfreezing, a final evaluation. TensorFlow warns about "excessive
    retracing" once five graphs are traced within a few calls; each step here traces one."""
    from tensorflow.python.eager.polymorphic_function import polymorphic_function as tf_function

    # TensorFlow counts traces for the whole process: start from a fresh count, as a notebook does
    monkeypatch.setattr(tf_function, "_frequent_tracing_detector_manager",
                        tf_function._FrequentTracingDetectorManager())
    validation = splits["validation"]
    with caplog.at_level(logging.WARNING):
        model = train_method2_head(build_base("random", 64, seed=0), splits["train"],
                                   validation, image_size=64, epochs=1, batch_size=5,
                                   learning_rate=1e-5, steps_per_epoch=1, augment=None, seed=0)
        model.evaluate(steady_batches(validation.images, validation.labels, 5), verbose=0)
        unfreeze_block5(model.get_layer("vgg19"))
        compile_for_the_lesson(model)
        model.fit(training_batches(splits["train"], 5, steps_per_epoch=1), epochs=1,
                  steps_per_epoch=1, verbose=0,
                  callbacks=[FrozenFrontValidation(validation.images, validation.labels)])
        model.evaluate(steady_batches(validation.images, validation.labels, 5), verbose=0)
    assert not [record for record in caplog.records if "retracing" in record.getMessage()]


def test_predictions_run_the_frozen_front_once(random_base, splits, monkeypatch):
    from santa_lib import features
    from santa_lib.evaluation import predict_probabilities

    model = method2_model(random_base, 64)
    random_base.trainable = False
    try:
        pictures = splits["test"].images
        first = predict_probabilities(model, pictures)
        np.testing.assert_allclose(first, np.asarray(model(pictures.astype("float32"))).ravel(),
                                   rtol=1e-4, atol=1e-6)

        def must_not_run(*args, **kwargs):
            raise AssertionError("the frozen base ran again")

        monkeypatch.setattr(features, "run_model", must_not_run)
        np.testing.assert_array_equal(predict_probabilities(model, pictures), first)
    finally:
        random_base.trainable = True
