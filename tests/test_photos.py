"""photos get and data_dir="photos": from a local HTTP server, verified, retried, offline-safe.

Every download here comes from a server on 127.0.0.1 serving small generated JPEGs; the real
photo host is never contacted (the default base URL is pointed at a closed local port).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from santa_lib.sources import photos
from santa_lib.sources.checks import check_data
from santa_lib.sources.folder import SPLITS, DataError
from tests.photo_server import (
    MIRROR_PREFIX,
    OFFLINE_SECONDS,
    PINNED_BASE_URL,
    SILENT_HOST_SECONDS,
    blob_sha1,
    closed_port_url,
    expected_layout,
    flipped,
    run_cli,
    visible_files,
)


def test_the_shipped_manifest_lists_the_922_photos_each_with_its_git_blob_sha1():
    entries = photos.load_manifest()
    assert len(entries) == 922
    per_split = {split: [e for e in entries if e.relative.parts[0] == split] for split in SPLITS}
    assert {split: len(found) for split, found in per_split.items()} == {
        "train": 542, "validation": 200, "test": 180}
    assert {e.relative.parts[1] for e in entries} == {"not_santa", "santa"}
    assert all(e.path.startswith("split/") and len(e.relative.parts) == 3 for e in entries)
    assert [e.path for e in entries if e.size is None] == ["split/train/santa/00000123.jpg"]
    assert all(len(e.blob_sha1) == 40 for e in entries)


def test_the_pinned_addresses_and_default_folder(private_cache):
    commit = "7689fdd6f7c85e0dc15811136cfa535fad9c19d5"
    repo = "learn-co-curriculum/dsc-using-pretrained-networks-codealong"
    assert PINNED_BASE_URL == f"https://raw.githubusercontent.com/{repo}/{commit}/"
    assert photos.LICENSE_URL == f"https://github.com/{repo}/blob/{commit}/LICENSE.md"
    assert photos.default_photos_dir() == private_cache / "photos-7689fdd"


def test_git_blob_sha1_matches_git():
    assert photos.git_blob_sha1(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert photos.git_blob_sha1(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_photos_land_verified_with_the_notice_and_one_bar_on_stdout(server, origin, tmp_path,
                                                                     capsys):
    dest = tmp_path / "dest"
    report = photos.download_photos(dest, base_url=server.url, manifest=origin.manifest,
                                    workers=3)
    assert report.complete and report.downloaded == len(origin.files) and not report.present
    assert visible_files(dest) == expected_layout(origin)
    assert (dest / photos.COMPLETE_MARKER).is_file()
    assert check_data(dest).usable
    captured = capsys.readouterr()
    assert "Flatiron School" in captured.out and photos.LICENSE_URL in captured.out
    assert f"{len(origin.files)}/{len(origin.files)}" in captured.out  # the bar: 12/12 photos
    assert captured.out.index("Flatiron School") < captured.out.index("12/12")
    assert captured.err == ""  # nothing from pooch's logger either


def test_the_command_downloads_then_a_second_run_downloads_nothing(server, origin, tmp_path,
                                                                   capsys, cli_manifests):
    dest = tmp_path / "dest"
    assert run_cli("photos", "get", str(dest), "--base-url", server.url, "--workers", "4") == 0
    assert visible_files(dest) == expected_layout(origin)
    assert sorted(server.requests) == sorted(origin.files)
    capsys.readouterr()

    assert run_cli("photos", "get", str(dest), "--base-url", server.url) == 0
    assert len(server.requests) == len(origin.files)
    assert (f"{len(origin.files)} of {len(origin.files)} photos verified (0 downloaded now, "
            f"{len(origin.files)} already there)") in capsys.readouterr().out


def test_a_flipped_byte_an_html_page_and_a_404_are_named_and_the_others_land(
        server, origin, tmp_path, capsys, cli_manifests):
    one_bit, html, gone = list(origin.files)[1:4]
    server.wrong[one_bit] = flipped(origin.files[one_bit])
    server.wrong[html] = b"<html><body>Too many requests, try later</body></html>"
    del origin.files[gone]
    dest = tmp_path / "dest"

    assert run_cli("photos", "get", str(dest), "--base-url", server.url) == 1
    err = capsys.readouterr().err
    assert f"{origin.landed(one_bit)}: refused" in err and f"{origin.landed(html)}: refused" in err
    assert "git blob SHA-1" in err and "it was not kept" in err
    assert f"{origin.landed(gone)}: HTTP 404" in err and "3 missing" in err
    assert visible_files(dest) == expected_layout(origin, leave_out=(one_bit, html))
    assert not (dest / photos.COMPLETE_MARKER).exists()
    assert server.asked(one_bit) == server.asked(html) == server.asked(gone) == 1  # no retry


@pytest.mark.parametrize("number", [0, 5])  # 0: the photo of unknown size
def test_a_file_whose_hash_differs_from_the_manifest_never_lands(number, server, origin,
                                                                  tmp_path):
    path = list(origin.files)[number]
    text = origin.manifest.read_text(encoding="utf-8")
    origin.manifest.write_text(text.replace(blob_sha1(origin.files[path]), "0" * 40),
                               encoding="utf-8")
    report = origin.fetch(tmp_path / "dest", server)
    landed = Path(origin.landed(path))
    assert list(report.failures) == [landed]
    assert report.failures[landed].startswith("refused") and "0" * 40 in report.failures[landed]
    assert server.asked(path) == 1  # a wrong file is not retried
    assert visible_files(tmp_path / "dest") == expected_layout(origin, leave_out=(path,))


def test_a_server_error_is_retried(server, origin, tmp_path):
    path = list(origin.files)[2]
    server.fail_first.add(path)
    report = origin.fetch(tmp_path / "dest", server, retries=1)
    assert report.complete
    assert server.asked(path) == 2
    assert (tmp_path / "dest" / origin.landed(path)).read_bytes() == origin.files[path]


def test_a_connection_cut_mid_file_is_retried(server, origin, tmp_path):
    path = list(origin.files)[3]
    server.cut_first.add(path)
    report = origin.fetch(tmp_path / "dest", server, retries=1)
    assert report.complete
    assert server.asked(path) == 2
    assert visible_files(tmp_path / "dest") == expected_layout(origin)


def test_a_connection_that_keeps_dropping_is_named_and_the_next_run_gets_it(server, origin,
                                                                             tmp_path):
    path = list(origin.files)[5]
    server.cut_always.add(path)
    dest = tmp_path / "dest"
    report = origin.fetch(dest, server, retries=1)
    landed = Path(origin.landed(path))
    assert list(report.failures) == [landed]
    assert report.failures[landed].startswith("the download failed 2 times")
    assert server.asked(path) == 2
    assert visible_files(dest) == expected_layout(origin, leave_out=(path,))  # no half file

    server.cut_always.clear()
    second = origin.fetch(dest, server)
    assert second.complete and second.downloaded == 1
    assert (dest / landed).read_bytes() == origin.files[path]


def test_a_host_that_accepts_but_never_answers_is_given_up_quickly(origin, tmp_path):
    with socket.socket() as silent:  # the kernel accepts connections; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        started = time.monotonic()
        report = photos.download_photos(
            tmp_path / "dest", base_url=f"http://127.0.0.1:{silent.getsockname()[1]}/",
            manifest=origin.manifest, workers=2, progress=False, say=lambda text: None,
            timeout=0.3, retries=1)
        assert time.monotonic() - started < SILENT_HOST_SECONDS
    assert len(report.failures) == len(origin.files) and not report.downloaded
    reasons = list(report.failures.values())
    assert any(why.startswith("the download failed 2 times") for why in reasons)
    assert any("the host delivered no photo" in why for why in reasons)
    assert not visible_files(tmp_path / "dest")


def test_a_different_file_already_there_is_left_alone(server, origin, tmp_path):
    path = list(origin.files)[6]
    dest = tmp_path / "dest"
    mine = dest / origin.landed(path)
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"my own picture")
    report = origin.fetch(dest, server)
    assert not report.complete and report.downloaded == len(origin.files) - 1
    assert "delete it and run again" in report.failures[Path(origin.landed(path))]
    assert mine.read_bytes() == b"my own picture"
    assert server.asked(path) == 0


def test_a_temporary_file_of_a_killed_run_is_cleared(server, origin, tmp_path):
    dest = tmp_path / "dest"
    leftover = dest / "train" / "santa" / "tmpab3_x9z0"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a photo")
    assert origin.fetch(dest, server).complete
    assert visible_files(dest) == expected_layout(origin)


@pytest.mark.parametrize("url", ["a closed local port", "http://nonexistent.invalid/"])
def test_an_unreachable_host_fails_within_seconds_with_advice(url, tmp_path, capsys,
                                                              private_cache):
    url = closed_port_url() if url == "a closed local port" else url
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
                               manifest=origin.manifest,
                               probe=lambda url: (False, "no network here"))
    assert time.monotonic() - started < 2.0


def test_photos_data_dir_names_what_could_not_be_downloaded(server, origin, tmp_path):
    wrong = list(origin.files)[7]
    server.wrong[wrong] = b"nope"
    with pytest.raises(DataError, match=f"{origin.landed(wrong)}: refused"):
        photos.photos_data_dir(tmp_path / "dest", base_url=server.url, manifest=origin.manifest)


def test_the_default_folder_is_where_data_dir_photos_looks(server, origin, private_cache,
                                                           cli_manifests, monkeypatch):
    from santa_lib.data import choose_data

    monkeypatch.setattr(photos, "DEFAULT_BASE_URL", server.url)
    assert choose_data("photos").path == private_cache / "photos-7689fdd"
    assert visible_files(private_cache / "photos-7689fdd") == expected_layout(origin)


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


@pytest.mark.parametrize(("lines", "why"), [([], "lists no photos"),
                                            ([f"{'a' * 40}\t12\tsplit/test/santa/a.jpg"] * 2,
                                             "lists a photo twice")])
def test_an_empty_manifest_or_a_photo_listed_twice_is_refused(lines, why, tmp_path):
    manifest = tmp_path / "bad.tsv"
    manifest.write_text("\n".join(["# header", *lines]) + "\n", encoding="utf-8")
    with pytest.raises(photos.PhotosError, match=why):
        photos.load_manifest(manifest)


def test_a_base_url_that_serves_nothing_is_pointed_at(server, origin, tmp_path, capsys,
                                                      cli_manifests):
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
        reports.append(origin.fetch(dest, server, workers=2))

    runs = [threading.Thread(target=fetch) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert [report.complete for report in reports] == [True, True]
    assert len(server.requests) == len(origin.files)  # the second run found them all there
    assert visible_files(dest) == expected_layout(origin)


def test_an_unreadable_manifest_is_named_with_what_to_do(tmp_path):
    with pytest.raises(photos.PhotosError, match=r"cannot read the manifest .*missing\.tsv.*"
                                                 r"Give a readable"):
        photos.load_manifest(tmp_path / "missing.tsv")


def test_importing_the_download_leaves_pooch_logging_alone():
    import subprocess
    import sys

    code = ("import pooch\nlevel = pooch.get_logger().level\n"
            "import santa_lib.sources.photos\nprint(pooch.get_logger().level == level)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "True"
