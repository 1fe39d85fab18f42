"""Fetching the 2022 photos with pooch, verified, in parallel: the engine of ``photos get``.

Each photo is an entry of a :class:`pooch.Pooch` registry without a hash (pooch checks only
hashlib's kinds), downloaded by :class:`Fetcher`: pooch's ``HTTPDownloader`` writes it to a
temporary name in its folder, the fetcher checks its git blob SHA-1, and only then does pooch give
it its final name. pooch retries server errors (5xx) and cut connections; not a 4xx or a wrong file.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pooch
import requests
from tqdm import tqdm

from santa_lib.sources.network import Probe
from santa_lib.sources.photos_manifest import PhotoEntry, git_blob_sha1

REQUEST_SECONDS = 20.0
"""Time-out of every connection and read: a stalled server fails instead of hanging."""
RETRIES = 2
"""pooch's ``retry_if_failed``: three attempts in all, 1 s and 2 s apart."""
POOCH_LEFTOVER = re.compile(r"tmp[a-z0-9_]{8}")
"""The name of pooch's temporary file, left behind only when a run was killed outright."""


class _GiveUp(Exception):  # noqa: N818 (not an error of the caller: a verdict)
    """A failure another attempt would not mend: pooch does not retry it (not a ValueError)."""


@dataclass
class DownloadReport:
    """What one run did: photos already there, downloaded, and missing with the reason why."""

    dest: Path
    total: int
    base_url: str
    present: int = 0
    downloaded: int = 0
    failures: dict[Path, str] = field(default_factory=dict)
    """Relative path of each photo that is not in ``dest`` -> why, in words."""

    @property
    def complete(self) -> bool:
        """True when every photo of the manifest is in ``dest``, verified."""
        return not self.failures and self.present + self.downloaded == self.total

    def __str__(self) -> str:
        summary = (f"{self.dest}: {self.present + self.downloaded} of {self.total} photos "
                   f"verified ({self.downloaded} downloaded now, {self.present} already there)")
        if self.complete:
            return summary + "."
        lines = [f"{summary}; {len(self.failures)} missing (from {self.base_url}):"]
        lines += [f"  - {path.as_posix()}: {why}" for path, why in sorted(self.failures.items())]
        if len(self.failures) == self.total and all(
                why.startswith("HTTP 404") for why in self.failures.values()):
            lines.append(f"None was found: check that {self.base_url} serves the manifest's "
                         "paths (split/train/...).")
        return "\n".join(lines)


def describe(error: BaseException) -> str:
    """A failed request in words: ``HTTP 404 Not Found``, or what the connection did."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code} {error.response.reason}"
    return str(error) or type(error).__name__


class Fetcher:
    """Downloads photos into one folder from a thread pool, and gives up on a lost host; also
    pooch's downloader, which verifies each file before pooch places it."""

    def __init__(self, dest: Path, base_url: str, entries: list[PhotoEntry], probe: Probe,
                 timeout: float = REQUEST_SECONDS, retries: int = RETRIES) -> None:
        self.dest, self.probe, self.attempts = dest, probe, retries + 1
        self.entries = {base_url + urllib.parse.quote(entry.path): entry for entry in entries}
        self.http = pooch.HTTPDownloader(progressbar=False, timeout=timeout)
        self.stopped, self.why_stopped = threading.Event(), ""
        self.landed, self.lock = 0, threading.Lock()
        self.pooch = pooch.Pooch(
            path=dest, base_url=base_url, retry_if_failed=retries,
            registry={entry.relative.as_posix(): None for entry in entries},
            urls={entry.relative.as_posix(): url for url, entry in self.entries.items()})

    def __call__(self, url: str, output_file: str, caller: pooch.Pooch | None) -> None:
        """Download ``url`` into ``output_file`` (pooch's temporary file) and verify it."""
        if self.stopped.is_set():
            raise _GiveUp(f"not downloaded: {self.why_stopped}")
        try:
            self.http(url, output_file, caller)
        except requests.HTTPError as error:
            if error.response is not None and error.response.status_code >= 500:
                raise  # pooch tries again
            raise _GiveUp(describe(error)) from None
        content, expected = Path(output_file).read_bytes(), self.entries[url].blob_sha1
        if (found := git_blob_sha1(content)) != expected:
            raise _GiveUp(f"refused: the downloaded file ({len(content):,} bytes) has git blob "
                          f"SHA-1 {found}, not {expected}; it was not kept. Check --base-url, "
                          "or try again later")

    def fetch(self, url: str) -> str | None:
        """Download, verify and place one photo: None when it landed, else why it did not."""
        if self.stopped.is_set():
            return f"not downloaded: {self.why_stopped}"
        try:
            self.pooch.fetch(self.entries[url].relative.as_posix(), downloader=self)
        except _GiveUp as verdict:
            return str(verdict)
        except requests.RequestException as error:
            why = f"the download failed {self.attempts} times (last: {describe(error)})"
            self._check_host(url, why)
            return why
        except OSError as error:
            return (f"cannot write it under {self.dest} ({error}): free some space or fix the "
                    "folder's permissions, then run again")
        with self.lock:
            self.landed += 1
        return None

    def _check_host(self, url: str, why: str) -> None:
        """After a file failed for good, stop the others quickly when the host is gone, or
        when it accepts connections but has not delivered one photo in this run."""
        if self.stopped.is_set():
            return
        reachable, reason = self.probe(url)
        with self.lock:
            if not reachable:
                self.why_stopped = f"the host stopped answering ({reason})"
            elif not self.landed:
                self.why_stopped = f"the host delivered no photo ({why})"
            else:
                return
            self.stopped.set()

    def fetch_all(self, report: DownloadReport, workers: int, progress: bool) -> None:
        """Fetch every photo in a thread pool, recording each outcome in ``report``; one
        progress bar, on stdout (in a notebook, anything on stderr shows as an error)."""
        for folder in {self.dest / entry.relative.parent for entry in self.entries.values()}:
            folder.mkdir(parents=True, exist_ok=True)  # before the threads race to make them
            for leftover in folder.iterdir():
                if POOCH_LEFTOVER.fullmatch(leftover.name) and leftover.is_file():
                    leftover.unlink()  # a temporary file of a killed run
        with _quiet_pooch(), ThreadPoolExecutor(max_workers=workers) as pool, \
                tqdm(total=len(self.entries), unit="photo", desc="photos", file=sys.stdout,
                     disable=not progress) as bar:
            futures = {pool.submit(self.fetch, url): entry for url, entry in self.entries.items()}
            try:
                for future in as_completed(futures):
                    why = future.result()
                    bar.update(1)
                    if why is None:
                        report.downloaded += 1
                    else:
                        report.failures[futures[future].relative] = why
            except BaseException:
                self.why_stopped = "the download was stopped"
                self.stopped.set()  # Ctrl-C: the running downloads end at their next attempt
                pool.shutdown(wait=False, cancel_futures=True)
                raise


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Without pooch's line per file on stderr: the progress bar says it all."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
