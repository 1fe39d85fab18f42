"""data_dir="auto" (every notebook's default): the 2022 photos when cached or downloadable now,
else the embedded pictures, said with the reason; SANTA_LIB_PHOTOS_URL names a mirror.

The photos come from a server on 127.0.0.1 (tests/test_photos.py's), with its small manifest in
place of the shipped one; the real host is never contacted.
"""

from __future__ import annotations

import socket
import time

import pytest

from santa_lib import data
from santa_lib.data import DataChoice, choose_data, load_data
from santa_lib.sources import photos
from tests.photo_server import MIRROR_PREFIX, closed_port_url, expected_layout, visible_files

OFFLINE_SECONDS = 8.0


@pytest.fixture
def shipped_manifest_is_the_servers(cli_manifests):
    """``"auto"`` reads the shipped manifest: the test server's stands in for it."""


def test_auto_offline_takes_the_embedded_pictures_within_seconds_and_says_why(monkeypatch):
    monkeypatch.setenv(photos.URL_VARIABLE, closed_port_url())
    started = time.monotonic()
    choice = choose_data("auto")
    assert time.monotonic() - started < OFFLINE_SECONDS + 10  # the embedded pictures are drawn
    assert choice.kind == "embedded" and choice.label == "embedded"
    assert "not in the lesson's cache" in choice.reason and "cannot be reached" in choice.reason
    assert choice.note.startswith("Pictures: the lesson's built-in synthetic pictures")
    assert photos.URL_VARIABLE in choice.note


def test_auto_downloads_from_the_mirror_the_variable_names_with_size_and_progress(
        server, origin, monkeypatch, capsys, private_cache,
        shipped_manifest_is_the_servers):
    monkeypatch.setenv(photos.URL_VARIABLE, server.url)
    choice = choose_data("auto")
    assert choice == DataChoice("photos", private_cache / photos.PHOTOS_FOLDER, choice.reason)
    assert "downloaded and verified now" in choice.reason and server.url in choice.reason
    out = capsys.readouterr().out
    assert f"{len(origin.files)} photos, about" in out and "MB (once)" in out
    assert "photos: 100%" in out  # the progress bar
    assert visible_files(choice.path) == expected_layout(origin)
    assert [len(split) for split in load_data(choice, 32)] == [4, 4, 4]


def test_auto_takes_cached_photos_without_the_network(server, origin, monkeypatch,
                                                      shipped_manifest_is_the_servers):
    monkeypatch.setenv(photos.URL_VARIABLE, server.url)
    choose_data("auto")
    served = len(server.requests)

    def offline(url: str) -> tuple[bool, str]:
        raise AssertionError("photos in the cache must not need the network")

    choice = choose_data("auto", probe=offline)
    assert choice.kind == "photos" and "in the lesson's cache" in choice.reason
    assert len(server.requests) == served


def test_a_wrong_mirror_falls_back_quickly_naming_the_address(server, origin, monkeypatch,
                                                              shipped_manifest_is_the_servers):
    wrong = server.url.replace(MIRROR_PREFIX, "not-here/")
    monkeypatch.setenv(photos.URL_VARIABLE, wrong)
    started = time.monotonic()
    choice = choose_data("auto")
    assert time.monotonic() - started < OFFLINE_SECONDS + 10
    assert choice.kind == "embedded"
    assert "could not all be had" in choice.reason and wrong in choice.reason


def test_a_mirror_that_never_answers_is_given_up_and_falls_back(origin, monkeypatch,
                                                                shipped_manifest_is_the_servers):
    monkeypatch.setattr(data, "AUTO_REQUEST_SECONDS", 0.3)
    with socket.socket() as silent:  # accepts connections; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        monkeypatch.setenv(photos.URL_VARIABLE, f"http://127.0.0.1:{silent.getsockname()[1]}/")
        started = time.monotonic()
        choice = choose_data("auto")
        assert time.monotonic() - started < OFFLINE_SECONDS + 10
    assert choice.kind == "embedded" and "could not all be had" in choice.reason


def test_explicit_choices_keep_their_meaning(small_data, monkeypatch):
    monkeypatch.setenv(photos.URL_VARIABLE, closed_port_url())
    assert choose_data("embedded").kind == "embedded"
    assert choose_data("embedded").reason == ""
    folder = choose_data(small_data)
    assert folder.kind == "folder" and folder.label == str(small_data.resolve())
    assert str(small_data.resolve()) in folder.note
    with pytest.raises(photos.PhotosError, match="cannot be reached"):
        choose_data("photos")
    assert choose_data(folder) is folder
    assert [len(split) for split in load_data(folder, 32)] == [10, 6, 4]


def test_a_bad_mirror_address_is_named(monkeypatch):
    monkeypatch.setenv(photos.URL_VARIABLE, "ftp://example.org/")
    with pytest.raises(photos.PhotosError, match=photos.URL_VARIABLE):
        photos.download_photos(progress=False, say=lambda text: None,
                               probe=lambda url: (True, "reachable"))
