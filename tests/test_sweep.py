"""``python -m santa_lib sweep``: grid files, record keys, and real Dask runs (no mocks).

The runs use the lesson's smoke grid (params/sweeps/smoke.yaml: notebook 04 at smoke size) and,
where a run must fail, be killed or be stopped, a stand-in for notebook 01 written here: the
same parameters cell and ``sl.Run`` key, no training, and a sleep. Every sweep runs with its own
cache and output folder, and every process a test starts is gone at its end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from santa_lib.cli import main
from santa_lib.internals.results import METHOD_DEFAULTS, METHODS, Run, result_path
from santa_lib.sweeps.grid import GridError, read_grid

ROOT = Path(__file__).resolve().parent.parent
SMOKE = ROOT / "params" / "sweeps" / "smoke.yaml"
STAND_IN = "01_feature_extraction"
STAND_IN_BODY = '''import os
import time

from IPython.display import display

from santa_lib.internals.results import METHODS, RESULT_MIME, Run

run = Run("01_feature_extraction", globals())
time.sleep(float(os.environ.get("SANTA_SWEEP_TEST_SLEEP", "0")))
record = {"notebook": run.notebook, "method": METHODS[run.notebook], "test_accuracy": 0.5,
          "seconds": 0.0, "parameters": dict(run.parameters), "saved_at": time.time()}
display({"text/plain": "a stand-in's record", RESULT_MIME: record}, raw=True)
'''


def write_grid(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def stand_in(tmp_path) -> Path:
    """A notebooks folder holding a stand-in for notebook 01 (its parameters cell, a sleep)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    defaults = METHOD_DEFAULTS[STAND_IN]
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("\n".join(f"{name} = {value!r}"
                                            for name, value in defaults.items()),
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(STAND_IN_BODY)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, folder / f"{STAND_IN}.ipynb")
    return folder


def sweep_command(grid: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "santa_lib", "sweep", str(grid), "--out", str(out), *args]


def sweep_env(cache: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "SANTA_LIB_CACHE": str(cache), **extra}


def run_sweep(grid: Path, cache: Path, out: Path, *args: str, timeout: float = 150,
              **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(sweep_command(grid, out, *args), cwd=ROOT, env=sweep_env(cache, **extra),
                          capture_output=True, text=True, timeout=timeout)


def start_sweep(grid: Path, cache: Path, out: Path, notebooks: Path,
                sleep: float) -> subprocess.Popen:
    """A sweep of the stand-in notebook, each run sleeping ``sleep`` seconds, in the background
    (in a process group of its own, as a terminal starts a command)."""
    return subprocess.Popen(sweep_command(grid, out, "--notebooks", str(notebooks)), cwd=ROOT,
                            env=sweep_env(cache, SANTA_SWEEP_TEST_SLEEP=str(sleep)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def run_key(notebook: str, cache: Path, **values) -> Path:
    """Where the notebook's own ``sl.Run(...).save`` keeps its record when run with ``values``."""
    return result_path(notebook, Run(notebook, {**METHOD_DEFAULTS[notebook], **values}).parameters,
                       cache)


def descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def is_kernel(process: psutil.Process) -> bool:
    try:
        return any("ipykernel" in part for part in process.cmdline())
    except psutil.Error:
        return False


def wait_for_kernel(sweep: subprocess.Popen, seen: dict[int, psutil.Process],
                    timeout: float = 90) -> psutil.Process:
    """The first kernel among the sweep's descendants (all of them noted in ``seen``)."""
    parent, deadline = psutil.Process(sweep.pid), time.monotonic() + timeout
    while time.monotonic() < deadline and sweep.poll() is None:
        found = descendants(parent)
        seen.update((process.pid, process) for process in found)
        kernels = [process for process in found if is_kernel(process)]
        if kernels:
            return kernels[0]
        time.sleep(0.2)
    raise AssertionError("no kernel started under the sweep")


def assert_all_gone(processes, timeout: float = 20) -> None:
    """Every one of ``processes`` ends within ``timeout`` (killed at the end either way)."""
    _, alive = psutil.wait_procs(list(processes), timeout=timeout)
    described = []
    for process in alive:
        try:
            described.append(" ".join(process.cmdline())[:120])
            process.kill()
        except psutil.Error:
            continue
    assert not described, "processes left behind by the sweep:\n" + "\n".join(described)


def finish(sweep: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    try:
        output, _ = sweep.communicate(timeout=timeout)
    finally:
        if sweep.poll() is None:
            sweep.kill()
    return sweep.returncode, output


# ------------------------------------------------------------------------- grids and keys


@pytest.mark.parametrize("notebook", list(METHODS))
def test_the_sweeps_key_is_the_one_run_saves_under(tmp_path, notebook):
    declared = METHOD_DEFAULTS[notebook]
    grid = write_grid(tmp_path / "g.yaml", f"notebooks: [{notebook}]\nparameters:\n  seed: 1\n"
                      + ("  learning_rate: 1e-5\n" if "learning_rate" in declared else ""))
    (run,) = read_grid(grid).runs
    values = {"seed": 1, **({"learning_rate": 1e-5} if "learning_rate" in declared else {})}
    assert run.parameters == values
    assert run.record_path(tmp_path) == run_key(notebook, tmp_path, **values)


def test_points_are_the_product_and_each_notebook_gets_what_it_declares(tmp_path):
    grid = read_grid(write_grid(tmp_path / "g.yaml", (
        "notebooks: [01_feature_extraction, 03_fine_tuning]\n"
        "parameters:\n  seed: [0, 1]\n  epochs: 2\n  head_epochs: [1, 3]\n")))
    assert [(run.notebook, run.point["seed"], run.point["head_epochs"]) for run in grid.runs] == [
        (notebook, seed, head) for seed in (0, 1) for head in (1, 3)
        for notebook in ("01_feature_extraction", "03_fine_tuning")
        if head == 1 or notebook == "03_fine_tuning"]
    assert grid.runs[0].parameters == {"seed": 0, "epochs": 2}
    assert grid.runs[1].parameters == {"seed": 0, "epochs": 2, "head_epochs": 1}


def test_a_notebook_without_a_varied_parameter_runs_once_per_point_of_the_others(tmp_path):
    grid = read_grid(write_grid(tmp_path / "g.yaml", (
        "notebooks: [01_feature_extraction, 03_fine_tuning]\n"
        "parameters:\n  seed: [0, 1]\n  head_epochs: [1, 3]\n")))
    assert [(run.notebook, run.parameters) for run in grid.runs] == [
        ("01_feature_extraction", {"seed": 0}),
        ("03_fine_tuning", {"seed": 0, "head_epochs": 1}),
        ("03_fine_tuning", {"seed": 0, "head_epochs": 3}),
        ("01_feature_extraction", {"seed": 1}),
        ("03_fine_tuning", {"seed": 1, "head_epochs": 1}),
        ("03_fine_tuning", {"seed": 1, "head_epochs": 3})]


@pytest.mark.parametrize(("text", "words"), [
    (None, "not found"),
    ("notebooks: [01_feature_extraction\n", "not readable YAML"),
    ("notebooks: []\n", "non-empty list"),
    ("notebooks: [05_comparison]\n", "only the method notebooks"),
    ("notebooks: [01_feature_extraction]\nparameters:\n  seed: []\n", "seed has an empty list"),
    ("notebooks: [01_feature_extraction]\nparameters:\n  head_epochs: 1\n", "head_epochs"),
    ("- a list\n", "must hold a mapping"),
])
def test_an_unusable_grid_is_one_line_naming_the_file_with_status_2(tmp_path, capsys, text,
                                                                      words):
    grid = tmp_path / "grid.yaml"
    if text is not None:
        write_grid(grid, text)
    with pytest.raises(GridError, match=words):
        read_grid(grid, ROOT / "notebooks")
    assert main(["sweep", str(grid), "--notebooks", str(ROOT / "notebooks")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(grid) in error and words in error


def test_without_distributed_the_command_says_what_to_install():
    code = ("import sys; sys.modules['distributed'] = None; from santa_lib.cli import main; "
            "sys.exit(main(['sweep', 'params/sweeps/smoke.yaml']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert 'pip install "santa_lib[sweep]"' in result.stderr


# --------------------------------------------------------------------------- real sweeps


@pytest.fixture(scope="module")
def smoke_sweep(tmp_path_factory):
    """The smoke grid run once on a local cluster: (result, cache, out)."""
    cache, out = tmp_path_factory.mktemp("sweep-cache"), tmp_path_factory.mktemp("sweep-out")
    return run_sweep(SMOKE, cache, out, "--summary-out", str(out / "summary.json")), cache, out


def test_a_sweep_files_each_record_at_its_run_key_and_a_summary(smoke_sweep):
    result, cache, out = smoke_sweep
    assert result.returncode == 0, result.stdout + result.stderr
    grid = read_grid(SMOKE)
    assert len(grid.runs) == 2
    for run in grid.runs:
        record = json.loads(run_key(run.notebook, cache, **run.parameters).read_text())
        assert record["parameters"]["seed"] == run.point["seed"]
        assert (out / f"{run.notebook}-{run.key}.ipynb").is_file()
        assert f"ok     {run.describe()}" in result.stdout
    summary = json.loads((cache / "sweeps" / "smoke.json").read_text())
    assert summary == json.loads((out / "summary.json").read_text())
    assert set(summary) == {"grid", "grid_file", "machine", "date", "keras_backend", "seconds",
                            "runs", "failed"}
    assert (summary["grid"], summary["grid_file"], summary["failed"]) == ("smoke", str(SMOKE), [])
    assert len(summary["runs"]) == 2 and summary["machine"].endswith("cores" if
                                                                     os.cpu_count() > 1 else "core")


def test_a_second_sweep_of_a_finished_grid_starts_no_notebook(smoke_sweep, tmp_path):
    _, cache, _ = smoke_sweep
    started = time.monotonic()
    result = run_sweep(SMOKE, cache, tmp_path / "again")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 already done" in result.stdout and "nothing to run" in result.stdout
    assert not (tmp_path / "again").exists()
    assert time.monotonic() - started < 30
    assert len(json.loads((cache / "sweeps" / "smoke.json").read_text())["runs"]) == 2


def test_a_failing_point_is_named_and_kept_and_the_others_go_on(stand_in, tmp_path):
    grid = write_grid(tmp_path / "sizes.yaml",
                      f"notebooks: [{STAND_IN}]\nparameters:\n  image_size: [16, 64]\n")
    cache, out = tmp_path / "cache", tmp_path / "out"
    result = run_sweep(grid, cache, out, "--notebooks", str(stand_in))
    assert result.returncode == 1, result.stdout + result.stderr
    failed = next(line for line in result.stdout.splitlines() if line.startswith("FAILED"))
    assert f"{STAND_IN} (image_size=16)" in failed and "ParameterError" in failed
    kept = Path(failed.split("executed notebook kept: ")[1])
    assert kept.is_file() and kept.parent == out
    assert list((cache / "results").iterdir()) == [run_key(STAND_IN, cache, image_size=64)]
    summary = json.loads((cache / "sweeps" / "sizes.json").read_text())
    assert [run["parameters"]["image_size"] for run in summary["runs"]] == [64]
    assert [(run["notebook"], run["parameters"]["image_size"]) for run in summary["failed"]] == [
        (STAND_IN, 16)]


def test_a_worker_killed_mid_run_has_its_run_retried(stand_in, tmp_path):
    grid = write_grid(tmp_path / "one.yaml", f"notebooks: [{STAND_IN}]\nparameters:\n  seed: 3\n")
    cache, seen = tmp_path / "cache", {}
    sweep = start_sweep(grid, cache, tmp_path / "out", stand_in, sleep=3)
    try:
        kernel = wait_for_kernel(sweep, seen)
        kernel.parent().kill()  # the Dask worker running the notebook
        status, output = finish(sweep)
    finally:
        finish(sweep, timeout=30)
        assert_all_gone(seen.values())
    assert status == 0, output
    assert "ok     01_feature_extraction (seed=3)" in output
    assert run_key(STAND_IN, cache, seed=3).is_file()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_sweep_names_what_finished_and_leaves_no_process(stand_in, tmp_path, signum):
    grid = write_grid(tmp_path / "two.yaml",
                      f"notebooks: [{STAND_IN}]\nparameters:\n  seed: [0, 1]\n")
    seen = {}
    sweep = start_sweep(grid, tmp_path / "cache", tmp_path / "out", stand_in, sleep=60)
    try:
        wait_for_kernel(sweep, seen)
        time.sleep(1)
        seen.update((process.pid, process) for process in descendants(psutil.Process(sweep.pid)))
        if signum == signal.SIGINT:  # a terminal's Ctrl-C reaches the whole process group
            os.killpg(sweep.pid, signum)
        else:
            sweep.send_signal(signum)
        status, output = finish(sweep, timeout=60)
    finally:
        finish(sweep, timeout=30)
        assert_all_gone(seen.values())
    assert status == 128 + signum, output
    assert "Stopped by" in output
    assert "not finished 01_feature_extraction (seed=0)" in output
    assert "not finished 01_feature_extraction (seed=1)" in output


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as handle:
        return subprocess.Popen(command, cwd=log.parent, env=env, stdout=handle,
                                stderr=subprocess.STDOUT)


def scheduler_address(scheduler_file: Path, timeout: float = 60) -> str:
    """The address a scheduler started by hand wrote into its scheduler file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return json.loads(scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.2)
    raise AssertionError(f"the scheduler wrote no {scheduler_file}")


def test_a_sweep_on_a_scheduler_and_worker_started_by_hand(tmp_path):
    """The worker keeps its own cache: the client files the records from what it sends back."""
    scheduler_file = tmp_path / "scheduler.json"
    env = sweep_env(tmp_path / "worker-cache")
    started = []
    try:
        started.append(_start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                               "127.0.0.1", "--port", "0", "--scheduler-file",
                               str(scheduler_file), "--no-dashboard"], env,
                              tmp_path / "scheduler.log"))
        address = scheduler_address(scheduler_file)
        started.append(_start([sys.executable, "-m", "distributed.cli.dask_worker",
                               "--scheduler-file", str(scheduler_file), "--nworkers", "1",
                               "--nthreads", "1", "--no-dashboard"], env,
                              tmp_path / "worker.log"))
        cache = tmp_path / "client-cache"
        result = run_sweep(SMOKE, cache, tmp_path / "out", "--scheduler", address)
        assert result.returncode == 0, result.stdout + result.stderr
        for run in read_grid(SMOKE).runs:
            assert run_key(run.notebook, cache, **run.parameters).is_file()
            assert (tmp_path / "out" / f"{run.notebook}-{run.key}.ipynb").is_file()
    finally:
        processes = [psutil.Process(process.pid) for process in started]
        every = processes + [child for process in processes for child in descendants(process)]
        for process in reversed(started):
            process.terminate()
        assert_all_gone(every, timeout=30)
