"""Stopping cleanly on Ctrl-C (SIGINT) or SIGTERM, ending only what was started for the run
(``tools/run_lessons.py``, ``python -m santa_lib sweep``).

- :class:`StopOnSignals`: the first signal raises :class:`Stopped` where the run is, or, inside
  :meth:`StopOnSignals.held` (a notebook being executed, a file being renamed into place), when
  that block ends; later signals are ignored, so that cleaning up is not cut short. A signal
  also ends the kernels at once (:func:`end_kernels`): the notebook being executed then fails
  on its own, without an exception thrown into papermill's event loop (which once printed a zmq
  traceback into the terminal).
- :func:`kernel_manager`: the kernel manager papermill is given (``kernel_manager_class=``), so
  that each kernel starts with the environment asked for (a sweep's thread limits) and is noted
  in this process until it is shut down: :func:`end_kernels` ends those, and nothing else.
- :func:`end_processes`: terminate, then kill, given processes (a local Dask cluster's).

Nothing here ends every process below the caller: a Jupyter kernel or a test runner that calls
it keeps its own other children.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psutil

SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}

_KERNELS: dict[int, tuple[psutil.Process, Path | None]] = {}
"""The kernels this process started through :func:`kernel_manager` and has not shut down yet:
pid to (process, connection file)."""
_LOCK = threading.RLock()
"""Re-entrant: :func:`end_kernels` runs in a signal handler, maybe while the main thread holds
it."""
_ENDING = threading.Event()
"""Set by :func:`end_kernels`: a kernel that starts afterwards is ended as soon as it is noted."""


class Stopped(BaseException):
    """SIGINT or SIGTERM asked the run to stop (a BaseException: no ``except Exception`` in
    papermill or nbclient mistakes it for a failed notebook)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """The shell's convention for a command ended by this signal: 128 + its number."""
        return 128 + self.signum

    @property
    def description(self) -> str:
        """``Ctrl-C (SIGINT)`` or ``SIGTERM``."""
        return SIGNAL_NAMES.get(self.signum, signal.Signals(self.signum).name)


class StopOnSignals:
    """While active (``with stop:``, in the main thread), the first SIGINT or SIGTERM ends the
    kernels this process started and raises :class:`Stopped`, at once or, inside :meth:`held`,
    when the block ends; later signals are ignored. The loggers named in ``quiet`` (papermill's,
    which calls the kernel a stop ended "dead") are silenced from the stop on."""

    def __init__(self, quiet: tuple[str, ...] = ()) -> None:
        self.signum: int | None = None
        self.raised = False
        self.holding = 0
        self.previous: dict[int, object] = {}
        self.quiet = {name: logging.getLogger(name) for name in quiet}
        self.was_disabled: dict[str, bool] = {}

    def __enter__(self) -> StopOnSignals:
        self.signum, self.raised, self.holding = None, False, 0
        _ENDING.clear()
        self.was_disabled = {name: logger.disabled for name, logger in self.quiet.items()}
        if threading.current_thread() is threading.main_thread():
            self.previous = {number: signal.signal(number, self._on_signal)
                             for number in SIGNAL_NAMES}
        return self

    def __exit__(self, *exc_info) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        self.previous = {}
        for name, logger in self.quiet.items():
            logger.disabled = self.was_disabled.get(name, logger.disabled)

    def _on_signal(self, signum: int, frame) -> None:
        if self.signum is None:
            self.signum = signum
            for logger in self.quiet.values():
                logger.disabled = True
            end_kernels()
            if not self.holding:
                self.raise_if_pending()

    def raise_if_pending(self) -> None:
        """Raise :class:`Stopped` if a signal came and has not been raised yet."""
        if self.signum is not None and not self.raised:
            self.raised = True
            raise Stopped(self.signum)

    def raise_if_stopped(self) -> None:
        """Raise :class:`Stopped` again if a signal came, even one raised before: a stop that a
        library turned into another exception must still end the run."""
        if self.signum is not None:
            self.raised = True
            raise Stopped(self.signum)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A block a stop does not interrupt; a signal that came meanwhile is raised after it."""
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if not self.holding:
            self.raise_if_pending()


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """Processes started inside ignore SIGINT (a terminal's Ctrl-C reaches its whole process
    group): only the caller stops them, in order."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _note_kernel(manager) -> None:
    provisioner = getattr(manager, "provisioner", None)
    pid = getattr(getattr(provisioner, "process", None), "pid", None)
    if pid is None:
        return
    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    connection = Path(manager.connection_file) if manager.connection_file else None
    with _LOCK:
        for gone in [noted for noted, (old, _) in _KERNELS.items() if not old.is_running()]:
            del _KERNELS[gone]  # died without a shutdown (nbclient skips that for a dead one)
        _KERNELS[pid] = (process, connection)
    if _ENDING.is_set():
        _terminate([process])


def kernel_manager(env: Mapping[str, str] | None = None, cwd: str | None = None) -> type:
    """A kernel manager class for papermill (``kernel_manager_class=``): Jupyter's
    ``AsyncKernelManager`` whose kernels start with this process's environment plus ``env``
    (through ``start_kernel(env=...)``, not by changing ``os.environ``), in the working
    directory ``cwd`` where given (``start_kernel(cwd=...)``: papermill's own ``cwd=`` changes
    the whole process's directory, which races between runs in threads of one worker), and are
    noted here until shut down, for :func:`end_kernels`."""
    from jupyter_client import AsyncKernelManager

    extra = dict(env or {})

    class NotedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw) -> None:
            kw["env"] = {**kw.get("env", os.environ), **extra}
            if cwd is not None:
                kw["cwd"] = cwd
            try:
                await super().start_kernel(**kw)
            finally:
                _note_kernel(self)

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            pid = getattr(getattr(self.provisioner, "process", None), "pid", None)
            try:
                await super().shutdown_kernel(now=now, restart=restart)
            finally:
                with _LOCK:
                    _KERNELS.pop(pid, None)

    return NotedKernelManager


def _terminate(processes: Iterable[psutil.Process]) -> None:
    for process in processes:
        try:
            process.terminate()
        except psutil.Error:
            continue


def end_processes(processes: Iterable[psutil.Process], grace_seconds: float = 5.0) -> None:
    """Terminate, then after ``grace_seconds`` kill, those of ``processes`` still alive."""
    processes = list(processes)
    _terminate(processes)
    _, alive = psutil.wait_procs(processes, timeout=grace_seconds)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            continue


def end_kernels(grace_seconds: float = 3.0) -> None:
    """Terminate the kernels this process started (:func:`kernel_manager`) at once and without
    a word, and those that start from now on; kill, after ``grace_seconds`` (in a helper
    thread), any that is still alive. Returns at once."""
    _ENDING.set()
    with _LOCK:
        kernels = [process for process, _ in _KERNELS.values()]
    _terminate(kernels)
    threading.Thread(target=end_processes, args=(kernels, grace_seconds), daemon=True).start()


def end_started_kernels(grace_seconds: float = 5.0) -> None:
    """End (terminate, then kill) the kernels this process started that are still alive, and
    remove their connection files: a kernel whose start or shutdown a stop interrupted must not
    outlive the run."""
    with _LOCK:
        kernels = list(_KERNELS.values())
        _KERNELS.clear()
    end_processes([process for process, _ in kernels], grace_seconds)
    for _, connection in kernels:
        if connection is not None:
            connection.unlink(missing_ok=True)


def process_trees(pids: Iterable[int | None]) -> list[psutil.Process]:
    """The processes ``pids`` (None skipped) and all their descendants, those still alive."""
    found = []
    for pid in pids:
        if pid is None:
            continue
        try:
            process = psutil.Process(pid)
            found += [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
    return found
