"""Asking whether a download host can be reached, within seconds (weights in 00-03, photos).

Offline machines are common for this lesson (classrooms behind firewalls, CI), so every download
is preceded by a short probe: a clear message within a few seconds beats a download that hangs.
"""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

PROBE_SECONDS = 3.0
DEFAULT_PORTS = {"https": 443, "http": 80}

Probe = Callable[[str], tuple[bool, str]]
"""A function like :func:`host_reachable`: given an address, ``(reachable?, why in words)``."""


def host_reachable(url: str, timeout: float = PROBE_SECONDS) -> tuple[bool, str]:
    """Can the host of ``url`` be reached? ``(answer, reason in words)``, within about ``timeout``.

    Opens (and closes) one TCP connection to the host's port. The name lookup runs in a helper
    thread as well, because a slow resolver ignores socket time-outs.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 443)
    where = host if parts.port is None else f"{host}:{port}"

    def connect() -> tuple[bool, str]:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return True, f"{where} is reachable"
        except OSError as error:
            return False, f"{where} cannot be reached ({error.strerror or error})"

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(connect).result(timeout=timeout + 0.5)
    except FutureTimeout:
        return False, f"{where} did not answer within {timeout:g} s"
    finally:
        pool.shutdown(wait=False)
