import pytest

from santa_lib.internals.params import RULES, ParameterError, check_parameters


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("epochs", 0, "epochs must be a whole number >= 1, got 0"),
        ("epochs", 2.5, "got 2.5"),
        ("batch_size", -1, "batch_size must be a whole number >= 1, got -1"),
        ("image_size", 16, "image_size must be a whole number >= 32"),
        ("learning_rate", 0, "learning_rate must be a number > 0, got 0"),
        ("head_learning_rate", "fast", "head_learning_rate must be a number > 0, got 'fast'"),
        ("weights", "imagenet21k", "weights must be one of"),
        ("data_dir", "/no/such/folder", "data_dir '/no/such/folder' is not an existing folder"),
        ("data_dir", "", "data_dir must be a folder"),
        ("steps_per_epoch", 0, "steps_per_epoch must be a whole number >= 1"),
        ("seed", True, "seed must be a whole number >= 0, got True"),
        ("precision", "float16", "precision must be one of ['float32', 'bfloat16'], got 'float16'"),
        ("unfreeze_from_layer", "block5", "unfreeze_from_layer must name a layer of VGG19"),
    ],
)
def test_each_bad_parameter_is_named_with_its_value(name, value, message):
    with pytest.raises(ParameterError) as raised:
        check_parameters(**{name: value})
    assert message in str(raised.value)


def test_an_unknown_name_is_refused_with_the_known_ones():
    with pytest.raises(ParameterError) as raised:
        check_parameters(learnig_rate=0)
    message = str(raised.value)
    assert "unknown parameter(s) ['learnig_rate']" in message
    assert "'learning_rate'" in message and "'unfreeze_from_layer'" in message


def test_good_parameters_pass_and_come_back(tmp_path):
    good = dict(data_dir=str(tmp_path), weights="auto", image_size=64, batch_size=10, epochs=20,
                learning_rate=1e-4, steps_per_epoch=None, seed=0, precision="bfloat16",
                head_epochs=10, head_learning_rate=2e-5, unfreeze_from_layer="block5_conv1")
    assert check_parameters(**good) == good
    assert set(good) == set(RULES)
    assert check_parameters(data_dir="embedded", weights=None) == {"data_dir": "embedded",
                                                                   "weights": None}
    check_parameters(data_dir="photos", weights="random", precision="float32")
