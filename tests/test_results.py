"""Each method's run: parameters checked, a record kept under them, found again by notebook 05."""

import ast
import json
import time
from pathlib import Path

import keras
import nbformat
import pytest

from santa_lib.internals.params import ParameterError
from santa_lib.internals.results import (
    METHOD_DEFAULTS,
    METHODS,
    Run,
    collect_results,
    images_seen,
    load_result,
    method_settings,
    result_path,
    trainable_parameters,
)
from tests.bases import random_vgg19

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
HISTORY = {"loss": [0.7, 0.5, 0.6], "accuracy": [0.5, 0.8, 0.7],
           "val_loss": [0.69, 0.5, 0.55], "val_accuracy": [0.5, 0.75, 0.75]}


def lesson_run(notebook="02_frozen_base_augmentation", **changes) -> Run:
    """A notebook's run with its own defaults, as its parameters cell sets them, and changes."""
    return Run(notebook, {**METHOD_DEFAULTS[notebook], **changes})


def small_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.layers[0].trainable = False
    return model


def save(run: Run, accuracy=0.8, train_size=50) -> dict:
    run.save(small_model(), HISTORY, test_loss=0.41, test_accuracy=accuracy,
             train_size=train_size, weights="random (offline fallback)")
    return load_result(run.notebook, run.parameters)


def parameters_cell(notebook: str) -> dict[str, object]:
    """The committed ``parameters`` cell of a notebook, name to value."""
    cells = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4).cells
    cell = next(c for c in cells if "parameters" in c.metadata.get("tags", []))
    return {node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(cell.source).body}


@pytest.mark.parametrize("notebook", list(METHODS))
def test_method_defaults_are_each_notebooks_parameters_cell(notebook):
    """What ``None`` means in notebooks 00 and 04, and what a record is keyed by, is each method
    notebook's own parameters cell: the two must stay the same."""
    assert parameters_cell(notebook) == METHOD_DEFAULTS[notebook]


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
    assert result["precision"] == "float32" and result["weights"].startswith("random")
    assert json.loads(json.dumps(result)) == result


def test_trainable_parameters_counts_numbers_not_tensors():
    base = random_vgg19(32)
    assert trainable_parameters(base) == 20_024_384
    base.trainable = False
    assert trainable_parameters(base) == 0


def test_saved_records_are_found_only_with_the_same_parameters():
    run = lesson_run(epochs=3)
    result = save(run)
    assert result_path(run.notebook, run.parameters).is_file()
    assert load_result(run.notebook, {**run.parameters, "epochs": 1}) is None
    assert load_result("03_fine_tuning", run.parameters) is None
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
    result = run.record(small_model(), HISTORY, 0.4, 0.9, train_size=50, weights="random")
    assert result["head"] == {"seconds": 0.01, "images_seen": 200,
                              "source": "trained in this notebook",
                              "history": {"loss": [0.6], "val_accuracy": [0.7]}}
    assert run.head_history() == {"loss": [0.6], "val_accuracy": [0.7]}
    assert result["seconds"] == pytest.approx(run.seconds - 0.01)
