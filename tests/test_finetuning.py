import keras
import numpy as np
import pytest

from santa_lib.finetuning import (
    format_weight_changes,
    snapshot_weights,
    unchanged_groups,
    weight_change_summary,
    weight_changes,
)
from santa_lib.training import method2_model
from tests.bases import random_vgg19

GROUP_TENSORS = {"block1": 4, "block2": 4, "block3": 8, "block4": 8, "block5": 8, "head": 4}


def lesson_model(unfreeze_from: str | None):
    """The lesson's model at 32x32; the base frozen, or trainable from ``unfreeze_from`` on."""
    base = random_vgg19(32)
    model = method2_model(base, 32)
    base.trainable = unfreeze_from is not None
    if unfreeze_from is not None:
        names = [layer.name for layer in base.layers]
        for layer in base.layers[:names.index(unfreeze_from)]:
            layer.trainable = False
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="binary_crossentropy")
    return model


def train_one_step(model) -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (4, 32, 32, 3)).astype("float32")
    model.train_on_batch(images, np.array([0.0, 1.0, 0.0, 1.0], "float32"))


def test_fine_tuning_moves_block5_and_the_head_only():
    model = lesson_model(unfreeze_from="block5_conv1")
    before = snapshot_weights(model)
    train_one_step(model)
    rows = weight_changes(before, model)
    assert {row["group"]: row["tensors"] for row in rows} == GROUP_TENSORS
    changes = {row["group"]: row["relative_change"] for row in rows}
    assert [changes[f"block{n}"] for n in range(1, 5)] == [0.0, 0.0, 0.0, 0.0]
    assert changes["block5"] > 0 and changes["head"] > 0
    assert unchanged_groups(rows) == ["block1", "block2", "block3", "block4"]
    assert weight_change_summary(rows) == (
        "unchanged (exactly 0): block1, block2, block3, block4 | moved: block5, head")


def test_a_base_never_unfrozen_does_not_move_at_all():
    model = lesson_model(unfreeze_from=None)
    before = snapshot_weights(model)
    train_one_step(model)
    rows = weight_changes(before, model)
    assert unchanged_groups(rows) == ["block1", "block2", "block3", "block4", "block5"]
    assert weight_change_summary(rows).endswith("| moved: head")


def test_the_table_shows_exact_zero_as_0_and_a_tiny_change_as_non_zero():
    rows = [{"group": "block4", "tensors": 8, "relative_change": 0.0},
            {"group": "block5", "tensors": 8, "relative_change": 3.2e-9},
            {"group": "head", "tensors": 4, "relative_change": 0.01234}]
    lines = format_weight_changes(rows).splitlines()
    assert lines[0].split() == ["group", "tensors", "relative", "change"]
    assert lines[1].split() == ["block4", "8", "0"]
    assert lines[2].split() == ["block5", "8", "3.2e-09"]
    assert lines[3].split() == ["head", "4", "0.0123"]


def test_a_snapshot_of_another_model_is_refused():
    small = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="head_dense")])
    with pytest.raises(ValueError, match="snapshot does not match"):
        weight_changes({"head": [np.zeros((4, 2))]}, small)
