from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from santa_lib.sources.folder import (
    DataError,
    count_images,
    decode_image,
    format_counts,
    load_split,
    load_splits,
    resolve_data_dir,
)


def test_load_split_uses_every_image_with_alphabetical_binary_labels(small_data):
    split = load_split(small_data, "train", image_size=32)
    assert split.class_names == ("not_santa", "santa")
    assert split.images.shape == (10, 32, 32, 3)
    assert split.images.dtype == np.uint8
    assert split.labels.tolist() == [0.0] * 5 + [1.0] * 5
    # santa images are red, the others blue: the label follows the folder
    reds = split.images[..., 0].mean(axis=(1, 2))
    assert (reds[split.labels == 1] > reds[split.labels == 0].max()).all()


def test_load_splits_and_counts(small_data):
    splits = load_splits(small_data, image_size=32)
    assert {name: len(split) for name, split in splits.items()} == {
        "train": 10, "validation": 6, "test": 4}
    counts = count_images(small_data)
    assert counts["validation"] == {"not_santa": 3, "santa": 3}
    table = format_counts(counts)
    assert table.splitlines()[0].split() == ["split", "not_santa", "santa", "total"]
    assert table.splitlines()[1].split() == ["train", "5", "5", "10"]


def test_hidden_and_system_files_are_ignored(small_data):
    (small_data / "train" / "santa" / ".DS_Store").write_bytes(b"junk")
    (small_data / "train" / "santa" / "._s0.jpg").write_bytes(b"junk")
    (small_data / "train" / ".ipynb_checkpoints").mkdir()
    split = load_split(small_data, "train", image_size=32)
    assert len(split) == 10


def test_unreadable_file_stops_loading_with_its_path(small_data):
    bad = small_data / "train" / "santa" / "broken.jpg"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(DataError, match="broken.jpg"):
        load_split(small_data, "train", image_size=32)


def test_three_classes_are_refused(small_data, write_image):
    write_image(small_data / "train" / "reindeer" / "r.jpg", (100, 80, 40))
    with pytest.raises(DataError, match="exactly two"):
        load_split(small_data, "train", image_size=32)


def test_empty_class_is_refused(small_data):
    for path in (small_data / "test" / "santa").iterdir():
        path.unlink()
    with pytest.raises(DataError, match="empty"):
        load_split(small_data, "test", image_size=32)


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "CMYK", "I;16", "1"])
def test_any_colour_mode_becomes_rgb(tmp_path, mode):
    source = Image.new("RGB", (50, 30), (250, 20, 20))
    image = source.convert(mode) if mode != "I;16" else Image.new("I;16", (50, 30), 40000)
    path = tmp_path / f"img.{'tiff' if mode in ('I;16', 'CMYK') else 'png'}"
    image.save(path)
    pixels = decode_image(path, 32)
    assert pixels.shape == (32, 32, 3) and pixels.dtype == np.uint8
    assert pixels.max() > 0


def test_png_behind_a_jpg_name_and_exif_rotation(tmp_path, write_image):
    png = tmp_path / "actually_png.jpg"
    write_image(png, (10, 200, 10), fmt="PNG")
    assert decode_image(png, 32)[..., 1].mean() > 100

    wide = Image.new("RGB", (80, 40), (0, 0, 0))
    wide.paste((255, 255, 255), (0, 0, 40, 40))  # white left half
    exif = wide.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when displayed
    rotated = tmp_path / "rotated.jpg"
    wide.save(rotated, exif=exif)
    pixels = decode_image(rotated, 32)
    # displayed upright, the white half is on top
    assert pixels[:12].mean() > 200 and pixels[-12:].mean() < 50


def test_resolve_data_dir_errors_name_the_value(tmp_path):
    with pytest.raises(DataError, match="data_dir .*missing_folder"):
        resolve_data_dir(tmp_path / "missing_folder")
    with pytest.raises(DataError, match="data_dir must be a folder"):
        resolve_data_dir("")
    assert resolve_data_dir(str(tmp_path)) == Path(tmp_path)


def test_data_module_does_not_import_the_checks_module():
    import subprocess
    import sys

    code = "import sys, santa_lib.sources.folder; print('santa_lib.sources.checks' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
