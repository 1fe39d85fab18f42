import pytest

from santa_lib.params import ParameterError, check_parameters


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
        ("data_dir", "", "data_dir must be a folder path"),
        ("steps_per_epoch", 0, "steps_per_epoch must be a whole number >= 1"),
        ("seed", True, "seed must be a whole number >= 0, got True"),
        ("precision", "float16", "precision must be one of ['float32', 'bfloat16'], got 'float16'"),
    ],
)
def test_each_bad_parameter_is_named_with_its_value(name, value, message):
    with pytest.raises(ParameterError) as raised:
        check_parameters(**{name: value})
    assert message in str(raised.value)


def test_good_parameters_pass(tmp_path):
    check_parameters(data_dir=str(tmp_path), weights="auto", image_size=64, batch_size=10,
                     epochs=20, learning_rate=1e-4, steps_per_epoch=None, seed=0)
    check_parameters(data_dir="embedded", weights=None)
    check_parameters(weights="random")
    check_parameters(precision="float32")
    check_parameters(precision="bfloat16")
