"""The wheel alone (``make wheel-test``): what a student gets from ``pip install santa_lib``.

The wheel is built from a copy of the package's sources, installed into a fresh virtual
environment with ``-c requirements.txt`` (the pinned versions, but every package pulled in by
the wheel's own ``Requires-Dist``), plus the notebook runner (papermill, ipykernel) and nothing
else. The notebooks are copied into an empty folder, with nothing else of the repository, and run
there in order, 00 to 04, on the fresh environment's kernel with the smoke parameters, the
lesson cache and Keras' folder in temporary folders.

``SANTA_WHEEL_CONSTRAINTS=FILE`` installs against another constraints file (e.g. the lower
bounds of ``pyproject.toml`` pinned exactly) instead of ``requirements.txt``.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml

from santa_lib.internals.params import load_parameters_file, parameters_cell

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "santa_lib"
NOTEBOOK_NAMES = sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb"))
SMOKE = ROOT / "params" / "smoke.yaml"
CONSTRAINTS = Path(os.environ.get("SANTA_WHEEL_CONSTRAINTS", ROOT / "requirements.txt"))
BUILD_INPUTS = ("pyproject.toml", "README.md", "santa_lib")
"""What the build reads: copied to a temporary folder, so no build/ or egg-info lands in the
repository and no stale file of an earlier build can slip into the wheel."""
RUNNER = ("papermill", "ipykernel")
TENSORFLOW_EXTRA = ("tensorflow-cpu" if sys.platform == "linux" and
                    platform.machine() == "x86_64" else "tensorflow")
"""The extra that brings TensorFlow into the fresh environment, as requirements.txt chooses."""
KERNEL = "python3"
NOTEBOOK_TIMEOUT_S = 1200
COMPARISON = "05_comparison"
ALL_METHODS_FOUND = re.compile(r"\b4 of 4 models\b")
"""What notebook 05 prints when it found the records of notebooks 01 to 04."""
INHERITED_SETTINGS = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND",
                      "TF_CPP_MIN_LOG_LEVEL", "JUPYTER_PATH", "IPYTHONDIR")
"""Settings of the calling shell or test session that a student's fresh environment lacks."""


@dataclass(frozen=True)
class Venv:
    """The fresh virtual environment the wheel went into."""

    root: Path
    python: Path
    env: dict[str, str]
    """Environment variables for everything run in it (temporary cache, Keras and Jupyter
    folders; nothing of the calling shell that would point into the repository)."""


@dataclass(frozen=True)
class NotebookRun:
    """One notebook executed by papermill in the empty folder."""

    name: str
    returncode: int
    seconds: float
    executed: Path
    log: str
    """The tail of papermill's own output (its traceback when the notebook failed)."""


def run(command: Sequence[str | Path], *, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run ``command``; on a non-zero exit, fail with the command and the end of its output."""
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        pytest.fail(f"`{' '.join(map(str, command))}` exited {done.returncode}:\n"
                    f"{(done.stdout + done.stderr)[-4000:]}", pytrace=False)
    return done


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory, timings: dict[str, float]) -> Path:
    """The wheel ``pip wheel --no-deps`` builds from the package's current sources."""
    started = time.monotonic()
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, source],
        cwd=source)
    wheels = sorted(dist.glob("santa_lib-*.whl"))
    assert len(wheels) == 1, f"expected one santa_lib wheel in {dist}, found {wheels}"
    timings["build the wheel"] = time.monotonic() - started
    return wheels[0]


def fresh_environment(scratch: Path, venv_root: Path) -> dict[str, str]:
    """The calling environment less :data:`INHERITED_SETTINGS`, with the venv first on PATH and
    private cache, Keras and Jupyter folders under ``scratch``."""
    env = {name: value for name, value in os.environ.items()
           if name not in INHERITED_SETTINGS and not name.startswith("SANTA_")}
    folders = {"SANTA_LIB_CACHE": "santa-cache", "KERAS_HOME": "keras-home",
               "JUPYTER_DATA_DIR": "jupyter-data", "JUPYTER_CONFIG_DIR": "jupyter-config",
               "JUPYTER_RUNTIME_DIR": "jupyter-runtime"}
    for name, folder in folders.items():
        (scratch / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(scratch / folder)
    env["PATH"] = f"{venv_root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="session")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory,
         timings: dict[str, float]) -> Venv:
    """A new virtual environment holding the wheel, its declared dependencies and the runner."""
    started = time.monotonic()
    scratch = tmp_path_factory.mktemp("fresh")
    root = scratch / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    run([base_python, "-m", "venv", root], cwd=scratch)
    env = fresh_environment(scratch, root)
    python = root / "bin" / "python"
    pip = [python, "-m", "pip", "install", "--quiet", "-c", CONSTRAINTS]
    run([*pip, f"{wheel}[{TENSORFLOW_EXTRA}]"], cwd=scratch, env=env)
    timings["create the venv, install the wheel and its dependencies"] = (
        time.monotonic() - started)
    started = time.monotonic()
    run([*pip, *RUNNER], cwd=scratch, env=env)
    run([python, "-m", "ipykernel", "install", "--prefix", root, "--name", KERNEL], cwd=scratch,
        env=env)
    timings["install the notebook runner and its kernel"] = time.monotonic() - started
    return Venv(root=root, python=python, env=env)


def smoke_parameters(notebook: Path) -> dict[str, object]:
    """The smoke settings the notebook declares (what ``tools/run_lessons.py`` passes it)."""
    smoke = load_parameters_file(SMOKE)
    declared = parameters_cell(notebook)
    return {name: value for name, value in smoke.items() if name in declared}


def execute(notebook: Path, venv: Venv, out: Path) -> NotebookRun:
    """Run one notebook with papermill from the fresh environment, in its own folder."""
    parameters = out / f"{notebook.stem}.yaml"
    parameters.write_text(yaml.safe_dump(smoke_parameters(notebook)))
    executed = out / notebook.name
    command = [venv.python, "-m", "papermill", notebook, executed, "-f", parameters,
               "--kernel", KERNEL, "--cwd", notebook.parent, "--no-progress-bar"]
    started = time.monotonic()
    done = subprocess.run([str(part) for part in command], cwd=notebook.parent, env=venv.env,
                          text=True, capture_output=True, timeout=NOTEBOOK_TIMEOUT_S, check=False)
    return NotebookRun(name=notebook.stem, returncode=done.returncode,
                       seconds=time.monotonic() - started, executed=executed,
                       log=(done.stdout + done.stderr)[-3000:])


@pytest.fixture(scope="session")
def lesson(venv: Venv, tmp_path_factory: pytest.TempPathFactory,
           timings: dict[str, float]) -> dict[str, NotebookRun]:
    """Every notebook, copied alone into an empty folder and run there in order."""
    folder = tmp_path_factory.mktemp("lesson")
    assert not any(folder.iterdir())
    for name in NOTEBOOK_NAMES:
        shutil.copy2(ROOT / "notebooks" / f"{name}.ipynb", folder)
    out = tmp_path_factory.mktemp("executed")
    runs = {}
    for name in NOTEBOOK_NAMES:
        runs[name] = execute(folder / f"{name}.ipynb", venv, out)
        timings[f"run {name}"] = runs[name].seconds
    return runs


def output_problems(executed: Path) -> Iterator[str]:
    """One line per error or stderr output in an executed notebook: its cell and first line."""
    notebook = nbformat.read(executed, as_version=4)
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                yield f"cell {number}: {output.ename}: {output.evalue}".splitlines()[0]
            elif output.output_type == "stream" and output.name == "stderr":
                text = output.text.strip() or "(blank)"
                yield f"cell {number}: stderr: {text.splitlines()[0]}"


def third_party_imports(package: Path) -> set[str]:
    """Top-level modules the package's sources import that are neither standard nor its own."""
    names = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names
            if name not in sys.stdlib_module_names and name != package.name}


def requirement_name(requirement: str) -> str:
    """The normalised project name of a ``Requires-Dist`` line."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement)[0]).lower()


def test_wheel_holds_every_module_and_data_file(wheel: Path) -> None:
    """Every ``.py`` and ``.tsv`` file of santa_lib, sub-packages included, is in the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        packed = set(archive.namelist())
    sources = {path.relative_to(ROOT).as_posix()
               for pattern in ("*.py", "*.tsv") for path in PACKAGE.rglob(pattern)
               if "__pycache__" not in path.parts}
    assert sources <= packed, f"missing from {wheel.name}: {sorted(sources - packed)}"


def test_wheel_declares_every_import(wheel: Path) -> None:
    """Each third-party module santa_lib imports comes from a project the wheel requires."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith("/METADATA"))
        lines = archive.read(metadata).decode().splitlines()
    required = {requirement_name(line.split(":", 1)[1].strip())
                for line in lines if line.startswith("Requires-Dist:")}
    providers = importlib.metadata.packages_distributions()
    undeclared = {}
    for module in sorted(third_party_imports(PACKAGE)):
        projects = {requirement_name(project) for project in providers.get(module, [module])}
        if module == "tensorflow":  # either build provides it (pyproject.toml's extras)
            projects |= {"tensorflow", "tensorflow-cpu"}
        if not projects & required:
            undeclared[module] = sorted(projects)
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"


def test_fresh_venv_imports_the_installed_wheel(venv: Venv, tmp_path: Path) -> None:
    """santa_lib comes from the fresh environment's site-packages, not from the repository, and
    the installed set is consistent (``pip check``)."""
    site = run([venv.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
               cwd=tmp_path, env=venv.env).stdout.strip()
    found = run([venv.python, "-c", "import santa_lib; print(santa_lib.__file__)"],
                cwd=tmp_path, env=venv.env).stdout.strip()
    assert Path(found).resolve().is_relative_to(Path(site).resolve()), found
    assert not Path(found).resolve().is_relative_to(ROOT), found
    run([venv.python, "-m", "pip", "check"], cwd=tmp_path, env=venv.env)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_runs_cleanly(lesson: dict[str, NotebookRun], name: str) -> None:
    """The notebook ran to its end, with no error and nothing on stderr in any cell."""
    notebook = lesson[name]
    problems = list(output_problems(notebook.executed)) if notebook.executed.is_file() else []
    assert notebook.returncode == 0 and not problems, (
        f"{name} (papermill exit {notebook.returncode}, {notebook.seconds:.0f} s; executed copy: "
        f"{notebook.executed}):\n" + "\n".join(problems or [notebook.log]))


def test_comparison_found_every_method(lesson: dict[str, NotebookRun]) -> None:
    """Notebook 05 found the records notebooks 01 to 04 saved in the lesson cache."""
    executed = lesson[COMPARISON].executed
    assert executed.is_file(), f"{COMPARISON} did not run:\n{lesson[COMPARISON].log}"
    text = "\n".join(output.get("text", "") or output.get("data", {}).get("text/plain", "")
                     for cell in nbformat.read(executed, as_version=4).cells
                     for output in cell.get("outputs", []))
    assert ALL_METHODS_FOUND.search(text), f"{COMPARISON} did not find all three:\n{text[:2000]}"


def stand_in_tensorflow(folder: Path) -> Path:
    """A wheel named tensorflow 2.21.0 that holds only an empty ``tensorflow`` package: what pip
    sees on a machine whose own TensorFlow (say, a GPU build) is already installed."""
    path = folder / "tensorflow-2.21.0-py3-none-any.whl"
    info = "tensorflow-2.21.0.dist-info"
    files = {"tensorflow/__init__.py": "",
             f"{info}/METADATA": "Metadata-Version: 2.1\nName: tensorflow\nVersion: 2.21.0\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                              "Tag: py3-none-any\n"}
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize("extra", ["", "[tensorflow]"])
def test_an_installed_tensorflow_stays_alone(wheel: Path, tmp_path: Path, extra: str) -> None:
    """With a ``tensorflow`` distribution already installed, installing the wheel (plain, or with
    the ``tensorflow`` extra) would add neither ``tensorflow-cpu`` nor another ``tensorflow``."""
    root = tmp_path / "venv"
    run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", root], cwd=tmp_path)
    env = fresh_environment(tmp_path, root)
    python = root / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", stand_in_tensorflow(tmp_path)],
        cwd=tmp_path, env=env)
    report = tmp_path / "report.json"
    run([python, "-m", "pip", "install", "--dry-run", "--quiet", "--report", report,
         "-c", CONSTRAINTS, f"{wheel}{extra}"], cwd=tmp_path, env=env)
    planned = {requirement_name(item["metadata"]["name"])
               for item in json.loads(report.read_text())["install"]}
    assert "santa-lib" in planned and "keras" in planned
    assert not planned & {"tensorflow", "tensorflow-cpu"}, sorted(planned)
