"""Preprocessing inside the model: raw pictures in, and a reloaded model scores them the same."""

import subprocess
import sys

import keras
import numpy as np

from santa_lib.preprocessing import VGG19Preprocessing
from santa_lib.training import method2_model, save_model_atomically


def test_the_layer_is_vgg19_imagenet_preprocessing_and_leaves_its_input_alone():
    images = np.zeros((2, 4, 4, 3), dtype="uint8")
    images[..., 0] = 200  # red
    before = images.copy()
    layer = VGG19Preprocessing()
    out = np.asarray(layer(images))
    np.testing.assert_array_equal(images, before)
    assert not layer.weights
    # BGR order, ImageNet means subtracted: blue 103.939, green 116.779, red 123.68
    np.testing.assert_allclose(out[0, 0, 0], [-103.939, -116.779, 200 - 123.68], rtol=1e-5)


def test_a_reloaded_model_scores_raw_pictures_exactly_as_before_saving(random_base, tmp_path):
    model = method2_model(random_base, 64)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    pictures = np.random.default_rng(0).integers(0, 256, (6, 64, 64, 3)).astype("uint8")
    labels = np.array([0, 1, 0, 1, 1, 0], dtype="float32")
    before = model.predict(pictures, verbose=0)
    scores = model.evaluate(pictures, labels, verbose=0, return_dict=True)
    path = save_model_atomically(model, tmp_path / "model.keras")
    np.save(tmp_path / "pictures.npy", pictures)
    np.save(tmp_path / "labels.npy", labels)

    # a fresh process, as on another machine: only santa_lib.preprocessing is imported
    code = f"""
import json, keras, numpy as np
import santa_lib.preprocessing
model = keras.models.load_model({str(path)!r})
pictures = np.load({str(tmp_path / "pictures.npy")!r})
labels = np.load({str(tmp_path / "labels.npy")!r})
print(json.dumps({{"predictions": model.predict(pictures, verbose=0).ravel().tolist(),
                   "scores": model.evaluate(pictures, labels, verbose=0, return_dict=True)}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    import json

    reloaded = json.loads(result.stdout.strip().splitlines()[-1])
    np.testing.assert_array_equal(np.asarray(reloaded["predictions"], dtype="float32"),
                                  before.ravel())
    assert reloaded["scores"] == scores
    assert keras.models.load_model(path, compile=False).layers[0].name == "preprocessing"
