"""Sentences read off this run's numbers, printed beside the figures (notebooks 00-05).

The notebooks' fixed prose says only what holds in every run (embedded pictures or photos,
random or ImageNet weights). What depends on this run (a collapse in the curves and a recovery,
a model still improving at its last epoch or memorising its training pictures, how long the
methods took against 2022) is computed here from the history and the results, and printed next to
the figure it describes, so no sentence can contradict the curves beside it.
Two steps: the facts, as numbers in a frozen dataclass (:func:`history_facts`,
:func:`settings_facts`), then their sentences, in one place each (:func:`render_history`,
:func:`render_settings`); what to say is decided on the facts, never on sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

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

Trend = Literal["constant", "flat", "still improving", "memorising"]
"""How validation went: ``"constant"`` (one accuracy in every epoch), ``"flat"`` (all within
:data:`FLAT_RANGE`), ``"still improving"`` (validation loss lowest at the last epoch),
``"memorising"`` (validation loss :data:`RISE_SHARE` above its lowest, training loss lower)."""


@dataclass(frozen=True)
class HistoryFacts:
    """What a run's curves show (epochs 1-based): the epoch kept (:func:`scored_epoch`), the
    collapsed ones (:func:`same_answer_epochs`, with the first's accuracy), the trend and the
    losses behind it (at the lowest validation loss and at the end), whether validation accuracy
    fell in the last epoch, ``before`` (method 3) and whether an epoch beat it."""

    epochs: int
    kept_epoch: int
    kept_accuracy: float
    same_answer_epochs: tuple[int, ...]
    same_answer_accuracy: float | None
    lowest_accuracy: float
    highest_accuracy: float
    trend: Trend | None
    lowest_loss_epoch: int
    lowest_val_loss: float
    last_val_loss: float
    loss_at_lowest: float
    last_loss: float
    previous_accuracy: float | None
    last_accuracy: float
    accuracy_fell_last: bool
    before: float | None = None
    beat_before: bool | None = None

    @property
    def collapsed_throughout(self) -> bool:
        """Whether every epoch scored what one answer for every picture scores."""
        return len(self.same_answer_epochs) == self.epochs


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


def _trend(accuracies: list[float], val_loss: list[float], loss: list[float],
           lowest: int) -> Trend | None:
    """At most one kind of trend, the first that holds in the order of :data:`Trend`."""
    if len(val_loss) < 2:
        return None
    if max(accuracies) == min(accuracies):
        return "constant"
    if max(accuracies) - min(accuracies) < FLAT_RANGE:
        return "flat"
    if lowest == len(val_loss):
        return "still improving"
    if val_loss[-1] > val_loss[lowest - 1] * (1 + RISE_SHARE) and loss[-1] < loss[lowest - 1]:
        return "memorising"
    return None


def history_facts(history: object, validation_labels: np.ndarray,
                  before: float | None = None) -> HistoryFacts:
    """The facts of this run's curves (arguments as for :func:`history_observations`)."""
    values = history_values(history)
    accuracies, val_loss, loss = values["val_accuracy"], values["val_loss"], values["loss"]
    kept = scored_epoch(values)
    collapsed = tuple(same_answer_epochs(accuracies, validation_labels))
    lowest = int(np.argmin(val_loss)) + 1
    previous = accuracies[-2] if len(accuracies) > 1 else None
    return HistoryFacts(
        epochs=len(accuracies), kept_epoch=kept, kept_accuracy=accuracies[kept - 1],
        same_answer_epochs=collapsed,
        same_answer_accuracy=accuracies[collapsed[0] - 1] if collapsed else None,
        lowest_accuracy=min(accuracies), highest_accuracy=max(accuracies),
        trend=_trend(accuracies, val_loss, loss, lowest),
        lowest_loss_epoch=lowest, lowest_val_loss=val_loss[lowest - 1],
        last_val_loss=val_loss[-1], loss_at_lowest=loss[lowest - 1], last_loss=loss[-1],
        previous_accuracy=previous, last_accuracy=accuracies[-1],
        accuracy_fell_last=previous is not None and accuracies[-1] < previous,
        before=before, beat_before=None if before is None else max(accuracies) > before)


def _epochs(numbers: Sequence[int]) -> str:
    """``[1, 2, 6]`` -> ``"epochs 1, 2 and 6"``; ``[3]`` -> ``"epoch 3"``."""
    if len(numbers) == 1:
        return f"epoch {numbers[0]}"
    return f"epochs {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _collapse_sentence(facts: HistoryFacts) -> str:
    where = "every epoch" if facts.collapsed_throughout else _epochs(facts.same_answer_epochs)
    text = (f"Validation accuracy was {facts.same_answer_accuracy:.2f} in {where}, exactly the "
            "score of answering every validation picture with the same class: the model most "
            "likely did just that there.")
    if facts.kept_epoch in facts.same_answer_epochs:
        return text + " The epoch kept is one of them."
    if facts.kept_epoch > facts.same_answer_epochs[0]:
        return text + f" It recovered: epoch {facts.kept_epoch} reached {facts.kept_accuracy:.3f}."
    return text


def _trend_sentence(facts: HistoryFacts) -> str:
    if facts.trend == "constant":
        return f"Validation accuracy was {facts.last_accuracy:.3f} in every epoch."
    if facts.trend == "flat":
        return (f"Validation accuracy hardly moved: between {facts.lowest_accuracy:.3f} and "
                f"{facts.highest_accuracy:.3f} in every epoch.")
    if facts.trend == "still improving":
        loss = f"Validation loss was still falling at the last epoch ({facts.last_val_loss:.3f}"
        if not facts.accuracy_fell_last:
            return loss + ", its lowest): more epochs would likely help."
        return (loss + f", its lowest), but validation accuracy fell in that epoch (from "
                f"{facts.previous_accuracy:.3f} to {facts.last_accuracy:.3f}).")
    if facts.trend == "memorising":
        return (f"Validation loss was lowest in epoch {facts.lowest_loss_epoch} "
                f"({facts.lowest_val_loss:.3f}) and rose to {facts.last_val_loss:.3f} by epoch "
                f"{facts.epochs}, while the training loss kept falling ({facts.loss_at_lowest:.3f}"
                f" to {facts.last_loss:.3f}): the model has started to memorise its training "
                "pictures.")
    return ""


def render_history(facts: HistoryFacts) -> str:
    """The sentences of :func:`history_facts`' facts, one a line; the last names the epoch kept."""
    lines = [_collapse_sentence(facts)] if facts.same_answer_epochs else []
    if not (facts.collapsed_throughout and facts.trend in ("constant", "flat")):
        lines.append(_trend_sentence(facts))  # else the collapse sentence said it already
    if facts.beat_before:
        lines.append(f"Before this training the validation accuracy was {facts.before:.3f}; the "
                     f"best epoch, {facts.kept_epoch}, reached {facts.kept_accuracy:.3f}.")
    elif facts.before is not None:
        lines.append(f"No epoch beat the validation accuracy of {facts.before:.3f} that the model "
                     "had before this training.")
    lines.append(f"Kept for the test: the weights of epoch {facts.kept_epoch} of {facts.epochs}, "
                 f"validation accuracy {facts.kept_accuracy:.3f}.")
    return "\n".join(line for line in lines if line)


def history_observations(history: object, validation_labels: np.ndarray,
                         before: float | None = None) -> str:
    """What this run's curves show, one sentence a line (:func:`render_history` of
    :func:`history_facts`). ``history``: a Keras ``History`` (or its dict) with ``loss``,
    ``val_loss`` and ``val_accuracy``; ``validation_labels`` tell which accuracy means "the same
    answer for every picture"; ``before``: the validation accuracy before this training (method
    3). The last line names the epoch kept, as ``EarlyStopping(monitor="val_accuracy",
    restore_best_weights=True)`` keeps it."""
    return render_history(history_facts(history, validation_labels, before))


@dataclass(frozen=True)
class SettingsFacts:
    """A method notebook's training on ``train_size`` pictures: ``steps`` per epoch (its
    ``steps_per_epoch``, or as many as the pictures fill), the pictures each epoch sees; for
    notebook 03, also the method-2 head it starts from (same steps) and the layer it unfreezes."""

    notebook: str
    epochs: int
    steps: int
    batch_size: int
    learning_rate: float
    pictures_per_epoch: int
    train_size: int
    head_epochs: int | None = None
    head_learning_rate: float | None = None
    unfreeze_from_layer: str | None = None


def settings_facts(given: Mapping[str, object], train_size: int) -> list[SettingsFacts]:
    """Each method notebook's training when run with ``given`` on ``train_size`` pictures."""
    facts = []
    for notebook, settings in method_settings(given).items():
        batch, steps = settings["batch_size"], settings.get("steps_per_epoch")
        facts.append(SettingsFacts(
            notebook, epochs=settings["epochs"], steps=steps or -(-train_size // batch),
            batch_size=batch, learning_rate=settings["learning_rate"],
            pictures_per_epoch=min(steps * batch, train_size) if steps else train_size,
            train_size=train_size, **{name: settings.get(name) for name in (
                "head_epochs", "head_learning_rate", "unfreeze_from_layer")}))
    return facts


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _training(epochs: int, rate: float, facts: SettingsFacts) -> str:
    return (f"{_plural(epochs, 'epoch')} of {_plural(facts.steps, 'step')} of up to "
            f"{_plural(facts.batch_size, 'picture')} at learning rate {rate:g}")


def render_settings(facts: Sequence[SettingsFacts]) -> str:
    """:func:`settings_facts`' sentences: what an epoch is, then a line per notebook."""
    train_size = facts[0].train_size if facts else 0
    lines = [f"Each epoch goes through all {_plural(train_size, 'training picture')} unless "
             "steps_per_epoch caps it."]
    for notebook in facts:
        text = _training(notebook.epochs, notebook.learning_rate, notebook)
        if notebook.head_epochs is None:
            text = f"trains for {text}"
        else:
            head = _training(notebook.head_epochs, notebook.head_learning_rate, notebook)
            text = (f"starts from notebook 02's head ({head}), then fine-tunes from "
                    f"{notebook.unfreeze_from_layer} for {text}")
        if notebook.pictures_per_epoch < train_size:  # steps_per_epoch caps the epoch
            both = " in both" if notebook.head_epochs is not None else ""
            text += (f" ({notebook.pictures_per_epoch} of the {train_size} training pictures per "
                     f"epoch{both})")
        lines.append(f"{notebook.notebook}: {text}.")
    return "\n".join(lines)


def settings_outlook(given: Mapping[str, object], train_size: int) -> str:
    """What each method notebook's training settings mean (notebook 00): :func:`render_settings`."""
    return render_settings(settings_facts(given, train_size))


def comparison_observations(results: Sequence[Mapping]) -> str:
    """How long each method took against the 2022 lesson, where both trained on about as many
    pictures (how the models rank is :func:`santa_lib.comparison.interval_observations`')."""
    if not results:
        return "No method has run with these parameters yet."
    reference = {row["method"]: row for row in REFERENCE_2022}
    lines = [_against_2022(result, reference.get(result["method"])) for result in results]
    return "\n".join(line for line in lines if line) or (
        "No method here trained on about as many pictures as in 2022: times are not compared.")


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


def describe_data_and_weights(results: Sequence[Mapping]) -> str:
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


__all__ = ["HistoryFacts", "SettingsFacts", "Trend", "comparison_observations",
           "history_facts", "history_observations", "render_history", "render_settings",
           "describe_data_and_weights", "same_answer_epochs", "settings_facts", "settings_outlook"]
