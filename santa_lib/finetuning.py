"""Did fine-tuning really fine-tune? Which weights moved, block by block (home notebook: 03).

Method 3 unfreezes VGG19 from ``block5_conv1`` on and trains again. The ``trainable`` flags say
what *should* train; this module checks what *did*: take :func:`snapshot_weights` before
training, then :func:`weight_changes` after, and each group of weights (``block1`` ...
``block5`` of the base, and the ``head``: the model's layers after the base) gets the relative
distance its weights moved, ``||after - before|| / ||before||`` over all its tensors. A frozen
group did not move at all: its change is exactly 0, not merely small.

:func:`unchanged_groups` and :func:`weight_change_summary` give one stable line for the notebook
to print (and nbval to check), such as
``unchanged (exactly 0): block1, block2, block3, block4 | moved: block5, head``.
"""

from __future__ import annotations

import re

import numpy as np

from santa_lib.freezing import nested_base

HEAD = "head"
BEFORE_BASE = "before base"
BASE_OTHER = "base (other)"


def _block_of(layer_name: str) -> str | None:
    match = re.match(r"(block\d+)_", layer_name)
    return match.group(1) if match else None


def weight_groups(model) -> dict[str, list]:
    """The weight variables of ``model`` by group, in the model's order.

    Layers of the nested base go to their block (``block1`` for ``block1_conv1``), or to
    ``"base (other)"``; the model's layers after the base go to ``"head"`` (to ``"before base"``
    when before it). Without a nested base, layers named ``blockN_...`` still go to their
    block and all others to the head. Groups without weights are left out.
    """
    base = nested_base(model)
    groups: dict[str, list] = {}
    seen_base = base is None
    for layer in model.layers:
        if layer is base:
            seen_base = True
            for inner in base.layers:
                if inner.weights:
                    groups.setdefault(_block_of(inner.name) or BASE_OTHER, []).extend(
                        inner.weights)
            continue
        if not layer.weights:
            continue
        group = _block_of(layer.name) or (HEAD if seen_base else BEFORE_BASE)
        groups.setdefault(group, []).extend(layer.weights)
    return groups


def snapshot_weights(model) -> dict[str, list[np.ndarray]]:
    """Copies of every weight of ``model`` by group (see :func:`weight_groups`), as NumPy arrays.

    Take it right before training; the copies do not change when the model trains.
    """
    return {group: [np.array(variable.numpy(), copy=True) for variable in variables]
            for group, variables in weight_groups(model).items()}


def weight_changes(before: dict[str, list[np.ndarray]], model) -> list[dict]:
    """How far each group's weights moved since ``before`` (a :func:`snapshot_weights`).

    One row per group, in the model's order: ``{"group": "block5", "tensors": 8,
    "relative_change": 0.0031}``, where ``relative_change`` is ``||after - before||`` over
    ``||before||``, both taken over all the group's tensors together (0.0 exactly when no weight
    changed; the absolute distance when the weights were all zero before).
    """
    after = snapshot_weights(model)
    if list(after) != list(before) or any(
            [a.shape for a in after[group]] != [b.shape for b in before[group]]
            for group in after):
        raise ValueError("the snapshot does not match this model's weights: take "
                         "snapshot_weights(model) from the same model before training.")
    rows = []
    for group, old_values in before.items():
        squared_change = sum(float(np.sum((new.astype("float64") - old.astype("float64")) ** 2))
                             for new, old in zip(after[group], old_values, strict=True))
        squared_size = sum(float(np.sum(old.astype("float64") ** 2)) for old in old_values)
        distance = np.sqrt(squared_change)
        relative = distance / np.sqrt(squared_size) if squared_size > 0 else distance
        rows.append({"group": group, "tensors": len(old_values),
                     "relative_change": float(relative)})
    return rows


def _change_text(value: float) -> str:
    """``0`` for exactly zero; otherwise 3 significant digits, so a tiny change never shows 0."""
    return "0" if value == 0 else f"{value:.3g}"


def format_weight_changes(rows: list[dict]) -> str:
    """A plain-text table of :func:`weight_changes`: group, tensors, relative change."""
    table = [("group", "tensors", "relative change")]
    table += [(row["group"], str(row["tensors"]), _change_text(row["relative_change"]))
              for row in rows]
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    return "\n".join(
        "  ".join([line[0].ljust(widths[0]), line[1].rjust(widths[1]), line[2].rjust(widths[2])])
        for line in table)


def unchanged_groups(rows: list[dict]) -> list[str]:
    """The groups whose weights did not move at all (change exactly 0), in the model's order."""
    return [row["group"] for row in rows if row["relative_change"] == 0]


def moved_groups(rows: list[dict]) -> list[str]:
    """The groups whose weights moved (change above 0), in the model's order."""
    return [row["group"] for row in rows if row["relative_change"] != 0]


def weight_change_summary(rows: list[dict]) -> str:
    """One stable line, e.g. ``unchanged (exactly 0): block1, block2 | moved: block5, head``.

    It names groups only, never values, so it reads the same in every run that trains the same
    groups: a line for nbval to check.
    """
    unchanged = ", ".join(unchanged_groups(rows)) or "none"
    moved = ", ".join(moved_groups(rows)) or "none"
    return f"unchanged (exactly 0): {unchanged} | moved: {moved}"
