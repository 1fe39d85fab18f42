import pytest

from santa_lib.augment import augmentation
from santa_lib.data import load_split
from santa_lib.plots import augmentation_grid, plot_history, sample_grid

HISTORY = {"accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.55, 0.65, 0.75],
           "loss": [0.7, 0.5, 0.4], "val_loss": [0.69, 0.6, 0.5]}


def test_plot_history_draws_both_metrics_for_both_splits():
    figure = plot_history(HISTORY, "Method 1")
    accuracy, loss = figure.axes
    assert accuracy.get_title() == "Accuracy" and loss.get_title() == "Loss"
    train_line, val_line = accuracy.get_lines()
    assert list(train_line.get_xdata()) == [1, 2, 3]
    assert list(val_line.get_ydata()) == HISTORY["val_accuracy"]
    assert list(loss.get_lines()[0].get_ydata()) == HISTORY["loss"]
    assert figure._suptitle.get_text() == "Method 1"


def test_plot_history_accepts_a_keras_history():
    class FakeHistory:
        history = HISTORY

    assert len(plot_history(FakeHistory()).axes) == 2


def test_plot_history_explains_missing_validation():
    with pytest.raises(ValueError, match="val_accuracy"):
        plot_history({"accuracy": [0.5], "loss": [0.7]})


def test_sample_and_augmentation_grids(small_data):
    split = load_split(small_data, "train", image_size=32)
    figure = sample_grid(split, per_class=3)
    assert len(figure.axes) == 6
    assert {axis.get_title() for axis in figure.axes} == {"not_santa", "santa"}
    figure = augmentation_grid(split, augmentation(seed=0), count=4)
    assert [axis.get_title() for axis in figure.axes] == ["original"] + ["augmented"] * 3
