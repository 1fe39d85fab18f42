"""``python -m santa_lib sweep``: grid files, record keys, and real Dask runs (no mocks).

Most sweeps run on one cluster shared by the tests (a scheduler and two workers started by hand,
as docs/instructors.md says: ``dask worker ADDRESS --nthreads 3 --resources "cores=2"``, each
worker with a cache of its own); the local cluster's own behaviour (records and summary, a
killed worker, stops) is tested on the command's ``LocalCluster``. Notebooks 02 and 03 run for
real at a small size; elsewhere a stand-in for notebook 01 written here runs: the same
parameters cell and record key, no training, a sleep of ``epochs - 1`` seconds on its first
try per seed (so that a retry is quick). Every process a test starts is gone at its end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest

from santa_lib.cli import main
from santa_lib.internals.environment import configured_backend
from santa_lib.internals.records import METHOD_DEFAULTS, METHODS, key_parameters, result_path
from santa_lib.internals.results import Run
from santa_lib.sweeps.filing import summary_path
from santa_lib.sweeps.grid import GridError, read_grid
from santa_lib.sweeps.keys import Settler
from santa_lib.sweeps.task import Job, run_notebook

ROOT = Path(__file__).resolve().parent.parent
STAND_IN = "01_feature_extraction"
FIXED = "  data_dir: embedded\n  weights: random\n"
"""Grid lines that settle nothing over the network (the stand-in keys by them as given)."""
STAND_IN_BODY = '''import time

import santa_lib
from IPython.display import display

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.environment import configured_backend, environment
from santa_lib.internals.records import METHODS, RESULT_MIME, key_parameters
from santa_lib.internals.results import Run

run = Run("01_feature_extraction", globals())
cache = default_cache_dir()
cache.mkdir(parents=True, exist_ok=True)
with open(cache / "stand-in-runs.log", "a") as log:
    print(seed, file=log)
marker = cache / f"stand-in-seed-{seed}.started"
if not marker.exists():
    marker.write_text("started")
    time.sleep(epochs - 1)
key = key_parameters(run.parameters, data_dir, "random", configured_backend())
record = {"notebook": run.notebook, "method": METHODS[run.notebook], "test_accuracy": 0.5,
          "seconds": 1.0, "parameters": dict(run.parameters), "key": key,
          "backend": key["backend"], "environment": environment(), "saved_at": time.time()}
display({"text/plain": "a stand-in's record", RESULT_MIME: record}, raw=True)
'''


def write_grid(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_notebook(path: Path, parameters: dict, body: str) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("\n".join(f"{name} = {value!r}"
                                            for name, value in parameters.items()),
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="session")
def stand_in(tmp_path_factory) -> Path:
    """A notebooks folder holding a stand-in for notebook 01."""
    folder = tmp_path_factory.mktemp("notebooks")
    write_notebook(folder / f"{STAND_IN}.ipynb", METHOD_DEFAULTS[STAND_IN], STAND_IN_BODY)
    return folder


def sweep_command(grid: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "santa_lib", "sweep", str(grid), "--out", str(out), *args]


def sweep_env(cache: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "SANTA_LIB_CACHE": str(cache), **extra}


def run_sweep(grid: Path, cache: Path, out: Path, *args: str, timeout: float = 150,
              **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(sweep_command(grid, out, *args), cwd=ROOT, env=sweep_env(cache, **extra),
                          capture_output=True, text=True, timeout=timeout)


def start_sweep(grid: Path, cache: Path, out: Path, *args: str) -> subprocess.Popen:
    """A sweep in the background, in a process group of its own (as a terminal starts one)."""
    return subprocess.Popen(sweep_command(grid, out, *args), cwd=ROOT, env=sweep_env(cache),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def stand_in_key(cache: Path, backend: str | None = None, **values) -> Path:
    """Where the stand-in's record is filed when run with ``values`` (embedded, random)."""
    parameters = Run(STAND_IN, {**METHOD_DEFAULTS[STAND_IN], "data_dir": "embedded",
                                "weights": "random", **values}).parameters
    key = key_parameters(parameters, "embedded", "random", backend or configured_backend())
    return result_path(STAND_IN, key, cache)


def descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def kernels_under(processes) -> list[psutil.Process]:
    found = []
    for process in [child for parent in processes for child in descendants(parent)]:
        try:
            if any("ipykernel" in part for part in process.cmdline()):
                found.append(process)
        except psutil.Error:
            continue
    return found


def wait_until(condition, timeout: float = 90, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} did not come within {timeout} s")


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
    return sweep.returncode, output or ""


# ------------------------------------------------------------------------- grids and keys


@pytest.mark.parametrize("notebook", list(METHODS))
def test_the_sweeps_key_is_the_one_run_saves_under(tmp_path, notebook):
    declared = METHOD_DEFAULTS[notebook]
    grid = write_grid(tmp_path / "g.yaml", f"notebooks: [{notebook}]\nparameters:\n  seed: 1\n"
                      + ("  learning_rate: 1e-5\n" if "learning_rate" in declared else ""))
    (run,) = read_grid(grid, ROOT / "notebooks", Settler(lambda url: (False, "offline"))).runs
    values = {"seed": 1, **({"learning_rate": 1e-5} if "learning_rate" in declared else {})}
    assert run.parameters == values
    parameters = Run(notebook, {**declared, **values}).parameters
    weights = "random" if "weights" in declared else None
    key = key_parameters(parameters, "embedded", weights, configured_backend())
    assert run.record_path(tmp_path) == result_path(notebook, key, tmp_path)


def test_auto_is_settled_as_the_notebook_would_and_paths_as_given(tmp_path, monkeypatch):
    folder = tmp_path / "pictures"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    settler = Settler(lambda url: (False, "offline"))
    assert (settler.data("auto"), settler.weights("auto")) == ("embedded", "random")
    assert settler.data(str(folder)) == str(folder.resolve())
    assert settler.weights("~/vgg.h5") == str(Path("~/vgg.h5").expanduser().resolve())
    assert (settler.weights(None), settler.weights("ImageNet")) == ("random", "imagenet")
    online = Settler(lambda url: (True, "reachable"))
    assert (online.data("auto"), online.weights("auto")) == ("photos", "imagenet")


def test_the_backend_is_read_as_keras_reads_it(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert configured_backend() == "tensorflow"
    (tmp_path / "keras.json").write_text('{"backend": "torch"}')
    assert configured_backend() == "torch"
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert configured_backend() == "jax" == Settler().backend


def test_another_backend_is_another_key(tmp_path, stand_in, monkeypatch):
    grid = write_grid(tmp_path / "g.yaml", f"notebooks: [{STAND_IN}]\nparameters:\n{FIXED}")
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    (tensorflow,) = read_grid(grid, stand_in).runs
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    (jax,) = read_grid(grid, stand_in).runs
    assert jax.record_key == {**tensorflow.record_key, "backend": "jax"}
    assert jax.record_path(tmp_path) == stand_in_key(tmp_path, "jax")
    assert jax.record_path(tmp_path) != tensorflow.record_path(tmp_path)


def test_an_edited_parameters_cell_keys_by_its_own_values(tmp_path):
    folder = tmp_path / "edited"
    folder.mkdir()
    write_notebook(folder / f"{STAND_IN}.ipynb", {**METHOD_DEFAULTS[STAND_IN], "epochs": 7,
                                                  "learning_rate": "3e-4"}, "pass")
    grid = write_grid(tmp_path / "g.yaml", f"notebooks: [{STAND_IN}]\nparameters:\n{FIXED}")
    (run,) = read_grid(grid, folder).runs
    assert (run.record_key["epochs"], run.record_key["learning_rate"]) == (7, 3e-4)


def test_points_are_the_product_and_each_notebook_gets_what_it_declares(tmp_path):
    grid = read_grid(write_grid(tmp_path / "g.yaml", (
        f"notebooks: [01_feature_extraction, 03_fine_tuning]\nparameters:\n{FIXED}"
        "  seed: [0, 1]\n  epochs: 2\n  head_epochs: [1, 3]\n")))
    assert [(run.notebook, run.point["seed"], run.point["head_epochs"]) for run in grid.runs] == [
        (notebook, seed, head) for seed in (0, 1) for head in (1, 3)
        for notebook in ("01_feature_extraction", "03_fine_tuning")
        if head == 1 or notebook == "03_fine_tuning"]
    fixed = {"data_dir": "embedded", "weights": "random"}
    assert grid.runs[0].parameters == {**fixed, "seed": 0, "epochs": 2}
    assert grid.runs[1].parameters == {**fixed, "seed": 0, "epochs": 2, "head_epochs": 1}


def test_a_notebook_without_a_varied_parameter_runs_once_per_point_of_the_others(tmp_path):
    grid = read_grid(write_grid(tmp_path / "g.yaml", (
        "notebooks: [01_feature_extraction, 03_fine_tuning]\n"
        "parameters:\n  seed: [0, 1]\n  head_epochs: [1, 3]\n")), settler=Settler(
            lambda url: (False, "offline")))
    assert [(run.notebook, run.parameters) for run in grid.runs] == [
        ("01_feature_extraction", {"seed": 0}),
        ("03_fine_tuning", {"seed": 0, "head_epochs": 1}),
        ("03_fine_tuning", {"seed": 0, "head_epochs": 3}),
        ("01_feature_extraction", {"seed": 1}),
        ("03_fine_tuning", {"seed": 1, "head_epochs": 1}),
        ("03_fine_tuning", {"seed": 1, "head_epochs": 3})]


def test_two_grid_files_of_one_name_keep_two_summaries(tmp_path):
    text = f"notebooks: [{STAND_IN}]\nparameters:\n{FIXED}"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = read_grid(write_grid(tmp_path / "a" / "seeds.yaml", text))
    second = read_grid(write_grid(tmp_path / "b" / "seeds.yaml", text))
    assert first.stem == second.stem == "seeds"
    assert summary_path(first, tmp_path) != summary_path(second, tmp_path)
    assert summary_path(first, tmp_path).name.startswith("seeds-")
    assert summary_path(first, tmp_path) == summary_path(read_grid(first.path), tmp_path)


@pytest.mark.parametrize(("text", "words"), [
    (None, "not found"),
    ("notebooks: [01_feature_extraction\n", "not readable YAML (line 2)"),
    ("notebooks: []\n", "non-empty list"),
    ("notebooks: [05_comparison]\n", "only the method notebooks"),
    ("notebooks: [01_feature_extraction]\nparameters:\n  seed: []\n", "seed has an empty list"),
    ("notebooks: [01_feature_extraction]\nparameters:\n  head_epochs: 1\n", "head_epochs"),
    ("notebooks: [01_feature_extraction]\nparameters:\n  data_dir: pictures\n", "relative path"),
    ("- a list\n", "must hold a mapping"),
])
def test_an_unusable_grid_is_one_line_naming_the_file_with_status_2(tmp_path, capsys, text,
                                                                      words):
    grid = tmp_path / "grid.yaml"
    if text is not None:
        write_grid(grid, text)
    with pytest.raises(GridError, match=words.replace("(", r"\(").replace(")", r"\)")):
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


def test_a_notebook_03_run_first_places_the_head_it_is_given(tmp_path, private_cache):
    """The task itself, in this process (no Dask): the model files of a notebook-02 result land
    in this cache before the notebook runs, where notebook 03 looks."""
    body = ('from pathlib import Path\nfrom santa_lib.internals.cache import default_cache_dir\n'
            'print(sorted(p.name for p in (default_cache_dir() / "models").iterdir()))')
    notebook = write_notebook(tmp_path / "03_fine_tuning.ipynb", {"seed": 0}, body)
    head = {"models": {"method2-v4-abc.keras": b"model bytes", "../escape.keras": b"x"}}
    job = Job("03_fine_tuning", notebook.read_text(), {}, 1, 60)
    result = run_notebook(job, head)
    assert "['method2-v4-abc.keras']" in result["notebook_text"]
    assert (private_cache / "models" / "method2-v4-abc.keras").read_bytes() == b"model bytes"
    assert result["models"] == {} and "displayed no record" in result["error"]


def test_two_runs_in_threads_of_one_worker_keep_their_own_folders(tmp_path, private_cache):
    """Two runs at once in one process (a worker's threads): each kernel works in its own
    temporary folder, and the process's working directory is never changed (papermill's cwd=
    would chdir the whole process, and the second run would return into the first's deleted
    folder)."""
    from concurrent.futures import ThreadPoolExecutor

    body = "import os, time\ntime.sleep(1)\nprint('cwd', os.getcwd())"
    notebook = write_notebook(tmp_path / "04_from_scratch.ipynb", {"seed": 0}, body)
    job = Job("04_from_scratch", notebook.read_text(), {}, 1, 60)
    before = os.getcwd()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: run_notebook(job), range(2)))
    assert os.getcwd() == before
    printed = ["".join(output.get("text", "")) for result in results
               for cell in json.loads(result["notebook_text"])["cells"]
               for output in cell.get("outputs", [])]
    folders = [text.split(" ", 1)[1].strip() for text in printed if text.startswith("cwd ")]
    assert len(set(folders)) == 2 and all("santa-sweep-" in folder for folder in folders)
    assert all("displayed no record" in result["error"] for result in results)  # no error else


# ------------------------------------------------------------- a cluster started by hand


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as handle:
        return subprocess.Popen(command, cwd=log.parent, env=env, stdout=handle,
                                stderr=subprocess.STDOUT)


HEAD_GRID = ("notebooks: [02_frozen_base_augmentation, 03_fine_tuning]\nparameters:\n" + FIXED
             + "  image_size: 32\n  batch_size: 4\n  epochs: 1\n  head_epochs: 1\n"
               "  steps_per_epoch: 1\n  seed: 0\n")
"""Notebooks 02 and 03 for real, as small as they go (about 20 s each on 2 cores)."""


@dataclass
class Cluster:
    address: str
    caches: list[Path]
    """Each worker's cache."""
    workers: list[psutil.Process]
    """The ``dask worker`` processes (their workers and kernels below them)."""
    head: subprocess.Popen
    """The sweep of :data:`HEAD_GRID`, started with the cluster: it runs while the other tests
    do, and ``test_03_runs_after_02_on_two_workers_and_reuses_its_head`` reads it."""
    head_grid: Path
    head_cache: Path
    head_out: Path


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A scheduler and two workers started as docs/instructors.md says (2 cores each), each
    worker with a cache of its own (sharing only the calibrated weights' folder, to save time),
    and the sweep of notebooks 02 and 03 on it, started at once."""
    from distributed import Client

    root = tmp_path_factory.mktemp("cluster")
    (root / "weights").mkdir()
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    started = [_start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                       "127.0.0.1", "--port", "0", "--scheduler-file",
                       str(root / "scheduler.json"), "--no-dashboard"], env,
                      root / "scheduler.log")]
    head = None
    try:
        address = wait_until(lambda: json.loads((root / "scheduler.json").read_text()).get(
            "address") if (root / "scheduler.json").is_file() else None, 60, "the scheduler")
        caches = [root / f"cache-{name}" for name in ("one", "two")]
        for cache in caches:
            cache.mkdir()
            (cache / "weights").symlink_to(root / "weights")
            started.append(_start([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                   "--nthreads", "3", "--resources", "cores=2",
                                   "--no-dashboard"], {**env, "SANTA_LIB_CACHE": str(cache)},
                                  root / f"worker-{cache.name}.log"))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        grid = write_grid(root / "head.yaml", HEAD_GRID)
        head = start_sweep(grid, root / "head-cache", root / "head-out", "--scheduler", address)
        yield Cluster(address, caches, [psutil.Process(process.pid) for process in started[1:]],
                      head, grid, root / "head-cache", root / "head-out")
    finally:  # the workers first: a worker whose scheduler is gone waits to reconnect
        if head is not None:
            finish(head, timeout=300)
        processes = [psutil.Process(process.pid) for process in started]
        every = processes + [child for process in processes for child in descendants(process)]
        for process in started[1:]:
            process.terminate()
        psutil.wait_procs(every[1:], timeout=30)
        started[0].terminate()
        assert_all_gone(every, timeout=30)


def runs_logged(caches: list[Path], seed: int) -> int:
    """How many times the stand-in started with ``seed`` on the cluster's workers."""
    return sum(str(seed) == line.strip() for cache in caches
               if (cache / "stand-in-runs.log").is_file()
               for line in (cache / "stand-in-runs.log").read_text().splitlines())


def started_on_a_worker(caches: list[Path], seed: int) -> bool:
    return any((cache / f"stand-in-seed-{seed}.started").is_file() for cache in caches)


def stand_in_grid(tmp_path: Path, epochs: int, seeds: str, extra: str = "") -> Path:
    return write_grid(tmp_path / "stand-in.yaml", f"notebooks: [{STAND_IN}]\nparameters:\n"
                      f"{FIXED}  epochs: {epochs}\n  seed: {seeds}\n{extra}")


def papermill_times(path: Path) -> tuple[str, str]:
    metadata = nbformat.read(path, as_version=4).metadata.papermill
    return metadata["start_time"], metadata["end_time"]


def live_kernels(processes, not_these=()) -> list[psutil.Process]:
    """The stand-in's kernels under ``processes`` still running (those of notebooks 02 and 03
    run beside them), but for the pids ``not_these``."""
    found = []
    for kernel in kernels_under(processes):
        try:
            if (kernel.pid not in not_these and kernel.status() != psutil.STATUS_ZOMBIE
                    and (Path(kernel.cwd()) / f"{STAND_IN}.ipynb").is_file()):
                found.append(kernel)
        except psutil.Error:
            continue
    return found


@pytest.mark.parametrize("deaths", [1, 2])
def test_a_kernel_that_dies_is_retried_once(cluster, stand_in, tmp_path, deaths):
    address, caches, workers = cluster.address, cluster.caches, cluster.workers
    seed = 66 + deaths  # a seed of its own: the workers keep the markers
    grid, cache = stand_in_grid(tmp_path, 61, str(seed)), tmp_path / "cache"
    sweep = start_sweep(grid, cache, tmp_path / "out", "--notebooks", str(stand_in),
                        "--scheduler", address)
    killed = []
    try:
        for death in range(deaths):
            wait_until(lambda: started_on_a_worker(caches, seed), what="the stand-in")
            kernel = wait_until(lambda: live_kernels(workers, killed), what="its kernel")[0]
            if death + 1 < deaths:  # the retry sleeps again, to be killed again
                for marker in caches:
                    (marker / f"stand-in-seed-{seed}.started").unlink(missing_ok=True)
            kernel.kill()
            killed.append(kernel.pid)
        status, output = finish(sweep)
    finally:
        finish(sweep, timeout=30)
    assert runs_logged(caches, seed) == 2
    if deaths == 1:
        assert status == 0, output
        assert "(retried once: its kernel died the first time)" in output
        record = json.loads(stand_in_key(cache, epochs=61, seed=seed).read_text())
        assert record["sweep"]["retried"]
    else:
        assert status == 1, output
        assert "DeadKernelError: the kernel died (Kernel died); retried once, and its kernel " \
               "died again; executed notebook kept" in output


def test_a_hung_cell_ends_at_the_timeout(cluster, stand_in, tmp_path):
    address, workers = cluster.address, cluster.workers
    grid = stand_in_grid(tmp_path, 120, "62")
    result = run_sweep(grid, tmp_path / "cache", tmp_path / "out", "--notebooks",
                       str(stand_in), "--scheduler", address, "--timeout", "3")
    assert result.returncode == 1, result.stdout + result.stderr
    failed = next(line for line in result.stdout.splitlines() if line.startswith("FAILED"))
    assert "seed=62" in failed and "timed out: a cell ran past --timeout 3 s" in failed
    assert Path(failed.split("executed notebook kept: ")[1]).is_file()
    wait_until(lambda: not live_kernels(workers), 30, "the end of the hung kernel")


def test_two_sweeps_on_one_scheduler_run_each_run_once(cluster, stand_in, tmp_path):
    address, caches = cluster.address, cluster.caches
    grid, cache = stand_in_grid(tmp_path, 11, "63"), tmp_path / "cache"
    args = ("--notebooks", str(stand_in), "--scheduler", address)
    first = start_sweep(grid, cache, tmp_path / "out", *args)
    try:
        wait_until(lambda: started_on_a_worker(caches, 63), what="the first sweep's run")
        second = start_sweep(grid, cache, tmp_path / "out", *args)
        outputs = [finish(first), finish(second)]
    finally:
        finish(first, timeout=30)
    for status, output in outputs:
        assert status == 0 and "1 to run" in output and "ok     01_feature" in output, output
    assert runs_logged(caches, 63) == 1
    record = json.loads(stand_in_key(cache, epochs=11, seed=63).read_text())
    assert record["parameters"]["seed"] == 63


def test_a_record_of_another_backend_is_not_already_done(cluster, stand_in, tmp_path):
    address = cluster.address
    grid, cache = stand_in_grid(tmp_path, 1, "64"), tmp_path / "cache"
    elsewhere = stand_in_key(cache, "jax", epochs=1, seed=64)
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_text(json.dumps({"key": {"backend": "jax"}, "seconds": 1.0}))
    result = run_sweep(grid, cache, tmp_path / "out", "--notebooks", str(stand_in),
                       "--scheduler", address)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 already done" in result.stdout and "1 to run" in result.stdout
    assert elsewhere.is_file() and stand_in_key(cache, epochs=1, seed=64).is_file()


def test_a_failing_point_is_named_and_kept_and_the_others_go_on(cluster, stand_in, tmp_path):
    address = cluster.address
    grid = stand_in_grid(tmp_path, 1, "65", "  image_size: [16, 64]\n")
    cache, out = tmp_path / "cache", tmp_path / "out"
    result = run_sweep(grid, cache, out, "--notebooks", str(stand_in), "--scheduler", address,
                       "--cores-per-run", "1")  # two runs at once on each worker, in threads
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 workers, up to 4 runs at once, 1 core per run" in result.stdout
    failed = next(line for line in result.stdout.splitlines() if line.startswith("FAILED"))
    assert "image_size=16" in failed and "ParameterError" in failed, failed
    kept = Path(failed.split("executed notebook kept: ")[1])
    assert kept.is_file() and kept.parent == out
    good = stand_in_key(cache, epochs=1, seed=65, image_size=64)
    assert list((cache / "results").iterdir()) == [good]
    assert json.loads(good.read_text())["sweep"]["concurrency"] == 4
    summary = json.loads(summary_path(read_grid(grid, stand_in), cache).read_text())
    assert [run["parameters"]["image_size"] for run in summary["runs"]] == [64]
    assert [(run["notebook"], run["parameters"]["image_size"]) for run in summary["failed"]] == [
        (STAND_IN, 16)]


def test_a_scheduler_whose_workers_have_too_few_cores_is_refused(cluster, stand_in, tmp_path):
    address = cluster.address
    result = run_sweep(stand_in_grid(tmp_path, 1, "66"), tmp_path / "cache", tmp_path / "out",
                       "--notebooks", str(stand_in), "--scheduler", address,
                       "--cores-per-run", "3")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f'dask worker {address} --nthreads 4 --resources "cores=3"' in result.stderr


# ----------------------------------------------------------- the command's local cluster


def test_a_local_sweep_files_each_record_and_a_summary(stand_in, tmp_path):
    grid = stand_in_grid(tmp_path, 1, "[71, 72]", "  learning_rate: 1e-5\n")
    cache, out = tmp_path / "cache", tmp_path / "out"
    result = run_sweep(grid, cache, out, "--notebooks", str(stand_in), "--cores-per-run", "1",
                       "--summary-out", str(out / "summary.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    workers = min(2, os.cpu_count() or 1)
    assert f"a local cluster: {workers} worker" in result.stdout
    for run in read_grid(grid, stand_in).runs:
        record = json.loads(stand_in_key(cache, epochs=1, learning_rate=1e-5,
                                         seed=run.point["seed"]).read_text())
        assert record["parameters"]["learning_rate"] == 1e-5
        assert record["sweep"]["concurrency"] == workers and record["sweep"]["cores"] == 1
        assert record["environment"]["threads"]["TF_NUM_INTRAOP_THREADS"] == "1"
        assert (out / f"{run.notebook}-{run.key}.ipynb").is_file()
        assert f"ok     {run.describe()}" in result.stdout
    summary = json.loads(summary_path(read_grid(grid, stand_in), cache).read_text())
    assert summary == json.loads((out / "summary.json").read_text())
    assert set(summary) == {"grid", "name", "grid_file", "machine", "date", "keras_backend",
                            "seconds", "seconds_note", "runs", "failed"}
    assert (summary["grid"], summary["failed"], summary["seconds"]) == ("stand-in", [], 2.0)
    again = run_sweep(grid, cache, tmp_path / "again", "--notebooks", str(stand_in))
    assert "2 already done" in again.stdout and "nothing to run" in again.stdout
    assert not (tmp_path / "again").exists()


def test_a_worker_killed_mid_run_has_its_run_retried(stand_in, tmp_path):
    grid, cache = stand_in_grid(tmp_path, 61, "73"), tmp_path / "cache"
    sweep = start_sweep(grid, cache, tmp_path / "out", "--notebooks", str(stand_in))
    seen = {}
    try:
        parent = psutil.Process(sweep.pid)
        kernel = wait_until(lambda: (cache / "stand-in-seed-73.started").is_file()
                            and kernels_under([parent]), what="the stand-in's kernel")[0]
        seen.update((process.pid, process) for process in descendants(parent))
        kernel.parent().kill()  # the Dask worker running the notebook
        status, output = finish(sweep)
    finally:
        finish(sweep, timeout=30)
        assert_all_gone(seen.values())
    assert status == 0, output
    assert "ok     01_feature_extraction" in output and "seed=73" in output
    assert stand_in_key(cache, epochs=61, seed=73).is_file()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_sweep_names_what_finished_and_leaves_no_process(stand_in, tmp_path, signum):
    grid, cache = stand_in_grid(tmp_path, 61, "[80, 81]"), tmp_path / "cache"
    sweep = start_sweep(grid, cache, tmp_path / "out", "--notebooks", str(stand_in))
    seen = {}
    try:
        parent = psutil.Process(sweep.pid)
        wait_until(lambda: kernels_under([parent]), what="a kernel")
        time.sleep(1)
        seen.update((process.pid, process) for process in descendants(parent))
        if signum == signal.SIGINT:  # a terminal's Ctrl-C reaches the whole process group
            os.killpg(sweep.pid, signum)
        else:
            sweep.send_signal(signum)
        status, output = finish(sweep, timeout=60)
    finally:
        finish(sweep, timeout=30)
        assert_all_gone(seen.values())
    assert status == 128 + signum, output
    assert "Stopped by" in output and "Traceback" not in output
    assert "not finished 01_feature_extraction (" in output and "seed=80)" in output
    assert "seed=81)" in output



# ------------------------------------- last: the 02/03 sweep started with the cluster, read


def test_03_runs_after_02_on_two_workers_and_reuses_its_head(cluster):
    status, output = finish(cluster.head, timeout=400)
    assert status == 0, output
    cache, out = cluster.head_cache, cluster.head_out
    two, three = read_grid(cluster.head_grid).runs
    for run in (two, three):
        record = json.loads(run.record_path(cache).read_text())
        assert record["key"] == run.record_key
        assert record["sweep"]["concurrency"] == 2 and record["sweep"]["cores"] == 2
        assert record["environment"]["threads"]["OMP_NUM_THREADS"] == "2"
    executed = {run.notebook: out / f"{run.notebook}-{run.key}.ipynb" for run in (two, three)}
    assert "Loaded the model notebook 02 trained" in executed["03_fine_tuning"].read_text()
    assert (papermill_times(executed["02_frozen_base_augmentation"])[1]
            <= papermill_times(executed["03_fine_tuning"])[0])
    summary = json.loads(summary_path(read_grid(cluster.head_grid), cache).read_text())
    assert [run["notebook"] for run in summary["runs"]] == [two.notebook, three.notebook]
    assert summary["seconds"] == sum(run["seconds"] for run in summary["runs"])
    assert summary["machine"] == summary["runs"][0]["environment"]["machine"]
    again = run_sweep(cluster.head_grid, cache, out.parent / "again", "--scheduler",
                      cluster.address)
    assert "2 already done" in again.stdout and "nothing to run" in again.stdout
