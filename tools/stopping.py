"""Stopping a run cleanly on Ctrl-C (SIGINT) or SIGTERM (``tools/run_lessons.py``).

The first signal raises :class:`LessonsStopped` where the run is, unless it is inside a block
that must finish first (:meth:`StopOnSignals.held`: creating or renaming a file into place);
later signals are ignored, so that shutting the kernel down and writing the report are not cut
short. :func:`stop_child_processes` then ends whatever the run started.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


class LessonsStopped(BaseException):
    """SIGINT or SIGTERM asked the run to stop (a BaseException, so no ``except Exception``
    in papermill or nbclient mistakes it for a failed notebook)."""

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
    """While active, the first SIGINT or SIGTERM raises :class:`LessonsStopped`; later ones are
    ignored so that shutting the kernel down and writing the report are not cut short.

    Inside :meth:`held` (renaming a finished file into place) the stop waits until the block ends;
    inside :meth:`released`, within a held block, it raises at once again.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self.raised = False
        self.holding = 0
        self.previous: dict[int, object] = {}

    def __enter__(self) -> StopOnSignals:
        self.signum, self.raised, self.holding = None, False, 0
        if threading.current_thread() is threading.main_thread():
            self.previous = {number: signal.signal(number, self._on_signal)
                             for number in SIGNAL_NAMES}
        return self

    def __exit__(self, *exc_info) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        self.previous = {}

    def _on_signal(self, signum: int, frame) -> None:
        if self.signum is None:
            self.signum = signum
            end_kernels()
            if not self.holding:
                self.raise_if_pending()

    def raise_if_pending(self) -> None:
        """Raise :class:`LessonsStopped` if a signal came and has not been raised yet."""
        if self.signum is not None and not self.raised:
            self.raised = True
            raise LessonsStopped(self.signum)

    def raise_if_stopped(self) -> None:
        """Raise :class:`LessonsStopped` again if a signal came, even one raised before: a stop
        that a library turned into another exception must still end the run."""
        if self.signum is not None:
            self.raised = True
            raise LessonsStopped(self.signum)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A block a stop must not interrupt; a signal that came meanwhile is raised after it."""
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if not self.holding:
            self.raise_if_pending()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Inside a held block, a part a stop may interrupt (executing a notebook): a signal that
        came before it, or comes during it, raises :class:`LessonsStopped` there."""
        holding, self.holding = self.holding, 0
        try:
            self.raise_if_pending()
            yield
        finally:
            self.holding = holding


STOP = StopOnSignals()
"""The run's one handler of stop signals (active inside ``with STOP:``)."""


def end_kernels() -> None:
    """Terminate the kernels this run started, at once and without a word: a kernel asked to
    shut down politely while its cell is being interrupted can race its own sockets and print a
    traceback into the terminal (seen once in CI). The rest of the stop goes on as before."""
    for child in psutil.Process().children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                child.terminate()
        except psutil.Error:
            continue


def stop_child_processes(grace_seconds: float = 5.0) -> None:
    """Terminate (then kill) every process this one started that is still alive, and remove the
    connection files of kernels among them: a kernel whose start or shutdown a stop interrupted
    must not outlive the run."""
    children = psutil.Process().children(recursive=True)
    connection_files = []
    for child in children:
        try:
            command = child.cmdline()
            child.terminate()
        except psutil.NoSuchProcess:
            continue
        if "-f" in command[:-1]:  # ipykernel_launcher -f CONNECTION_FILE
            connection_files.append(Path(command[command.index("-f") + 1]))
    _, alive = psutil.wait_procs(children, timeout=grace_seconds)
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            continue
    for path in connection_files:
        path.unlink(missing_ok=True)
