"""The browser test's fixtures: a JupyterLab server on the prepared notebooks, and Chromium.

The browser test runs only under ``make browser-test``, which sets ``SANTA_BROWSER_TEST=1``;
without it nothing here is collected, so ``make unit`` (``pytest -q tests``) never needs
Playwright, a browser or ten minutes. By hand::

    SANTA_BROWSER_TEST=1 .venv/bin/python -m pytest -q tests/browser

The server is the project's own ``.venv/bin/jupyter lab`` with everything per-user kept out of
it: its own Jupyter config (settings, workspaces), data, runtime and IPython folders, a private
``SANTA_LIB_CACHE``, and ``MPLBACKEND`` unset so that matplotlib's inline backend draws.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("SANTA_BROWSER_TEST") != "1":
    collect_ignore_glob = ["test_*.py"]

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
SMOKE_PARAMS = ROOT / "params" / "smoke.yaml"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
NO_BROWSER = (
    "No Chromium for the browser test. Install one: `apt-get install chromium` (Debian/Ubuntu, "
    "as root) or `.venv/bin/python -m playwright install chromium`."
)
# This machine's network may be closed: nothing in the browser should try to reach out.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]
VIEWPORT = {"width": 1400, "height": 900}
# Keep JupyterLab from asking about (and fetching) news and updates: a toast over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class JupyterLab:
    """A running JupyterLab server: its address, token, root folder and log."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen

    def api(self, method: str, path: str, timeout: float = 10) -> Any:
        """Call the server's REST API (``path`` like ``/api/kernels``); the decoded JSON or None."""
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernels(self) -> list[dict]:
        """The kernels the server is running."""
        return self.api("GET", "/api/kernels")

    def shut_down_kernels(self) -> list[str]:
        """Shut down every kernel still running (through the API); return their ids."""
        ids = [kernel["id"] for kernel in self.kernels()]
        for kernel_id in ids:
            self.api("DELETE", f"/api/kernels/{kernel_id}", timeout=30)
        return ids

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chromium_executable() -> str:
    """Debian's ``/usr/bin/chromium`` when present, else Playwright's own build if installed;
    fails the test (never skips it) saying what to install when there is neither."""
    if DEBIAN_CHROMIUM.exists():
        return str(DEBIAN_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: `.venv/bin/python -m pip install -r "
                    f"requirements-browser.txt` (`make browser-test` does). {NO_BROWSER}",
                    pytrace=False)
    with sync_playwright() as playwright:
        bundled = Path(playwright.chromium.executable_path)
    if not bundled.exists():
        pytest.fail(NO_BROWSER, pytrace=False)
    return str(bundled)


def prepare_notebooks(folder: Path) -> None:
    """Write the lesson notebooks into ``folder`` with the smoke parameters injected."""
    result = subprocess.run(
        [str(VENV_BIN / "python"), "tools/run_lessons.py", "--params", str(SMOKE_PARAMS),
         "--out", str(folder), "--prepare-only"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        pytest.fail(f"preparing the notebooks failed:\n{result.stdout}\n{result.stderr}",
                    pytrace=False)


def server_environment(home: Path) -> dict[str, str]:
    """The server's (and so its kernels') environment: this one, with per-user folders private
    to the test, a fresh lesson cache, and no ``MPLBACKEND`` (``tests/conftest.py`` sets Agg)
    nor the unit tests' private ``KERAS_HOME`` (Keras then uses its usual ``~/.keras``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "KERAS_HOME")}
    folders = {"JUPYTER_CONFIG_DIR": "jupyter-config", "JUPYTER_DATA_DIR": "jupyter-data",
               "JUPYTER_RUNTIME_DIR": "jupyter-runtime", "IPYTHONDIR": "ipython",
               "SANTA_LIB_CACHE": "santa-lib-cache"}
    for variable, name in folders.items():
        env[variable] = str(home / name)
        (home / name).mkdir(parents=True, exist_ok=True)
    for name, values in LAB_SETTINGS.items():
        path = home / "jupyter-config" / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def wait_for_server(lab: JupyterLab, timeout: float = 180) -> None:
    """Wait until the server answers its API, failing early if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            pytest.fail(f"jupyter lab exited ({lab.process.returncode}):\n{lab.log_tail()}",
                        pytrace=False)
        try:
            lab.api("GET", "/api/status", timeout=5)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(1)
    pytest.fail(f"jupyter lab did not answer within {timeout:.0f} s:\n{lab.log_tail()}",
                pytrace=False)


def stop_server(lab: JupyterLab) -> None:
    """Shut down any kernel left, then the server: SIGINT twice (its clean shutdown), then
    SIGTERM, then SIGKILL, each after a grace period."""
    try:
        lab.shut_down_kernels()
    except (OSError, urllib.error.URLError):
        pass
    for stop in (signal.SIGINT, signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if lab.process.poll() is not None:
            return
        lab.process.send_signal(stop)
        try:
            lab.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterLab]:
    """JupyterLab serving the smoke-prepared notebooks from a temporary root folder."""
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "lessons"
    prepare_notebooks(root)
    port, token, log = free_port(), secrets.token_hex(24), home / "jupyter-lab.log"
    command = [
        str(VENV_BIN / "jupyter"), "lab", "--allow-root", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=root, env=server_environment(home),
                                   stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, root, log, process)
    try:
        wait_for_server(lab)
        yield lab
    finally:
        stop_server(lab)
        print(f"\nJupyterLab's log: {log}", file=sys.stderr)


@pytest.fixture(scope="session")
def browser_context(jupyterlab: JupyterLab) -> Iterator[Any]:
    """A headless Chromium context (1400x900) logged in to the server with its token."""
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        context.set_default_timeout(60_000)
        try:
            yield context
        finally:
            context.close()
            browser.close()

