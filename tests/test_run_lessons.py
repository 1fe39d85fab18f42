"""tools/run_lessons.py: failures are named, the others still run, sources are never written."""

import nbformat
import pytest
import run_lessons


def make_notebook(path, body):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("value = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    good = make_notebook(folder / "01_good.ipynb", "print('value is', value)")
    bad = make_notebook(folder / "02_bad.ipynb", "raise RuntimeError('planted failure')")
    later = make_notebook(folder / "03_later.ipynb", "print('still ran')")
    return [good, bad, later]


def test_failure_is_named_others_run_and_sources_unchanged(sources, tmp_path, capsys):
    before = [path.read_bytes() for path in sources]
    params = tmp_path / "p.yaml"
    params.write_text("value: 7\n")
    out = tmp_path / "out"
    status = run_lessons.main([*map(str, sources), "--params", str(params), "--out", str(out)])
    printed = capsys.readouterr().out
    assert status == 1
    assert "02_bad.ipynb: RuntimeError: planted failure" in printed
    assert [path.read_bytes() for path in sources] == before
    assert sorted(p.name for p in out.iterdir()) == ["01_good.ipynb", "02_bad.ipynb",
                                                      "03_later.ipynb"]
    good = nbformat.read(out / "01_good.ipynb", as_version=4)
    assert "value is 7" in good.cells[-1].outputs[0]["text"]
    bad = nbformat.read(out / "02_bad.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in bad.cells if c.cell_type == "code"
               for o in c.get("outputs", []))
    later = nbformat.read(out / "03_later.ipynb", as_version=4)
    assert "still ran" in later.cells[-1].outputs[0]["text"]


def test_unknown_parameter_is_refused_before_running(sources, tmp_path, capsys):
    params = tmp_path / "p.yaml"
    params.write_text("valeu: 7\n")
    status = run_lessons.main([str(sources[0]), "--params", str(params),
                               "--out", str(tmp_path / "out")])
    assert status == 2
    assert "valeu" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_bad_notebook_parameter_fails_naming_it(tmp_path, capsys):
    notebook = run_lessons.NOTEBOOKS / "00_the_data.ipynb"
    params = tmp_path / "p.yaml"
    params.write_text("image_size: 16\n")
    status = run_lessons.main([str(notebook), "--params", str(params), "--out", str(tmp_path)])
    assert status == 1
    assert "ParameterError: image_size must be a whole number >= 32" in capsys.readouterr().out


def test_two_runs_at_once_into_one_folder(sources, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "shared_out"
    command = [sys.executable, run_lessons.__file__, str(sources[0]), str(sources[2]),
               "--out", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stdout.read()
    assert sorted(p.name for p in out.iterdir()) == ["01_good.ipynb", "03_later.ipynb"]
    assert "still ran" in nbformat.read(out / "03_later.ipynb", as_version=4).cells[-1].outputs[0][
        "text"]
