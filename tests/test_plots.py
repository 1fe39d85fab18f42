from pathlib import Path

import numpy as np
import pytest

from santa_lib.augment import augmentation
from santa_lib.data import Split, load_data
from santa_lib.plots import (
    answer_titles,
    augmentation_grid,
    gradcam_grid,
    misclassified_gallery,
    plot_confusion_matrix,
    plot_history,
    sample_grid,
)

HISTORY = {"accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.55, 0.65, 0.75],
           "loss": [0.7, 0.5, 0.4], "val_loss": [0.69, 0.6, 0.5]}


def test_plot_history_draws_both_metrics_for_both_splits():
    figure = plot_history(HISTORY, "Method 1")
    accuracy, loss = figure.axes
    assert accuracy.get_title() == "Accuracy" and loss.get_title() == "Loss"
    train_line, val_line, kept = accuracy.get_lines()
    assert list(train_line.get_xdata()) == [1, 2, 3]
    assert list(kept.get_xdata()) == [3, 3] and kept.get_label() == "kept: epoch 3"
    assert list(val_line.get_ydata()) == HISTORY["val_accuracy"]
    assert list(loss.get_lines()[0].get_ydata()) == HISTORY["loss"]
    assert figure.get_suptitle() == "Method 1"


def test_plot_history_continues_an_earlier_training_as_one_run():
    later = {"accuracy": [0.9, 0.95], "val_accuracy": [0.9, 0.7], "loss": [0.3, 0.2],
             "val_loss": [0.3, 0.6]}
    figure = plot_history(later, "Method 3", earlier=HISTORY)
    train_line, val_line, kept = figure.axes[0].get_lines()
    assert list(train_line.get_xdata()) == [1, 2, 3, 4, 5]
    assert list(val_line.get_ydata()) == HISTORY["val_accuracy"] + later["val_accuracy"]
    assert list(kept.get_xdata()) == [4, 4]  # the later run's best epoch, counted on from 3
    assert "head training" in [patch.get_label() for patch in figure.axes[0].patches]


def test_plot_history_accepts_a_keras_history():
    class FakeHistory:
        history = HISTORY

    assert len(plot_history(FakeHistory()).axes) == 2


def test_plot_history_explains_missing_validation():
    with pytest.raises(ValueError, match="val_accuracy"):
        plot_history({"accuracy": [0.5], "loss": [0.7]})


def test_sample_and_augmentation_grids(small_data):
    split = load_data(small_data, image_size=32).train
    figure = sample_grid(split, per_class=3)
    assert len(figure.axes) == 6
    assert {axis.get_title() for axis in figure.axes} == {"not_santa", "santa"}
    figure = augmentation_grid(split, augmentation(seed=0), count=4)
    assert [axis.get_title() for axis in figure.axes] == ["original"] + ["augmented"] * 3


def pictures_split(labels: list[float]) -> Split:
    images = np.random.default_rng(0).integers(0, 256, (len(labels), 16, 16, 3)).astype("uint8")
    return Split("test", images, np.asarray(labels, "float32"),
                 tuple(Path(f"{index}.jpg") for index in range(len(labels))),
                 ("not_santa", "santa"))


def test_confusion_matrix_shows_counts_shares_and_totals():
    figure = plot_confusion_matrix(np.array([[20, 0], [3, 17]]), ("not_santa", "santa"),
                                   title="Method 3")
    axis = figure.axes[0]
    assert [text.get_text() for text in axis.texts] == ["20\n100%", "0\n0%", "3\n15%",
                                                        "17\n85%"]
    assert [label.get_text() for label in axis.get_yticklabels()] == [
        "true not_santa\n(20 pictures)", "true santa\n(20 pictures)"]
    assert [label.get_text() for label in axis.get_xticklabels()] == [
        "predicted\nnot_santa", "predicted\nsanta"]
    assert axis.get_title() == "Method 3\n37 of 40 right, accuracy 0.925"
    with pytest.raises(ValueError, match="2x2"):
        plot_confusion_matrix(np.zeros((3, 3)), ("not_santa", "santa"))


def test_misclassified_gallery_titles_each_picture_with_truth_and_probability():
    split = pictures_split([1, 0, 1, 0, 1])
    probabilities = np.array([0.02, 0.5004, 0.9, 0.9993, 0.7])
    figure = misclassified_gallery(split, probabilities, [3, 0, 1])
    shown = [axis for axis in figure.axes if axis.get_images()]
    assert [axis.get_title() for axis in shown] == [
        "true not_santa\nP(santa)>0.99", "true santa\nP(santa)=0.02",
        "true not_santa\nP(santa)=0.5004"]
    assert "3 shown; 3 of the 5 test pictures are wrong" in figure.get_suptitle()


def test_misclassified_gallery_shows_at_most_16():
    split = pictures_split([1.0] * 20)
    figure = misclassified_gallery(split, np.zeros(20), list(range(20)))
    assert sum(bool(axis.get_images()) for axis in figure.axes) == 16
    assert "16 shown; 20 of the 20" in figure.get_suptitle()


def test_misclassified_gallery_says_so_when_nothing_is_wrong():
    split = pictures_split([1, 0, 1])
    figure = misclassified_gallery(split, np.array([0.9, 0.1, 0.8]), [])
    assert not any(axis.get_images() for axis in figure.axes)
    words = " ".join(text.get_text() for axis in figure.axes for text in axis.texts)
    assert "Nothing misclassified: all 3 test pictures are predicted correctly." in words
    with pytest.raises(ValueError, match="2 probabilities for the 3 pictures"):
        misclassified_gallery(split, np.array([0.9, 0.1]), [])


def test_gradcam_grid_lays_each_heatmap_over_its_picture():
    images = np.random.default_rng(0).integers(0, 256, (3, 16, 16, 3)).astype("uint8")
    heatmaps = np.random.default_rng(1).uniform(0, 1, (3, 4, 4)).astype("float32")
    figure = gradcam_grid(images, heatmaps, ["a", "b", "c"], alpha=0.3)
    pictures, overlays = figure.axes[0:3], figure.axes[3:6]
    assert [axis.get_title() for axis in pictures] == ["a", "b", "c"]
    for axis, heatmap in zip(overlays, heatmaps, strict=True):
        picture, heat = axis.get_images()
        assert heat.get_alpha() == 0.3
        np.testing.assert_array_equal(heat.get_array(), heatmap)
        assert heat.get_extent() == [-0.5, 15.5, 15.5, -0.5]  # stretched over the picture
    assert figure.get_suptitle() == "Where the model looks (Grad-CAM)"
    with pytest.raises(ValueError, match="one heatmap per picture"):
        gradcam_grid(images, heatmaps[:2])


def test_answer_titles_say_the_answer_and_whether_it_was_right():
    assert answer_titles(np.array([0.9, 0.2]), np.array([1.0, 1.0])) == [
        "true santa\nP(santa)=0.90: right", "true santa\nP(santa)=0.20: WRONG"]
    assert answer_titles(np.array([0.9, 0.2])) == ["P(santa)=0.90\nsays santa",
                                                   "P(santa)=0.20\nsays not_santa"]
    assert answer_titles(np.array([0.1]), np.array([0.0]), class_names=("cat", "dog")) == [
        "true cat\nP(dog)=0.10: right"]


def test_gradcam_titles_never_overlap():
    pictures = np.zeros((8, 64, 64, 3), dtype="uint8")
    titles = answer_titles(np.linspace(0.01, 0.99, 8), np.array([0, 1] * 4),
                           ("not_santa", "santa"))
    figure = gradcam_grid(pictures, np.zeros((8, 4, 4)), titles)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [axis.title.get_window_extent(renderer) for axis in figure.axes
             if axis.get_title()]
    assert len(boxes) == 8
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
