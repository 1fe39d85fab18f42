"""What a sweep's worker does with one run: the notebook executed by papermill, in a folder of its
own, and a result sent back (the worker need not share a file system with the client).

- The kernel starts with the run's thread limits in its own environment
  (:func:`kernel_env`, through Jupyter's ``start_kernel(env=...)``): the worker's
  ``os.environ``, which its other threads share, is never changed.
- Each cell may run ``timeout`` seconds at most (papermill's ``execution_timeout``); a cell that
  hangs fails the run, named so, and its kernel is shut down.
- A kernel that dies raises :class:`KernelDiedError`, so that Dask runs the task again
  (``retries=1``); any other failure is a result with its error.
- A notebook-02 run sends back the method-2 model files its notebook saved in this worker's
  cache (``<cache>/models/method2-*.keras``); a notebook-03 run given that result (``head``)
  first writes them into its own worker's cache, so notebook 03 loads the model 02 trained.

:func:`run_notebook` is a plain module-level function, so a Dask worker imports it from the
installed ``santa_lib``; the worker needs ``santa_lib``, ``papermill`` and ``ipykernel``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.environment import THREAD_LIMITS, configured_backend
from santa_lib.internals.files import atomic_write
from santa_lib.internals.records import result_bundles
from santa_lib.internals.stopping import kernel_manager

KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
"""The kernel's own start-up warnings (plain TCP on localhost, ...) stay out of the sweep's
output; the notebook's outputs and errors are unchanged."""
HEAD_MODELS = "method2-*.keras"
"""The model files notebook 02 saves in ``<cache>/models`` for notebook 03."""


@dataclass(frozen=True)
class Job:
    """One run, as the worker is sent it."""

    notebook: str
    text: str = field(repr=False)
    """The notebook file's JSON text."""
    parameters: dict
    """What papermill gives the notebook."""
    cores: int
    """The cores the run was given (``resources={"cores": cores}``): its kernel's threads."""
    timeout: float | None
    """Seconds one cell may run (None: no limit)."""


class KernelDiedError(RuntimeError):
    """The notebook's kernel died mid-run (nbclient's ``DeadKernelError``): raised, so that Dask
    runs the task once more. ``notebook_text`` is the executed notebook as far as it got."""

    def __init__(self, message: str, notebook_text: str | None = None) -> None:
        super().__init__(message, notebook_text)
        self.message, self.notebook_text = message, notebook_text

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:  # what a worker's log shows: not the whole notebook
        return f"{type(self).__name__}({self.message!r})"


def kernel_env(cores: int, backend: str | None = None) -> dict[str, str]:
    """The variables that hold a kernel to ``cores`` threads: :data:`THREAD_LIMITS`, and on
    JAX ``XLA_FLAGS`` (added to the worker's own)."""
    env = {name: str(cores) for name in THREAD_LIMITS}
    if (backend or configured_backend()) == "jax":
        env["XLA_FLAGS"] = (f"{os.environ.get('XLA_FLAGS', '')} --xla_cpu_multi_thread_eigen="
                            f"false intra_op_parallelism_threads={cores}").strip()
    return env


def place_head(head: dict | None, cache_dir: Path) -> list[str]:
    """Write the model files of a notebook-02 result into ``cache_dir/models`` (atomically;
    those already there are kept); returns their names."""
    placed = []
    for name, data in ((head or {}).get("models") or {}).items():
        path = cache_dir / "models" / Path(name).name
        if not path.match(HEAD_MODELS):
            continue
        if not path.is_file():
            atomic_write(path, lambda temp, data=data: temp.write_bytes(data))
        placed.append(path.name)
    return placed


def saved_models(cache_dir: Path, since: float) -> dict[str, bytes]:
    """The method-2 model files written into ``cache_dir/models`` since ``since`` (a time)."""
    found = {}
    for path in sorted((cache_dir / "models").glob(HEAD_MODELS)):
        try:
            if path.stat().st_mtime >= since - 1:
                found[path.name] = path.read_bytes()
        except OSError:
            continue
    return found


def find_record(notebook_text: str | None) -> dict | None:
    """The last result bundle (:data:`RESULT_MIME`) among an executed notebook's outputs."""
    found = result_bundles(json.loads(notebook_text)) if notebook_text else []
    return found[-1] if found else None


def _execute(job: Job, folder: str) -> tuple[str | None, str | None]:
    """papermill in ``folder``; (the executed notebook's text or None, the error or None)."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    source, executed = Path(folder, f"{job.notebook}.ipynb"), Path(folder, "executed.ipynb")
    source.write_text(job.text, encoding="utf-8")
    error = None
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=job.parameters, kernel_name="python3",
            progress_bar=False, log_output=False, extra_arguments=KERNEL_ARGUMENTS,
            execution_timeout=job.timeout, kernel_manager_class=kernel_manager(
                kernel_env(job.cores), cwd=folder))  # not papermill's cwd=: see kernel_manager
    except PapermillExecutionError as failure:
        error = f"{failure.ename}: {failure.evalue}"
    except CellTimeoutError:
        error = (f"timed out: a cell ran past --timeout {job.timeout:g} s, and its kernel was "
                 "shut down")
    except DeadKernelError as failure:
        text = executed.read_text(encoding="utf-8") if executed.is_file() else None
        raise KernelDiedError(f"DeadKernelError: the kernel died ({failure})", text) from None
    except Exception as failure:  # an unreadable notebook, a kernel that never started, ...
        error = f"{type(failure).__name__}: {failure}"
    return (executed.read_text(encoding="utf-8") if executed.is_file() else None), error


def _worker_address() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return None


def run_notebook(job: Job, head: dict | None = None) -> dict[str, object]:
    """Execute one notebook (papermill, kernel ``python3``, in a temporary folder that is also
    its working directory), first placing ``head``'s model files (a notebook-02 result) in
    this worker's cache.

    Returns ``{"notebook_text", "record", "error", "seconds", "models", "worker"}``: the
    executed notebook (JSON text, None when none was written), the record it displayed (None
    without one), the error (``"Name: message"``, None when it ran through), the wall time, the
    method-2 model files a notebook-02 run saved (name to bytes) and the worker's address.
    Raises :class:`KernelDiedError` when the kernel died; a notebook that fails otherwise returns
    its error.
    """
    started, cache_dir = time.time(), default_cache_dir()
    place_head(head, cache_dir)
    with tempfile.TemporaryDirectory(prefix="santa-sweep-") as folder:
        text, error = _execute(job, folder)
    record = find_record(text)
    if error is None and record is None:
        error = "the notebook ran through but displayed no record (run.save was not reached)"
    models = (saved_models(cache_dir, started)
              if job.notebook == "02_frozen_base_augmentation" and error is None else {})
    return {"notebook_text": text, "record": record, "error": error,
            "seconds": time.time() - started, "models": models, "worker": _worker_address()}


def without_models(result: dict) -> dict:
    """``result`` less its model files: what the client fetches of a notebook-02 run (the files
    go from worker to worker, to the notebook-03 runs that take that run's future)."""
    return {**result, "models": {name: len(data) for name, data in result["models"].items()}}
