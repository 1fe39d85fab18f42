"""Sentences read off a run's numbers: each says what the curves beside it show."""

import numpy as np
import pytest

from santa_lib.observations import (
    comparison_observations,
    history_observations,
    run_context,
    same_answer_epochs,
    settings_outlook,
)

BALANCED = np.array([0.0, 1.0] * 10)  # 20 validation pictures, half of each class


def history(val_accuracy, val_loss=None, loss=None):
    epochs = len(val_accuracy)
    return {"val_accuracy": list(val_accuracy),
            "val_loss": list(val_loss or np.linspace(0.7, 0.5, epochs)),
            "loss": list(loss or np.linspace(0.7, 0.3, epochs)),
            "accuracy": list(np.linspace(0.5, 0.9, epochs))}


def test_a_collapse_and_its_recovery_are_named():
    text = history_observations(
        history([0.5, 0.5, 0.7, 0.85, 0.8, 0.5, 0.9, 0.88],
                val_loss=[0.69, 0.69, 0.6, 0.5, 0.52, 0.7, 0.45, 0.47]), BALANCED)
    assert "epochs 1, 2 and 6" in text
    assert "with the same class" in text
    assert "It recovered: epoch 7 reached 0.900" in text
    assert text.splitlines()[-1] == ("Kept for the test: the weights of epoch 7 of 8, "
                                     "validation accuracy 0.900.")


def test_one_collapsed_epoch_is_an_epoch():
    text = history_observations(history([0.5, 0.8, 0.9]), BALANCED)
    assert "in epoch 1," in text and "epochs" not in text.split(",")[0]


def test_still_improving_at_the_last_epoch():
    text = history_observations(history([0.6, 0.7, 0.8], val_loss=[0.7, 0.6, 0.5]), BALANCED)
    assert "still falling" in text and "more epochs" in text
    assert "same class" not in text


def test_memorising():
    text = history_observations(
        history([0.6, 0.8, 0.75, 0.7], val_loss=[0.6, 0.4, 0.5, 0.6],
                loss=[0.6, 0.4, 0.2, 0.1]), BALANCED)
    assert "lowest in epoch 2" in text and "memorise" in text
    assert "weights of epoch 2 of 4" in text


def test_a_flat_history_hardly_moved():
    text = history_observations(history([0.70, 0.705, 0.71, 0.70]), BALANCED)
    assert "hardly moved" in text and "between 0.700 and 0.710" in text
    assert "still falling" not in text


def test_before_fine_tuning():
    curves = history([0.6, 0.7, 0.65], val_loss=[0.6, 0.5, 0.55], loss=[0.6, 0.5, 0.5])
    assert "No epoch beat the validation accuracy of 0.800" in history_observations(
        curves, BALANCED, before=0.8)
    text = history_observations(curves, BALANCED, before=0.6)
    assert "Before this training the validation accuracy was 0.600" in text
    assert "No epoch beat" not in text


@pytest.mark.parametrize("same_answer", [0.7, 0.3])
def test_a_collapse_on_imbalanced_labels_is_the_share_of_either_class(same_answer):
    labels = np.array([1.0] * 3 + [0.0] * 7)  # 30 % class 1
    assert same_answer_epochs([0.8, same_answer, 0.9], labels) == [2]
    text = history_observations(history([0.8, same_answer, 0.9]), labels)
    assert f"was {same_answer:.2f} in epoch 2" in text and "with the same class" in text
    assert same_answer_epochs([0.5, 0.8], labels) == []  # 0.5 is no one answer here


def test_same_answer_epochs_need_labels():
    assert same_answer_epochs([0.5], np.array([])) == []


def test_settings_outlook_gives_each_notebook_its_own_settings():
    lines = settings_outlook({"epochs": 1, "batch_size": None, "learning_rate": None},
                             train_size=100).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "01_feature_extraction", "02_frozen_base_augmentation", "03_fine_tuning"]
    assert all("1 epoch of" in line and "1 epochs" not in line for line in lines)
    assert "up to 10 pictures at learning rate 0.0001" in lines[0]
    assert "up to 20 pictures at learning rate 2e-05" in lines[1]
    assert "5 steps" in lines[1]
    # notebook 03: its own head (10 epochs, 2e-5), then fine-tuning at 1e-4
    assert "10 epochs of 5 steps of up to 20 pictures at learning rate 2e-05" in lines[2]
    assert "from block5_conv1 for 1 epoch of 5 steps of up to 20 pictures at learning rate " \
           "0.0001" in lines[2]


def test_settings_outlook_with_capped_steps():
    text = settings_outlook({"steps_per_epoch": 1}, train_size=100)
    assert "1 step of up to 20 pictures" in text and "(20 of the 100 training pictures" in text


def record(method, accuracy, seconds, head=None, weights="random", data_dir="embedded",
           images_seen=5420):
    notebook = {"1": "01_feature_extraction", "2": "02_frozen_base_augmentation",
                "3": "03_fine_tuning"}[method[0]]
    return {"notebook": notebook, "method": method, "test_accuracy": accuracy,
            "seconds": seconds, "head": head, "weights": weights, "images_seen": images_seen,
            "parameters": {"data_dir": data_dir}}


def test_comparison_observations_rank_and_time_the_methods():
    results = [record("1 · feature extraction", 0.9, 37, images_seen=10840),
               record("3 · fine-tuning", 0.95, 100, head={"seconds": 50, "images_seen": 5420})]
    text = comparison_observations(results)
    assert "highest first: method 3 (0.950), then method 1 (0.900)" in text
    assert "0.050 apart" in text
    assert "Method 1 took 37.0 s here and 1 min 14.0 s in 2022 (2.0 times as long there)" in text
    assert "Method 3 took 2 min 30.0 s here" in text  # its head included
    assert comparison_observations([]) == "No method has run with these parameters yet."


def test_times_are_set_against_2022_only_for_about_as_much_training():
    slight = record("2 · frozen base + augmentation", 0.8, 9, images_seen=240)
    text = comparison_observations([slight])
    assert "Method 2's time is not set against 2022's: it trained on 240 pictures" in text
    assert "times as long" not in text


def test_run_context_names_the_case():
    random_run = run_context([record("1 · x", 0.9, 1), record("2 · y", 0.8, 1,
                                                              weights="random (offline fallback)")])
    assert random_run.startswith("Data: the lesson's built-in synthetic pictures")
    assert "random calibrated" not in random_run and "how far random" in random_run
    imagenet = run_context([record("1 · x", 0.9, 1, weights="imagenet")])
    assert "transfer learning proper" in imagenet
    assert run_context([]) == ""
