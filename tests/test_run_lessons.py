"""tools/run_lessons.py: failures are named, the others still run, sources are never written."""

import nbformat
import pytest
import run_lessons


@pytest.fixture
def sources(tmp_path, write_notebook):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    good = write_notebook(folder / "01_good.ipynb", "print('value is', value)")
    bad = write_notebook(folder / "02_bad.ipynb", "raise RuntimeError('planted failure')")
    later = write_notebook(folder / "03_later.ipynb", "print('still ran')")
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
                                                      "03_later.ipynb", "html", "index.html",
                                                      "report.md"]
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


def test_prepare_only_injects_without_running_or_reporting(sources, tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("value: 7\n")
    out = tmp_path / "out"
    assert run_lessons.main([str(sources[1]), "--params", str(params), "--out", str(out),
                             "--prepare-only"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["02_bad.ipynb"]
    prepared = nbformat.read(out / "02_bad.ipynb", as_version=4)
    assert "value = 7" in prepared.cells[1].source
    assert all(not cell.get("outputs") for cell in prepared.cells)


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
    assert sorted(p.name for p in out.iterdir()) == ["01_good.ipynb", "03_later.ipynb", "html",
                                                      "index.html", "report.md"]
    assert sorted(p.name for p in (out / "html").iterdir()) == ["01_good.html", "03_later.html"]
    assert "still ran" in nbformat.read(out / "03_later.ipynb", as_version=4).cells[-1].outputs[0][
        "text"]


def sleepy_sources(tmp_path, write_notebook):
    """A notebook that finishes, one that sleeps (touching a marker file first), one after."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    marker = tmp_path / "sleeping"
    return marker, [
        write_notebook(folder / "01_fast.ipynb", "print('fast done')"),
        write_notebook(folder / "02_sleepy.ipynb",
                       f"import pathlib, time\npathlib.Path({str(marker)!r}).write_text('x')\n"
                       "print('started', flush=True)\ntime.sleep(60)"),
        write_notebook(folder / "03_after.ipynb", "print('after')"),
    ]


def kernel_processes(pid):
    """The ipykernel processes started by the process ``pid`` (its descendants)."""
    import psutil

    return [child for child in psutil.Process(pid).children(recursive=True)
            if any("ipykernel" in part for part in child.cmdline())]


def is_gone(process):
    import psutil

    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize(("signal_name", "status"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_stops_the_run_cleanly(tmp_path, signal_name, status, write_notebook):
    import signal
    import subprocess
    import sys
    import time

    marker, sources = sleepy_sources(tmp_path, write_notebook)
    out = tmp_path / "out"
    runner = subprocess.Popen([sys.executable, run_lessons.__file__, *map(str, sources),
                               "--out", str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert runner.poll() is None, runner.communicate()
        assert time.monotonic() < deadline, "the sleeping notebook never started"
        time.sleep(0.2)
    kernels = kernel_processes(runner.pid)
    assert kernels, "no kernel process found under the runner"

    runner.send_signal(getattr(signal, signal_name))
    stdout, stderr = runner.communicate(timeout=60)
    assert runner.returncode == status, stdout + stderr
    assert all(is_gone(kernel) for kernel in kernels), "a kernel outlived the runner"
    assert "Traceback" not in stdout + stderr
    partial = out / "02_sleepy.ipynb"
    message = [line for line in stderr.splitlines() if line.strip()]
    assert len(message) == 1, stderr
    assert "02_sleepy.ipynb" in message[0] and str(partial) in message[0]
    assert signal_name in message[0]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    fast = nbformat.read(out / "01_fast.ipynb", as_version=4)
    assert "fast done" in fast.cells[-1].outputs[0]["text"]
    sleeping = nbformat.read(partial, as_version=4)
    assert "time.sleep(60)" in sleeping.cells[-1].source
    assert not (out / "03_after.ipynb").exists()
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in (out / "report.md").read_text().splitlines()
            if line.startswith("| ") and ".ipynb" in line}
    assert rows == {"[01_fast.ipynb](html/01_fast.html)": "ok",
                    "[02_sleepy.ipynb](html/02_sleepy.html)": "stopped",
                    "03_after.ipynb": "not run"}


RATE_CHECK = ("from santa_lib.internals.params import checked_parameters\n"
              "checked_parameters(globals())\n"
              "print(type(learning_rate).__name__, learning_rate)")


def test_1e_5_in_a_parameters_file_is_a_number(tmp_path, write_notebook, capsys):
    """YAML 1.1 reads ``1e-5`` as text; the one loader reads it as the number it means."""
    notebook = write_notebook(tmp_path / "01_rate.ipynb", RATE_CHECK,
                              parameters="learning_rate = 1e-4")
    params = tmp_path / "p.yaml"
    params.write_text("learning_rate: 1e-5\n")
    out = tmp_path / "out"
    assert run_lessons.main([str(notebook), "--params", str(params), "--out", str(out)]) == 0
    executed = nbformat.read(out / "01_rate.ipynb", as_version=4)
    assert "learning_rate = 1e-05" in executed.cells[1].source
    assert "float 1e-05" in executed.cells[-1].outputs[0]["text"]


def test_papermills_own_f_gives_text_which_the_check_makes_a_number(tmp_path, write_notebook):
    import subprocess
    import sys

    notebook = write_notebook(tmp_path / "rate.ipynb", RATE_CHECK,
                              parameters="learning_rate = 1e-4")
    params = tmp_path / "p.yaml"
    params.write_text("learning_rate: 1e-5\n")
    executed = tmp_path / "executed.ipynb"
    subprocess.run([sys.executable, "-m", "papermill", str(notebook), str(executed), "-f",
                    str(params), "-k", "python3", "--no-progress-bar"], check=True,
                   capture_output=True, timeout=120)
    cells = nbformat.read(executed, as_version=4).cells
    assert "learning_rate = \"1e-5\"" in cells[1].source  # papermill injects the text
    assert "float 1e-05" in cells[-1].outputs[0]["text"]


def test_a_stop_ends_only_the_kernels_the_run_started():
    """A process the caller started itself (here with "ipykernel" in its command line, as a
    Jupyter kernel that runs the lessons would have) survives the stop helpers."""
    import subprocess
    import sys
    import time

    from santa_lib.internals.stopping import end_kernels, end_started_kernels

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                              "ipykernel_launcher"])
    try:
        end_kernels(grace_seconds=0.1)
        end_started_kernels(grace_seconds=0.1)
        time.sleep(0.5)  # past the grace after which end_kernels kills
        assert other.poll() is None, "the stop ended a process the run did not start"
    finally:
        other.kill()
        other.wait(timeout=10)
