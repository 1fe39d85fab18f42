import numpy as np
import pytest

from santa_lib.base import preprocess_images
from santa_lib.data import load_splits
from santa_lib.training import (
    build_feature_classifier,
    build_frozen_base_model,
    flatten_features,
    head_model_path,
    load_model,
    save_model,
    training_dataset,
)


@pytest.fixture
def splits(small_data):
    return load_splits(small_data, image_size=64)


def test_reference_parameter_counts(random_base):
    classifier = build_feature_classifier(2048)
    assert [layer.count_params() for layer in classifier.layers] == [524_544, 257]
    model = build_frozen_base_model(random_base)
    assert [layer.count_params() for layer in model.layers] == [20_024_384, 0, 270_468, 133]


def test_every_training_image_once_per_epoch(splits):
    train = splits["train"]
    dataset = training_dataset(train, batch_size=4)
    batches = list(dataset.as_numpy_iterator())
    assert [len(labels) for _, labels in batches] == [4, 4, 2]
    labels = np.concatenate([labels for _, labels in batches])
    assert sorted(labels.tolist()) == sorted(train.labels.tolist())
    # without augmentation the batches are exactly the preprocessed images, in shuffled order
    images = np.concatenate([images for images, _ in batches])
    expected = preprocess_images(train.images)
    assert sorted(map(float, images.sum(axis=(1, 2, 3)))) == pytest.approx(
        sorted(map(float, expected.sum(axis=(1, 2, 3)))), rel=1e-5)


def test_head_model_path_depends_on_training_settings(random_base, splits, tmp_path):
    settings = dict(epochs=10, batch_size=20, learning_rate=2e-5, steps_per_epoch=None, seed=0)
    path = head_model_path(random_base, splits["train"], splits["validation"], **settings)
    assert path == head_model_path(random_base, splits["train"], splits["validation"], **settings)
    for name, value in [("epochs", 1), ("learning_rate", 1e-4), ("seed", 1),
                        ("steps_per_epoch", 2)]:
        other = head_model_path(random_base, splits["train"], splits["validation"],
                                **{**settings, name: value})
        assert other != path, name


def test_save_and_load_keep_weights_and_frozen_flags(random_base, tmp_path):
    import keras

    model = build_frozen_base_model(random_base)
    random_base.trainable = False
    try:
        path = save_model(model, tmp_path / "models" / "head.keras")
        assert not list(path.parent.glob(".*"))  # no temporary file left behind
        loaded = load_model(path)
    finally:
        random_base.trainable = True
    assert isinstance(loaded, keras.Model)
    assert len(loaded.trainable_weights) == 4
    np.testing.assert_array_equal(loaded.get_layer("head_dense").get_weights()[0],
                                  model.get_layer("head_dense").get_weights()[0])


def test_flatten_features():
    assert flatten_features(np.zeros((3, 2, 2, 512))).shape == (3, 2048)


@pytest.mark.parametrize("unfreeze", [None, "block5_conv1"])
def test_cached_validation_scores_match_a_full_evaluation(splits, unfreeze):
    from santa_lib.base import build_base
    from santa_lib.evaluation import evaluate
    from santa_lib.freezing import freeze, unfreeze_from
    from santa_lib.seeding import seed_everything
    from santa_lib.training import compile_binary, fit_on_images, split_frozen

    seed_everything(0)
    base, _ = build_base("random", 64)
    model = build_frozen_base_model(base)
    freeze(base)
    if unfreeze:
        unfreeze_from(base, unfreeze)
    front, rest = split_frozen(model)
    assert front.output_shape[1:] == ((4, 4, 512) if unfreeze else (2, 2, 512))
    x = preprocess_images(splits["validation"].images)
    np.testing.assert_allclose(rest(front(x)), model(x), rtol=1e-4, atol=1e-6)

    compile_binary(model, 1e-5)
    history = fit_on_images(model, splits["train"], splits["validation"], epochs=2,
                            batch_size=5, steps_per_epoch=1)
    scores = evaluate(model, x, splits["validation"].labels)
    assert history.history["val_loss"][-1] == pytest.approx(scores["loss"], rel=1e-4)
    assert history.history["val_accuracy"][-1] == pytest.approx(scores["accuracy"])
    assert len(history.history["val_loss"]) == 2


def test_pipelines_keep_order_and_run_without_autotuning(splits):
    from santa_lib.training import array_batches

    validation = splits["validation"]
    batches = array_batches(validation.images, validation.labels, batch_size=3)
    images = np.concatenate([images for images, _ in batches.as_numpy_iterator()])
    np.testing.assert_array_equal(images, validation.images)
    for dataset in (batches, training_dataset(splits["train"], batch_size=4)):
        assert dataset.options().autotune.enabled is False


def test_head_then_fine_tuning_in_short_runs_prints_no_retracing_warning(splits, caplog,
                                                                        monkeypatch):
    """Notebook 03's path when it trains the head itself, at smoke size: one fit, an evaluation,
    a second fit after unfreezing, a final evaluation. TensorFlow warns about "excessive
    retracing" once five graphs are traced within a few calls; each step here traces one."""
    import logging

    from tensorflow.python.eager.polymorphic_function import polymorphic_function as tf_function

    # TensorFlow counts traces for the whole process: start from a fresh count, as a notebook does
    monkeypatch.setattr(tf_function, "_frequent_tracing_detector_manager",
                        tf_function._FrequentTracingDetectorManager())

    from santa_lib.base import build_base
    from santa_lib.evaluation import evaluate
    from santa_lib.freezing import freeze, unfreeze_from
    from santa_lib.training import compile_binary, fit_on_images

    base, _ = build_base("random", 64)
    model = build_frozen_base_model(base)
    freeze(base)
    x, y = preprocess_images(splits["validation"].images), splits["validation"].labels
    settings = dict(epochs=1, batch_size=5, steps_per_epoch=1)
    with caplog.at_level(logging.WARNING):
        compile_binary(model, 1e-5)
        fit_on_images(model, splits["train"], splits["validation"], **settings)
        evaluate(model, x, y)
        unfreeze_from(base, "block5_conv1")
        compile_binary(model, 1e-5)
        fit_on_images(model, splits["train"], splits["validation"], **settings)
        evaluate(model, x, y)
    assert not [record for record in caplog.records if "retracing" in record.getMessage()]
