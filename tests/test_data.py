from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from santa_lib.data import (
    DataChoice,
    DataError,
    Split,
    Splits,
    choose_data,
    count_images,
    format_counts,
    load_data,
    read_pictures,
)
from santa_lib.sources.folder import decode_image


def load_train(data_dir, image_size=32) -> Split:
    return load_data(data_dir, image_size).train


def test_a_split_uses_every_image_with_alphabetical_binary_labels(small_data):
    split = load_train(small_data)
    assert split.class_names == ("not_santa", "santa")
    assert split.images.shape == (10, 32, 32, 3)
    assert split.images.dtype == np.uint8
    assert split.labels.tolist() == [0.0] * 5 + [1.0] * 5
    # santa images are red, the others blue: the label follows the folder
    reds = split.images[..., 0].mean(axis=(1, 2))
    assert (reds[split.labels == 1] > reds[split.labels == 0].max()).all()


def test_load_data_gives_three_named_splits_and_counts(small_data):
    splits = load_data(small_data, image_size=32)
    assert isinstance(splits, Splits)
    train, validation, test = splits
    assert (train.name, validation.name, test.name) == ("train", "validation", "test")
    assert [name for name, _ in splits.items()] == ["train", "validation", "test"]
    assert splits.validation is validation
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
    split = load_train(small_data)
    assert len(split) == 10


def test_unreadable_file_stops_loading_with_its_path(small_data):
    bad = small_data / "train" / "santa" / "broken.jpg"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(DataError, match="broken.jpg"):
        load_train(small_data)


def test_three_classes_are_refused(small_data, write_image):
    write_image(small_data / "train" / "reindeer" / "r.jpg", (100, 80, 40))
    with pytest.raises(DataError, match="exactly two"):
        load_train(small_data)


def test_empty_class_is_refused(small_data):
    for path in (small_data / "test" / "santa").iterdir():
        path.unlink()
    with pytest.raises(DataError, match="empty"):
        load_data(small_data, 32)


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


def test_choose_data_errors_name_the_value(tmp_path):
    with pytest.raises(DataError, match="data_dir .*missing_folder"):
        choose_data(tmp_path / "missing_folder")
    with pytest.raises(DataError, match="data_dir must be a folder"):
        choose_data("")
    assert choose_data(str(tmp_path)).path == Path(tmp_path).resolve()


def test_each_kind_of_pictures_is_named_in_its_note(tmp_path):
    assert "synthetic" in DataChoice("embedded", tmp_path).note
    assert "2022" in DataChoice("photos", tmp_path).note
    assert str(tmp_path) in DataChoice("folder", tmp_path).note
    assert DataChoice("folder", tmp_path).label == str(tmp_path)


def test_read_pictures_reads_any_format_and_size_as_model_input(tmp_path):
    alpha = tmp_path / "alpha.png"
    Image.new("RGBA", (30, 50), (255, 0, 0, 128)).save(alpha)
    big = tmp_path / "big.jpg"
    Image.new("RGB", (3000, 2000), (20, 200, 20)).save(big, quality=70)
    pictures = read_pictures([alpha, str(big)], image_size=48)
    assert pictures.shape == (2, 48, 48, 3) and pictures.dtype == np.uint8
    # half-transparent red on white, then green
    assert pictures[0, ..., 0].mean() > 200 and 100 < pictures[0, ..., 1].mean() < 160
    assert pictures[1, ..., 1].mean() > 180 and pictures[1, ..., 0].mean() < 60
    assert read_pictures([], image_size=48).shape == (0, 48, 48, 3)


def test_read_pictures_names_a_missing_picture(tmp_path, write_image):
    present = write_image(tmp_path / "here.jpg", (200, 30, 30))
    with pytest.raises(DataError, match="no picture at .*not_here.jpg"):
        read_pictures([present, tmp_path / "not_here.jpg"], image_size=32)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    with pytest.raises(DataError, match="broken.png"):
        read_pictures([broken], image_size=32)


def test_data_module_imports_neither_the_checks_module_nor_keras():
    import subprocess
    import sys

    code = ("import sys, santa_lib.data; "
            "print('santa_lib.sources.checks' in sys.modules or 'keras' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
