"""The three methods on the same footing: the table, method 3's head counted, the chart."""

import pytest

from santa_lib.comparison import (
    COMPARISON_COLUMNS,
    REFERENCE_2022,
    RULE,
    comparison_cells,
    comparison_chart,
    format_comparison,
    total_images,
    total_seconds,
)

NOTEBOOKS = {"1": "01_feature_extraction", "2": "02_frozen_base_augmentation",
             "3": "03_fine_tuning"}
METHOD_NAMES = {"1": "1 · feature extraction", "2": "2 · frozen base + augmentation",
                "3": "3 · fine-tuning"}


def record(number="1", accuracy=0.85, seconds=75.5, images_seen=5420, head=None,
           scored_epoch=2, epochs=3):
    """A record as santa_lib.internals.results saves it."""
    return {"notebook": NOTEBOOKS[number], "method": METHOD_NAMES[number],
            "test_accuracy": accuracy, "test_loss": 0.41, "seconds": seconds, "head": head,
            "scored_epoch": scored_epoch, "weights": "random (offline fallback)",
            "precision": "float32", "trainable_parameters": 3, "images_seen": images_seen,
            "parameters": {"data_dir": "embedded"},
            "history": {"loss": [0.7] * epochs, "val_accuracy": [0.5] * epochs}}


HEAD = {"seconds": 60.0, "images_seen": 1000, "source": "notebook 02's run"}


def test_method_3s_time_and_images_include_the_head():
    fine_tuning = record("3", seconds=40.0, images_seen=500, head=HEAD)
    assert total_seconds(fine_tuning) == 100.0 and total_images(fine_tuning) == 1500
    cells = comparison_cells(fine_tuning)
    assert cells["time"] == "1 min 40.0 s (head 1 min 0.0 s)"
    assert cells["images seen"] == "1,500 (head 1,000)"
    assert total_seconds(record("2", seconds=60.0)) == 60.0  # the others have no head
    assert comparison_cells(record("2", seconds=60.0))["time"] == "1 min 0.0 s"


def test_an_unknown_head_is_said_not_guessed():
    fine_tuning = record("3", seconds=40.0, images_seen=500, head=None)
    assert total_seconds(fine_tuning) is None and total_images(fine_tuning) is None
    cells = comparison_cells(fine_tuning)
    assert cells["time"] == "40.0 s + head (not recorded)"
    assert cells["images seen"] == "500 + head (not recorded)"


def test_the_scored_epoch_column():
    assert comparison_cells(record(scored_epoch=2, epochs=5))["scored epoch"] == "2 of 5"
    assert list(comparison_cells(record())) == list(COMPARISON_COLUMNS)


def test_the_comparison_table_has_a_row_per_method():
    lines = format_comparison([record("1", accuracy=0.85),
                               record("3", accuracy=0.911, head=HEAD)]).splitlines()
    assert lines[0].split()[:4] == ["method", "test", "accuracy", "test"]
    assert "scored epoch" in lines[0]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].startswith("1 · feature extraction") and "0.850" in lines[2]
    assert "1 min 15.5 s" in lines[2] and "5,420" in lines[2] and "2 of 3" in lines[2]
    assert lines[3].startswith("3 · fine-tuning") and "0.911" in lines[3]
    assert "2 min 15.5 s (head 1 min 0.0 s)" in lines[3] and "6,420 (head 1,000)" in lines[3]
    assert format_comparison([]) == ""


def test_the_rule_and_the_2022_figures_say_the_same_footing():
    assert "method 3's time and images seen include the head" in RULE
    assert [row["method"] for row in REFERENCE_2022] == list(METHOD_NAMES.values())
    assert REFERENCE_2022[2]["seconds"] == 1125 + 400


ROWS = [{"method": "1 · feature extraction", "test_accuracy": 0.85, "test_loss": 0.4,
         "seconds": 40.4, "trainable_parameters": 524_801, "images_seen": 10_840},
        {"method": "2 · frozen base + augmentation", "test_accuracy": 0.811, "test_loss": 0.45,
         "seconds": 138.1, "trainable_parameters": 270_733, "images_seen": 10_840},
        {"method": "3 · fine-tuning", "test_accuracy": 0.911, "test_loss": 0.3,
         "seconds": 232.6, "trainable_parameters": 9_709_837, "images_seen": 5_420}]
REFERENCE = [{"method": "1 · feature extraction", "test_accuracy": 0.93, "seconds": 44.8,
              "note": "real photos, ImageNet weights"},
             {"method": "2 · frozen base + augmentation", "test_accuracy": None,
              "seconds": 318.6, "note": "real photos, ImageNet weights"},
             {"method": "3 · fine-tuning", "test_accuracy": 0.91, "seconds": 399.2,
              "note": "real photos, ImageNet weights"}]


def bars(axis) -> list[tuple[float, str | None]]:
    return [(round(patch.get_height(), 3), patch.get_hatch()) for patch in axis.patches]


def test_comparison_chart_sets_this_run_beside_the_2022_lesson():
    figure = comparison_chart(ROWS, REFERENCE)
    accuracy, seconds = figure.axes
    assert bars(accuracy) == [(0.85, None), (0.811, None), (0.911, None),
                              (0.93, "//"), (0.91, "//")]
    assert bars(seconds) == [(40.4, None), (138.1, None), (232.6, None),
                             (44.8, "//"), (318.6, "//"), (399.2, "//")]
    assert "n/a" in [text.get_text() for text in accuracy.texts]  # 2022 gave no figure
    for axis in (accuracy, seconds):
        assert [label.get_text().replace("\n", " ") for label in axis.get_xticklabels()] == [
            row["method"] for row in ROWS]
    assert "2022 lesson: real photos, ImageNet weights" in [t.get_text() for t in figure.texts]


def test_comparison_chart_marks_a_method_not_run():
    figure = comparison_chart(ROWS[:2], REFERENCE)
    for axis in figure.axes:
        assert len(axis.get_xticklabels()) == 3
        assert "not run" in [text.get_text() for text in axis.texts]
    alone = comparison_chart(ROWS[2:])
    assert bars(alone.axes[0]) == [(0.911, None)]
    with pytest.raises(ValueError, match="nothing to compare"):
        comparison_chart([])


def test_comparison_chart_accepts_records_with_the_head_counted():
    records = [record("1", accuracy=0.85, seconds=40.0),
               record("3", accuracy=0.9, seconds=40.0, head=HEAD)]
    figure = comparison_chart(records, REFERENCE_2022)
    accuracy, seconds = figure.axes
    assert bars(accuracy)[:2] == [(0.85, None), (0.9, None)]
    assert bars(seconds)[:2] == [(40.0, None), (100.0, None)]  # method 3: 40 s + its 60 s head
    assert "not run" in [text.get_text() for text in accuracy.texts]  # method 2
    assert [label.get_text().split("\n")[0] for label in accuracy.get_xticklabels()] == [
        "1 · feature", "2 · frozen base", "3 · fine-tuning"]
