import numpy as np
import pytest

from santa_lib.base import build_base
from santa_lib.freezing import count_trainable_tensors, freeze, trainable_table, unfreeze_from
from santa_lib.seeding import seed_everything
from santa_lib.training import build_frozen_base_model, compile_binary


@pytest.fixture
def model_and_base():
    seed_everything(1)
    base, _ = build_base("random", 32)
    return build_frozen_base_model(base), base


def test_trainable_counts_36_then_4_then_12(model_and_base):
    model, base = model_and_base
    assert count_trainable_tensors(model) == 36
    freeze(base)
    assert count_trainable_tensors(model) == 4
    names = unfreeze_from(base, "block5_conv1")
    assert names == ["block5_conv1", "block5_conv2", "block5_conv3", "block5_conv4", "block5_pool"]
    assert count_trainable_tensors(model) == 12
    assert not base.get_layer("block4_conv4").trainable
    assert base.get_layer("block5_conv1").trainable


def test_unfreeze_by_unknown_name_lists_the_layers(model_and_base):
    _, base = model_and_base
    with pytest.raises(ValueError, match="block6_conv1.*block5_conv1"):
        unfreeze_from(base, "block6_conv1")


def test_trainable_table_shows_flags_and_total(model_and_base):
    model, base = model_and_base
    freeze(base)
    lines = trainable_table(model).splitlines()
    assert lines[0].split() == ["layer", "type", "trainable", "tensors"]
    assert lines[1].split() == ["vgg19", "Functional", "False", "0"]
    assert lines[3].split() == ["head_dense", "Dense", "True", "2"]
    assert lines[-1] == "trainable weight tensors: 4"


def test_fine_tuning_after_recompile_moves_block5_only(model_and_base):
    model, base = model_and_base
    freeze(base)
    compile_binary(model, 1e-3)
    x = np.random.default_rng(0).normal(size=(4, 32, 32, 3)).astype("float32") * 50
    y = np.array([0, 1, 0, 1], dtype="float32")
    model.fit(x, y, epochs=1, verbose=0)
    unfreeze_from(base, "block5_conv1")
    compile_binary(model, 1e-3)
    block4 = base.get_layer("block4_conv4").get_weights()[0].copy()
    block5 = base.get_layer("block5_conv4").get_weights()[0].copy()
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(base.get_layer("block4_conv4").get_weights()[0], block4)
    assert not np.array_equal(base.get_layer("block5_conv4").get_weights()[0], block5)
