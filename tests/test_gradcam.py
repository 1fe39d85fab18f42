import keras
import numpy as np
import pytest

from santa_lib.gradcam import conv_layer_names, gradcam_heatmaps, gradient_model
from santa_lib.training import method2_model
from tests.bases import random_vgg19


@pytest.fixture(scope="module")
def lesson_model():
    """The lesson's model at 32x32 (block5_conv4 is then 2x2), with seeded random weights."""
    return method2_model(random_vgg19(32), 32)


@pytest.fixture(scope="module")
def pictures():
    return np.random.default_rng(0).integers(0, 256, (3, 32, 32, 3)).astype("uint8")


def quadrant_model(bias: float = 0.0):
    """Red in a picture counts for Santa, green against, wherever they are.

    Inside a nested base, 4x4 average pooling turns a 16x16 picture into a 4x4 grid and the
    1x1 convolution ``colour_conv`` gives two channels: red and green. The head adds up the red
    channel and subtracts the green one (through ``mix``, an identity 1x1 convolution, so the
    target layer is not the base's last).
    """
    base_input = keras.Input((16, 16, 3))
    pooled = keras.layers.AveragePooling2D(4, name="pool")(base_input)
    colours = keras.layers.Conv2D(2, 1, activation="relu", name="colour_conv")(pooled)
    mixed = keras.layers.Conv2D(2, 1, name="mix")(colours)
    base = keras.Model(base_input, mixed, name="tiny_base")
    model = keras.Sequential([
        keras.Input((16, 16, 3)),
        keras.layers.Rescaling(1 / 255, name="scale"),
        base,
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(1, activation="sigmoid", name="head_output", dtype="float32"),
    ])
    colour_kernel = np.zeros((1, 1, 3, 2), "float32")
    colour_kernel[0, 0, 0, 0] = colour_kernel[0, 0, 1, 1] = 1.0  # red -> 0, green -> 1
    base.get_layer("colour_conv").set_weights([colour_kernel, np.zeros(2, "float32")])
    base.get_layer("mix").set_weights([np.eye(2, dtype="float32")[None, None],
                                       np.zeros(2, "float32")])
    head = np.tile(np.array([1.0, -1.0], "float32"), 16)[:, None]  # flattened (4, 4, 2)
    model.layers[-1].set_weights([head, np.array([bias], "float32")])
    return model


def red_and_green_picture() -> np.ndarray:
    """A red top-left quadrant and a green bottom-right one on black."""
    picture = np.zeros((1, 16, 16, 3), "uint8")
    picture[0, :8, :8, 0] = 255
    picture[0, 8:, 8:, 1] = 255
    return picture


def quadrant_means(heatmap: np.ndarray) -> tuple[float, float]:
    return float(heatmap[:8, :8].mean()), float(heatmap[8:, 8:].mean())


def test_heatmaps_have_the_pictures_size_and_lie_in_0_1(lesson_model, pictures):
    heatmaps = gradcam_heatmaps(lesson_model, pictures, batch_size=2)
    assert heatmaps.shape == (3, 32, 32) and heatmaps.dtype == np.float32
    assert heatmaps.min() >= 0.0 and heatmaps.max() <= 1.0
    peaks = heatmaps.reshape(3, -1).max(axis=1)
    assert all(peak in (0.0, 1.0) for peak in np.round(peaks, 6))
    assert peaks.max() == pytest.approx(1.0)


def test_gradient_model_predicts_exactly_what_the_model_predicts(lesson_model, pictures):
    conv_output, _, prediction = gradient_model(lesson_model)(pictures.astype("float32"))
    assert tuple(conv_output.shape) == (3, 2, 2, 512)
    np.testing.assert_array_equal(np.asarray(prediction),
                                  np.asarray(lesson_model(pictures.astype("float32"))))


@pytest.mark.parametrize("bias", [1.0, -1.0])
def test_heatmap_follows_the_evidence_for_each_class(bias):
    model, picture = quadrant_model(bias), red_and_green_picture()
    santa = gradcam_heatmaps(model, picture, "colour_conv", target="santa")[0]
    not_santa = gradcam_heatmaps(model, picture, "colour_conv", target="not_santa")[0]
    predicted = gradcam_heatmaps(model, picture, "colour_conv", target="predicted")[0]
    red, green = quadrant_means(santa)
    assert red > 0.8 and green < 0.05  # Santa's evidence is the red corner
    red, green = quadrant_means(not_santa)
    assert green > 0.8 and red < 0.05  # the evidence against, the green one
    # the model says santa exactly when the bias tips the balanced picture that way
    np.testing.assert_array_equal(predicted, santa if bias > 0 else not_santa)


def test_mixed_precision_gives_the_same_map():
    expected = gradcam_heatmaps(quadrant_model(), red_and_green_picture(), "colour_conv",
                                target="santa")
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = quadrant_model()
        assert model.get_layer("tiny_base").get_layer("colour_conv").compute_dtype == "bfloat16"
        heatmaps = gradcam_heatmaps(model, red_and_green_picture(), "colour_conv",
                                    target="santa")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert heatmaps.dtype == np.float32
    np.testing.assert_allclose(heatmaps, expected, atol=1e-2)


def test_a_reloaded_model_gives_the_same_heatmaps(lesson_model, pictures, tmp_path):
    path = tmp_path / "model.keras"
    lesson_model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(gradcam_heatmaps(reloaded, pictures),
                               gradcam_heatmaps(lesson_model, pictures), atol=1e-6)


def test_a_wrong_layer_name_lists_the_conv_layers(lesson_model):
    names = conv_layer_names(lesson_model)
    assert names[0] == "block1_conv1" and names[-1] == "block5_conv4" and len(names) == 16
    with pytest.raises(ValueError, match="block9_conv1.*block1_conv1, block1_conv2.*block5_conv4"):
        gradient_model(lesson_model, "block9_conv1")


def test_a_wrong_target_is_refused(lesson_model, pictures):
    with pytest.raises(ValueError, match="target must be one of"):
        gradcam_heatmaps(lesson_model, pictures, target="reindeer")


def test_a_certain_prediction_still_has_a_heatmap():
    # P(santa) rounds to exactly 1.0 in float32, where its gradient is 0; the logit's is not
    model, picture = quadrant_model(bias=100.0), red_and_green_picture()
    assert float(np.asarray(model(picture.astype("float32")))[0, 0]) == 1.0
    np.testing.assert_array_equal(
        gradcam_heatmaps(model, picture, "colour_conv", target="predicted"),
        gradcam_heatmaps(quadrant_model(bias=1.0), picture, "colour_conv", target="predicted"))
