"""Scoring a trained model on held-out data (used by notebooks 01-03)."""

from __future__ import annotations

import numpy as np


def evaluate(model, inputs: np.ndarray, labels: np.ndarray,
             batch_size: int = 64) -> dict[str, float]:
    """Loss and accuracy of ``model`` on ``inputs``, as plain floats."""
    from santa_lib.training import array_batches

    scores = model.evaluate(array_batches(inputs, labels, batch_size), verbose=0,
                            return_dict=True)
    return {"loss": float(scores["loss"]), "accuracy": float(scores["accuracy"])}


def format_scores(name: str, scores: dict[str, float]) -> str:
    """``'test: accuracy 0.933, loss 0.235'``."""
    return f"{name}: accuracy {scores['accuracy']:.3f}, loss {scores['loss']:.3f}"
