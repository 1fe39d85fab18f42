"""photos get and data_dir="photos": from a local HTTP server, verified, resumable, offline-safe.

Every download here comes from a server on 127.0.0.1 serving small generated JPEGs; the real
photo host is never contacted (the default base URL is pointed at a closed local port).
"""

from __future__ import annotations

import argparse
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

from santa_lib.sources import photos
from santa_lib.sources.checks import check_data
from santa_lib.sources.folder import SPLITS, DataError

PINNED_BASE_URL = photos.DEFAULT_BASE_URL  # read before any test replaces it
MIRROR_PREFIX = "mirror/"
CLASSES = ("not_santa", "santa")
PER_CLASS = 2
OFFLINE_SECONDS = 8.0


def jpeg_bytes(seed: int, size: int = 48) -> bytes:
    """A small noisy JPEG (noise keeps it a few kilobytes, so halves are meaningful)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype="uint8")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def blob_sha1(content: bytes) -> str:
    return hashlib.sha1(b"blob " + str(len(content)).encode() + b"\0" + content).hexdigest()


@dataclass
class Origin:
    """The files a server publishes (``split/...`` -> bytes) and a manifest of them."""

    files: dict[str, bytes]
    manifest: Path

    def landed(self, repo_path: str) -> str:
        """The relative path a repository path lands at (``split/`` stripped)."""
        return repo_path.removeprefix("split/")


@dataclass
class Server:
    """A local photo server; change its behaviour through these fields."""

    origin: Origin
    url: str = ""
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    wrong: dict[str, bytes] = field(default_factory=dict)
    cut_first: set[str] = field(default_factory=set)
    cut_always: set[str] = field(default_factory=set)
    ignore_range: bool = False
    delay_seconds: float = 0.0

    def asked(self, repo_path: str) -> list[str | None]:
        """The Range header of each request for one file, in order."""
        return [ranged for path, ranged in self.requests if path == repo_path]


def make_handler(server: Server) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = urllib.parse.unquote(self.path).removeprefix("/" + MIRROR_PREFIX)
            ranged = self.headers.get("Range")
            server.requests.append((path, ranged))
            time.sleep(server.delay_seconds)
            body = server.wrong.get(path, server.origin.files.get(path))
            if body is None:
                self.send_error(404)
                return
            cut = path in server.cut_always or path in server.cut_first
            server.cut_first.discard(path)
            start = 0 if ranged is None or server.ignore_range else int(ranged[6:-1])
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            # A cut answer stops after half of the file; HTTP/1.0 then closes the connection.
            self.wfile.write(body[start:len(body) // 2] if cut else body[start:])

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


@pytest.fixture
def server(origin) -> Server:
    state = Server(origin)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
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


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="python -m santa_lib")
    photos.add_command(parser.add_subparsers(dest="command", required=True))
    return photos.run_command(parser.parse_args(list(argv)))


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def visible_files(folder: Path) -> dict[str, bytes]:
    return {path: content for path, content in files_under(folder).items()
            if not any(part.startswith(".") for part in path.split("/"))}


def expected_layout(origin: Origin, leave_out: tuple[str, ...] = ()) -> dict[str, bytes]:
    return {origin.landed(path): content for path, content in origin.files.items()
            if path not in leave_out}


def test_the_shipped_manifest_lists_the_922_photos():
    entries = photos.load_manifest()
    assert len(entries) == 922
    per_split = {split: [e for e in entries if e.relative.parts[0] == split] for split in SPLITS}
    assert {split: len(found) for split, found in per_split.items()} == {
        "train": 542, "validation": 200, "test": 180}
    assert {e.relative.parts[1] for e in entries} == {"not_santa", "santa"}
    assert all(e.path.startswith("split/") and len(e.relative.parts) == 3 for e in entries)
    assert [e.path for e in entries if e.size is None] == ["split/train/santa/00000123.jpg"]


def test_the_pinned_addresses_and_default_folder(private_cache):
    commit = "7689fdd6f7c85e0dc15811136cfa535fad9c19d5"
    repo = "learn-co-curriculum/dsc-using-pretrained-networks-codealong"
    assert PINNED_BASE_URL == f"https://raw.githubusercontent.com/{repo}/{commit}/"
    assert photos.LICENSE_URL == f"https://github.com/{repo}/blob/{commit}/LICENSE.md"
    assert photos.default_photos_dir() == private_cache / "photos-7689fdd"


def test_git_blob_sha1_matches_git():
    assert photos.git_blob_sha1(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert photos.git_blob_sha1(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_photos_land_verified_in_the_lesson_layout(server, origin, tmp_path, capsys):
    dest = tmp_path / "dest"
    report = photos.download_photos(dest, base_url=server.url, manifest=origin.manifest,
                                    workers=3, progress=False)
    assert report.complete and report.downloaded == len(origin.files)
    assert visible_files(dest) == expected_layout(origin)
    assert (dest / photos.COMPLETE_MARKER).is_file()
    assert not (dest / photos.STAGING_FOLDER).exists()
    assert check_data(dest).usable
    out = capsys.readouterr().out
    assert "Flatiron School" in out and photos.LICENSE_URL in out and "does not redistribute" in out


def test_the_command_downloads_then_a_second_run_downloads_nothing(server, origin, tmp_path,
                                                                   capsys, monkeypatch):
    monkeypatch.setattr(photos, "load_manifest", lambda manifest=None: load(origin.manifest))
    dest = tmp_path / "dest"
    assert run_cli("photos", "get", str(dest), "--base-url", server.url, "--workers", "4") == 0
    assert visible_files(dest) == expected_layout(origin)
    assert len(server.requests) == len(origin.files)
    capsys.readouterr()

    assert run_cli("photos", "get", str(dest), "--base-url", server.url) == 0
    assert len(server.requests) == len(origin.files)
    assert f"{len(origin.files)} already there" in capsys.readouterr().out


def test_a_wrong_or_missing_file_is_named_and_the_others_land(server, origin, tmp_path, capsys,
                                                               monkeypatch):
    monkeypatch.setattr(photos, "load_manifest", lambda manifest=None: load(origin.manifest))
    wrong, gone = list(origin.files)[1], list(origin.files)[2]
    server.wrong[wrong] = b"<html>rate limited</html>"
    del origin.files[gone]
    dest = tmp_path / "dest"

    assert run_cli("photos", "get", str(dest), "--base-url", server.url) == 1
    err = capsys.readouterr().err
    assert f"{origin.landed(wrong)}: refused" in err and "SHA-1" in err
    assert f"{origin.landed(gone)}: HTTP 404" in err
    assert "2 missing" in err
    assert visible_files(dest) == expected_layout(origin, leave_out=(wrong,))
    assert not (dest / photos.COMPLETE_MARKER).exists()
    assert not list((dest / photos.STAGING_FOLDER).rglob("*.jpg"))


def test_an_interrupted_download_continues_with_a_range_request(server, origin, tmp_path):
    cut = list(origin.files)[3]
    server.cut_first.add(cut)
    dest = tmp_path / "dest"
    report = photos.download_photos(dest, base_url=server.url, manifest=origin.manifest,
                                    progress=False)
    assert report.complete
    assert server.asked(cut) == [None, f"bytes={len(origin.files[cut]) // 2}-"]
    assert (dest / origin.landed(cut)).read_bytes() == origin.files[cut]


@pytest.mark.parametrize("server_honours_range", [True, False])
def test_a_partial_file_from_an_earlier_run_is_continued(server, origin, tmp_path,
                                                         server_honours_range):
    server.ignore_range = not server_honours_range  # then it answers 200: start over
    path = list(origin.files)[4]
    dest = tmp_path / "dest"
    staged = dest / photos.STAGING_FOLDER / origin.landed(path)
    staged.parent.mkdir(parents=True)
    staged.write_bytes(origin.files[path][:100])

    report = photos.download_photos(dest, base_url=server.url, manifest=origin.manifest,
                                    progress=False)
    assert report.complete
    assert server.asked(path) == ["bytes=100-"]
    assert (dest / origin.landed(path)).read_bytes() == origin.files[path]
    assert not (dest / photos.STAGING_FOLDER).exists()


def test_a_connection_that_keeps_dropping_keeps_the_partial_file(server, origin, tmp_path):
    path = list(origin.files)[5]
    server.cut_always.add(path)
    dest = tmp_path / "dest"
    report = photos.download_photos(dest, base_url=server.url, manifest=origin.manifest,
                                    progress=False)
    landed = Path(origin.landed(path))
    assert list(report.failures) == [landed]
    assert report.failures[landed].startswith("the connection failed 3 times")
    assert "the next run continues it" in report.failures[landed]
    assert not (dest / landed).exists()
    assert (dest / photos.STAGING_FOLDER / landed).read_bytes() == origin.files[path][
        :len(origin.files[path]) // 2]

    server.cut_always.clear()
    assert photos.download_photos(dest, base_url=server.url, manifest=origin.manifest,
                                  progress=False).complete
    assert (dest / landed).read_bytes() == origin.files[path]


def test_a_different_file_already_there_is_left_alone(server, origin, tmp_path):
    path = list(origin.files)[6]
    dest = tmp_path / "dest"
    mine = dest / origin.landed(path)
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"my own picture")
    report = photos.download_photos(dest, base_url=server.url, manifest=origin.manifest,
                                    progress=False)
    assert not report.complete
    assert "delete it" in report.failures[Path(origin.landed(path))]
    assert mine.read_bytes() == b"my own picture"
    assert path not in [requested for requested, _ in server.requests]


@pytest.mark.parametrize("url", [closed_port_url(), "http://nonexistent.invalid/"])
def test_an_unreachable_host_fails_within_seconds_with_advice(url, tmp_path, capsys,
                                                              private_cache):
    dest = tmp_path / "dest"
    started = time.monotonic()
    assert run_cli("photos", "get", str(dest), "--base-url", url) == 1
    assert time.monotonic() - started < OFFLINE_SECONDS
    err = capsys.readouterr().err
    assert "cannot be reached" in err
    assert "python -m santa_lib photos get DEST" in err and "data_dir=DEST" in err
    assert str(private_cache / "photos-7689fdd") in err
    assert not dest.exists()


def test_photos_data_dir_returns_the_complete_folder_without_the_network(server, origin,
                                                                         tmp_path):
    dest = tmp_path / "dest"
    assert photos.photos_data_dir(dest, base_url=server.url, manifest=origin.manifest) == dest
    assert visible_files(dest) == expected_layout(origin)
    served = len(server.requests)

    def offline(url: str) -> tuple[bool, str]:
        raise AssertionError("a complete folder must not need the network")

    assert photos.photos_data_dir(dest, base_url=server.url, manifest=origin.manifest,
                                  probe=offline) == dest
    assert len(server.requests) == served


def test_photos_data_dir_offline_raises_data_error_quickly(origin, tmp_path):
    started = time.monotonic()
    with pytest.raises(DataError, match="cannot be reached.*photos get DEST"):
        photos.photos_data_dir(tmp_path / "dest", base_url=closed_port_url(),
                               manifest=origin.manifest)
    assert time.monotonic() - started < OFFLINE_SECONDS


def test_photos_data_dir_names_what_could_not_be_downloaded(server, origin, tmp_path):
    wrong = list(origin.files)[7]
    server.wrong[wrong] = b"nope"
    with pytest.raises(DataError, match=f"{origin.landed(wrong)}: refused"):
        photos.photos_data_dir(tmp_path / "dest", base_url=server.url, manifest=origin.manifest)


def test_the_default_folder_is_where_data_dir_photos_looks(server, origin, private_cache):
    folder = photos.photos_data_dir(base_url=server.url, manifest=origin.manifest)
    assert folder == private_cache / "photos-7689fdd"
    assert visible_files(folder) == expected_layout(origin)


@pytest.mark.parametrize(("option", "value"), [("--workers", "0"), ("--base-url", "ftp://x/")])
def test_bad_options_are_named(option, value, tmp_path, capsys):
    assert run_cli("photos", "get", str(tmp_path / "dest"), option, value) == 1
    assert option in capsys.readouterr().err
    assert not (tmp_path / "dest").exists()


@pytest.mark.parametrize("line", ["abc\t12\tsplit/train/santa/a.jpg",
                                  f"{'a' * 40}\t12\tsplit/train/../../evil.jpg",
                                  f"{'a' * 40}\tmany\tsplit/train/santa/a.jpg"])
def test_a_malformed_manifest_is_refused_naming_the_line(line, tmp_path):
    manifest = tmp_path / "bad.tsv"
    manifest.write_text(f"# header\n{line}\n", encoding="utf-8")
    with pytest.raises(photos.PhotosError, match=r"bad\.tsv, line 2"):
        photos.load_manifest(manifest)


def test_a_base_url_that_serves_nothing_is_pointed_at(server, origin, tmp_path, capsys,
                                                      monkeypatch):
    monkeypatch.setattr(photos, "load_manifest", lambda manifest=None: load(origin.manifest))
    elsewhere = server.url.replace(MIRROR_PREFIX, "somewhere-else/")
    assert run_cli("photos", "get", str(tmp_path / "dest"), "--base-url", elsewhere) == 1
    err = capsys.readouterr().err
    assert f"{len(origin.files)} missing" in err and "None was found" in err
    assert not visible_files(tmp_path / "dest")


def test_two_runs_into_one_folder_take_turns(server, origin, tmp_path):
    server.delay_seconds = 0.1  # long enough for the runs to overlap
    dest = tmp_path / "dest"
    reports = []

    def fetch() -> None:
        reports.append(photos.download_photos(dest, base_url=server.url,
                                              manifest=origin.manifest, workers=2,
                                              progress=False, say=lambda text: None))

    runs = [threading.Thread(target=fetch) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert [report.complete for report in reports] == [True, True]
    assert len(server.requests) == len(origin.files)  # the second run found them all there
    assert visible_files(dest) == expected_layout(origin)


def test_a_host_that_accepts_but_never_answers_does_not_hang(origin, tmp_path, monkeypatch):
    monkeypatch.setattr(photos, "REQUEST_SECONDS", 0.3)
    monkeypatch.setattr(photos, "RETRY_PAUSE_SECONDS", 0.01)
    with socket.socket() as silent:  # the kernel accepts connections; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        started = time.monotonic()
        report = photos.download_photos(
            tmp_path / "dest", base_url=f"http://127.0.0.1:{silent.getsockname()[1]}/",
            manifest=origin.manifest, workers=2, progress=False, say=lambda text: None)
        assert time.monotonic() - started < OFFLINE_SECONDS
    assert len(report.failures) == len(origin.files) and not report.downloaded
    reasons = list(report.failures.values())
    assert any(why.startswith("the connection failed 3 times") for why in reasons)
    assert any("the host delivered no photo" in why for why in reasons)
    assert not visible_files(tmp_path / "dest")


def test_data_dir_photos_in_the_notebooks_gets_them(server, origin, private_cache, monkeypatch):
    from santa_lib.sources.folder import resolve_data_dir

    monkeypatch.setattr(photos, "load_manifest", lambda manifest=None: load(origin.manifest))
    monkeypatch.setattr(photos, "DEFAULT_BASE_URL", server.url)
    assert resolve_data_dir("photos") == private_cache / "photos-7689fdd"
    assert visible_files(private_cache / "photos-7689fdd") == expected_layout(origin)
