import importlib
import logging
import warnings

import keras
import numpy as np
import pytest

from santa_lib.augment import augmentation
from santa_lib.data import load_data
from santa_lib.internals.results import METHOD_DEFAULTS, Run
from santa_lib.training import (
    FrozenFrontValidation,
    batches_in_order,
    fine_tuned_model_path,
    method2_model,
    method2_model_path,
    save_model_atomically,
    train_method2_head,
    training_batches,
)
from santa_lib.weights import WeightsChoice
from tests.bases import random_vgg19

RANDOM = WeightsChoice("random")


def lesson_run(notebook="02_frozen_base_augmentation", **changes):
    """A notebook's run with its own defaults, as its parameters cell sets them, and changes."""
    return Run(notebook, {**METHOD_DEFAULTS[notebook], **changes})


@pytest.fixture
def splits(small_data):
    return load_data(small_data, image_size=64)


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
    train = splits.train
    batches = list(training_batches(train, batch_size=4).as_numpy_iterator())
    assert [len(labels) for _, labels in batches] == [4, 4, 2]
    labels = np.concatenate([labels for _, labels in batches])
    assert sorted(labels.tolist()) == sorted(train.labels.tolist())
    # without augmentation the batches are the raw pictures, shuffled
    pictures = np.concatenate([pictures for pictures, _ in batches])
    assert sorted(map(float, pictures.sum(axis=(1, 2, 3)))) == sorted(
        map(float, train.images.astype("float32").sum(axis=(1, 2, 3))))


def test_capped_steps_repeat_and_augmentation_changes_pictures(splits):
    train = splits.train
    batches = training_batches(train, batch_size=4, augment=augmentation(0), steps_per_epoch=2)
    taken = list(batches.take(4).as_numpy_iterator())
    assert [len(labels) for _, labels in taken] == [4, 4, 4, 4]  # runs on past the 10 pictures
    pictures = np.concatenate([pictures for pictures, _ in taken])
    originals = {image.astype("float32").tobytes() for image in train.images}
    assert not any(picture.tobytes() in originals for picture in pictures)


def test_pipelines_keep_order_and_run_without_autotuning(splits):
    validation = splits.validation
    batches = batches_in_order(validation.images, validation.labels, batch_size=3)
    images = np.concatenate([images for images, _ in batches.as_numpy_iterator()])
    np.testing.assert_array_equal(images, validation.images)
    for dataset in (batches, training_batches(splits.train, batch_size=4)):
        assert dataset.options().autotune.enabled is False


def test_model_path_depends_on_weights_and_training_settings(splits):
    train, validation = splits.train, splits.validation
    path = method2_model_path(lesson_run(), train, validation, RANDOM)
    assert path.suffix == ".keras"
    assert path == method2_model_path(lesson_run(), train, validation, RANDOM)
    assert method2_model_path(lesson_run(), train, validation,
                              WeightsChoice("imagenet")) != path
    assert method2_model_path(lesson_run(), splits.test, validation, RANDOM) != path
    for name, value in [("epochs", 1), ("learning_rate", 1e-4), ("seed", 1),
                        ("steps_per_epoch", 2), ("batch_size", 10), ("image_size", 32)]:
        assert method2_model_path(lesson_run(**{name: value}), train, validation,
                                  RANDOM) != path, name


def test_notebook_03_finds_the_model_notebook_02_saved(splits):
    """03's head_epochs and head_learning_rate are 02's epochs and learning_rate; its own
    fine-tuning settings do not change which method-2 model it starts from."""
    train, validation = splits.train, splits.validation
    saved_by_02 = method2_model_path(lesson_run(epochs=3, learning_rate=1e-3), train,
                                     validation, RANDOM)
    run_03 = lesson_run("03_fine_tuning", head_epochs=3, head_learning_rate=1e-3, epochs=7,
                        learning_rate=5e-5, unfreeze_from_layer="block4_conv1")
    assert method2_model_path(run_03, train, validation, RANDOM) == saved_by_02
    assert method2_model_path(lesson_run("03_fine_tuning"), train, validation,
                              RANDOM) != saved_by_02


def test_the_fine_tuned_model_path_follows_every_setting_of_notebook_03(splits, tmp_path):
    train, validation = splits.train, splits.validation
    path = fine_tuned_model_path(lesson_run("03_fine_tuning"), train, validation, RANDOM)
    assert path != method2_model_path(lesson_run("03_fine_tuning"), train, validation, RANDOM)
    for name, value in [("epochs", 1), ("unfreeze_from_layer", "block4_conv1"),
                        ("head_epochs", 2)]:
        changed = lesson_run("03_fine_tuning", **{name: value})
        assert fine_tuned_model_path(changed, train, validation, RANDOM) != path, name
    photo = tmp_path / "me.jpg"
    photo.write_bytes(b"x")  # the picture looked at afterwards does not make another model
    with_photo = lesson_run("03_fine_tuning", my_photo=str(photo))
    assert fine_tuned_model_path(with_photo, train, validation, RANDOM) == path


def test_saved_model_keeps_weights_and_frozen_flags(random_base, tmp_path):
    model = method2_model(random_base, 64)
    random_base.trainable = False
    try:
        path = save_model_atomically(model, tmp_path / "models" / "head.keras")
        assert not list(path.parent.glob(".*"))  # no temporary file left behind
        loaded = keras.models.load_model(path)
    finally:
        random_base.trainable = True
    assert len(loaded.trainable_weights) == 4
    np.testing.assert_array_equal(loaded.get_layer("head_dense").get_weights()[0],
                                  model.get_layer("head_dense").get_weights()[0])


@pytest.mark.parametrize("fine_tune", [False, True])
def test_cached_validation_scores_match_a_full_evaluation(splits, fine_tune):
    base = random_vgg19(64)
    model = method2_model(base, 64)
    base.trainable = False
    if fine_tune:
        unfreeze_block5(base)
    compile_for_the_lesson(model)
    validation = splits.validation
    history = model.fit(training_batches(splits.train, 5, steps_per_epoch=1), epochs=2,
                        steps_per_epoch=1, verbose=0, shuffle=False,
                        callbacks=[FrozenFrontValidation(validation.images, validation.labels)])
    loss, accuracy = model.evaluate(validation.images, validation.labels, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(loss, rel=1e-4)
    assert history.history["val_accuracy"][-1] == pytest.approx(accuracy)
    assert len(history.history["val_loss"]) == 2


def test_validation_is_in_the_logs_of_callbacks_after_it(splits):
    base = random_vgg19(64)
    model = method2_model(base, 64)
    base.trainable = False
    compile_for_the_lesson(model)
    keep_best = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=5,
                                              restore_best_weights=True)
    validation = splits.validation
    model.fit(training_batches(splits.train, 5, steps_per_epoch=1), epochs=2,
              steps_per_epoch=1, verbose=0, shuffle=False,
              callbacks=[FrozenFrontValidation(validation.images, validation.labels), keep_best])
    assert keep_best.best_weights is not None  # it saw val_accuracy every epoch


def test_notebook_02_steps_in_one_call_train_the_head_only(splits, tmp_path):
    weights_file = tmp_path / "base.weights.h5"
    random_vgg19(64, seed=1).save_weights(weights_file)
    before = random_vgg19(64, seed=1).get_weights()
    run = lesson_run("03_fine_tuning", head_epochs=2, head_learning_rate=1e-3, batch_size=5,
                     steps_per_epoch=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = train_method2_head(run, WeightsChoice("file", path=weights_file), splits.train,
                                   splits.validation, augmentation(0))
    assert not [w for w in caught if "shuffle" in str(w.message)]  # nothing for the notebook
    base = model.get_layer("vgg19")
    assert len(model.trainable_weights) == 4 and not base.trainable
    for ours, theirs in zip(base.get_weights(), before, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    # the head's cost, kept for the comparison: 2 epochs of 1 step of 5 pictures
    assert run.head["images_seen"] == 10 and run.head["seconds"] > 0
    assert run.head["source"] == "trained in this notebook"


def test_importing_the_module_changes_no_warning_filter():
    """No process-wide side effect at import: Keras' "`shuffle=True` was passed" warning is
    avoided where ``fit`` is called (``shuffle=False``), not filtered for the whole process."""
    import santa_lib.training

    with warnings.catch_warnings():
        before = list(warnings.filters)
        importlib.reload(santa_lib.training)
        assert warnings.filters == before


def test_head_then_fine_tuning_in_short_runs_prints_no_retracing_warning(splits, caplog,
                                                                        monkeypatch):
    """Notebook 03's path when it trains the head itself, at smoke size: one fit, an evaluation,
    a second fit after unfreezing, a final evaluation. TensorFlow warns about "excessive
    retracing" once five graphs are traced within a few calls; each step here traces one."""
    from tensorflow.python.eager.polymorphic_function import polymorphic_function as tf_function

    # TensorFlow counts traces for the whole process: start from a fresh count, as a notebook does
    monkeypatch.setattr(tf_function, "_frequent_tracing_detector_manager",
                        tf_function._FrequentTracingDetectorManager())
    validation = splits.validation
    with caplog.at_level(logging.WARNING):
        run = lesson_run("03_fine_tuning", head_epochs=1, head_learning_rate=1e-5,
                         batch_size=5, steps_per_epoch=1)
        model = train_method2_head(run, RANDOM, splits.train, validation, None)
        model.evaluate(batches_in_order(validation.images, validation.labels, 5), verbose=0)
        unfreeze_block5(model.get_layer("vgg19"))
        compile_for_the_lesson(model)
        model.fit(training_batches(splits.train, 5, steps_per_epoch=1), epochs=1,
                  steps_per_epoch=1, verbose=0, shuffle=False,
                  callbacks=[FrozenFrontValidation(validation.images, validation.labels)])
        model.evaluate(batches_in_order(validation.images, validation.labels, 5), verbose=0)
    assert not [record for record in caplog.records if "retracing" in record.getMessage()]


def test_array_batches_deal_every_picture_once_per_epoch_and_reshuffle(splits):
    """The pipeline JAX and PyTorch train on: shuffled, each picture once an epoch, a fresh
    order next epoch, augmented when asked, in order for evaluation."""
    from santa_lib.training import ArrayBatches

    train = splits.train
    batches = ArrayBatches(train.images, train.labels, 4, shuffle=True, seed=1)
    assert len(batches) == 3

    def epoch():
        pictures = np.concatenate([batches[index][0] for index in range(len(batches))])
        assert sorted(map(float, pictures.sum(axis=(1, 2, 3)))) == sorted(
            map(float, train.images.astype("float32").sum(axis=(1, 2, 3))))
        return pictures

    first = epoch()
    batches.on_epoch_end()
    assert not np.array_equal(first, epoch())
    in_order = ArrayBatches(train.images, train.labels, 4)
    np.testing.assert_array_equal(np.concatenate([in_order[i][0] for i in range(3)]),
                                  train.images.astype("float32"))
    capped = ArrayBatches(train.images, train.labels, 4, shuffle=True, augment=augmentation(0),
                          steps_per_epoch=5)
    assert len(capped) == 5 and all(len(capped[i][1]) == 4 for i in range(5))
    originals = {image.astype("float32").tobytes() for image in train.images}
    assert not any(picture.tobytes() in originals for picture in capped[0][0])
