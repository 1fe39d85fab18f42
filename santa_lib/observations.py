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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from santa_lib.internals.results import history_values, scored_epoch

FLAT_RANGE = 0.02
"""Validation accuracy moving less than this over all epochs counts as flat."""
RISE_SHARE = 0.10
"""Validation loss ending this much above its lowest value counts as rising again."""
DROP = 0.10
"""A fall of validation accuracy this large below the best epoch before it is named."""

Trend = Literal["constant", "flat", "still improving", "memorising"]
"""How validation went: ``"constant"`` (one accuracy in every epoch), ``"flat"`` (all within
:data:`FLAT_RANGE`), ``"still improving"`` (validation loss lowest at the last epoch),
``"memorising"`` (validation loss :data:`RISE_SHARE` above its lowest, training loss lower)."""


@dataclass(frozen=True)
class HistoryFacts:
    """What a run's curves show (epochs 1-based): the epoch kept (:func:`scored_epoch`), the
    collapsed ones (:func:`same_answer_epochs`, with the first's accuracy), the trend and the
    losses behind it (at the lowest validation loss and at the end), whether validation accuracy
    fell in the last epoch, the largest drop, ``before`` (method 3) and whether an epoch beat it."""

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
    first_accuracy: float
    accuracy_fell_last: bool
    drop: tuple[int, float, int, float] | None = None
    """The largest fall below an earlier epoch's best: ``(best epoch, its accuracy, epoch of the
    fall, accuracy there)``, when it is :data:`DROP` or more."""
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


def largest_drop(accuracies: Sequence[float]) -> tuple[int, float, int, float] | None:
    """The deepest fall of validation accuracy below the best of the epochs before it, as
    ``(best epoch, its accuracy, epoch of the fall, accuracy there)``, 1-based; None when no
    fall reaches :data:`DROP`."""
    best, found = 0, None
    for epoch in range(1, len(accuracies)):
        if accuracies[epoch - 1] >= accuracies[best]:
            best = epoch - 1
        fall = accuracies[best] - accuracies[epoch]
        if fall >= DROP and (found is None or fall > found[1] - found[3]):
            found = (best + 1, accuracies[best], epoch + 1, accuracies[epoch])
    return found


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
        previous_accuracy=previous, last_accuracy=accuracies[-1], first_accuracy=accuracies[0],
        accuracy_fell_last=previous is not None and accuracies[-1] < previous,
        drop=largest_drop(accuracies), before=before,
        beat_before=None if before is None else max(accuracies) > before)


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
    return (f"Validation accuracy went from {facts.first_accuracy:.3f} in epoch 1 to "
            f"{facts.last_accuracy:.3f} in epoch {facts.epochs}, between "
            f"{facts.lowest_accuracy:.3f} and {facts.highest_accuracy:.3f} on the way; validation "
            f"loss was lowest in epoch {facts.lowest_loss_epoch} ({facts.lowest_val_loss:.3f}).")


def _drop_sentence(facts: HistoryFacts) -> str:
    if facts.drop is None or facts.drop[2] in facts.same_answer_epochs:
        return ""  # none, or a collapse to one answer, said already
    best_epoch, best, epoch, low = facts.drop
    text = (f"Validation accuracy fell from {best:.3f} (epoch {best_epoch}) to {low:.3f} in "
            f"epoch {epoch}")
    if epoch == facts.epochs:
        return text + ", the last epoch."
    if facts.highest_accuracy >= best and facts.kept_epoch > epoch:
        return (text + f", then recovered: epoch {facts.kept_epoch} reached "
                f"{facts.kept_accuracy:.3f}.")
    return text + "; no later epoch got back above where it fell from."


def _kept_sentence(facts: HistoryFacts) -> str:
    phase = "fine-tuning epoch" if facts.before is not None else "epoch"
    text = (f"Kept for the test: the weights of {phase} {facts.kept_epoch} of {facts.epochs}, "
            f"validation accuracy {facts.kept_accuracy:.3f}.")
    if facts.trend == "memorising" and facts.kept_epoch > facts.lowest_loss_epoch:
        text += (f" It comes after validation loss turned up (epoch {facts.lowest_loss_epoch}): "
                 "the lesson keeps the epoch of the highest validation accuracy, and that can "
                 "come after the lowest validation loss.")
    if facts.epochs > 1:
        text += (f" Being the best of {facts.epochs} on validation, that figure is optimistic: "
                 "the test score is the one to trust.")
    return text


def render_history(facts: HistoryFacts) -> str:
    """The sentences of :func:`history_facts`' facts, one a line; the last names the epoch kept."""
    lines = [_collapse_sentence(facts)] if facts.same_answer_epochs else []
    lines.append(_drop_sentence(facts))
    said = any(lines)  # a collapse or a drop: the course of the curve is said already
    if not (facts.collapsed_throughout and facts.trend in ("constant", "flat")) and not (
            said and facts.trend is None):
        lines.append(_trend_sentence(facts))
    if facts.beat_before:
        lines.append(f"Before this training the validation accuracy was {facts.before:.3f}; the "
                     f"best epoch, {facts.kept_epoch}, reached {facts.kept_accuracy:.3f}.")
    elif facts.before is not None:
        lines.append(f"No epoch beat the validation accuracy of {facts.before:.3f} that the model "
                     "had before this training.")
    lines.append(_kept_sentence(facts))
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


__all__ = ["HistoryFacts", "Trend", "history_facts", "history_observations", "largest_drop",
           "render_history", "same_answer_epochs"]
