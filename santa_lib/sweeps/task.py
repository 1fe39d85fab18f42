"""What a sweep's worker does with one run: the notebook executed by papermill, in a folder of its
own, and a small summary sent back (the worker need not share a file system with the client).

:func:`run_notebook` is a plain module-level function, so a Dask worker imports it from the
installed ``santa_lib``; the worker needs ``santa_lib``, ``papermill`` and ``ipykernel``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from santa_lib.internals.results import RESULT_MIME

THREAD_VARIABLES = ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
"""What limits the threads of the kernel's TensorFlow, when several runs share a machine."""

KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
"""The kernel's own start-up warnings (plain TCP on localhost, ...) stay out of the sweep's
output; the notebook's outputs and errors are unchanged."""


@contextmanager
def _threads(threads: int | None):
    """Set :data:`THREAD_VARIABLES` for the kernels started inside (all when None: unchanged)."""
    before = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    if threads:
        os.environ.update({name: str(threads) for name in THREAD_VARIABLES})
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def find_record(notebook_text: str | None) -> dict | None:
    """The last result bundle (:data:`RESULT_MIME`) among an executed notebook's outputs."""
    if not notebook_text:
        return None
    found = None
    for cell in json.loads(notebook_text).get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULT_MIME in data:
                found = data[RESULT_MIME]
    return json.loads(found) if isinstance(found, str) else found


def run_notebook(notebook: str, notebook_text: str, parameters: dict[str, object],
                 threads: int | None = None) -> dict[str, object]:
    """Execute one notebook with ``parameters`` (papermill, kernel ``python3``, in a temporary
    folder that is also its working directory).

    Returns ``{"notebook_text", "record", "error", "seconds"}``: the executed notebook (JSON
    text, None when none was written), the record it displayed (None without one), the error
    (``"Name: message"``, None when it ran through) and the wall time. A notebook that fails
    returns its error; it raises nothing.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    error = None
    with tempfile.TemporaryDirectory(prefix="santa-sweep-") as folder:
        source, executed = Path(folder, f"{notebook}.ipynb"), Path(folder, "executed.ipynb")
        source.write_text(notebook_text, encoding="utf-8")
        try:
            with _threads(threads):
                papermill.execute_notebook(str(source), str(executed), parameters=parameters,
                                           kernel_name="python3", progress_bar=False,
                                           log_output=False, cwd=folder,
                                           extra_arguments=KERNEL_ARGUMENTS)
        except PapermillExecutionError as failure:
            error = f"{failure.ename}: {failure.evalue}"
        except Exception as failure:  # the kernel died, a timeout, ...: still a result
            error = f"{type(failure).__name__}: {failure}"
        text = executed.read_text(encoding="utf-8") if executed.is_file() else None
    record = find_record(text)
    if error is None and record is None:
        error = "the notebook ran through but displayed no record (run.save was not reached)"
    return {"notebook_text": text, "record": record, "error": error,
            "seconds": time.perf_counter() - started}
