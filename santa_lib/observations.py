"""Sentences read off this run's numbers, printed beside the figures (notebooks 00-04).

The notebooks' fixed prose says only what holds in every run (embedded pictures or photos,
random or ImageNet weights). What depends on this run (a collapse in the curves and a recovery,
a model still improving at its last epoch or memorising its training pictures, how the methods
rank, how long they took against 2022) is computed here from the history and the results, and
printed next to the figure it describes, so no sentence can contradict the curves beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from santa_lib.comparison import REFERENCE_2022, total_images, total_seconds
from santa_lib.data import data_description
from santa_lib.internals.results import history_values, method_settings, scored_epoch
from santa_lib.internals.timing import format_duration

FLAT_RANGE = 0.02
"""Validation accuracy moving less than this over all epochs counts as flat."""
RISE_SHARE = 0.10
"""Validation loss ending this much above its lowest value counts as rising again."""
SAME_WORK = 0.10
"""Times are set against 2022's only when the training pictures seen differ by less than this."""


def _epochs(numbers: Sequence[int]) -> str:
    """``[1, 2, 6]`` -> ``"epochs 1, 2 and 6"``; ``[3]`` -> ``"epoch 3"``."""
    names = [str(number) for number in numbers]
    if len(names) == 1:
        return f"epoch {names[0]}"
    return f"epochs {', '.join(names[:-1])} and {names[-1]}"


def same_answer_epochs(accuracies: Sequence[float], labels: np.ndarray) -> list[int]:
    """The epochs (1-based) whose validation accuracy is exactly what answering every picture
    with the same class scores: the share of one class among ``labels``."""
    labels = np.asarray(labels).reshape(-1)
    if labels.size == 0:
        return []
    shares = {float(np.mean(labels > 0.5)), float(np.mean(labels <= 0.5))}
    tolerance = 0.5 / labels.size  # less than one picture
    return [epoch for epoch, accuracy in enumerate(accuracies, start=1)
            if any(abs(accuracy - share) < tolerance for share in shares)]


def _collapse(accuracies: list[float], labels: np.ndarray, kept: int) -> list[str]:
    collapsed = same_answer_epochs(accuracies, labels)
    if not collapsed:
        return []
    where = "every epoch" if len(collapsed) == len(accuracies) else _epochs(collapsed)
    text = (f"Validation accuracy was {accuracies[collapsed[0] - 1]:.2f} in {where}, exactly the "
            "score of answering every validation picture with the same class: the model most "
            "likely did just that there.")
    if kept in collapsed:
        text += " The epoch kept is one of them."
    elif kept > collapsed[0]:
        text += f" It recovered: epoch {kept} reached {accuracies[kept - 1]:.3f}."
    return [text]


def _trend(values: dict[str, list[float]]) -> list[str]:
    """Still improving at the end, memorising, or flat: at most one sentence."""
    val_loss, loss = values["val_loss"], values["loss"]
    accuracies = values["val_accuracy"]
    last = len(val_loss)
    lowest = int(np.argmin(val_loss)) + 1
    if max(accuracies) == min(accuracies) and last > 1:
        return [f"Validation accuracy was {accuracies[0]:.3f} in every epoch."]
    if max(accuracies) - min(accuracies) < FLAT_RANGE and last > 1:
        return [f"Validation accuracy hardly moved: between {min(accuracies):.3f} and "
                f"{max(accuracies):.3f} in every epoch."]
    if last > 1 and lowest == last:
        return [f"Validation loss was still falling at the last epoch ({val_loss[-1]:.3f}, its "
                "lowest): more epochs would likely help."]
    rose = val_loss[-1] > val_loss[lowest - 1] * (1 + RISE_SHARE)
    if rose and loss[-1] < loss[lowest - 1]:
        return [f"Validation loss was lowest in epoch {lowest} ({val_loss[lowest - 1]:.3f}) and "
                f"rose to {val_loss[-1]:.3f} by epoch {last}, while the training loss kept "
                f"falling ({loss[lowest - 1]:.3f} to {loss[-1]:.3f}): the model has started to "
                "memorise its training pictures."]
    return []


def history_observations(history, validation_labels: np.ndarray,
                         before: float | None = None) -> str:
    """What this run's curves show, in plain sentences (one per line).

    ``history`` is a Keras ``History`` (or its dict) with ``loss``, ``val_loss`` and
    ``val_accuracy``; ``validation_labels`` tell which accuracy means "the same answer for every
    picture"; ``before`` is the validation accuracy the model had before this training (method
    3). The last line names the epoch whose weights are kept, as ``EarlyStopping(monitor=
    "val_accuracy", restore_best_weights=True)`` keeps them.
    """
    values = history_values(history)
    accuracies = values["val_accuracy"]
    kept = scored_epoch(values)
    collapse = _collapse(accuracies, validation_labels, kept)
    trend = _trend(values)
    if collapse and trend and "in every epoch" in trend[0] and "every epoch" in collapse[0]:
        trend = []  # the collapse sentence said it already
    lines = collapse + trend
    if before is not None:
        if max(accuracies) > before:
            lines.append(f"Before this training the validation accuracy was {before:.3f}; the "
                         f"best epoch, {kept}, reached {accuracies[kept - 1]:.3f}.")
        else:
            lines.append(f"No epoch beat the validation accuracy of {before:.3f} that the model "
                         "had before this training.")
    lines.append(f"Kept for the test: the weights of epoch {kept} of {len(accuracies)}, "
                 f"validation accuracy {accuracies[kept - 1]:.3f}.")
    return "\n".join(lines)


def _training(epochs: int, steps: int | None, batch: int, rate: float, train_size: int) -> str:
    per_epoch = min(steps * batch, train_size) if steps else train_size
    steps = steps or -(-train_size // batch)
    return (f"{epochs} epoch{'s' if epochs != 1 else ''} of {steps} step"
            f"{'s' if steps != 1 else ''} of up to {batch} pictures at learning rate {rate:g} "
            f"({per_epoch} of the {train_size} training pictures per epoch)")


def settings_outlook(given: Mapping[str, object], train_size: int) -> str:
    """What each method notebook's training settings mean (notebook 00), one line each."""
    lines = []
    for notebook, settings in method_settings(given).items():
        batch, steps = settings["batch_size"], settings.get("steps_per_epoch")
        text = _training(settings["epochs"], steps, batch, settings["learning_rate"], train_size)
        if notebook == "03_fine_tuning":
            head = _training(settings["head_epochs"], steps, batch,
                             settings["head_learning_rate"], train_size)
            text = (f"starts from notebook 02's head ({head}), then fine-tunes from "
                    f"{settings['unfreeze_from_layer']} for {text}")
        else:
            text = f"trains for {text}"
        lines.append(f"{notebook}: {text}.")
    return "\n".join(lines)


def comparison_observations(results: Sequence[Mapping]) -> str:
    """How the methods rank on the test split, and how long each took against 2022."""
    if not results:
        return "No method has run with these parameters yet."
    ranked = sorted(results, key=lambda result: -result["test_accuracy"])
    order = ", then ".join(f"method {result['method'][0]} ({result['test_accuracy']:.3f})"
                           for result in ranked)
    lines = [f"Test accuracy, highest first: {order}."]
    if len(ranked) > 1:
        gap = ranked[0]["test_accuracy"] - ranked[-1]["test_accuracy"]
        lines.append(f"First and last are {gap:.3f} apart in test accuracy"
                     + (": the same score." if gap == 0 else "."))
    reference = {row["method"]: row for row in REFERENCE_2022}
    lines += [_against_2022(result, reference.get(result["method"])) for result in results]
    return "\n".join(line for line in lines if line)


def _against_2022(result: Mapping, old: Mapping | None) -> str:
    """The method's time against 2022's, when both trained on about as many pictures."""
    seconds, images = total_seconds(result), total_images(result)
    if seconds is None or images is None or old is None:
        return ""
    number = result["method"][0]
    if abs(images - old["images_seen"]) > SAME_WORK * old["images_seen"]:
        return (f"Method {number}'s time is not set against 2022's: it trained on {images:,} "
                f"pictures, the 2022 lesson on {old['images_seen']:,}.")
    ratio = old["seconds"] / seconds if seconds else float("inf")
    return (f"Method {number} took {format_duration(seconds)} here and "
            f"{format_duration(old['seconds'])} in 2022 ({ratio:.1f} times as long there).")


def run_context(results: Sequence[Mapping]) -> str:
    """Which case these results are: the data and the weights they were made with."""
    if not results:
        return ""
    data = {str(result["parameters"].get("data_dir")) for result in results}
    weights = {result["weights"] for result in results}
    text = ("Data: " + "; ".join(data_description(value) for value in sorted(data))
            + ". Weights: " + ", ".join(sorted(weights)) + ".")
    if all(label.startswith("random") for label in weights):
        text += (" With random weights the base knows nothing of ImageNet: these accuracies "
                 "show how far random, calibrated features go, not how well transfer learning "
                 "works, and the methods' order can differ from a run with ImageNet weights.")
    elif "imagenet" in weights:
        text += (" With ImageNet weights the base brings what it learned on 1.2 million "
                 "photos: this is transfer learning proper.")
    return text


__all__ = ["comparison_observations", "history_observations", "run_context",
           "same_answer_epochs", "settings_outlook"]
