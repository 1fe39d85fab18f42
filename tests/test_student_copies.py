"""tools/student_copies.py: solutions never leak, checked outputs stay, the self-check works."""

import copy
import json
from pathlib import Path

import nbformat
import pytest
import student_copies
from notebook_outputs import CHECK_MARKER

REAL_NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def code(source, tags=(), output=None, count=None):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    if output is not None:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
        cell.execution_count = count
    return cell


@pytest.fixture
def instructor(tmp_path):
    """An instructor notebook: a solution cell (with a stale output), a checked cell, a cell
    that is both, and an unchecked cell with an output."""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A tiny lesson"),
        code("factor = 6", ["parameters"]),
        code("# Multiply factor by 7 and call it answer.\nsecret_answer = factor * 7\n"
             "answer = secret_answer", ["solution"], output="stale solution output\n", count=2),
        code(f"{CHECK_MARKER}\nprint('answer is', answer)", output="answer is 42\n", count=3),
        code(f"{CHECK_MARKER}\n# Print the answer doubled.\nhidden_double = answer * 2\n"
             "print('double is', hidden_double)", ["solution", "keep-me"],
             output="double is 84\n", count=4),
        code("print('not checked')", output="not checked\n", count=5),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = tmp_path / "lesson.ipynb"
    nbformat.write(notebook, path)
    return path


def test_no_solution_source_leaks(instructor, tmp_path):
    copy = student_copies.write_student_copy(instructor, tmp_path / "student")
    text = copy.read_text()
    for solution_only in ("secret_answer", "factor * 7", "hidden_double", "answer * 2",
                          "stale solution output", "solution"):
        assert solution_only not in text
    cells = nbformat.read(copy, as_version=4).cells
    assert cells[2].source == "# Multiply factor by 7 and call it answer.\n# your code here"
    assert cells[2].metadata["tags"] == ["exercise"]
    assert cells[4].metadata["tags"] == ["exercise", "keep-me"]


def test_copy_is_valid_and_keeps_parameters_and_checked_outputs(instructor, tmp_path):
    before = instructor.read_bytes()
    source = nbformat.read(instructor, as_version=4)
    copy = nbformat.read(student_copies.write_student_copy(instructor, tmp_path / "s"), 4)
    nbformat.validate(copy)
    assert instructor.read_bytes() == before
    assert copy.cells[1].source == "factor = 6"
    assert copy.cells[1].metadata["tags"] == ["parameters"]
    for index in (3, 4):  # checked, and checked + solution
        assert copy.cells[index].outputs == source.cells[index].outputs
        assert copy.cells[index].execution_count == source.cells[index].execution_count
    assert copy.cells[4].source.splitlines() == [CHECK_MARKER, "# Print the answer doubled.",
                                                 "# your code here"]
    for index in (2, 5):  # a solution and an unchecked cell: nothing left to compare
        assert copy.cells[index].outputs == []
        assert copy.cells[index].execution_count is None


def test_a_solution_without_a_prompt_is_refused(tmp_path, capsys):
    notebook = nbformat.v4.new_notebook(cells=[code("x = 42", ["solution"])])
    path = tmp_path / "bad.ipynb"
    nbformat.write(notebook, path)
    assert student_copies.main(["write", str(path), "--out", str(tmp_path / "s")]) == 2
    error = capsys.readouterr().err
    assert "bad.ipynb: cell 1 (`x = 42`)" in error and "first line is not a comment" in error
    assert not (tmp_path / "s" / "bad.ipynb").exists()


def test_self_check_fails_on_blanks_and_passes_with_solutions_pasted_back(
        instructor, tmp_path, capfd):
    params = tmp_path / "smoke.yaml"
    params.write_text("factor: 6\n")
    copy = student_copies.write_student_copy(instructor, tmp_path / "student")
    check = ["check", str(copy), "--params", str(params), "--out", str(tmp_path / "checked")]

    assert student_copies.main(check) != 0
    printed = capfd.readouterr().out
    assert "In [3] `print('answer is', answer)`: it raised NameError" in printed
    assert "In [4] `# Print the answer doubled.`: its output differs from the expected one " \
           "(expected `double is 84`" in printed

    solutions = {cell.id: cell.source for cell in nbformat.read(instructor, 4).cells}
    filled = nbformat.read(copy, as_version=4)
    for cell in filled.cells:
        if "exercise" in cell.metadata.get("tags", []):
            cell.source = solutions[cell.id]
    nbformat.write(filled, copy)
    assert student_copies.main(check) == 0
    assert "every checked cell gives the expected output" in capfd.readouterr().out


def solution_only_lines(notebook) -> set[str]:
    """Code lines of solution cells that no other cell has (what must not reach students); the
    plain-Keras listings (markdown tagged ``listing``) repeat them, and count as solutions."""
    def lines(cells):
        return {line.strip() for cell in cells for line in cell.source.splitlines()}

    solutions = [c for c in notebook.cells if "solution" in c.metadata.get("tags", [])]
    others = [c for c in notebook.cells
              if c not in solutions and "listing" not in c.metadata.get("tags", [])]
    return {line for line in lines(solutions) - lines(others)
            if len(line) >= 8 and not line.startswith("#")}


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=lambda p: p.name)
def test_real_notebooks_lose_every_solution(path):
    source = nbformat.read(path, as_version=4)
    before = copy.deepcopy(source)
    student = student_copies.student_copy(source, path.name)
    assert source == before  # the instructor notebook is left as it was
    assert len(student.cells) == len(source.cells)
    # a self-check's message may name the answer on purpose ("set base.trainable = False before
    # compiling"): only the other cells must not carry a solution's lines
    serialised = json.dumps([cell for cell in student.cells
                             if "check" not in cell.metadata.get("tags", [])])
    assert not [line for line in solution_only_lines(source) if line in serialised]
    for original, cell in zip(source.cells, student.cells, strict=True):
        if "solution" in original.metadata.get("tags", []):
            assert cell.source.splitlines()[-1] == "# your code here"
            assert all(line.startswith("#") for line in cell.source.splitlines())
        elif "listing" in original.metadata.get("tags", []):
            assert "```python" not in cell.source.replace(student_copies.LISTING_PROMPT, "")
            assert cell.source.split("```")[0] == original.source.split("```")[0]
        else:
            assert cell.source == original.source
        assert "solution" not in cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=lambda p: p.name)
def test_real_copies_with_solutions_pasted_back_are_the_notebooks_nbval_checks(path):
    """`make nbval` checks the instructor notebooks; a student copy with its solutions pasted back
    is that notebook again, code and expected outputs, so the student's self-check passes."""
    from notebook_outputs import is_checked

    source = nbformat.read(path, as_version=4)
    student = student_copies.student_copy(source, path.name)
    solutions = {cell.id: cell.source for cell in source.cells}
    for cell in student.cells:
        if "exercise" in cell.metadata.get("tags", []) or "listing" in cell.metadata.get("tags",
                                                                                          []):
            cell.source = solutions[cell.id]
    assert [cell.source for cell in student.cells] == [cell.source for cell in source.cells]
    assert [cell.outputs for cell in student.cells if is_checked(cell)] == [
        cell.outputs for cell in source.cells if is_checked(cell)]
    if path.name[:2] in ("01", "02", "03"):
        assert sum("exercise" in cell.metadata.get("tags", []) for cell in student.cells) >= 3
