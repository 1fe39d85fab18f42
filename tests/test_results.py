"""Each method's record: kept under its parameters, found again by notebook 04, shown in tables."""

import json

import keras
import nbformat
import pytest

from santa_lib.internals.results import (
    METHODS,
    collect_results,
    expected_parameters,
    format_comparison,
    load_result,
    method_result,
    result_path,
    save_result,
    trainable_parameters,
)


def record(notebook="02_frozen_base_augmentation", parameters=None, accuracy=0.8):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.layers[0].trainable = False
    return method_result(notebook, parameters or {"epochs": 10, "data_dir": "embedded"},
                         test_loss=0.41, test_accuracy=accuracy, seconds=75.5,
                         weights="random (offline fallback)", precision="float32", model=model,
                         images_seen=5420, history={"loss": [0.7, 0.5], "accuracy": [0.5, 0.8]})


def write_notebook(folder, notebook, parameters_cell):
    cells = [nbformat.v4.new_code_cell(parameters_cell, metadata={"tags": ["parameters"]})]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"{notebook}.ipynb")


def test_a_record_holds_what_the_comparison_needs():
    result = record()
    assert result["method"] == "2 · frozen base + augmentation"
    assert result["trainable_parameters"] == 3  # only the second Dense trains: 2 weights + bias
    assert json.loads(json.dumps(result)) == result


def test_trainable_parameters_counts_numbers_not_tensors(random_base):
    random_base.trainable = True
    assert trainable_parameters(random_base) == 20_024_384


def test_saved_records_are_found_only_with_the_same_parameters(capsys):
    result = record(parameters={"epochs": 10, "data_dir": "embedded"})
    save_result(result)
    assert "test accuracy 0.800" in capsys.readouterr().out  # outside a notebook: a line
    assert result_path(result["notebook"], {"data_dir": "embedded", "epochs": 10}).is_file()
    assert load_result(result["notebook"], {"data_dir": "embedded", "epochs": 10}) == result
    assert load_result(result["notebook"], {"data_dir": "embedded", "epochs": 1}) is None
    assert load_result("03_fine_tuning", {"data_dir": "embedded", "epochs": 10}) is None


def test_expected_parameters_are_the_defaults_with_what_was_given(tmp_path):
    write_notebook(tmp_path, "01_feature_extraction", "epochs = 20\nbatch_size = 10\nseed = 0")
    notebook = tmp_path / "01_feature_extraction.ipynb"
    assert expected_parameters(notebook, {"epochs": None, "seed": 3, "steps_per_epoch": 2}) == {
        "epochs": 20, "batch_size": 10, "seed": 3}


def test_collect_results_finds_each_method_or_says_how_to_run_it(tmp_path):
    for notebook in METHODS:
        write_notebook(tmp_path, notebook, "data_dir = 'embedded'\nepochs = 10")
    save_result(record("02_frozen_base_augmentation", {"data_dir": "embedded", "epochs": 1}))
    found, missing = collect_results({"epochs": 1, "head_epochs": None}, folder=tmp_path)
    assert [result["notebook"] for result in found] == ["02_frozen_base_augmentation"]
    assert missing == {"01_feature_extraction": {"data_dir": "embedded", "epochs": 1},
                       "03_fine_tuning": {"data_dir": "embedded", "epochs": 1}}
    found, missing = collect_results({"epochs": None}, folder=tmp_path)
    assert found == [] and len(missing) == 3


def test_the_comparison_table_has_a_row_per_method():
    lines = format_comparison([record("01_feature_extraction", accuracy=0.85),
                               record("03_fine_tuning", accuracy=0.911)]).splitlines()
    assert lines[0].split()[:4] == ["method", "test", "accuracy", "test"]
    assert lines[2].startswith("1 · feature extraction") and "0.850" in lines[2]
    assert lines[3].startswith("3 · fine-tuning") and "0.911" in lines[3]
    assert "1 min 15.5 s" in lines[3] and "5,420" in lines[3]
    assert format_comparison([]) == ""


@pytest.mark.parametrize("notebook", list(METHODS))
def test_each_method_notebook_records_exactly_its_parameters(notebook):
    """The record's key is made from the parameters the notebook passes to check_parameters;
    notebook 04 rebuilds it from the parameters cell: the two must list the same names."""
    import ast

    from santa_lib.internals.results import lesson_notebooks, notebook_defaults

    path = lesson_notebooks() / f"{notebook}.ipynb"
    source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells
                       if cell.cell_type == "code")
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
             and getattr(node.func, "id", None) == "check_parameters"]
    assert len(calls) == 1
    assert {keyword.arg for keyword in calls[0].keywords} == set(notebook_defaults(path))
