"""The committed notebooks: clean, parameterised, and importing only what exists."""

import ast
from pathlib import Path

import nbformat
import pytest
from notebook_outputs import clean, problems

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
REQUIRED = {"data_dir", "image_size", "seed"}
TRAINING = {"weights", "batch_size", "epochs", "learning_rate", "precision"}


METHOD_NOTEBOOKS = [nb for nb in NOTEBOOKS if nb.name[:2] in ("01", "02", "03")]
KERAS_TAUGHT = {
    "01": ["import keras", "keras.Sequential([", "keras.layers.Dense(256, activation=\"relu\")",
           "classifier.summary()", "classifier.compile(optimizer=keras.optimizers.RMSprop(",
           "classifier.fit(", "classifier.evaluate("],
    "02": ["import keras", "keras.Sequential([", "keras.layers.Dense(132, activation=\"relu\"",
           "len(model.trainable_weights)", "base.trainable = False",
           "model.summary(show_trainable=True)",
           "model.compile(optimizer=keras.optimizers.RMSprop(", "model.fit(",
           "model.evaluate("],
    "03": ["import keras", "keras.models.load_model(", "base.trainable = True",
           "for layer in base.layers:", "layer.trainable = ", "len(model.trainable_weights)",
           "model.compile(optimizer=keras.optimizers.RMSprop(", "model.fit(",
           "model.evaluate("],
}


def test_the_sequence_is_numbered():
    assert [nb.name[:2] for nb in NOTEBOOKS] == ["00", "01", "02", "03", "04"]


@pytest.mark.parametrize("path", METHOD_NOTEBOOKS, ids=lambda p: p.name)
def test_the_keras_being_taught_stands_in_code_cells(path):
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    missing = [line for line in KERAS_TAUGHT[path.name[:2]] if line not in code]
    assert missing == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_clean(path):
    assert problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_declares_the_lesson_parameters(path):
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    names = {node.targets[0].id for node in ast.parse(cell.source).body}
    expected = REQUIRED | (TRAINING if not path.name.startswith("00") else set())
    assert expected <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_resolve(path):
    import importlib

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and node.module.startswith("santa_lib"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{node.module}.{alias.name}"


def test_strip_keeps_tags_and_checked_outputs(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2)"),
        nbformat.v4.new_code_cell("print(3)"),
    ])
    for cell, text in zip(notebook.cells, ["", "2\n", "3\n"], strict=True):
        cell.execution_count = 1
        if text:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    clean(notebook)
    assert notebook.cells[0].metadata["tags"] == ["parameters"]
    assert notebook.cells[1].outputs[0]["text"] == "2\n"
    assert notebook.cells[2].outputs == []
    assert [cell.execution_count for cell in notebook.cells] == [None, 2, None]
