"""The committed notebooks: clean, parameterised, teaching Keras in their own code, and using
only what santa_lib has."""

import ast
from pathlib import Path

import nbformat
import pytest
from notebook_outputs import clean, problems

from santa_lib.internals.params import parameters_cell

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
REQUIRED = {"data_dir", "image_size", "seed"}
TRAINING = {"weights", "batch_size", "epochs", "learning_rate", "precision"}


METHOD_NOTEBOOKS = [nb for nb in NOTEBOOKS if nb.name[:2] in ("01", "02", "03", "04")]
KERAS_TAUGHT = {
    "01": ["import keras", "keras.applications.VGG19(", "keras.Sequential([",
           "keras.layers.Dense(256, activation=\"relu\"", "classifier.summary()",
           "classifier.compile(optimizer=keras.optimizers.RMSprop(",
           "classifier.fit(", "classifier.evaluate(", "feature_extractor.predict(",
           "classifier.predict("],
    "02": ["import keras", "keras.applications.VGG19(", "keras.Sequential([",
           "keras.layers.Dense(132, activation=\"relu\"",
           "len(model.trainable_weights)", "base.trainable = False",
           "model.summary(show_trainable=True",
           "model.compile(optimizer=keras.optimizers.RMSprop(", "model.fit(",
           "model.evaluate(", "model.predict(", "keras.layers.RandomRotation("],
    "03": ["import keras", "keras.models.load_model(", "base.trainable = True",
           "for layer in base.layers:", "layer.trainable = ", "len(model.trainable_weights)",
           "model.compile(optimizer=keras.optimizers.RMSprop(", "model.fit(",
           "model.evaluate(", "model.predict("],
    "04": ["import keras", "keras.Sequential([", "keras.layers.Rescaling(",
           "keras.layers.RandomFlip(", "keras.layers.RandomRotation(", "keras.layers.RandomZoom(",
           "keras.layers.Conv2D(", "keras.layers.Dropout(",
           "model.compile(optimizer=keras.optimizers.RMSprop(", "model.fit(train.images",
           "validation_data=(validation.images, validation.labels)", "model.evaluate(",
           "model.predict("],
}

PLAIN_LISTING_TAUGHT = ["augmented.fit(train.images, train.labels",
                        "validation_data=(validation.images, validation.labels)"]
"""In 02 and 03 the fit cell takes the lesson's shortcuts; the plain-Keras listing beside it
(markdown) shows the idiom, and tests/test_plain_keras.py runs it."""


def test_the_sequence_is_numbered():
    assert [nb.name[:2] for nb in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", METHOD_NOTEBOOKS, ids=lambda p: p.name)
def test_the_keras_being_taught_stands_in_code_cells(path):
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    missing = [line for line in KERAS_TAUGHT[path.name[:2]] if line not in code]
    assert missing == []


@pytest.mark.parametrize("path", [nb for nb in NOTEBOOKS if nb.name[:2] in ("02", "03")],
                         ids=lambda p: p.name)
def test_the_plain_keras_fit_stands_beside_the_shortcut(path):
    notebook = nbformat.read(path, as_version=4)
    listings = "\n".join(cell.source for cell in notebook.cells
                         if cell.cell_type == "markdown" and "```python" in cell.source)
    assert [line for line in PLAIN_LISTING_TAUGHT if line not in listings] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_clean(path):
    assert problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_declares_the_lesson_parameters(path):
    names = set(parameters_cell(path))
    expected = REQUIRED | (TRAINING if not path.name.startswith("00") else set())
    if path.name.startswith("04"):  # trained from scratch: no pretrained weights to choose
        expected -= {"weights"}
    assert expected <= names


def code_cells(path):
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_resolve(path):
    """``from santa_lib... import x`` and every ``sl.x`` (``import santa_lib as sl``) exist."""
    import importlib

    import santa_lib

    missing = []
    for cell in code_cells(path):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and node.module.startswith("santa_lib"):
                module = importlib.import_module(node.module)
                missing += [f"{node.module}.{alias.name}" for alias in node.names
                            if not hasattr(module, alias.name)]
            if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "sl":
                if not hasattr(santa_lib, node.attr):
                    missing.append(f"sl.{node.attr}")
    assert missing == []


def santa_lib_names(tree) -> int:
    """Names a cell imports from santa_lib: each ``from santa_lib... import`` name, and one for
    ``import santa_lib`` (``as sl``) or ``import santa_lib.x``."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("santa_lib"):
            count += len(node.names)
        elif isinstance(node, ast.Import):
            count += sum(alias.name.split(".")[0] == "santa_lib" for alias in node.names)
    return count


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_imports_stay_short(path):
    """No import cell over 12 lines, and at most 6 names from santa_lib in the notebook: the
    lesson's code reads as ``keras.`` and ``sl.``, not as a wall of imports."""
    long_cells, names = [], 0
    for index, cell in enumerate(code_cells(path)):
        tree = ast.parse(cell.source)
        imports = any(isinstance(node, ast.Import | ast.ImportFrom) for node in tree.body)
        if imports and len(cell.source.strip().splitlines()) > 12:
            long_cells.append(index)
        names += santa_lib_names(tree)
    assert long_cells == []
    assert 1 <= names <= 6


def test_the_import_count_counts_names():
    tree = ast.parse("import santa_lib as sl\nfrom santa_lib.data import a, b\nimport keras")
    assert santa_lib_names(tree) == 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_solution_cell_is_followed_by_its_check(path):
    cells = code_cells(path)
    unchecked = []
    for index, cell in enumerate(cells):
        if "solution" in cell.metadata.get("tags", []):
            following = cells[index + 1] if index + 1 < len(cells) else None
            if following is None or "check" not in following.metadata.get("tags", []) \
                    or "assert" not in following.source:
                unchecked.append(cell.source.splitlines()[0])
    assert unchecked == []


def test_the_method_notebooks_have_exercises():
    for path in METHOD_NOTEBOOKS:
        tags = [tag for cell in code_cells(path) for tag in cell.metadata.get("tags", [])]
        assert tags.count("solution") >= 3 and tags.count("check") >= tags.count("solution")


@pytest.mark.parametrize("path", METHOD_NOTEBOOKS, ids=lambda p: p.name)
def test_each_method_notebook_starts_its_run_with_its_own_name(path):
    """``sl.Run("<its file stem>", globals())``: the record is kept under the right notebook."""
    source = "\n".join(cell.source for cell in code_cells(path))
    assert f'sl.Run("{path.stem}", globals())' in source


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
