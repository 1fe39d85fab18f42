"""Wall-clock timing of each method (used by notebooks 01-03)."""

from __future__ import annotations

import time


def format_duration(seconds: float) -> str:
    """``74.2`` -> ``'1 min 14.2 s'``; ``3.04`` -> ``'3.0 s'``."""
    minutes, rest = divmod(float(seconds), 60.0)
    if minutes >= 1:
        return f"{int(minutes)} min {rest:.1f} s"
    return f"{rest:.1f} s"


class Stopwatch:
    """Measures the wall-clock time since it was made; ``str()`` shows it readably."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        """Seconds elapsed so far."""
        return time.perf_counter() - self.started

    def __str__(self) -> str:
        return format_duration(self.seconds)
