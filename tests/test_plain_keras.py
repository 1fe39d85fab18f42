"""What a student copies out of notebooks 01-03 runs on its own: Keras, NumPy arrays and the
lesson's two layers (preprocessing, and the one-resampling augmentation), nothing else from
santa_lib.

The script is put together from the notebooks themselves: the cells a student writes (tagged
``solution``), Keras' augmentation layers from 02, and the plain-Keras listings that 02 and 03
show beside their shortcuts (the fenced ``python`` blocks of their markdown). It runs in a fresh
process on small made-up pictures and reports what Keras did.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
FENCED = re.compile(r"```python\n(.*?)```", re.DOTALL)

PRELUDE = '''
import json, sys, types
import keras
import numpy as np
from santa_lib.augment import augmentation
from santa_lib.preprocessing import VGG19Preprocessing

sl = types.SimpleNamespace(VGG19Preprocessing=VGG19Preprocessing)  # the helpers allowed
augment = augmentation(0)
image_size, batch_size, epochs, learning_rate, seed = 32, 4, 2, 1e-4, 0
unfreeze_from_layer = "block5_conv1"
choice = types.SimpleNamespace(keras_weights=None)  # weights=None: no download in a test
keras.utils.set_random_seed(seed)
rng = np.random.default_rng(seed)


def split(count):
    labels = np.arange(count) % 2
    images = rng.integers(0, 120, (count, image_size, image_size, 3))
    images[labels == 1, :, :, 0] += 120  # santa pictures are redder
    return types.SimpleNamespace(images=images.astype("uint8"),
                                 labels=labels.astype("float32"))


train, validation, test = split(12), split(8), split(8)
report = {}
'''


def cells(notebook: str) -> list:
    return nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4).cells


def solution(notebook: str, first_line: str) -> str:
    """The ``solution`` cell of ``notebook`` whose source starts with ``first_line``."""
    found = [cell.source for cell in cells(notebook)
             if "solution" in cell.metadata.get("tags", []) and
             cell.source.startswith(first_line)]
    assert len(found) == 1, (notebook, first_line, len(found))
    return found[0]


def code_cell(notebook: str, start: str) -> str:
    found = [cell.source for cell in cells(notebook)
             if cell.cell_type == "code" and cell.source.startswith(start)]
    assert len(found) == 1, (notebook, start, len(found))
    return found[0]


def listing(notebook: str) -> str:
    """The one plain-Keras listing in ``notebook``'s markdown."""
    found = [block for cell in cells(notebook) if cell.cell_type == "markdown"
             for block in FENCED.findall(cell.source)]
    assert len(found) == 1, (notebook, len(found))
    return found[0]


def script() -> str:
    parts = [
        PRELUDE,
        "# --- 01",
        code_cell("01_feature_extraction", "base = keras.applications.VGG19("),
        solution("01_feature_extraction", "# Build the feature extractor"),
        "features = {name: feature_extractor.predict(part.images, verbose=0)\n"
        "            for name, part in [('train', train), ('validation', validation),"
        " ('test', test)]}",
        solution("01_feature_extraction", "# Build method 1's classifier"),
        solution("01_feature_extraction", "# Compile the classifier"),
        solution("01_feature_extraction", "# Train on the training features"),
        "report['01'] = {'epochs': len(history.epoch), 'keys': sorted(history.history),\n"
        "                'test': classifier.evaluate(features['test'], test.labels,"
        " verbose=0)}",
        "# --- 02",
        solution("02_frozen_base_augmentation", "# Build VGG19's base"),
        "report['02 before freezing'] = len(model.trainable_weights)",
        solution("02_frozen_base_augmentation", "# Freeze the base."),
        code_cell("02_frozen_base_augmentation", "keras_augmentation = keras.Sequential("),
        solution("02_frozen_base_augmentation", "# Compile the model"),
        "head_before = np.array(model.get_layer('head_dense').kernel)",
        listing("02_frozen_base_augmentation"),
        "report['02'] = {'trainable': len(augmented.trainable_weights),"
        " 'epochs': len(history.epoch),\n                'keys': sorted(history.history),"
        " 'first': augmented.layers[0].name,\n"
        "                'head moved': bool(np.abs(np.array(model.get_layer('head_dense')"
        ".kernel) - head_before).max() > 0),\n"
        "                'test': model.evaluate(test.images, test.labels, verbose=0),\n"
        "                'predict': list(model.predict(test.images, verbose=0).shape)}",
        "# --- 03: from a trained method-2 model as notebook 02's own cells make it (no "
        "augmentation layers: 02 augments in its input pipeline)",
        solution("02_frozen_base_augmentation", "# Build VGG19's base"),
        solution("02_frozen_base_augmentation", "# Freeze the base."),
        solution("03_fine_tuning", "# Unfreeze the base"),
        solution("03_fine_tuning", "# Recompile the model"),
        "before = [np.array(w) for w in base.get_layer('block5_conv1').weights]",
        listing("03_fine_tuning"),
        "moved = any(np.abs(np.array(w) - b).max() > 0\n"
        "            for w, b in zip(base.get_layer('block5_conv1').weights, before))",
        "report['03'] = {'trainable': len(augmented.trainable_weights),"
        " 'epochs': len(history.epoch),"
        "\n                'keys': sorted(history.history), 'block5 moved': bool(moved),"
        "\n                'first': augmented.layers[0].name,"
        "\n                'block1 trainable': base.get_layer('block1_conv1').trainable}",
        "report['santa_lib modules'] = sorted(m for m in sys.modules if m.startswith('santa_lib'))",
        "print(json.dumps(report))",
    ]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("plain") / "plain_keras.py"
    path.write_text(script())
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                            cwd=path.parent, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_only_the_preprocessing_layer_comes_from_santa_lib(report):
    # importing santa_lib.preprocessing loads the package (lazy: no helper module) and
    # its quiet TensorFlow start
    assert set(report["santa_lib modules"]) <= {
        "santa_lib", "santa_lib.preprocessing", "santa_lib.augment", "santa_lib.internals",
        "santa_lib.internals.quiet_start", "santa_lib.internals.environment"}


def test_method_1_trains_and_validates_on_features(report):
    assert report["01"]["epochs"] == 2
    assert report["01"]["keys"] == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(report["01"]["test"]) == 2


def test_method_2_freezes_augments_in_the_model_and_validates(report):
    assert report["02 before freezing"] == 36
    assert report["02"]["trainable"] == 4
    assert report["02"]["first"] == "augmentation" and report["02"]["head moved"]
    assert report["02"]["epochs"] == 2
    assert report["02"]["keys"] == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert report["02"]["predict"] == [8, 1]


def test_method_3_fine_tunes_block_5(report):
    assert report["03"]["trainable"] == 12
    assert report["03"]["epochs"] == 2
    assert report["03"]["keys"] == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert report["03"]["block5 moved"] and not report["03"]["block1 trainable"]
    assert report["03"]["first"] == "augmentation"  # the listing augments, as pasted
