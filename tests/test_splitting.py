"""split SRC DEST: stratified, reproducible, SRC only read, a foreign DEST never touched."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from santa_lib.sources import splitting
from santa_lib.sources.checks import check_data
from santa_lib.sources.folder import SPLITS, count_images

CLASS_SIZES = {"cats": 20, "dogs": 11}


def make_image(path: Path, seed: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (16, 16, 3), dtype="uint8")
    Image.fromarray(pixels).save(path, format="JPEG")
    return path


@pytest.fixture
def src(tmp_path) -> Path:
    root = tmp_path / "my_pictures"
    for class_index, (name, count) in enumerate(CLASS_SIZES.items()):
        for index in range(count):
            make_image(root / name / f"{name}{index:02d}.jpg", class_index * 100 + index)
    return root


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under ``folder``: bytes (files) and modification time."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"",
                                               p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def assignment(dest: Path) -> dict[str, set[str]]:
    """split -> the names of the files it holds (over all classes)."""
    return {split: {p.name for p in (dest / split).rglob("*") if p.is_file()} for split in SPLITS}


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="python -m santa_lib")
    splitting.add_command(parser.add_subparsers(dest="command", required=True))
    return splitting.run_command(parser.parse_args(list(argv)))


def test_each_class_is_split_in_the_given_fractions(src, tmp_path, capsys):
    dest = tmp_path / "split"
    assert run_cli("split", str(src), str(dest), "--validation", "0.2", "--test", "0.3") == 0
    assert count_images(dest) == {"train": {"cats": 10, "dogs": 6},
                                  "validation": {"cats": 4, "dogs": 2},
                                  "test": {"cats": 6, "dogs": 3}}
    assert check_data(dest).usable
    out = capsys.readouterr().out
    assert "validation" in out and str(dest) in out
    names = [name for split in assignment(dest).values() for name in split]
    assert sorted(names) == sorted(p.name for p in src.rglob("*.jpg"))  # each file exactly once
    for path in dest.rglob("*.jpg"):
        original = src / path.parent.name / path.name
        assert path.read_bytes() == original.read_bytes()
        assert path.stat().st_mtime_ns == original.stat().st_mtime_ns  # copy2 keeps times


@pytest.mark.parametrize(("count", "validation", "test", "expected"), [
    (3, 0.2, 0.2, {"train": 1, "validation": 1, "test": 1}),
    (3, 0.45, 0.45, {"train": 1, "validation": 1, "test": 1}),
    (10, 0.2, 0.2, {"train": 6, "validation": 2, "test": 2}),
    (11, 0.2, 0.3, {"train": 6, "validation": 2, "test": 3}),
    (4, 0.45, 0.45, {"train": 1, "validation": 1, "test": 2}),
    (100, 0.1, 0.05, {"train": 85, "validation": 10, "test": 5}),
])
def test_split_sizes_round_and_keep_one_image_per_split(count, validation, test, expected):
    assert splitting.split_sizes(count, validation, test) == expected


def test_the_same_seed_gives_the_same_split_and_another_seed_another(src, tmp_path):
    first = splitting.split_folder(src, tmp_path / "a", seed=7)
    again = splitting.split_folder(src, tmp_path / "b", seed=7)
    other = splitting.split_folder(src, tmp_path / "c", seed=8)
    assert assignment(first) == assignment(again)
    assert assignment(first) != assignment(other)
    assert count_images(first) == count_images(other)


def test_src_is_only_read(src, tmp_path):
    before = snapshot(src)
    splitting.split_folder(src, tmp_path / "split")
    assert snapshot(src) == before


def test_a_foreign_non_empty_dest_is_refused_and_untouched(src, tmp_path, capsys):
    dest = tmp_path / "precious"
    (dest / "notes").mkdir(parents=True)
    (dest / "notes" / "todo.txt").write_text("keep me")
    before = snapshot(dest)
    assert run_cli("split", str(src), str(dest)) == 1
    err = capsys.readouterr().err
    assert str(dest) in err and "not an empty folder" in err
    assert snapshot(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_pictures", "precious"]


def test_an_empty_dest_is_fine_and_a_rerun_with_the_same_settings_changes_nothing(src,
                                                                                  tmp_path):
    dest = tmp_path / "split"
    dest.mkdir()
    splitting.split_folder(src, dest, seed=3)
    before = snapshot(dest)
    assert splitting.split_folder(src, dest, seed=3) == dest.resolve()
    assert snapshot(dest) == before
    with pytest.raises(splitting.SplitError, match="other settings"):
        splitting.split_folder(src, dest, seed=4)
    assert snapshot(dest) == before


def test_a_dest_inside_src_is_refused(src, capsys):
    assert run_cli("split", str(src), str(src / "out")) == 1
    assert "overlap" in capsys.readouterr().err
    assert not (src / "out").exists()


def test_hidden_and_system_files_are_skipped(src, tmp_path):
    (src / ".DS_Store").write_bytes(b"\0\0")
    (src / "cats" / "._cats00.jpg").write_bytes(b"resource fork")
    (src / "dogs" / "Thumbs.db").write_bytes(b"cache")
    make_image(src / ".ipynb_checkpoints" / "x.jpg", 1)
    dest = splitting.split_folder(src, tmp_path / "split")
    copied = [p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()]
    assert len(copied) == sum(CLASS_SIZES.values()) + 1  # the images and the marker
    assert {Path(p).name for p in copied} - {splitting.MARKER_FILE} == {
        p.name for p in src.rglob("*.jpg") if not p.name.startswith(".") and
        ".ipynb_checkpoints" not in p.parts}


def test_an_unreadable_image_is_refused_by_name_and_nothing_is_written(src, tmp_path,
                                                                         capsys):
    broken = src / "dogs" / "dogs03.jpg"
    broken.write_bytes(broken.read_bytes()[:60])
    dest = tmp_path / "split"
    assert run_cli("split", str(src), str(dest)) == 1
    err = capsys.readouterr().err
    assert f"{broken}: unreadable or truncated image" in err and "nothing was copied" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_pictures"]


def test_every_problem_is_named_at_once_with_check_datas_messages(src, tmp_path):
    (src / "cats" / "notes.txt").write_text("hello")
    (src / "stray.jpg").write_text("not in a class folder")
    (src / "dogs" / "fake.jpg").write_text("<html>")
    with pytest.raises(splitting.SplitError) as caught:
        splitting.split_folder(src, tmp_path / "split")
    message = str(caught.value)
    assert f"{src / 'cats' / 'notes.txt'}: not an image file (by its name)" in message
    assert f"{src}: files outside any class folder (stray.jpg)" in message
    assert f"{src / 'dogs' / 'fake.jpg'}: unreadable or truncated image" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_pictures"]


def test_exactly_two_classes_are_needed(src, tmp_path):
    make_image(src / "birds" / "b.jpg", 5)
    with pytest.raises(splitting.SplitError, match="has 3 class folders.*needs exactly two"):
        splitting.split_folder(src, tmp_path / "split")


def test_a_class_with_fewer_than_three_images_is_refused(src, tmp_path):
    for path in sorted((src / "dogs").iterdir())[2:]:
        os.remove(path)
    with pytest.raises(splitting.SplitError, match=r"dogs: has 2 image\(s\).*at least 3"):
        splitting.split_folder(src, tmp_path / "split")


@pytest.mark.parametrize(("argv", "option"), [
    (["--validation", "0"], "--validation"),
    (["--test", "1.5"], "--test"),
    (["--validation", "nan"], "--validation"),
    (["--validation", "0.6", "--test", "0.4"], "leave nothing for training"),
    (["--seed", "-1"], "--seed"),
])
def test_bad_options_are_named(src, tmp_path, capsys, argv, option):
    assert run_cli("split", str(src), str(tmp_path / "split"), *argv) == 1
    assert option in capsys.readouterr().err
    assert not (tmp_path / "split").exists()


def test_a_missing_src_is_named(tmp_path, capsys):
    assert run_cli("split", str(tmp_path / "nowhere"), str(tmp_path / "split")) == 1
    assert f"{tmp_path / 'nowhere'} is not a folder" in capsys.readouterr().err
