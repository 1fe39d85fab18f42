"""``make wheel-test`` only: the tests in this folder build and install the wheel and run every
notebook (minutes), so a plain ``pytest tests`` skips them unless ``SANTA_WHEEL_TEST=1``.

The session's slow steps record how long they took in :func:`timings`; the terminal summary
lists them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ENABLED = os.environ.get("SANTA_WHEEL_TEST") == "1"
TIMINGS = pytest.StashKey[dict[str, float]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's tests unless ``make wheel-test`` (``SANTA_WHEEL_TEST=1``) runs them."""
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="slow wheel test: run it with `make wheel-test`")
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def timings(pytestconfig: pytest.Config) -> dict[str, float]:
    """Step name to seconds, filled by the session fixtures and printed at the end."""
    return pytestconfig.stash.setdefault(TIMINGS, {})


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the recorded step times (nothing when no wheel test ran)."""
    steps = config.stash.get(TIMINGS, {})
    if not steps:
        return
    terminalreporter.write_sep("-", "wheel test: time per step")
    for step, seconds in steps.items():
        terminalreporter.write_line(f"{seconds:7.1f} s  {step}")
    terminalreporter.write_line(f"{sum(steps.values()):7.1f} s  in all")
