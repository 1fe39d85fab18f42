import keras
import numpy as np
import pytest

from santa_lib import features as features_module
from santa_lib.data import load_data
from santa_lib.features import extract_features, outputs_path, run_model
from santa_lib.internals.backend import compiled_forward
from santa_lib.preprocessing import VGG19Preprocessing


@pytest.fixture
def splits(small_data):
    return load_data(small_data, image_size=64)


@pytest.fixture(scope="module")
def extractor(random_base):
    return keras.Sequential([keras.Input((64, 64, 3)), VGG19Preprocessing(), random_base])


def test_batches_do_not_change_the_features(extractor, splits):
    images = splits.train.images
    whole = run_model(extractor, images, batch_size=64)
    pieces = run_model(extractor, images, batch_size=3)
    assert whole.shape == (10, 2, 2, 512)
    np.testing.assert_allclose(whole, pieces, rtol=1e-4, atol=1e-4)


def test_second_extraction_reads_the_cache(extractor, splits, monkeypatch, capsys):
    first = extract_features(extractor, *splits)
    assert list(first) == ["train", "validation", "test"]
    assert first["validation"].shape == (6, 2, 2, 512)
    assert "computed" in capsys.readouterr().out

    def must_not_run(*args, **kwargs):
        raise AssertionError("the base ran again although the features were cached")

    monkeypatch.setattr(features_module, "run_model", must_not_run)
    second = extract_features(extractor, *splits)
    assert capsys.readouterr().out.count("read from the cache") == 3
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])


def test_cache_key_follows_images_weights_and_layers(extractor, random_base, splits):
    images = splits.test.images
    key = outputs_path(extractor, images)
    changed = images.copy()
    changed[0, 0, 0, 0] ^= 1
    assert outputs_path(extractor, changed) != key
    assert outputs_path(extractor, images, weights_id="other weights") != key
    without_preprocessing = keras.Sequential([keras.Input((64, 64, 3)), random_base])
    assert outputs_path(without_preprocessing, images) != key
    assert outputs_path(extractor, images) == key


def test_the_same_computation_shares_its_cache_entry(extractor, random_base, splits):
    """Notebook 02's frozen front (a functional model: preprocessing, then the base) reads the
    validation features notebook 01's Sequential extractor computed."""
    inputs = keras.Input((64, 64, 3))
    functional = keras.Model(inputs, random_base(VGG19Preprocessing()(inputs)))
    images = splits.validation.images
    assert outputs_path(functional, images) == outputs_path(extractor, images)


def test_graph_call_matches_the_model_and_follows_its_weights(extractor, random_base, splits):
    images = splits.validation.images[:4]
    expected = np.asarray(extractor(images.astype("float32"), training=False))
    np.testing.assert_allclose(run_model(extractor, images), expected, rtol=1e-4, atol=1e-5)
    last_conv = random_base.get_layer("block5_conv4")
    saved = last_conv.get_weights()
    try:
        last_conv.bias.assign(np.asarray(last_conv.bias) + 1.0)
        assert not np.allclose(run_model(extractor, images), expected)
    finally:
        last_conv.set_weights(saved)


def test_one_trace_serves_every_split_size(extractor, splits):
    forward = compiled_forward(extractor).graph
    traces_before = forward.experimental_get_tracing_count()
    for images in (splits.train.images, splits.validation.images[:3]):
        assert len(run_model(extractor, images, batch_size=7)) == len(images)
    assert forward.experimental_get_tracing_count() <= traces_before + 1


def test_graph_call_does_not_keep_its_model_alive():
    import gc
    import weakref

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    compiled_forward(model)(np.zeros((1, 3), dtype="float32"))
    model_ref = weakref.ref(model)
    del model
    gc.collect()
    assert model_ref() is None
