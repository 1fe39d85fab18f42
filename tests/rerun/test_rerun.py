"""What a student does in JupyterLab that papermill never does (issue: sections that re-run).

- Run a method notebook top to bottom, then run it again from its first cell tagged
  ``solution`` down to the end, in the same kernel: every checked output (``# NBVAL_CHECK_OUTPUT``
  cells: 36, then 4, then 12 trainable tensors, blocks 1-4 unmoved, 180 test pictures...) must be
  the same the second time, with no error and no stderr output.
- Run a blank student copy: it must stop at the first self-check cell, with that cell's
  message, not with a NameError somewhere later.

Notebooks get the smoke parameters (``params/smoke.yaml``), each in its own kernel, with a private
cache shared by the notebooks of one test session (03 starts from the model 02 saved).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import papermill
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from notebook_outputs import is_checked
from student_copies import student_copy

from santa_lib.internals.params import load_parameters_file

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SMOKE = load_parameters_file(ROOT / "params" / "smoke.yaml")
CELL_SECONDS = 900


@pytest.fixture(scope="module")
def lesson_cache(tmp_path_factory) -> Path:
    """One cache for the module's notebooks, so 03 finds the model 02 saved."""
    return tmp_path_factory.mktemp("rerun-cache")


@pytest.fixture(autouse=True)
def shared_cache(lesson_cache, monkeypatch) -> None:
    monkeypatch.setenv("SANTA_LIB_CACHE", str(lesson_cache))  # the kernels inherit it


def prepared(name: str, folder: Path):
    """The notebook with the smoke parameters it declares injected (papermill, not run)."""
    source = NOTEBOOKS / name
    declared = set(papermill.inspect_notebook(str(source)))
    parameters = {key: value for key, value in SMOKE.items() if key in declared}
    target = folder / name
    papermill.execute_notebook(str(source), str(target), parameters=parameters,
                               prepare_only=True, progress_bar=False, kernel_name="python3")
    return nbformat.read(target, as_version=4)


def checked_text(cell) -> str:
    """The text a checked cell printed (what nbval compares)."""
    return "".join(output.get("text", "") for output in cell.outputs
                   if output.get("output_type") == "stream")


def problems(cells) -> list[str]:
    """Error and stderr outputs of executed cells, one line each."""
    found = []
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" or output.get("name") == "stderr":
                text = output.get("evalue") or output.get("text", "")
                found.append(f"{cell.source.splitlines()[0][:60]}: {text[:200]}")
    return found


@pytest.mark.parametrize("name", ["01_feature_extraction.ipynb",
                                  "02_frozen_base_augmentation.ipynb", "03_fine_tuning.ipynb",
                                  "04_from_scratch.ipynb"])
def test_a_section_run_again_gives_the_same_checked_outputs(name, tmp_path):
    notebook = prepared(name, tmp_path)
    code = [(index, cell) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code"]
    first_solution = next(index for index, cell in code
                          if "solution" in cell.metadata.get("tags", []))
    client = NotebookClient(notebook, timeout=CELL_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        for index, cell in code:
            client.execute_cell(cell, index)
        first = {index: checked_text(cell) for index, cell in code
                 if is_checked(cell) and index >= first_solution}
        again = [(index, copy.deepcopy(cell)) for index, cell in code if index >= first_solution]
        for index, cell in again:
            client.execute_cell(cell, index)
    assert problems(notebook.cells) == []
    assert problems([cell for _, cell in again]) == []
    second = {index: checked_text(cell) for index, cell in again if is_checked(cell)}
    assert first and second == first, f"{name}: checked outputs differ when the section re-runs"


@pytest.mark.parametrize("name", ["01_feature_extraction.ipynb",
                                  "02_frozen_base_augmentation.ipynb", "03_fine_tuning.ipynb",
                                  "04_from_scratch.ipynb"])
def test_a_blank_student_copy_stops_at_its_first_self_check(name, tmp_path):
    blank = student_copy(prepared(name, tmp_path), name)
    first_check = next(cell for cell in blank.cells if "check" in cell.metadata.get("tags", []))
    for cell in blank.cells:
        cell.setdefault("outputs", [])
    client = NotebookClient(blank, timeout=CELL_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as stopped:
        client.execute()
    failed = next(cell for cell in blank.cells
                  if any(output.get("output_type") == "error" for output in cell.outputs))
    assert failed is first_check, f"{name}: stopped in another cell:\n{failed.source}"
    error = next(output for output in failed.outputs if output.get("output_type") == "error")
    assert error.ename == "AssertionError", stopped.value
    assert "not defined yet" in error.evalue or "still" in error.evalue, error.evalue
