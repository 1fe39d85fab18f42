"""Each method's run: parameters checked, a record kept under them, found again by notebook 05."""

import json
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from santa_lib.comparison import collect_results
from santa_lib.data import DataChoice, Split
from santa_lib.internals import results
from santa_lib.internals.params import ParameterError, parameters_cell
from santa_lib.internals.records import (
    METHOD_DEFAULTS,
    METHODS,
    find_records,
    key_parameters,
    load_result,
    method_settings,
    result_path,
)
from santa_lib.internals.results import Run, images_seen, trainable_parameters
from santa_lib.weights import WeightsChoice
from tests.bases import random_vgg19

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
HISTORY = {"loss": [0.7, 0.5, 0.6], "accuracy": [0.5, 0.8, 0.7],
           "val_loss": [0.69, 0.5, 0.55], "val_accuracy": [0.5, 0.75, 0.75]}


EMBEDDED = DataChoice("embedded", Path("/nowhere/embedded"))
FALLBACK = WeightsChoice("random", fallback_reason="offline (test)")
LABELS = np.array([0, 1, 1, 0], dtype="float32")
TEST = Split("test", np.zeros((4, 8, 8, 3), "uint8"), LABELS,
             tuple(Path(f"/x/test/{'santa' if label else 'not_santa'}/{index}.jpg")
                   for index, label in enumerate(LABELS)), ("not_santa", "santa"))
PROBABILITIES = np.array([0.2, 0.9, 0.4, 0.1], dtype="float32")


def lesson_run(notebook="02_frozen_base_augmentation", pictures=EMBEDDED, weights=FALLBACK,
               **changes) -> Run:
    """A notebook's run with its own defaults, as its parameters cell sets them, and changes,
    using ``pictures`` and ``weights``."""
    run = Run(notebook, {**METHOD_DEFAULTS[notebook], **changes})
    run.uses(pictures, None if notebook == "04_from_scratch" else weights)
    return run


def small_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.layers[0].trainable = False
    return model


def save(run: Run, accuracy=0.8, train_size=50) -> dict:
    run.save(small_model(), HISTORY, 0.41, accuracy, PROBABILITIES, TEST, train_size)
    return load_result(run.notebook, run.key())


@pytest.mark.parametrize("notebook", list(METHODS))
def test_method_defaults_are_each_notebooks_parameters_cell(notebook):
    """What ``None`` means in notebooks 00 and 04, and what a record is keyed by, is each method
    notebook's own parameters cell: the two must stay the same."""
    assert parameters_cell(NOTEBOOKS / f"{notebook}.ipynb") == METHOD_DEFAULTS[notebook]


def test_a_run_refuses_a_missing_parameter_naming_it():
    namespace = dict(METHOD_DEFAULTS["01_feature_extraction"])
    del namespace["learning_rate"]
    with pytest.raises(NameError, match="learning_rate"):
        Run("01_feature_extraction", namespace)
    with pytest.raises(ValueError, match="notebook must be one of"):
        Run("05_nothing", namespace)


def test_a_run_refuses_a_bad_value_naming_it():
    with pytest.raises(ParameterError, match="epochs must be a whole number >= 1, got 0"):
        lesson_run(epochs=0)
    with pytest.raises(ParameterError, match="unfreeze_from_layer must name a layer"):
        lesson_run("03_fine_tuning", unfreeze_from_layer="block9")


def test_a_run_keeps_exactly_its_notebooks_parameters():
    namespace = {**METHOD_DEFAULTS["01_feature_extraction"], "epochs": 3, "other": object()}
    run = Run("01_feature_extraction", namespace)
    assert run.parameters == {**METHOD_DEFAULTS["01_feature_extraction"], "epochs": 3}


def test_notebook_03s_method2_settings_are_its_head_settings():
    run = lesson_run("03_fine_tuning", head_epochs=4, head_learning_rate=3e-5, epochs=9)
    assert run.method2_settings() == {**lesson_run(epochs=4, learning_rate=3e-5).parameters}


def test_images_seen_counts_epochs_of_pictures_or_of_steps():
    assert images_seen(HISTORY, lesson_run().parameters, train_size=50) == 3 * 50
    capped = lesson_run(steps_per_epoch=2, batch_size=20)
    assert images_seen(HISTORY, capped.parameters, train_size=50) == 3 * 2 * 20


def test_a_record_holds_what_the_comparison_needs(capsys):
    run = lesson_run(epochs=3)
    assert run.stop_clock().endswith("s")
    result = save(run)
    assert "test accuracy 0.800" in capsys.readouterr().out  # outside a notebook: a line
    assert result["notebook"] == "02_frozen_base_augmentation"
    assert result["method"] == "2 · frozen base + augmentation"
    assert result["trainable_parameters"] == 3  # only the second Dense trains: 2 weights + bias
    assert result["scored_epoch"] == 2  # the first epoch with the best validation accuracy
    assert result["images_seen"] == 150 and result["head"] is None
    assert result["parameters"] == run.parameters and result["history"] == HISTORY
    assert result["precision"] == "float32" and result["weights"] == "random (offline fallback)"
    assert result["data"] == "embedded" and result["backend"] == keras.backend.backend()
    assert result["key"] == {**run.parameters, "data_dir": "embedded", "weights": "random",
                             "backend": keras.backend.backend()}
    assert result["test_labels"] == [0, 1, 1, 0] and result["test_size"] == 4
    assert result["test_probabilities"] == pytest.approx([0.2, 0.9, 0.4, 0.1])
    assert result["test_pictures"] == save(lesson_run(epochs=4))["test_pictures"]
    assert {"machine", "host", "libraries"} <= set(result["environment"])
    assert "keras" in result["environment"]["libraries"]
    assert json.loads(json.dumps(result)) == result


def test_a_record_needs_to_know_what_the_run_used():
    run = Run("01_feature_extraction", METHOD_DEFAULTS["01_feature_extraction"])
    with pytest.raises(RuntimeError, match=r"run.uses\(pictures, choice\) must come first"):
        run.save(small_model(), HISTORY, 0.4, 0.8, PROBABILITIES, TEST, 50)
    with pytest.raises(ValueError, match="3 test probabilities for 4 test pictures"):
        lesson_run().save(small_model(), HISTORY, 0.4, 0.8, PROBABILITIES[:3], TEST, 50)


def test_records_of_other_pictures_weights_or_backends_are_filed_apart():
    key = key_parameters(METHOD_DEFAULTS["02_frozen_base_augmentation"], "embedded", "random",
                         "tensorflow")
    assert key["data_dir"] == "embedded" and key["weights"] == "random"
    paths = {result_path("02_frozen_base_augmentation", {**key, **change})
             for change in ({}, {"data_dir": "photos"}, {"weights": "imagenet"},
                            {"backend": "jax"})}
    assert len(paths) == 4
    baseline = key_parameters(METHOD_DEFAULTS["04_from_scratch"], "photos", None, "torch")
    assert "weights" not in baseline and baseline["data_dir"] == "photos"
    photos = save(lesson_run(pictures=DataChoice("photos", Path("/p")), epochs=3))
    embedded = save(lesson_run(epochs=3))
    assert photos["key"]["data_dir"] == "photos" and embedded["key"]["data_dir"] == "embedded"
    found, _ = find_records({"data_dir": "photos", "epochs": 3})
    assert found == [photos]


def test_trainable_parameters_counts_numbers_not_tensors():
    base = random_vgg19(32)
    assert trainable_parameters(base) == 20_024_384
    base.trainable = False
    assert trainable_parameters(base) == 0


def test_saved_records_are_found_only_with_the_same_parameters():
    run = lesson_run(epochs=3)
    result = save(run)
    assert result_path(run.notebook, run.key()).is_file()
    assert load_result(run.notebook, {**run.key(), "epochs": 1}) is None
    assert load_result("03_fine_tuning", run.key()) is None
    found, missing = collect_results({"epochs": 3, "data_dir": "embedded"})
    assert found == [result]
    assert set(missing) == {"01_feature_extraction", "03_fine_tuning", "04_from_scratch"}


def test_collect_results_prefers_the_newest_matching_record():
    older = save(lesson_run(epochs=3, seed=1), accuracy=0.6)
    time.sleep(0.01)
    newer = save(lesson_run(epochs=3, seed=2), accuracy=0.9)
    assert newer["saved_at"] > older["saved_at"]
    found, _ = collect_results({"epochs": 3, "seed": None})
    assert found == [newer]
    found, _ = collect_results({"epochs": 3, "seed": 1})
    assert found == [older]


def test_collect_results_ignores_other_epochs_and_says_how_to_run_the_rest():
    save(lesson_run(epochs=1))
    found, missing = collect_results({"epochs": 2, "head_epochs": None, "data_dir": "embedded"})
    assert found == []
    assert missing == {notebook: {"epochs": 2, "data_dir": "embedded"} for notebook in METHODS}
    found, missing = collect_results({"epochs": 1, "head_epochs": 4})
    assert [result["notebook"] for result in found] == ["02_frozen_base_augmentation"]
    assert missing == {"01_feature_extraction": {"epochs": 1},
                       "03_fine_tuning": {"epochs": 1, "head_epochs": 4},
                       "04_from_scratch": {"epochs": 1}}


def test_method_settings_fill_in_each_notebooks_defaults():
    settings = method_settings({"epochs": 2, "head_epochs": None, "my_photo": None})
    assert settings["01_feature_extraction"] == {**METHOD_DEFAULTS["01_feature_extraction"],
                                                 "epochs": 2}
    assert settings["03_fine_tuning"]["head_epochs"] == 10  # None: the notebook's own


def test_method_3_takes_the_head_cost_from_notebook_02s_record():
    head = save(lesson_run(epochs=2, learning_rate=1e-3), train_size=40)
    fine_tuning = lesson_run("03_fine_tuning", head_epochs=2, head_learning_rate=1e-3)
    result = save(fine_tuning)
    assert result["head"] == {"seconds": head["seconds"], "images_seen": head["images_seen"],
                              "source": "notebook 02's run", "history": head["history"]}
    assert fine_tuning.head_history() == head["history"]  # both phases can be drawn as one
    unrelated = save(lesson_run("03_fine_tuning", head_epochs=5))
    assert unrelated["head"] is None  # notebook 02 never ran with those settings


def test_a_head_trained_in_notebook_03_is_counted_apart_from_its_own_time():
    run = lesson_run("03_fine_tuning")
    run.record_head(seconds=0.0, images_seen=200, source="trained in this notebook",
                    history={"loss": [0.6], "val_accuracy": [0.7]})
    time.sleep(0.02)
    run.stop_clock()
    run.head["seconds"] = 0.01
    result = run.record(small_model(), HISTORY, 0.4, 0.9, PROBABILITIES, TEST, 50)
    assert result["head"] == {"seconds": 0.01, "images_seen": 200,
                              "source": "trained in this notebook",
                              "history": {"loss": [0.6], "val_accuracy": [0.7]}}
    assert run.head_history() == {"loss": [0.6], "val_accuracy": [0.7]}
    assert result["seconds"] == pytest.approx(run.seconds - 0.01)


def test_the_saved_line_counts_the_time_as_notebook_05_does():
    """Method 1's line adds its features and method 3's its head, as 05's table does."""
    own = {"notebook": "01_feature_extraction", "seconds": 18.2}
    assert results._cost(own) == "18 s"
    with_features = {**own, "features": {"seconds": 12.9, "seconds_now": 12.9}}
    assert results._cost(with_features) == ("31 s in all: 18 s of its own and 13 s extracting "
                                            "the features")
    fine_tuning = {"notebook": "03_fine_tuning", "seconds": 122.4, "head": None}
    assert "not recorded" in results._cost(fine_tuning)
    assert results._cost({**fine_tuning, "head": {"seconds": 93.4}}).startswith("216 s in all")
