"""Readings of a run's numbers: the facts each is decided on, then (once) the sentences said."""

import numpy as np
import pytest

from santa_lib.observations import (
    history_facts,
    history_observations,
    same_answer_epochs,
)
from santa_lib.outlook import settings_facts, settings_outlook

BALANCED = np.array([0.0, 1.0] * 10)  # 20 validation pictures, half of each class


def history(val_accuracy, val_loss=None, loss=None):
    epochs = len(val_accuracy)
    return {"val_accuracy": list(val_accuracy),
            "val_loss": list(val_loss or np.linspace(0.7, 0.5, epochs)),
            "loss": list(loss or np.linspace(0.7, 0.3, epochs)),
            "accuracy": list(np.linspace(0.5, 0.9, epochs))}


def facts(val_accuracy, val_loss=None, loss=None, labels=BALANCED, before=None):
    return history_facts(history(val_accuracy, val_loss, loss), labels, before)


# ------------------------------------------------------------------------------ history facts


def test_a_collapse_and_its_recovery():
    run = facts([0.5, 0.5, 0.7, 0.85, 0.8, 0.5, 0.9, 0.88],
                val_loss=[0.69, 0.69, 0.6, 0.5, 0.52, 0.7, 0.45, 0.47])
    assert run.same_answer_epochs == (1, 2, 6) and run.same_answer_accuracy == 0.5
    assert not run.collapsed_throughout
    assert (run.epochs, run.kept_epoch, run.kept_accuracy) == (8, 7, 0.9)  # after the collapse
    assert run.trend is None  # lowest loss in epoch 7, 0.47 at the end is no 10 % rise


def test_one_collapsed_epoch():
    run = facts([0.5, 0.8, 0.9])
    assert run.same_answer_epochs == (1,) and run.kept_epoch == 3


def test_the_kept_epoch_can_be_a_collapsed_one():
    run = facts([0.5, 0.45, 0.4])
    assert run.same_answer_epochs == (1,) and run.kept_epoch == 1


def test_a_collapse_in_every_epoch_is_also_constant():
    run = facts([0.5, 0.5, 0.5])
    assert run.same_answer_epochs == (1, 2, 3) and run.collapsed_throughout
    assert run.trend == "constant" and run.kept_epoch == 1


@pytest.mark.parametrize("same_answer", [0.7, 0.3])
def test_a_collapse_on_imbalanced_labels_is_the_share_of_either_class(same_answer):
    labels = np.array([1.0] * 3 + [0.0] * 7)  # 30 % class 1
    assert same_answer_epochs([0.8, same_answer, 0.9], labels) == [2]
    run = facts([0.8, same_answer, 0.9], labels=labels)
    assert run.same_answer_epochs == (2,) and run.same_answer_accuracy == same_answer
    assert same_answer_epochs([0.5, 0.8], labels) == []  # 0.5 is no one answer here


def test_same_answer_epochs_need_labels():
    assert same_answer_epochs([0.5], np.array([])) == []
    assert facts([0.5, 0.6], labels=np.array([])).same_answer_epochs == ()


def test_still_improving_at_the_last_epoch():
    run = facts([0.6, 0.7, 0.8], val_loss=[0.7, 0.6, 0.5])
    assert run.trend == "still improving"
    assert (run.lowest_loss_epoch, run.lowest_val_loss, run.last_val_loss) == (3, 0.5, 0.5)
    assert not run.accuracy_fell_last and run.same_answer_epochs == ()


def test_still_falling_loss_while_accuracy_fell_in_the_last_epoch():
    run = facts([0.6, 0.9, 0.85], val_loss=[0.7, 0.6, 0.5])
    assert run.trend == "still improving" and run.lowest_loss_epoch == 3
    assert run.accuracy_fell_last
    assert (run.previous_accuracy, run.last_accuracy) == (0.9, 0.85)
    assert run.kept_epoch == 2  # so no "more epochs would likely help" (see the wording)


def test_memorising():
    run = facts([0.6, 0.8, 0.75, 0.7], val_loss=[0.6, 0.4, 0.5, 0.6], loss=[0.6, 0.4, 0.2, 0.1])
    assert run.trend == "memorising"
    assert (run.lowest_loss_epoch, run.lowest_val_loss, run.last_val_loss) == (2, 0.4, 0.6)
    assert (run.loss_at_lowest, run.last_loss) == (0.4, 0.1)
    assert (run.kept_epoch, run.epochs) == (2, 4)


def test_a_rising_loss_with_a_rising_training_loss_is_no_memorising():
    run = facts([0.6, 0.8, 0.75, 0.7], val_loss=[0.6, 0.4, 0.5, 0.6], loss=[0.6, 0.1, 0.2, 0.3])
    assert run.trend is None


def test_a_flat_history():
    run = facts([0.70, 0.705, 0.71, 0.70])
    assert run.trend == "flat"  # though the loss falls to its lowest in the last epoch
    assert (run.lowest_accuracy, run.highest_accuracy) == (0.70, 0.71)


def test_a_constant_history():
    run = facts([0.7, 0.7, 0.7])
    assert run.trend == "constant" and run.same_answer_epochs == ()


def test_one_epoch_has_no_trend():
    run = facts([0.7])
    assert run.trend is None and run.previous_accuracy is None and not run.accuracy_fell_last


def test_before_fine_tuning():
    curves = {"val_loss": [0.6, 0.5, 0.55], "loss": [0.6, 0.5, 0.5]}
    beaten = facts([0.6, 0.7, 0.65], **curves, before=0.6)
    assert (beaten.before, beaten.beat_before, beaten.kept_epoch) == (0.6, True, 2)
    assert facts([0.6, 0.7, 0.65], **curves, before=0.8).beat_before is False
    assert facts([0.6, 0.7, 0.65], **curves).beat_before is None


def test_history_observations_reads_a_keras_history():
    class History:
        history = history([0.6, 0.7, 0.8])

    assert history_observations(History(), BALANCED) == history_observations(
        History.history, BALANCED)


# ----------------------------------------------------------------------------- settings facts


def test_settings_facts_give_each_notebook_its_own_settings():
    notebooks = settings_facts({"epochs": 1, "batch_size": None, "learning_rate": None},
                               train_size=100)
    assert [notebook.notebook for notebook in notebooks] == [
        "01_feature_extraction", "02_frozen_base_augmentation", "03_fine_tuning", "04_from_scratch"]
    assert all(notebook.epochs == 1 and notebook.pictures_per_epoch == 100
               for notebook in notebooks)
    first, second, third, scratch = notebooks
    assert (first.batch_size, first.steps, first.learning_rate) == (10, 10, 1e-4)
    assert (second.batch_size, second.steps, second.learning_rate) == (20, 5, 2e-5)
    # notebook 03: its own head (10 epochs, 2e-5), then fine-tuning at 1e-5
    assert (third.head_epochs, third.head_learning_rate) == (10, 2e-5)
    assert (third.steps, third.learning_rate, third.unfreeze_from_layer) == (5, 1e-5,
                                                                           "block5_conv1")
    # the baseline declares no head settings and no steps_per_epoch
    assert (scratch.batch_size, scratch.steps, scratch.learning_rate) == (20, 5, 1e-3)
    assert scratch.head_epochs is None and scratch.unfreeze_from_layer is None


def test_settings_facts_with_capped_steps():
    notebooks = {notebook.notebook: notebook
                 for notebook in settings_facts({"steps_per_epoch": 1}, train_size=100)}
    for capped in ("02_frozen_base_augmentation", "03_fine_tuning"):
        assert (notebooks[capped].steps, notebooks[capped].pictures_per_epoch) == (1, 20)
    for free in ("01_feature_extraction", "04_from_scratch"):  # no steps_per_epoch to cap
        assert notebooks[free].pictures_per_epoch == 100


# ------------------------------------------------------------------------------- the wording

WORDING = {
    "collapse and recovery": (
        lambda: history_observations(history(
            [0.5, 0.5, 0.7, 0.85, 0.8, 0.5, 0.9, 0.88],
            val_loss=[0.69, 0.69, 0.6, 0.5, 0.52, 0.7, 0.45, 0.47]), BALANCED),
        "Validation accuracy was 0.50 in epochs 1, 2 and 6, exactly the score of answering every "
        "validation picture with the same class: the model most likely did just that there. It "
        "recovered: epoch 7 reached 0.900.\n"
        "Kept for the test: the weights of epoch 7 of 8, validation accuracy 0.900. "
        "Being the best of 8 on validation, that figure is optimistic: "
        "the test score is the one to trust."),
    "kept collapsed, loss falling, accuracy fell": (
        lambda: history_observations(history([0.5, 0.45, 0.4]), BALANCED),
        "Validation accuracy was 0.50 in epoch 1, exactly the score of answering every validation "
        "picture with the same class: the model most likely did just that there. The epoch kept "
        "is one of them.\n"
        "Validation loss was still falling at the last epoch (0.500, its lowest), but validation "
        "accuracy fell in that epoch (from 0.450 to 0.400).\n"
        "Kept for the test: the weights of epoch 1 of 3, validation accuracy 0.500. "
        "Being the best of 3 on validation, that figure is optimistic: "
        "the test score is the one to trust."),
    "collapsed throughout": (
        lambda: history_observations(history([0.5, 0.5]), BALANCED),
        "Validation accuracy was 0.50 in every epoch, exactly the score of answering every "
        "validation picture with the same class: the model most likely did just that there. The "
        "epoch kept is one of them.\n"
        "Kept for the test: the weights of epoch 1 of 2, validation accuracy 0.500. "
        "Being the best of 2 on validation, that figure is optimistic: "
        "the test score is the one to trust."),
    "still improving, before not beaten": (
        lambda: history_observations(history([0.6, 0.7, 0.8]), BALANCED, before=0.9),
        "Validation loss was still falling at the last epoch (0.500, its lowest): more epochs "
        "would likely help.\n"
        "No epoch beat the validation accuracy of 0.900 that the model had before this training.\n"
        "Kept for the test: the weights of fine-tuning epoch 3 of 3, validation accuracy 0.800. "
        "Being the best of 3 on validation, that figure is optimistic: "
        "the test score is the one to trust."),
    "memorising, before beaten": (
        lambda: history_observations(history(
            [0.6, 0.8, 0.75, 0.7], val_loss=[0.6, 0.4, 0.5, 0.6], loss=[0.6, 0.4, 0.2, 0.1]),
            BALANCED, before=0.7),
        "Validation accuracy fell from 0.800 (epoch 2) to 0.700 in epoch 4, the last epoch.\n"
        "Validation loss was lowest in epoch 2 (0.400) and rose to 0.600 by epoch 4, while the "
        "training loss kept falling (0.400 to 0.100): the model has started to memorise its "
        "training pictures.\n"
        "Before this training the validation accuracy was 0.700; the best epoch, 2, reached "
        "0.800.\n"
        "Kept for the test: the weights of fine-tuning epoch 2 of 4, validation accuracy 0.800. "
        "Being the best of 4 on validation, that figure is optimistic: "
        "the test score is the one to trust."),
    "flat": (
        lambda: history_observations(history([0.70, 0.705, 0.71, 0.70]), BALANCED),
        "Validation accuracy hardly moved: between 0.700 and 0.710 in every epoch.\n"
        "Kept for the test: the weights of epoch 3 of 4, validation accuracy 0.710. "
        "Being the best of 4 on validation, that figure is optimistic: "
        "the test score is the one to trust."),
    "constant": (
        lambda: history_observations(history([0.7, 0.7]), BALANCED),
        "Validation accuracy was 0.700 in every epoch.\n"
        "Kept for the test: the weights of epoch 1 of 2, validation accuracy 0.700. "
        "Being the best of 2 on validation, that figure is optimistic: "
        "the test score is the one to trust."),
    "settings, every picture": (
        lambda: settings_outlook({}, train_size=542),
        "Each epoch goes through all 542 training pictures unless steps_per_epoch caps it.\n"
        "01_feature_extraction: trains for 20 epochs of 55 steps of up to 10 pictures at "
        "learning rate 0.0001.\n"
        "02_frozen_base_augmentation: trains for 10 epochs of 28 steps of up to 20 pictures at "
        "learning rate 2e-05.\n"
        "03_fine_tuning: starts from notebook 02's model: VGG19 frozen under new classifier "
        "layers (the head), trained for 10 epochs of 28 steps of up to 20 pictures at "
        "learning rate 2e-05. Then it also trains VGG19's layers from block5_conv1 on (the first "
        "layer of its last block) for 10 epochs of 28 steps of up to 20 pictures at learning "
        "rate 1e-05.\n"
        "04_from_scratch: trains for 20 epochs of 28 steps of up to 20 pictures at learning rate "
        "0.001."),
    "settings, capped steps": (
        lambda: settings_outlook({"epochs": 1, "steps_per_epoch": 1}, train_size=100),
        "Each epoch goes through all 100 training pictures unless steps_per_epoch caps it.\n"
        "01_feature_extraction: trains for 1 epoch of 10 steps of up to 10 pictures at learning "
        "rate 0.0001.\n"
        "02_frozen_base_augmentation: trains for 1 epoch of 1 step of up to 20 pictures at "
        "learning rate 2e-05 (20 of the 100 training pictures per epoch).\n"
        "03_fine_tuning: starts from notebook 02's model: VGG19 frozen under new classifier "
        "layers (the head), trained for 10 epochs of 1 step of up to 20 pictures at "
        "learning rate 2e-05. Then it also trains VGG19's layers from block5_conv1 on (the first "
        "layer of its last block) for 1 epoch of 1 step of up to 20 pictures at learning rate "
        "1e-05 (20 of the 100 training pictures per epoch in both).\n"
        "04_from_scratch: trains for 1 epoch of 5 steps of up to 20 pictures at learning rate "
        "0.001."),
}


@pytest.mark.parametrize("case", WORDING)
def test_the_wording_of_each_kind_of_sentence(case):
    render, expected = WORDING[case]
    assert render() == expected


# ------------------------------------------------------------------------- drops, kept epoch


def test_a_large_drop_is_named_with_its_recovery():
    run = facts([0.70, 0.78, 0.74, 0.60, 0.585, 0.72, 0.80, 0.79],
                val_loss=[0.6, 0.5, 0.55, 0.65, 0.7, 0.55, 0.45, 0.46])
    assert run.drop == (2, 0.78, 5, 0.585) and run.same_answer_epochs == ()
    text = history_observations(history([0.70, 0.78, 0.74, 0.60, 0.585, 0.72, 0.80, 0.79],
                                        [0.6, 0.5, 0.55, 0.65, 0.7, 0.55, 0.45, 0.46]), BALANCED)
    assert ("Validation accuracy fell from 0.780 (epoch 2) to 0.585 in epoch 5, then "
            "recovered: epoch 7 reached 0.800.") in text


def test_a_small_dip_or_a_collapse_is_not_named_as_a_drop():
    assert facts([0.70, 0.65, 0.75]).drop is None  # 0.05: within the swings
    collapse = history_observations(history([0.8, 0.5, 0.85]), BALANCED)
    assert "fell from" not in collapse and "exactly the score of answering" in collapse


def test_a_drop_in_the_last_epoch_says_so():
    text = history_observations(history([0.6, 0.8, 0.65]), BALANCED)
    assert "fell from 0.800 (epoch 2) to 0.650 in epoch 3, the last epoch." in text


def test_a_kept_epoch_after_the_turn_of_validation_loss_is_explained():
    val_loss = [0.7, 0.6, 0.5, 0.58, 0.66]
    text = history_observations(history([0.6, 0.7, 0.75, 0.78, 0.76], val_loss,
                                         loss=[0.7, 0.5, 0.4, 0.3, 0.2]), BALANCED)
    assert "started to memorise" in text
    assert ("Kept for the test: the weights of epoch 4 of 5, validation accuracy 0.780. It "
            "comes after validation loss turned up (epoch 3)") in text


def test_fine_tuning_numbers_its_own_epochs():
    text = history_observations(history([0.8, 0.85]), BALANCED, before=0.78)
    assert "the weights of fine-tuning epoch 2 of 2" in text


def test_a_curve_with_no_named_trend_is_still_described():
    text = history_observations(history([0.60, 0.66, 0.64, 0.65], [0.60, 0.55, 0.52, 0.54]),
                                BALANCED)
    assert text.startswith("Validation accuracy went from 0.600 in epoch 1 to 0.650 in epoch 4, "
                           "between 0.600 and 0.660 on the way; validation loss was lowest in "
                           "epoch 3 (0.520).")
