"""tools/lesson_report.py through tools/run_lessons.py: report.md, index.html, HTML pages, the
comparison table and the learning check, on tiny notebooks that need no TensorFlow."""

import functools
import re
from pathlib import Path

import pytest
import run_lessons
from executed_notebooks import OK, NotebookRun
from lesson_report import ACCURACY_FLOOR, learning_problems

from santa_lib.internals.records import RESULT_MIME

PARAMETERS = 'value = 1\ndata_dir = "embedded"\naccuracy = 0.9'


@pytest.fixture
def lesson_notebook(write_notebook):
    """``lesson_notebook(path, *cell_sources)``: a notebook with the report's fixture parameters."""
    return functools.partial(write_notebook, parameters=PARAMETERS)


RESULT_CELL = f"""from IPython.display import display
display({{{RESULT_MIME!r}: {{
    "notebook": "01_method", "method": "1 · fake method", "test_accuracy": accuracy,
    "test_loss": 0.25, "seconds": 42.0, "weights": "random (offline fallback)",
    "precision": "float32", "trainable_parameters": 1234567, "images_seen": 5420,
    "parameters": {{"data_dir": data_dir, "value": value}}, "history": {{"loss": [0.7, 0.25]}}}},
    "text/plain": "method 1: test accuracy " + str(accuracy)}}, raw=True)"""


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "notebooks"
    path.mkdir()
    return path


def table_rows(markdown: str) -> dict[str, list[str]]:
    """report.md's notebook table: notebook file name -> the other cells of its row."""
    rows = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name = re.search(r"[\w.]+\.ipynb", cells[0]) if line.startswith("| ") else None
        if name:
            rows[name.group(0)] = cells[1:]
    return rows


def assert_self_contained(page: str) -> None:
    assert "<html" in page
    assert not re.search(r"<script[^>]*\ssrc=", page)
    assert not re.search(r"<link\b", page)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)


def test_report_pages_and_comparison_of_a_run(folder, tmp_path, capsys, lesson_notebook):
    sources = [lesson_notebook(folder / "01_method.ipynb", RESULT_CELL),
               lesson_notebook(folder / "02_bad.ipynb", "x = 1", "raise RuntimeError('planted')"),
               lesson_notebook(folder / "03_plain.ipynb", "print('plain', value)")]
    params = tmp_path / "p.yaml"
    params.write_text("value: 7\n")
    out = tmp_path / "out"
    status = run_lessons.main([*map(str, sources), "--params", str(params), "--out", str(out)])
    printed = capsys.readouterr().out
    assert status == 1

    rows = table_rows((out / "report.md").read_text())
    assert set(rows) == {"01_method.ipynb", "02_bad.ipynb", "03_plain.ipynb"}
    status_, seconds, method, accuracy, loss, weights, precision, parameters = rows[
        "01_method.ipynb"]
    assert (status_, method, accuracy, loss) == ("ok", "1 · fake method", "0.900", "0.250")
    assert (weights, precision) == ("random (offline fallback)", "float32")
    assert re.fullmatch(r"\d+(\.\d)? s", seconds)
    assert "**value=7**" in parameters and "data_dir='embedded'" in parameters
    assert "accuracy=0.9" in parameters  # a default, not injected: not bold
    assert rows["02_bad.ipynb"][0] == "FAILED" and rows["03_plain.ipynb"][0] == "ok"
    assert rows["03_plain.ipynb"][2:7] == ["-"] * 5
    report = (out / "report.md").read_text()
    assert "02_bad.ipynb: In [4] `raise RuntimeError('planted')` raised RuntimeError: planted" \
        in report

    index = (out / "index.html").read_text()
    assert_self_contained(index)
    for source in sources:
        page = out / "html" / f"{source.stem}.html"
        assert f'href="html/{page.name}"' in index
        assert_self_contained(page.read_text())
    assert "planted" in (out / "html" / "02_bad.html").read_text()
    assert "FAILED" in index and "1,234,567" in index and "RuntimeError: planted" in index
    assert '<span class="set">value=7</span>' in index

    table = printed[printed.index("Methods and baseline compared"):]
    # the method's figures on its row, in order (other columns of the comparison may come between)
    figures = ["1 · fake method", "0.900", "0.250", "42.0 s", "1,234,567", "5,420",
               "random (offline fallback)", "float32"]
    assert re.search(r"\s[^\n]*?".join(map(re.escape, figures)), table)


def test_stderr_or_error_output_fails_the_run_naming_the_notebook(folder, tmp_path, capsys,
                                                                  lesson_notebook):
    noisy = lesson_notebook(folder / "01_noisy.ipynb",
                            "import sys\nprint('careful: disk nearly full', file=sys.stderr)")
    # papermill lets SystemExit(0) pass; the error output it leaves still fails the check.
    tolerated = lesson_notebook(folder / "02_tolerated.ipynb", "raise SystemExit(0)")
    status = run_lessons.main([str(noisy), str(tolerated), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert status == 1
    assert "02_tolerated.ipynb ... ok" in printed
    assert re.search(r"01_noisy\.ipynb: .*wrote to stderr: careful: disk nearly full", printed)
    assert re.search(r"02_tolerated\.ipynb: In \[2\] `raise SystemExit\(0\)` raised SystemExit: 0",
                     printed)


def test_a_below_floor_result_fails_only_a_default_run(folder, tmp_path, capsys, lesson_notebook):
    weak = lesson_notebook(folder / "01_weak.ipynb", "accuracy = 0.6", RESULT_CELL)
    assert run_lessons.main([str(weak), "--out", str(tmp_path / "default")]) == 1
    printed = capsys.readouterr().out
    assert re.search(rf"1 · fake method reached test accuracy 0\.600, below the floor of "
                     rf"{ACCURACY_FLOOR}", printed)
    params = tmp_path / "p.yaml"
    params.write_text("value: 2\n")
    assert run_lessons.main([str(weak), "--params", str(params),
                             "--out", str(tmp_path / "with_params")]) == 0


def method_run(accuracy: float, data_dir: str) -> NotebookRun:
    result = {"method": "2 · frozen base", "test_accuracy": accuracy,
              "parameters": {"data_dir": data_dir}}
    return NotebookRun(Path("02_frozen_base_augmentation.ipynb"), OK, 10.0, result=result)


@pytest.mark.parametrize(("accuracy", "data_dir", "used_parameters_file", "fails"), [
    (ACCURACY_FLOOR - 0.01, "embedded", False, True),
    (ACCURACY_FLOOR, "embedded", False, False),
    (ACCURACY_FLOOR - 0.01, "embedded", True, False),
    (ACCURACY_FLOOR - 0.01, "/data/my_photos", False, False),
])
def test_accuracy_floor_holds_only_on_defaults_and_embedded_data(
        accuracy, data_dir, used_parameters_file, fails):
    problems = learning_problems([method_run(accuracy, data_dir)], used_parameters_file)
    assert bool(problems) == fails
    if fails:
        assert "2 · frozen base" in problems[0] and f"{accuracy:.3f}" in problems[0]
        assert str(ACCURACY_FLOOR) in problems[0]


def timed_run(stem: str, seconds: float) -> NotebookRun:
    cells = [("import santa_lib as sl", 2.5), ("# Train for `epochs` epochs", seconds - 6.0),
             ("test_probabilities = model.predict(", 1.5)]
    return NotebookRun(Path(f"{stem}.ipynb"), OK, seconds, cell_seconds=cells)


def test_each_method_notebook_is_set_beside_the_benchmarks_figure(tmp_path):
    import json

    from lesson_report import bench_comparison

    from santa_lib.internals.environment import configured_backend, machine

    record = tmp_path / "lesson-path.json"
    record.write_text(json.dumps({"machine": machine(), "backend": configured_backend(),
                                  "date": "2026-12-07",
                                  "seconds": {"m1": 20.0, "m2": 80.0, "m3": 100.0}}))
    runs = [timed_run("01_feature_extraction", 30.0), timed_run("02_frozen_base_augmentation",
                                                                   88.0),
            timed_run("03_fine_tuning", 112.0), timed_run("04_from_scratch", 30.0)]
    text = bench_comparison(runs, used_parameters_file=False, record_path=record)
    assert "01_feature_extraction.ipynb: 30.0 s, the benchmark's path 20.0 s (1.50x)" in text
    assert "slowest cell `# Train for `epochs` epochs` 24.0 s" in text
    assert "besides it: kernel start 2.0 s, `import santa_lib as sl` 2.5 s" in text
    assert "01-03: 230.0 s against the benchmark's 200.0 s: 1.15x" in text
    assert "04_from_scratch" not in text  # the baseline is not one of the benchmark's methods
    assert bench_comparison(runs, used_parameters_file=True, record_path=record) == ""
    record.write_text(json.dumps({"machine": "another CPU", "backend": configured_backend(),
                                  "date": "2026-12-07", "seconds": {}}))
    assert bench_comparison(runs, used_parameters_file=False, record_path=record) == ""
    assert bench_comparison(runs, False, record_path=tmp_path / "none.json") == ""
