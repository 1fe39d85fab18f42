"""check-data and the loader's own checks: every problem at once, named, nothing modified."""

import hashlib
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from santa_lib.cli import main
from santa_lib.data import DataError, load_data
from santa_lib.sources.checks import check_data


def snapshot(folder):
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_good_folder_is_usable(small_data, capsys):
    assert main(["check-data", str(small_data)]) == 0
    out = capsys.readouterr().out
    assert "usable" in out and "train 10" in out


def test_every_problem_is_reported_at_once_with_paths(small_data, capsys, write_image):
    (small_data / "test" / "santa").rename(small_data / "test" / "Santa")  # names differ
    for path in (small_data / "validation" / "santa").iterdir():
        path.unlink()  # empty class
    write_image(small_data / "train" / "reindeer" / "r.jpg", (90, 60, 30))  # third class
    (small_data / "train" / "santa" / "notes.txt").write_text("hello")  # not an image
    truncated = small_data / "train" / "not_santa" / "n0.jpg"
    truncated.write_bytes(truncated.read_bytes()[:200])  # truncated JPEG
    (small_data / "train" / "santa" / "fake.jpg").write_text("<html>")  # not an image inside
    before = snapshot(small_data)

    assert main(["check-data", str(small_data)]) == 1
    out = capsys.readouterr().out
    assert "different class folders" in out
    assert "validation/santa: empty class folder" in out
    assert "has 3 class folders" in out
    assert "notes.txt: not an image file" in out
    assert "n0.jpg: unreadable or truncated image" in out
    assert "fake.jpg: unreadable or truncated image" in out
    assert snapshot(small_data) == before


def test_missing_split_and_missing_folder(tmp_path, small_data):
    import shutil

    shutil.rmtree(small_data / "test")
    report = check_data(small_data)
    assert not report.usable
    assert any("test: missing split folder" in str(p) for p in report.problems)
    assert not check_data(tmp_path / "nowhere").usable


def test_loader_reports_all_unreadable_images_together(small_data):
    for name in ("n1.jpg", "n2.jpg"):
        (small_data / "train" / "not_santa" / name).write_bytes(b"\x00" * 10)
    with pytest.raises(DataError) as raised:
        load_data(small_data, image_size=32)
    lines = str(raised.value).splitlines()
    assert "cannot be used as it is" in lines[0]
    folder = small_data / "train" / "not_santa"
    assert [line.split(": unreadable or truncated image")[0] for line in lines[1:]] == [
        f"  - {folder / 'n1.jpg'}", f"  - {folder / 'n2.jpg'}"]


def test_loader_checks_the_layout_before_reading_images(small_data):
    (small_data / "validation" / "santa" / "readme.md").write_text("x")
    with pytest.raises(DataError, match="readme.md: not an image file"):
        load_data(small_data, image_size=32)


def png_16bit(path, width=30, height=20):
    """A 16-bit grayscale PNG written by hand (PIL writes I;16 only in some versions)."""
    rows = b"".join(b"\x00" + np.full(width, 50000, ">u2").tobytes() for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_unusual_but_real_images_are_fine(small_data, capsys):
    folder = small_data / "train" / "santa"
    Image.new("L", (30, 30), 128).save(folder / "gray.jpg")
    Image.new("CMYK", (30, 30), (0, 255, 255, 0)).save(folder / "cmyk.jpg")
    Image.new("P", (30, 30), 3).save(folder / "palette.png")
    Image.new("RGBA", (30, 30), (255, 0, 0, 128)).save(folder / "alpha.png")
    Image.new("RGB", (30, 30), (255, 0, 0)).save(folder / "webp_inside.jpg", format="WEBP")
    png_16bit(folder / "deep.png")
    big = Image.new("RGB", (7060, 7577), (200, 20, 20))
    big.save(folder / "huge.jpg", quality=60)
    assert main(["check-data", str(small_data)]) == 0, capsys.readouterr().out
    splits = load_data(small_data, image_size=32)
    assert len(splits.train) == 17
    assert splits.train.images.shape[1:] == (32, 32, 3)


def test_weights_install_checks_the_hash(tmp_path, monkeypatch, capsys):
    from santa_lib.sources import imagenet

    wrong = tmp_path / "download.h5"
    wrong.write_bytes(b"half a file")
    installed = imagenet.cached_weights_path()
    assert main(["weights", "install", str(wrong)]) == 1
    err = capsys.readouterr().err
    assert "nothing was installed" in err and imagenet.WEIGHTS_MD5 in err
    assert not installed.exists()
    assert [p.name for p in installed.parent.iterdir()] == []  # no staging folder left

    monkeypatch.setattr(imagenet, "WEIGHTS_MD5", hashlib.md5(wrong.read_bytes()).hexdigest())
    try:
        assert main(["weights", "install", str(wrong)]) == 0
        assert installed.read_bytes() == b"half a file"
        assert wrong.read_bytes() == b"half a file"
        assert main(["weights", "where"]) == 0
        assert "present" in capsys.readouterr().out
    finally:
        installed.unlink(missing_ok=True)
