"""Tests for santa_lib.sources.embedded: the synthetic Santa / not Santa data set.

Every test writes under pytest's tmp_path; the user's cache is never touched.
"""

from __future__ import annotations

import ast
import hashlib
import io
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from santa_lib.data import choose_data
from santa_lib.internals.cache import default_cache_dir
from santa_lib.sources import embedded
from santa_lib.sources.embedded import (
    CLASS_NAMES,
    GENERATOR_VERSION,
    MARKER_FILE,
    SPLIT_SIZES,
    draw_image,
    embedded_data_dir,
    generate_dataset,
)

SMALL = {"train": 7, "validation": 4, "test": 3}
SMALL_PX = 32


def expected_names(sizes: dict[str, int]) -> dict[tuple[str, str], list[str]]:
    """File names per (split, class): balanced, the odd image going to santa."""
    names = {}
    for split, total in sizes.items():
        counts = {"not_santa": total // 2, "santa": total - total // 2}
        for name, count in counts.items():
            names[split, name] = [f"{name}_{i:04d}.jpg" for i in range(count)]
    return names


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under root (root included) with content and mtime."""
    state = {".": (b"<dir>", root.stat().st_mtime_ns)}
    for path in sorted(root.rglob("*")):
        content = path.read_bytes() if path.is_file() else b"<dir>"
        state[str(path.relative_to(root))] = (content, path.stat().st_mtime_ns)
    return state


def file_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.jpg"))}


def assert_no_temp_folders(parent: Path, keep: set[str]) -> None:
    assert {p.name for p in parent.iterdir()} == keep


@pytest.fixture(scope="module")
def full_set(tmp_path_factory) -> tuple[Path, Path]:
    """The default 922-image set, made once through embedded_data_dir and $SANTA_LIB_CACHE."""
    cache = tmp_path_factory.mktemp("full_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANTA_LIB_CACHE", str(cache))
        return cache, embedded_data_dir()


@pytest.fixture
def small_set(tmp_path) -> Path:
    return generate_dataset(tmp_path / "small", seed=0, sizes=SMALL, image_px=SMALL_PX)


# --- constants and layout -------------------------------------------------------------------


def test_full_set_lives_in_the_env_cache_under_a_versioned_name(full_set):
    cache, root = full_set
    assert root == cache / f"embedded-v{GENERATOR_VERSION}-seed0"
    assert (root / MARKER_FILE).is_file()
    assert_no_temp_folders(cache, {root.name})


def test_full_set_has_the_reference_split_sizes_balanced(full_set):
    _, root = full_set
    assert sorted(p.name for p in root.iterdir()) == sorted([MARKER_FILE, *SPLIT_SIZES])
    for (split, name), files in expected_names(SPLIT_SIZES).items():
        assert sorted(p.name for p in (root / split / name).iterdir()) == files
    counts = {
        s: {c: len(list((root / s / c).glob("*.jpg"))) for c in CLASS_NAMES} for s in SPLIT_SIZES
    }
    assert counts == {
        "train": {"not_santa": 271, "santa": 271},
        "validation": {"not_santa": 100, "santa": 100},
        "test": {"not_santa": 90, "santa": 90},
    }


def test_no_identical_image_across_or_within_splits(full_set):
    _, root = full_set
    seen: dict[str, Path] = {}
    for path in sorted(root.rglob("*.jpg")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest not in seen, f"{path} repeats {seen[digest]}"
        seen[digest] = path
    assert len(seen) == sum(SPLIT_SIZES.values())


def test_small_layout_exact_counts_and_odd_image_to_santa(small_set):
    root = small_set
    assert sorted(p.name for p in root.iterdir()) == sorted([MARKER_FILE, *SMALL])
    names = expected_names(SMALL)
    assert len(names["train", "santa"]) == 4 and len(names["train", "not_santa"]) == 3
    for split in SMALL:
        assert sorted(p.name for p in (root / split).iterdir()) == sorted(CLASS_NAMES)
    for (split, name), files in names.items():
        assert sorted(p.name for p in (root / split / name).iterdir()) == files


def test_files_are_rgb_jpegs_of_the_requested_size(small_set):
    files = sorted(small_set.rglob("*.jpg"))
    assert len(files) == sum(SMALL.values())
    for path in files:
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert image.mode == "RGB"
            assert image.size == (SMALL_PX, SMALL_PX)
            pixels = np.asarray(image)
        assert pixels.std() > 5, f"{path} is (nearly) flat"


def test_default_image_size_is_96(tmp_path):
    root = generate_dataset(tmp_path / "d", sizes={"test": 2})
    for path in root.rglob("*.jpg"):
        with Image.open(path) as image:
            assert image.size == (96, 96)


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path, small_set):
    again = generate_dataset(tmp_path / "again", seed=0, sizes=SMALL, image_px=SMALL_PX)
    assert file_bytes(again) == file_bytes(small_set)
    assert (again / MARKER_FILE).read_bytes() == (small_set / MARKER_FILE).read_bytes()


def test_other_seed_gives_different_files(tmp_path, small_set):
    other = generate_dataset(tmp_path / "other", seed=1, sizes=SMALL, image_px=SMALL_PX)
    ours, theirs = file_bytes(small_set), file_bytes(other)
    assert ours.keys() == theirs.keys()
    assert all(ours[name] != theirs[name] for name in ours)


def test_each_image_depends_only_on_seed_split_class_and_index(tmp_path):
    # A bigger split must start with exactly the images of a smaller one.
    small = generate_dataset(tmp_path / "a", seed=3, sizes={"validation": 4}, image_px=SMALL_PX)
    big = generate_dataset(
        tmp_path / "b", seed=3, sizes={"validation": 6, "train": 2}, image_px=SMALL_PX
    )
    for name, content in file_bytes(small).items():
        assert (big / name).read_bytes() == content
    # And each file is draw_image with the generator seeded from (seed, split, class, index).
    rng = np.random.default_rng([3, 1, 1, 1])  # validation = 1, santa = 1, index 1
    buffer = io.BytesIO()
    draw_image(True, rng, SMALL_PX).save(buffer, format="JPEG", quality=90)
    assert (small / "validation" / "santa" / "santa_0001.jpg").read_bytes() == buffer.getvalue()


# The pictures of GENERATOR_VERSION 5: SHA-256 over the raw pixels of a few draw_image calls.
PICTURES_OF_VERSION = {5: "efa42207c0d4a8fb44c1beb7f9f425bfa94c538d31d78af16fae8d86f5663cbf"}


def test_pictures_change_only_with_a_new_generator_version():
    digest = hashlib.sha256()
    for seed in range(4):
        for is_santa in (True, False):
            for size in (96, 33):
                image = draw_image(is_santa, np.random.default_rng([seed, 11]), size)
                digest.update(image.tobytes())
    # If this fails on purpose, bump GENERATOR_VERSION (cached data sets must not be reused)
    # and record the new digest for it.
    assert {GENERATOR_VERSION: digest.hexdigest()} == PICTURES_OF_VERSION


def test_draw_image_contract():
    first = draw_image(True, np.random.default_rng(5), 40)
    second = draw_image(True, np.random.default_rng(5), 40)
    assert first.mode == "RGB" and first.size == (40, 40)
    assert np.array_equal(np.asarray(first), np.asarray(second))
    not_santa = draw_image(False, np.random.default_rng(5), 40)
    assert not np.array_equal(np.asarray(first), np.asarray(not_santa))
    with pytest.raises(ValueError):
        draw_image(True, np.random.default_rng(0), 8)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sizes": {"training": 4}},
        {"sizes": {"train": -1}},
        {"sizes": {"train": 2.5}},
        {"seed": -1},
        {"image_px": 8},
    ],
)
def test_bad_arguments_are_refused_before_writing(tmp_path, kwargs):
    with pytest.raises(ValueError):
        generate_dataset(tmp_path / "d", **kwargs)
    assert list(tmp_path.iterdir()) == []


# --- safety ----------------------------------------------------------------------------------


def test_refuses_a_non_empty_foreign_folder_and_leaves_it_untouched(tmp_path):
    target = tmp_path / "my_photos"
    (target / "train" / "santa").mkdir(parents=True)
    (target / "notes.txt").write_text("mine")
    (target / "train" / "santa" / "a.jpg").write_bytes(b"not really a jpeg")
    before = snapshot(target)
    with pytest.raises(FileExistsError) as caught:
        generate_dataset(target, sizes=SMALL, image_px=SMALL_PX)
    message = str(caught.value)
    assert str(target) in message
    assert "empty or new folder" in message
    assert snapshot(target) == before
    assert_no_temp_folders(tmp_path, {"my_photos"})


def test_refuses_a_file_in_the_way(tmp_path):
    target = tmp_path / "data"
    target.write_text("a file, not a folder")
    with pytest.raises(FileExistsError, match="empty or new folder"):
        generate_dataset(target, sizes=SMALL, image_px=SMALL_PX)
    assert target.read_text() == "a file, not a folder"
    assert_no_temp_folders(tmp_path, {"data"})


def test_refuses_its_own_folder_made_with_other_settings(small_set):
    before = snapshot(small_set)
    with pytest.raises(FileExistsError, match="other settings"):
        generate_dataset(small_set, seed=1, sizes=SMALL, image_px=SMALL_PX)
    with pytest.raises(FileExistsError):
        generate_dataset(small_set, seed=0, sizes={"train": 8}, image_px=SMALL_PX)
    assert snapshot(small_set) == before


def test_refuses_its_own_folder_with_missing_files(small_set):
    (small_set / "test" / "santa" / "santa_0000.jpg").unlink()
    before = snapshot(small_set)
    with pytest.raises(FileExistsError, match="missing"):
        generate_dataset(small_set, seed=0, sizes=SMALL, image_px=SMALL_PX)
    assert snapshot(small_set) == before


def test_complete_folder_is_returned_untouched(small_set):
    before = snapshot(small_set)
    assert generate_dataset(small_set, seed=0, sizes=SMALL, image_px=SMALL_PX) == small_set
    assert generate_dataset(str(small_set), seed=0, sizes=SMALL, image_px=SMALL_PX) == small_set
    assert snapshot(small_set) == before
    assert_no_temp_folders(small_set.parent, {small_set.name})


def test_existing_empty_folder_is_filled(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    assert generate_dataset(target, sizes=SMALL, image_px=SMALL_PX) == target
    assert len(list(target.rglob("*.jpg"))) == sum(SMALL.values())
    assert (target / MARKER_FILE).is_file()
    assert_no_temp_folders(tmp_path, {"empty"})


def test_missing_parent_folders_are_created(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    assert generate_dataset(target, sizes={"test": 2}, image_px=SMALL_PX) == target
    assert_no_temp_folders(target.parent, {"c"})


def test_embedded_data_dir_returns_the_existing_folder(full_set):
    cache, root = full_set
    before = snapshot(root)
    assert embedded_data_dir(cache) == root
    assert snapshot(root) == before


def test_the_notebooks_data_dir_embedded_finds_the_cached_set(full_set, monkeypatch):
    cache, root = full_set
    monkeypatch.setenv("SANTA_LIB_CACHE", str(cache))
    before = snapshot(root)
    assert choose_data("embedded").path == root
    assert snapshot(root) == before


# --- concurrency -----------------------------------------------------------------------------


def _race(cache: str, barrier, results) -> None:
    """One of two processes asking for the same data set at the same moment."""
    try:
        barrier.wait(timeout=60)
        results.put(("ok", str(embedded_data_dir(cache, seed=2))))
    except (OSError, ValueError, RuntimeError) as error:  # the parent asserts on it
        results.put(("error", repr(error)))


def test_two_processes_generating_into_one_cache_both_succeed(tmp_path):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_race, args=(str(tmp_path), barrier, results)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    root = tmp_path / f"embedded-v{GENERATOR_VERSION}-seed2"
    assert outcomes == [("ok", str(root))] * 2
    assert_no_temp_folders(tmp_path, {root.name})
    assert (root / MARKER_FILE).is_file()
    for (split, name), files in expected_names(SPLIT_SIZES).items():
        assert sorted(p.name for p in (root / split / name).iterdir()) == files


# --- cache location --------------------------------------------------------------------------


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SANTA_LIB_CACHE", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("SANTA_LIB_CACHE")
    assert default_cache_dir() == tmp_path / "xdg" / "santa_lib"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "santa_lib"


def test_embedded_data_dir_uses_santa_lib_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("SANTA_LIB_CACHE", str(tmp_path / "cache"))
    calls = []

    def fake_generate(target, seed=0, **kwargs):  # the full set is tested above
        calls.append((Path(target), seed, kwargs))
        return Path(target)

    monkeypatch.setattr(embedded.dataset, "generate_dataset", fake_generate)
    expected = tmp_path / "cache" / f"embedded-v{GENERATOR_VERSION}-seed7"
    assert embedded_data_dir(seed=7) == expected
    assert embedded_data_dir(tmp_path / "elsewhere") == (
        tmp_path / "elsewhere" / f"embedded-v{GENERATOR_VERSION}-seed0"
    )
    assert calls == [(expected, 7, {}), (calls[1][0], 0, {})]


# --- code shape ------------------------------------------------------------------------------

MAX_FUNCTION_LINES = 60


def embedded_sources() -> list[Path]:
    """The source files of santa_lib.sources.embedded: the package's modules, or the one module."""
    origin = Path(embedded.__file__)
    return sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]


def test_no_function_in_the_embedded_package_is_longer_than_60_lines():
    too_long, functions = [], 0
    for path in embedded_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions += 1
                first = min([node.lineno] + [line.lineno for line in node.decorator_list])
                length = node.end_lineno - first + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.name}:{node.lineno} {node.name} ({length} lines)")
    assert functions > 0
    assert too_long == []
