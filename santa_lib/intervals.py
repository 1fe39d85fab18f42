"""How sure one run's figures are: test accuracies with their 95% intervals (home notebook: 05).

A test split is a sample: a model right on 85% of such pictures in general scores a few points
higher or lower on 180 of them by luck alone. :func:`accuracy_interval` gives the range a score
is consistent with (Wilson's interval for a proportion); :func:`interval_observations` ranks two
models only where their intervals do not overlap, and :func:`pretraining_observations` judges
each method against the baseline trained from scratch in the same terms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

INTERVAL_Z = 1.96
"""The normal quantile of a 95% interval."""


def accuracy_interval(accuracy: float, pictures: int, z: float = INTERVAL_Z) -> tuple[float, float]:
    """The 95% (Wilson score) interval of an accuracy measured on ``pictures`` test pictures:
    where the model's accuracy on pictures like these most likely lies, given this one sample."""
    if pictures <= 0:
        raise ValueError(f"pictures must be a positive count, got {pictures}")
    share = z * z / pictures
    centre = (accuracy + share / 2) / (1 + share)
    half = z * math.sqrt(accuracy * (1 - accuracy) / pictures + share / (4 * pictures))
    half /= 1 + share
    # the interval holds the accuracy itself; rounding must not push an end past it (1.0 on 20)
    return max(0.0, min(accuracy, centre - half)), min(1.0, max(accuracy, centre + half))


def result_interval(result: Mapping) -> tuple[float, float] | None:
    """A record's test-accuracy interval; None for a record that did not keep its test size."""
    pictures = result.get("test_size")
    return accuracy_interval(result["test_accuracy"], pictures) if pictures else None


def intervals_apart(first: Mapping, second: Mapping) -> bool:
    """Whether two records' intervals do not overlap (False when either is unknown)."""
    a, b = result_interval(first), result_interval(second)
    return bool(a and b and (a[0] > b[1] or b[0] > a[1]))


def interval_facts(results: Sequence[Mapping]) -> list[tuple[Mapping, Mapping, bool]]:
    """Every pair of records, higher accuracy first, and whether their intervals are apart."""
    ranked = sorted(results, key=lambda result: -result["test_accuracy"])
    return [(higher, lower, intervals_apart(higher, lower))
            for i, higher in enumerate(ranked) for lower in ranked[i + 1:]]


def interval_observations(results: Sequence[Mapping]) -> str:
    """Each test accuracy with its 95% interval; a model is said to beat another only where the
    intervals do not overlap; what pretraining bought against the baseline, in the same terms."""
    if not results:
        return "No model has run with these parameters yet."
    lines = []
    for result in results:
        interval = result_interval(result)
        span = (f"95% interval {interval[0]:.3f} to {interval[1]:.3f} on "
                f"{result['test_size']} test pictures" if interval else "interval unknown")
        lines.append(f"{result['method']}: {result['test_accuracy']:.3f} ({span}).")
    for higher, lower, apart in interval_facts(results):
        gap = higher["test_accuracy"] - lower["test_accuracy"]
        if apart:
            lines.append(f"{higher['method']} scored above {lower['method']} by {gap:.3f}, "
                         "and their intervals do not overlap.")
        else:
            lines.append(f"{higher['method']} and {lower['method']} ({gap:.3f} apart): their "
                         "intervals overlap, so this run does not rank them.")
    return "\n".join(lines)


BASELINE = "04_from_scratch"
"""The notebook of the model trained with no pretraining, the methods' yardstick."""


def pretraining_observations(results: Sequence[Mapping]) -> str:
    """What starting from VGG19's weights bought each method in this run, against the baseline
    trained from scratch, with the intervals' verdict; with random weights, said so first."""
    baseline = next((result for result in results if result["notebook"] == BASELINE), None)
    methods = [result for result in results if result["notebook"] != BASELINE]
    if baseline is None or not methods:
        return ("The baseline and at least one method must have run with these parameters to "
                "say what pretraining bought.")
    lines = []
    if all(str(result["weights"]).startswith("random") for result in methods):
        lines.append("The methods' base had random weights, not ImageNet's: what follows is "
                     "what random VGG19 features bought, not what pretraining buys.")
    for result in methods:
        gap = result["test_accuracy"] - baseline["test_accuracy"]
        verdict = ("beat the baseline" if gap > 0 else "scored below the baseline") \
            if intervals_apart(result, baseline) \
            else "cannot be told from the baseline in this run (intervals overlap)"
        lines.append(f"{result['method']}: {gap:+.3f} against the baseline's "
                     f"{baseline['test_accuracy']:.3f}: it {verdict}.")
    return "\n".join(lines)
