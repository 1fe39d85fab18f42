import keras
import numpy as np
import pytest

from santa_lib.evaluation import (
    confusion_matrix,
    gradcam_examples,
    misclassified,
    predicted_labels,
)


def tiny_model():
    """Raw pixels in, P(santa) out: the mean red minus the mean green decides."""
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 3)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.layers[-1].set_weights([np.array([[4.0], [-4.0], [0.0]]), np.array([0.1])])
    return model


def pictures(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, 8, 8, 3)).astype("uint8")


def test_confusion_matrix_rows_are_true_classes_columns_predictions():
    labels = np.array([0, 0, 1, 1, 1], dtype="float32")
    probabilities = np.array([0.1, 0.7, 0.5, 0.9, 0.2])
    # 0.5 is not above the threshold: predicted not_santa, as Keras' accuracy counts it
    np.testing.assert_array_equal(confusion_matrix(labels, probabilities), [[1, 1], [2, 1]])
    np.testing.assert_array_equal(confusion_matrix(labels, probabilities, threshold=0.15),
                                  [[1, 1], [0, 3]])
    np.testing.assert_array_equal(predicted_labels(probabilities), [0, 1, 0, 1, 0])


def test_confusion_matrix_agrees_with_evaluate():
    model, images = tiny_model(), pictures(12, seed=1)
    labels = (np.arange(12) % 2).astype("float32")
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    matrix = confusion_matrix(labels, model.predict(images, verbose=0).reshape(-1))
    assert matrix.sum() == 12
    _, accuracy = model.evaluate(images, labels, verbose=0)
    assert np.trace(matrix) / 12 == pytest.approx(accuracy)


def test_confusion_matrix_refuses_mismatched_or_non_binary_input():
    with pytest.raises(ValueError, match="3 labels but 2 probabilities"):
        confusion_matrix(np.array([0, 1, 1]), np.array([0.2, 0.8]))
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        confusion_matrix(np.array([0, 2]), np.array([0.2, 0.8]))


def test_misclassified_lists_the_most_confidently_wrong_first():
    labels = np.array([1, 0, 1, 0, 1, 0], dtype="float32")
    probabilities = np.array([0.45, 0.9, 0.02, 0.3, 0.8, 0.6])
    np.testing.assert_array_equal(misclassified(labels, probabilities), [2, 1, 5, 0])
    np.testing.assert_array_equal(misclassified(labels, probabilities, limit=2), [2, 1])
    none_wrong = misclassified(labels, labels)
    assert none_wrong.shape == (0,) and none_wrong.dtype.kind == "i"


def test_gradcam_examples_take_right_and_wrong_pictures_of_both_classes():
    labels = np.array([1, 1, 1, 0, 0, 0, 1, 0])
    probabilities = np.array([0.9, 0.6, 0.2, 0.1, 0.45, 0.8, 0.99, 0.55])
    # santa right: 6 (0.99), 0 (0.9); santa wrong: 2; not santa right: 3, 4; wrong: 5, 7
    np.testing.assert_array_equal(gradcam_examples(labels, probabilities), [6, 0, 2, 3, 4, 5, 7])
    np.testing.assert_array_equal(gradcam_examples(labels, probabilities, per_group=1),
                                  [6, 2, 3, 5])


def coloured(reds: list[float]) -> np.ndarray:
    """4x4 pictures whose share of strongly red pixels is each of ``reds`` (in sixteenths)."""
    images = np.full((len(reds), 4, 4, 3), 200, "uint8")  # grey
    for image, red in zip(images, reds, strict=True):
        image.reshape(-1, 3)[:round(red * 16)] = (220, 20, 20)
    return images


def test_mistakes_are_counted_with_their_red_and_what_it_suggests():
    from santa_lib.data import Split
    from santa_lib.evaluation import mistake_observations, red_share

    # not Santa: two right (no red), two called Santa (half red); Santa: all four right
    labels = np.asarray([0, 0, 0, 0, 1, 1, 1, 1], "float32")
    probabilities = np.asarray([0.1, 0.2, 0.9, 0.8, 0.9, 0.9, 0.9, 0.9])
    images = coloured([0, 0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25])
    assert red_share(images).tolist() == [0, 0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]
    split = Split("test", images, labels, (), ("not_santa", "santa"))
    first, second = mistake_observations(split, probabilities).splitlines()
    assert first == ("It called 2 of the 4 not_santa pictures santa; strongly red pixels make "
                     "up 50% of those, on average over all 2 (not only the gallery's most "
                     "confident), against 0% of the not_santa pictures it got right: these "
                     "mistakes are the redder, so red may have pulled the model their way.")
    assert second == "It called 0 of the 4 santa pictures not_santa."
    even = mistake_observations(split, np.asarray([0.1, 0.2, 0.9, 0.8, 0.1, 0.9, 0.9, 0.1]))
    assert even.splitlines()[1].endswith(
        "against 38% of the santa pictures it got right: about as red, so red alone does not "
        "explain these mistakes.")


def test_gradcam_heat_is_measured_on_the_pictures_red_pixels():
    from santa_lib.evaluation import gradcam_observations, heat_on_red

    images = coloured([0.25, 0.25, 0.5])  # 4x4 pictures: the first rows' pixels red
    hot_top = np.zeros((2, 2), "float32")
    hot_top[0, 0] = 1.0  # a 2x2 map: the top-left quarter, rows 0-1 and columns 0-1
    even = np.ones((2, 2), "float32")
    on_red, area = heat_on_red(images, np.stack([hot_top, even, np.zeros((2, 2))]))
    # picture 0: its red pixels are row 0 (4 pixels); the heat covers rows 0-1, columns 0-1
    assert on_red.tolist() == [0.5, 0.25, 0.0] and area.tolist() == [0.25, 0.25, 0.5]
    text = gradcam_observations(images[:2], np.stack([hot_top, even]), np.asarray([1, 0]),
                                np.asarray([0.9, 0.2]), ("not_santa", "santa"))
    assert text.splitlines() == [
        "santa, answered right (1): 50% of the heat lies on pixels that are strongly red in the "
        "picture, which cover 25% of it: drawn to red.",
        "not_santa, answered right (1): 25% of the heat lies on pixels that are strongly red in "
        "the picture, which cover 25% of it: not drawn to red beyond its area."]
