import json
from types import MappingProxyType

import numpy as np
import pytest

from santa_lib.internals.params import (
    RULES,
    ParameterError,
    ParameterFileError,
    check_parameters,
    checked_parameters,
    load_parameters_file,
    number_from_text,
    parameters_cell,
    whole_number,
)


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
                head_epochs=10, head_learning_rate=2e-5, unfreeze_from_layer="block5_conv1",
                my_photo=None)
    assert check_parameters(**good) == good
    assert set(good) == set(RULES)
    assert check_parameters(data_dir="embedded", weights=None) == {"data_dir": "embedded",
                                                                   "weights": None}
    check_parameters(data_dir="photos", weights="random", precision="float32")


def test_whole_number_takes_integers_within_bounds():
    assert whole_number(3, "epochs", 1) == 3
    assert whole_number(np.int64(7), "seed") == 7 and type(whole_number(np.int64(7), "seed")) is int
    assert whole_number(5, "steps", 1, 5) == 5


@pytest.mark.parametrize(("value", "maximum", "message"), [
    (0, None, "epochs must be a whole number >= 1, got 0"),
    (True, None, "got True"),
    (2.0, None, "got 2.0"),
    ("3", None, "got '3'"),
    (None, None, "got None"),
    (6, 5, "epochs must be a whole number from 1 to 5, got 6"),
])
def test_whole_number_refuses_with_the_name_and_the_value(value, maximum, message):
    with pytest.raises(ValueError, match="epochs") as raised:
        whole_number(value, "epochs", 1, maximum)
    assert message in str(raised.value)


def test_whole_number_says_why_in_brackets():
    with pytest.raises(ValueError, match=r"image_size must be a whole number >= 32 \(VGG19"):
        whole_number(16, "image_size", 32, why="VGG19 halves the picture five times")


def test_checked_parameters_takes_the_lessons_names_from_a_namespace():
    namespace = {"epochs": 3, "seed": 0, "keras": object(), "other": "anything"}
    assert checked_parameters(namespace) == {"epochs": 3, "seed": 0}
    with pytest.raises(ParameterError, match="epochs must be a whole number >= 1, got 0"):
        checked_parameters({"epochs": 0})


def test_none_is_kept_only_when_it_means_the_default():
    namespace = {"data_dir": "embedded", "epochs": None, "learning_rate": None}
    assert checked_parameters(namespace, none_means_default=True) == namespace
    with pytest.raises(ParameterError, match="epochs must be a whole number >= 1, got None"):
        checked_parameters(namespace)
    with pytest.raises(ParameterError, match="epochs .*got 0"):
        checked_parameters({"epochs": 0}, none_means_default=True)


def test_a_misspelt_name_given_explicitly_is_refused():
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['epoch'\]"):
        check_parameters(epoch=3, seed=0)


@pytest.mark.parametrize(("text", "number"), [("1e-5", 1e-5), (" 2.5E-4 ", 2.5e-4), (".001", 0.001),
                                              ("10", 10.0)])
def test_a_number_written_as_text_is_the_number_it_means(text, number):
    assert number_from_text(text) == number and type(number_from_text(text)) is float
    assert check_parameters(learning_rate=text) == {"learning_rate": number}
    assert check_parameters(head_learning_rate=text)["head_learning_rate"] == number


@pytest.mark.parametrize("text", ["fast", "nan", "inf", "1e-5x", "", "1_000"])
def test_other_text_stays_text_and_a_rate_refuses_it(text):
    assert number_from_text(text) == text
    with pytest.raises(ParameterError, match=f"learning_rate must be a number > 0, got {text!r}"):
        check_parameters(learning_rate=text)


def test_checked_parameters_puts_the_number_into_the_notebooks_namespace():
    namespace = {"learning_rate": "1e-5", "epochs": 3, "seed": 0, "other": "1e-5"}
    found = checked_parameters(namespace)
    assert found == {"learning_rate": 1e-5, "epochs": 3, "seed": 0}
    assert namespace == {"learning_rate": 1e-5, "epochs": 3, "seed": 0, "other": "1e-5"}
    assert type(namespace["learning_rate"]) is float
    frozen = MappingProxyType({"learning_rate": "2e-5"})  # read-only: left as it is
    assert checked_parameters(frozen) == {"learning_rate": 2e-5}
    assert frozen["learning_rate"] == "2e-5"


def test_a_parameters_file_reads_1e_5_as_a_number(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("learning_rate: 1e-5\nhead_learning_rate: 2.0e-5\nepochs: 3\n"
                    "data_dir: embedded\nsteps_per_epoch: null\n")
    assert load_parameters_file(path) == {"learning_rate": 1e-5, "head_learning_rate": 2e-5,
                                          "epochs": 3, "data_dir": "embedded",
                                          "steps_per_epoch": None}
    (tmp_path / "empty.yaml").write_text("# nothing\n")
    assert load_parameters_file(tmp_path / "empty.yaml") == {}


@pytest.mark.parametrize(("text", "words"), [
    (None, "parameters file {path} not found: give a YAML file such as params/smoke.yaml."),
    ("epochs: [1\n", "parameters file {path} is not readable YAML (line 2)"),
    ("- 1\n", "parameters file {path} must hold a mapping of name: value"),
])
def test_an_unreadable_parameters_file_is_named_with_what_to_do(tmp_path, text, words):
    path = tmp_path / "p.yaml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ParameterFileError) as raised:
        load_parameters_file(path)
    assert words.format(path=path) in str(raised.value)


def test_one_parser_reads_a_parameters_cell_from_a_file_or_a_notebook(tmp_path, write_notebook):
    path = write_notebook(tmp_path / "n.ipynb", "x = 2", parameters="a = 1\nb = 'two'  # b\n")
    assert parameters_cell(path) == {"a": 1, "b": "two"}
    assert parameters_cell(json.loads(path.read_text())) == {"a": 1, "b": "two"}
    assert parameters_cell({"cells": []}) == {}
    bad = write_notebook(tmp_path / "bad.ipynb", parameters="a = f(1)")
    with pytest.raises(ValueError, match=f"parameters cell of {bad} is not `name = literal`"):
        parameters_cell(bad)
