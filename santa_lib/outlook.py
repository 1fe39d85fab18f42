"""What each method notebook's training settings will mean, said before the long notebooks
(home notebook: 00_the_data).

The facts first (:func:`settings_facts`, frozen :class:`SettingsFacts`), then their sentences in
one place (:func:`render_settings`), as in :mod:`santa_lib.observations`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from santa_lib.internals.records import method_settings


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


def _layer(facts: SettingsFacts) -> str:
    block, _, part = str(facts.unfreeze_from_layer).partition("_")
    where = {"block5": "its last block"}.get(block, f"block {block.removeprefix('block')} of 5")
    return f"the {'first layer' if part == 'conv1' else part} of {where}"


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
            text = (f"starts from notebook 02's model: VGG19 frozen under new classifier "
                    f"layers (the head), trained for {head}. Then it also trains VGG19's "
                    f"layers from {notebook.unfreeze_from_layer} on ({_layer(notebook)}) for "
                    f"{text}")
        if notebook.pictures_per_epoch < train_size:  # steps_per_epoch caps the epoch
            both = " in both" if notebook.head_epochs is not None else ""
            text += (f" ({notebook.pictures_per_epoch} of the {train_size} training pictures per "
                     f"epoch{both})")
        lines.append(f"{notebook.notebook}: {text}.")
    return "\n".join(lines)


def settings_outlook(given: Mapping[str, object], train_size: int) -> str:
    """What each method notebook's training settings mean (notebook 00): :func:`render_settings`."""
    return render_settings(settings_facts(given, train_size))


__all__ = ["SettingsFacts", "render_settings", "settings_facts", "settings_outlook"]
