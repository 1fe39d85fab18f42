"""The models on the same footing: the table, method 3's head counted, the chart; how sure one
run is: each accuracy's Wilson interval, test-picture noise only (the ranking is santa_lib.paired's,
tests/test_paired.py)."""

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from scipy import stats

from santa_lib.comparison import (
    COMPARISON_COLUMNS,
    COMPARISON_RULE,
    REFERENCE_2022,
    ComparisonTable,
    comparison_cells,
    comparison_chart,
    format_comparison,
    total_images,
    total_seconds,
    weights_note,
)
from santa_lib.intervals import accuracy_interval, interval_observations, result_interval

NOTEBOOKS = {"1": "01_feature_extraction", "2": "02_frozen_base_augmentation",
             "3": "03_fine_tuning"}
METHOD_NAMES = {"1": "1 · feature extraction", "2": "2 · frozen base + augmentation",
                "3": "3 · fine-tuning"}


COMPUTED_NOW = {"seconds": 0.0, "seconds_now": 0.0, "source": "computed in this notebook"}


def record(number="1", accuracy=0.85, seconds=75.5, images_seen=5420, head=None,
           scored_epoch=2, epochs=3, features=COMPUTED_NOW):
    """A record as santa_lib.internals.results saves it."""
    return {"notebook": NOTEBOOKS[number], "method": METHOD_NAMES[number],
            "test_accuracy": accuracy, "test_loss": 0.41, "seconds": seconds, "head": head,
            "features": features if number == "1" else None,
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


def test_method_1s_time_counts_its_features_even_read_from_the_cache():
    cached = {"seconds": 25.0, "seconds_now": 0.0, "source": "read from the cache"}
    extraction = record("1", seconds=10.0, features=cached)
    assert total_seconds(extraction) == 35.0
    assert comparison_cells(extraction)["time"] == "35.0 s (features 25.0 s)"
    assert comparison_cells(record("1", seconds=10.0, features=None))["time"] == (
        "10.0 s + features (not recorded)")
    figure = comparison_chart([extraction])
    assert bars(figure.axes[1]) == [(35.0, None), (25.0, "..")]  # the lighter part


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
    assert lines[0].split()[:5] == ["method", "test", "accuracy", "(95%", "interval)"]
    assert "scored epoch" in lines[0]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].startswith("1 · feature extraction") and "0.850" in lines[2]
    assert "1 min 15.5 s" in lines[2] and "5,420" in lines[2] and "2 of 3" in lines[2]
    assert lines[3].startswith("3 · fine-tuning") and "0.911" in lines[3]
    assert "2 min 15.5 s (head 1 min 0.0 s)" in lines[3] and "6,420 (head 1,000)" in lines[3]
    assert format_comparison([]) == ""


def test_the_rule_and_the_2022_figures_say_the_same_footing():
    assert "Method 3's time and images seen include the head" in COMPARISON_RULE
    assert "method 1's time the extraction of its features" in COMPARISON_RULE
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
    # random weights said on each method run (this run's, beside the 2022 lesson's), not on 2
    assert [" ".join(label.get_text().split()) for label in accuracy.get_xticklabels()] == [
        "1 · feature extraction (this run: random VGG19 weights)",
        "2 · frozen base + augmentation", "3 · fine-tuning (this run: random VGG19 weights)"]


def test_each_methods_label_says_its_base_weights():
    imagenet = {**record("2"), "weights": "ImageNet", "key": {"weights": "imagenet"}}
    baseline = {**record("1"), "notebook": "04_from_scratch", "method": "baseline · no pretraining",
                "weights": "none (trained from scratch)", "features": None}
    figure = comparison_chart([record("1"), imagenet, baseline])
    for axis in figure.axes:
        assert [label.get_text().split("\n") for label in axis.get_xticklabels()] == [
            ["1 · feature", "extraction", "(random VGG19", "weights)"],
            ["2 · frozen base", "+ augmentation", "(ImageNet", "weights)"],
            ["baseline · no", "pretraining"]]  # its name says it already
    assert weights_note([record("1"), record("3")]) == "(random VGG19 weights)"
    assert weights_note([record("1"), imagenet]) == "(mixed VGG19 weights)"
    assert weights_note([{**record("1"), "key": {"weights": "/my/vgg19.h5"}}]) == (
        "(VGG19 weights from a file)")
    assert weights_note([baseline]) == weights_note(ROWS) == weights_note([]) == ""


def test_the_comparison_legend_stands_clear_of_the_title():
    records = [with_size(record("1")), with_size(record("3", head=HEAD))]
    figure = comparison_chart(records, REFERENCE_2022, title="This run: test accuracy and time")
    [legend] = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "chance (0.5)", "this run", "2022 lesson", "95% interval",
        "of which what it builds on\n(1: features, 3: head)"]
    assert figure.get_suptitle() == "This run: test accuracy and time"
    assert figure.get_supxlabel().startswith("2022 lesson: ")  # the notes, under the charts
    canvas = FigureCanvasAgg(figure)  # laid out: the legend clear of the title, the charts
    canvas.draw()  # and the notes
    renderer = canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    texts = {text.get_text(): text.get_window_extent(renderer) for text in figure.texts}
    assert not box.overlaps(texts[figure.get_suptitle()])
    assert not box.overlaps(texts[figure.get_supxlabel()])
    charts = [axis.get_tightbbox(renderer) for axis in figure.axes]
    assert all(not box.overlaps(chart) for chart in charts)
    assert box.x0 > max(chart.x1 for chart in charts)  # right of the charts


def test_the_notebook_table_is_html_with_the_same_cells_and_text_elsewhere():
    table = ComparisonTable([record("1", accuracy=0.85), record("2", accuracy=0.8)])
    page = table._repr_html_()
    assert page.count("<tr>") == 3 and page.count("<th>") == len(COMPARISON_COLUMNS)
    assert "1 · feature extraction" in page and "0.850" in page
    assert repr(table) == format_comparison(table.results)
    assert repr(ComparisonTable([])) == "(no results)"


# ------------------------------------------------------------------------------ intervals

def with_size(result: dict, test_size: int | None = 180) -> dict:
    return {**result, "test_size": test_size}


def test_the_interval_holds_its_accuracy_and_narrows_with_more_pictures():
    low, high = accuracy_interval(0.85, 180)
    assert low < 0.85 < high
    assert 0.04 < (high - low) / 2 < 0.06  # about ±0.05 on 180 pictures
    wide, narrow = accuracy_interval(0.85, 50), accuracy_interval(0.85, 5000)
    assert wide[1] - wide[0] > high - low > narrow[1] - narrow[0]
    assert accuracy_interval(1.0, 180)[1] == 1.0 and accuracy_interval(1.0, 180)[0] < 1.0
    for accuracy, pictures in [(1.0, 20), (0.0, 20), (1.0, 7), (0.95, 20)]:
        low, high = accuracy_interval(accuracy, pictures)
        assert 0.0 <= low <= accuracy <= high <= 1.0  # a perfect score on 20 pictures included
    with pytest.raises(ValueError):
        accuracy_interval(0.5, 0)


def test_the_interval_is_scipys_wilson_interval():
    for right, pictures in [(150, 180), (162, 180), (0, 180), (180, 180), (7, 20)]:
        wilson = stats.binomtest(right, pictures).proportion_ci(method="wilson")
        assert accuracy_interval(right / pictures, pictures) == pytest.approx(
            (wilson.low, wilson.high))
    # Wilson's formula by hand: centre (p + z²/2n) / (1 + z²/n), half-width
    # z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n), z = 1.96: 0.8264 -+ 0.0543 for 150 of 180
    assert accuracy_interval(150 / 180, 180) == pytest.approx((0.7720, 0.8807), abs=1e-4)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        accuracy_interval(1.2, 180)


def test_the_sentences_list_intervals_as_test_picture_noise_and_rank_nothing():
    text = interval_observations([with_size(record("1", accuracy=0.95)),
                                  with_size(record("2", accuracy=0.70)),
                                  with_size(record("3", accuracy=0.8), None)])
    low, high = accuracy_interval(0.95, 180)
    assert f"1 · feature extraction: 0.950 (95% interval {low:.3f} to {high:.3f} on 180 test " \
        "pictures)." in text
    assert "3 · fine-tuning: 0.800 (interval unknown" in text
    assert "test-picture noise only (which 180 test pictures happened to be drawn)" in text
    assert "another seed" in text and "other data" in text
    assert "above" not in text and "beat" not in text  # far apart, and still no ranking
    assert result_interval(with_size(record("1"), None)) is None
    assert interval_observations([]) == "No model has run with these parameters yet."
