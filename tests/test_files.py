"""Atomic writes: a file or a folder lands whole or not at all, with the usual permissions;
and the marker that says a folder is complete."""

import json
import os
import stat

import pytest

from santa_lib.internals.files import (
    FolderMarker,
    atomic_write,
    atomic_write_text,
    default_mode,
)


def siblings(path):
    return sorted(p.name for p in path.parent.iterdir())


def test_a_file_lands_whole_beside_no_temporary_file(tmp_path):
    path = tmp_path / "deep" / "model.weights.h5"
    seen = []

    def write(temp):
        seen.append(temp)
        assert temp.parent == path.parent and temp.name.endswith(".weights.h5")
        assert not path.exists()  # nothing under the real name while writing
        temp.write_bytes(b"all of it")

    assert atomic_write(path, write) == path
    assert path.read_bytes() == b"all of it"
    assert siblings(path) == ["model.weights.h5"] and not seen[0].exists()
    atomic_write_text(path, "replaced")
    assert path.read_text() == "replaced" and siblings(path) == ["model.weights.h5"]


def test_a_folder_lands_whole(tmp_path):
    path = tmp_path / "photos"

    def write(temp):
        assert temp.is_dir()
        (temp / "train").mkdir()
        (temp / "train" / "a.jpg").write_bytes(b"jpeg")

    atomic_write(path, write, folder=True)
    assert (path / "train" / "a.jpg").read_bytes() == b"jpeg"
    assert siblings(path) == ["photos"]


def test_a_raising_writer_leaves_nothing_and_no_temporary(tmp_path):
    def half(temp):
        temp.write_bytes(b"half")
        raise RuntimeError("interrupted")

    def half_folder(temp):
        (temp / "part").write_text("x")
        raise KeyboardInterrupt

    with pytest.raises(RuntimeError, match="interrupted"):
        atomic_write(tmp_path / "file.npy", half)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "folder", half_folder, folder=True)
    assert list(tmp_path.iterdir()) == []


def test_a_raising_writer_keeps_the_old_file(tmp_path):
    path = atomic_write_text(tmp_path / "record.json", "old")

    def failing(temp):
        temp.write_text("new, cut short")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, failing)
    assert path.read_text() == "old" and siblings(path) == ["record.json"]


def test_keep_partial_lands_what_was_written_and_still_raises(tmp_path):
    def partial(temp):
        temp.write_text("cells that ran")
        raise RuntimeError("cell 7 failed")

    path = tmp_path / "executed.ipynb"
    with pytest.raises(RuntimeError, match="cell 7 failed"):
        atomic_write(path, partial, keep_partial=True)
    assert path.read_text() == "cells that ran" and siblings(path) == ["executed.ipynb"]

    def nothing(temp):
        raise RuntimeError("failed before writing")

    empty = tmp_path / "nothing.ipynb"
    with pytest.raises(RuntimeError):
        atomic_write(empty, nothing, keep_partial=True)
    assert not empty.exists() and siblings(path) == ["executed.ipynb"]


def test_a_folder_may_replace_an_empty_folder_but_not_a_full_one(tmp_path):
    def write(temp):
        (temp / "new").write_text("new")

    empty = tmp_path / "empty"
    empty.mkdir()
    atomic_write(empty, write, folder=True)
    assert (empty / "new").read_text() == "new"

    full = tmp_path / "full"
    full.mkdir()
    (full / "old").write_text("old")
    with pytest.raises(OSError):
        atomic_write(full, write, folder=True)
    assert sorted(p.name for p in full.iterdir()) == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "full"]  # no temporary


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_the_mode_follows_the_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        assert default_mode() == 0o666 & ~umask
        assert default_mode(folder=True) == 0o777 & ~umask
        path = atomic_write_text(tmp_path / "a.txt", "x")
        folder = atomic_write(tmp_path / "f", lambda temp: None, folder=True)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask


# ------------------------------------------------------------------------------ folder markers

MARKER = FolderMarker(".made_here")
KEY = {"made_by": "tests", "seed": 3, "sizes": {"train": 4}}


def test_a_marker_is_written_as_json_and_read_back(tmp_path):
    assert not MARKER.present(tmp_path) and MARKER.read(tmp_path) is None
    path = MARKER.write(tmp_path, KEY)
    assert path == tmp_path / ".made_here" and siblings(path) == [".made_here"]  # no temporary
    assert path.read_text(encoding="utf-8") == json.dumps(KEY, indent=2) + "\n"
    assert MARKER.present(tmp_path) and MARKER.read(tmp_path) == KEY


def test_a_marker_matches_only_its_own_key(tmp_path):
    MARKER.write(tmp_path, {"made_by": "tests", "sizes": (1, 2)})
    assert MARKER.matches(tmp_path, {"made_by": "tests", "sizes": (1, 2)})  # tuples as lists
    assert not MARKER.matches(tmp_path, {"made_by": "tests", "sizes": (1, 3)})
    assert not MARKER.matches(tmp_path, {"made_by": "others", "sizes": (1, 2)})
    assert not FolderMarker(".other_name").matches(tmp_path, {"made_by": "tests"})


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b""])
def test_an_unreadable_marker_is_present_but_matches_nothing(tmp_path, content):
    (tmp_path / ".made_here").write_bytes(content)
    assert MARKER.present(tmp_path)
    assert MARKER.read(tmp_path) is None and not MARKER.matches(tmp_path, KEY)


def test_a_folder_where_the_marker_name_is_a_folder_has_no_marker(tmp_path):
    (tmp_path / ".made_here").mkdir()
    assert not MARKER.present(tmp_path) and MARKER.read(tmp_path) is None


def test_removing_a_marker_leaves_the_rest_of_the_folder(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"jpeg")
    MARKER.write(tmp_path, KEY)
    MARKER.remove(tmp_path)
    MARKER.remove(tmp_path)  # none left: nothing happens
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.jpg"]
    assert not MARKER.matches(tmp_path, KEY)
