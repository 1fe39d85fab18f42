import keras
import numpy as np
import pytest

from santa_lib.freezing import frozen_front_and_rest
from santa_lib.internals.params import VGG19_LAYER_NAMES, check_layer_name
from santa_lib.training import method2_model
from tests.bases import random_vgg19


def test_layer_names_are_vgg19s_own(random_base):
    assert VGG19_LAYER_NAMES == tuple(layer.name for layer in random_base.layers[1:])
    assert check_layer_name("block5_conv1") == "block5_conv1"
    with pytest.raises(ValueError, match="block6_conv1.*block5_conv1, block5_conv2"):
        check_layer_name("block6_conv1")


@pytest.mark.parametrize(("unfreeze_from", "front_output"),
                         [(None, (2, 2, 512)), ("block5_conv1", (4, 4, 512)),
                          ("block3_conv1", (16, 16, 128))])
def test_front_and_rest_together_are_the_model(unfreeze_from, front_output):
    base = random_vgg19(64, seed=2)
    model = method2_model(base, 64)
    base.trainable = False
    if unfreeze_from:
        base.trainable = True
        trainable = False
        for layer in base.layers:
            trainable = trainable or layer.name == unfreeze_from
            layer.trainable = trainable
    front, rest = frozen_front_and_rest(model)
    assert front.output_shape[1:] == front_output
    pictures = np.random.default_rng(0).integers(0, 256, (3, 64, 64, 3)).astype("float32")
    np.testing.assert_allclose(rest(front(pictures)), model(pictures), rtol=1e-4, atol=1e-6)


def test_nothing_frozen_means_no_front(random_base):
    random_base.trainable = True
    assert frozen_front_and_rest(method2_model(random_base, 64)) is None


def test_a_model_without_a_nested_base_is_named():
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)], name="plain")
    with pytest.raises(ValueError, match="plain has no nested base"):
        frozen_front_and_rest(plain)
