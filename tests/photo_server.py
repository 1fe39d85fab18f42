"""A photo server on 127.0.0.1 serving small generated JPEGs and a manifest of them, for the
tests of the photos' download and of data_dir="auto" (a pytest plugin: tests/conftest.py loads
it). Every test runs with the pinned photo host pointed at a closed local port, so nothing ever
reaches the real one.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from santa_lib.cli import main as command_line
from santa_lib.sources import photos
from santa_lib.sources.folder import SPLITS

PINNED_BASE_URL = photos.DEFAULT_BASE_URL  # read before any test replaces it
MIRROR_PREFIX = "mirror/"
CLASSES = ("not_santa", "santa")
PER_CLASS = 2
OFFLINE_SECONDS = 8.0
SILENT_HOST_SECONDS = 5.0


def jpeg_bytes(seed: int, size: int = 48) -> bytes:
    """A small noisy JPEG (noise keeps it a few kilobytes, so halves are meaningful)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype="uint8")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def blob_sha1(content: bytes) -> str:
    return hashlib.sha1(b"blob " + str(len(content)).encode() + b"\0" + content).hexdigest()


def flipped(content: bytes) -> bytes:
    """The same bytes but one, in the middle."""
    middle = len(content) // 2
    return content[:middle] + bytes([content[middle] ^ 0x01]) + content[middle + 1:]


@dataclass
class Origin:
    """The files a server publishes (``split/...`` -> bytes) and a manifest of them."""

    files: dict[str, bytes]
    manifest: Path

    def landed(self, repo_path: str) -> str:
        """The relative path a repository path lands at (``split/`` stripped)."""
        return repo_path.removeprefix("split/")

    def fetch(self, dest: Path, server: Server, **options: object) -> photos.DownloadReport:
        """``download_photos`` from ``server`` into ``dest``, quietly, with the manifest."""
        options = {"progress": False, "say": lambda text: None, **options}
        return photos.download_photos(dest, base_url=server.url, manifest=self.manifest,
                                      **options)


@dataclass
class Server:
    """A local photo server; change its behaviour through these fields."""

    origin: Origin
    url: str = ""
    requests: list[str] = field(default_factory=list)
    wrong: dict[str, bytes] = field(default_factory=dict)
    fail_first: set[str] = field(default_factory=set)
    cut_first: set[str] = field(default_factory=set)
    cut_always: set[str] = field(default_factory=set)
    delay_seconds: float = 0.0

    def asked(self, repo_path: str) -> int:
        """How many times one file was requested."""
        return self.requests.count(repo_path)


def make_handler(server: Server) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = urllib.parse.unquote(self.path).removeprefix("/" + MIRROR_PREFIX)
            server.requests.append(path)
            time.sleep(server.delay_seconds)
            body = server.wrong.get(path, server.origin.files.get(path))
            if body is None:
                self.send_error(404)
                return
            if path in server.fail_first:
                server.fail_first.discard(path)
                self.send_error(500)
                return
            cut = path in server.cut_always or path in server.cut_first
            server.cut_first.discard(path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # A cut answer stops after half of the file; HTTP/1.0 then closes the connection.
            self.wfile.write(body[:len(body) // 2] if cut else body)

    return Handler


@pytest.fixture
def origin(tmp_path) -> Origin:
    files = {}
    for split_index, split in enumerate(SPLITS):
        for class_index, name in enumerate(CLASSES):
            for index in range(PER_CLASS):
                seed = split_index * 100 + class_index * 10 + index
                files[f"split/{split}/{name}/{seed:08d}.jpg"] = jpeg_bytes(seed)
    lines = ["# git_blob_sha1\tbytes\tpath"]
    for number, (path, content) in enumerate(files.items()):
        size = "-" if number == 0 else str(len(content))  # one unknown size, as in the real one
        lines.append(f"{blob_sha1(content)}\t{size}\t{path}")
    manifest = tmp_path / "manifest.tsv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Origin(files, manifest)


class PhotoServer(http.server.ThreadingHTTPServer):
    request_queue_size = 64  # eight downloads at once: the default backlog (5) drops some


@pytest.fixture
def server(origin) -> Server:
    state = Server(origin)
    httpd = PhotoServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/{MIRROR_PREFIX}"
    yield state
    httpd.shutdown()
    httpd.server_close()


def closed_port_url() -> str:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def never_the_real_host(monkeypatch):
    """Anything that forgets --base-url fails fast on a closed local port instead."""
    monkeypatch.setattr(photos, "DEFAULT_BASE_URL", closed_port_url())


load = photos.load_manifest  # the real one, for the command-line tests that replace it


@pytest.fixture
def cli_manifests(origin, monkeypatch) -> None:
    """The command line reads the test's manifest instead of the shipped one."""
    monkeypatch.setattr(photos, "load_manifest", lambda manifest=None: load(origin.manifest))


def run_cli(*argv: str) -> int:
    return command_line(list(argv))


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def visible_files(folder: Path) -> dict[str, bytes]:
    return {path: content for path, content in files_under(folder).items()
            if not any(part.startswith(".") for part in path.split("/"))}


def expected_layout(origin: Origin, leave_out: tuple[str, ...] = ()) -> dict[str, bytes]:
    return {origin.landed(path): content for path, content in origin.files.items()
            if path not in leave_out}
