"""How sure a figure is: 95% intervals, each for one kind of noise (home notebook: 05).

- :func:`accuracy_interval` (Wilson's score interval, from :func:`scipy.stats.binomtest`): one
  trained model's accuracy on pictures like the test split's, given which test pictures happened
  to be drawn. **Test-picture noise only**: not other seeds, not other data.
  :func:`interval_observations` lists each record's accuracy with it.
- :func:`mean_interval`, :func:`welch_interval`, :func:`paired_interval` (Student's t, from
  :mod:`scipy.stats`): a mean over seeds, and a difference of two such means, unpaired or seed by
  seed. **Training noise only** (the seed's draws); used by :mod:`santa_lib.spread`.

Two models measured on the same test pictures are compared in :mod:`santa_lib.paired`
(McNemar's test, Newcombe's interval), never by whether their intervals overlap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scipy import stats

LEVEL = 0.95
"""The confidence level of every interval here."""
Interval = tuple[float, float]


def accuracy_interval(accuracy: float, pictures: int, level: float = LEVEL) -> Interval:
    """The 95% Wilson score interval of an accuracy measured on ``pictures`` test pictures
    (``scipy.stats.binomtest(right, pictures).proportion_ci(method="wilson")``, with ``right``
    the accuracy times ``pictures``, rounded): the accuracies, on pictures like these, that this
    trained model's score is consistent with, given which test pictures were drawn. It always
    holds ``accuracy`` itself, within [0, 1], also for a perfect or a null score."""
    if pictures <= 0:
        raise ValueError(f"pictures must be a positive count, got {pictures}")
    if not 0.0 <= accuracy <= 1.0:
        raise ValueError(f"accuracy must lie in [0, 1], got {accuracy}")
    right = round(accuracy * pictures)
    found = stats.binomtest(right, pictures).proportion_ci(confidence_level=level,
                                                            method="wilson")
    # rounding must not push an end past the accuracy itself (1.0 on 20 pictures)
    return max(0.0, min(accuracy, float(found.low))), min(1.0, max(accuracy, float(found.high)))


def result_interval(result: Mapping) -> Interval | None:
    """A record's test-accuracy interval; None for a record that did not keep its test size."""
    pictures = result.get("test_size")
    return accuracy_interval(result["test_accuracy"], pictures) if pictures else None


def interval_observations(results: Sequence[Mapping]) -> str:
    """Each test accuracy with its 95% interval, and what the interval covers: test-picture
    noise only. It ranks nothing: see :func:`santa_lib.paired.paired_observations`."""
    if not results:
        return "No model has run with these parameters yet."
    lines = []
    for result in results:
        interval = result_interval(result)
        span = (f"95% interval {interval[0]:.3f} to {interval[1]:.3f} on "
                f"{result['test_size']} test pictures" if interval
                else "interval unknown: the record did not keep its test size")
        lines.append(f"{result['method']}: {result['test_accuracy']:.3f} ({span}).")
    sizes = sorted({result["test_size"] for result in results if result.get("test_size")})
    pictures = " or ".join(str(size) for size in sizes) or "as many"
    lines.append(
        f"Each interval covers test-picture noise only (which {pictures} test pictures happened "
        "to be drawn): the accuracies, on pictures like these, that this one trained model's "
        "score is consistent with. It says nothing about another seed (training noise) or other "
        "data, and two models are not ranked by whether their intervals overlap: the paired "
        "comparison reads their answers picture by picture.")
    return "\n".join(lines)


def _flat(values: Sequence[float]) -> bool:
    """Whether ``values`` do not spread (up to float rounding): the t-interval is then a point."""
    return max(values) - min(values) <= 1e-9


def _finite(interval) -> Interval | None:
    low, high = float(interval.low), float(interval.high)
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


def mean_interval(values: Sequence[float], level: float = LEVEL) -> Interval | None:
    """The 95% t-interval of the mean of ``values`` (``scipy.stats.t``); None for fewer than
    two values. Values with no spread at all give a zero-width interval at their mean."""
    count = len(values)
    if count < 2:
        return None
    mean = sum(values) / count
    if _flat(values):
        return mean, mean
    low, high = stats.t.interval(level, count - 1, loc=mean, scale=stats.sem(values))
    return float(low), float(high)


def welch_interval(first: Sequence[float], second: Sequence[float],
                   level: float = LEVEL) -> Interval | None:
    """The 95% interval of mean(first) - mean(second) for two independent samples, with
    Welch's unequal variances (``scipy.stats.ttest_ind(equal_var=False).confidence_interval``);
    None with fewer than two values on a side. Neither side spread: zero width, at the
    difference."""
    if min(len(first), len(second)) < 2:
        return None
    difference = sum(first) / len(first) - sum(second) / len(second)
    if _flat(first) and _flat(second):
        return difference, difference
    return _finite(stats.ttest_ind(first, second, equal_var=False).confidence_interval(level))


def paired_interval(first: Sequence[float], second: Sequence[float],
                    level: float = LEVEL) -> Interval | None:
    """The 95% interval of the mean of first[i] - second[i] (paired t,
    ``scipy.stats.ttest_rel(first, second).confidence_interval``); None for fewer than two
    pairs. Differences all equal: zero width, at that difference."""
    if len(first) != len(second):
        raise ValueError(f"paired samples differ in length: {len(first)} and {len(second)}")
    if len(first) < 2:
        return None
    differences = [a - b for a, b in zip(first, second, strict=True)]
    if _flat(differences):
        return differences[0], differences[0]
    return _finite(stats.ttest_rel(first, second).confidence_interval(level))


def difference_p(first: Sequence[float], second: Sequence[float], paired: bool) -> float | None:
    """The two-sided p-value of a mean difference of zero: paired t (``ttest_rel``) or Welch's
    (``ttest_ind(equal_var=False)``); None with fewer than two values on a side. With no spread
    at all: 1 where the means are equal, else 0."""
    if min(len(first), len(second)) < 2:
        return None
    differences = [a - b for a, b in zip(first, second, strict=True)] if paired else None
    if (paired and _flat(differences)) or (not paired and _flat(first) and _flat(second)):
        equal = abs(_mean(first) - _mean(second)) <= 1e-9
        return 1.0 if equal else 0.0
    test = stats.ttest_rel(first, second) if paired else stats.ttest_ind(first, second,
                                                                         equal_var=False)
    return float(test.pvalue)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given (Holm 1979, "A simple
    sequentially rejective multiple test procedure", Scandinavian Journal of Statistics 6,
    65-70): the i-th smallest of m is multiplied by m - i + 1, capped at 1, and never below the
    adjusted value before it. Rejecting where the adjusted p < alpha keeps the chance of any
    false rejection at most alpha."""
    order = sorted(range(len(p_values)), key=lambda index: p_values[index])
    adjusted, running = [0.0] * len(p_values), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def holm_tested(p_values: Sequence[float | None]) -> list[float | None]:
    """:func:`holm` over the p-values that exist (None: not tested, and stays None)."""
    adjusted = iter(holm([p for p in p_values if p is not None]))
    return [None if p is None else next(adjusted) for p in p_values]


ALPHA = 0.05
"""Two models are told apart where a Holm-adjusted p-value is below this."""


def seed_scope(machine: str, backend: str) -> str:
    """What a seed sweep's intervals cover, and what they do not, against a run's Wilson
    interval."""
    return ("What the spread over seeds covers: training randomness only (the weights' draw, the "
            "shuffling, the augmentation), with the same training, validation and test pictures "
            f"for every seed, on one machine ({machine}) and one backend ({backend}). A single "
            "run's Wilson interval covers test-picture noise (another draw of test pictures); a "
            "seed interval covers training noise (another seed): neither covers the other.")


@dataclass(frozen=True)
class Difference:
    """``first`` minus ``second`` over seeds: the mean difference and its 95% interval, paired
    (seed by seed; ``seeds`` = the shared count) or unpaired (Welch; ``seeds`` = both counts).
    """

    first: str
    second: str
    paired: bool
    seeds: tuple[int, ...]
    mean: float
    interval: Interval | None
    p_value: float | None = None
    adjusted_p: float | None = None
    comparisons: int = 1

    @property
    def ranked(self) -> bool:
        """Where several differences are judged together (``adjusted_p`` set): whether Holm's
        adjusted p is below :data:`ALPHA`; a single one: whether its interval excludes 0.
        Then the sign of ``mean`` says which is higher."""
        if self.adjusted_p is not None:
            return self.adjusted_p < ALPHA
        return self.interval is not None and (self.interval[0] > 0 or self.interval[1] < 0)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


@dataclass(frozen=True)
class Mean:
    """A figure over seeds: every seed's value, their mean and its 95% t-interval (None with
    one seed)."""

    name: str
    by_seed: dict[int, float]
    mean: float
    interval: Interval | None


def seed_mean(name: str, by_seed: Mapping[int, float]) -> Mean:
    """The mean of a figure over seeds, with its 95% t-interval (:func:`mean_interval`)."""
    values = [by_seed[seed] for seed in sorted(by_seed)]
    return Mean(name, dict(sorted(by_seed.items())), _mean(values), mean_interval(values))


def unpaired_difference(first: str, second: str, a: Sequence[float],
                        b: Sequence[float]) -> Difference:
    """mean(a) - mean(b) of two independent samples with Welch's interval, higher mean first."""
    if _mean(b) > _mean(a):
        first, second, a, b = second, first, b, a
    return Difference(first, second, False, (len(a), len(b)), _mean(a) - _mean(b),
                      welch_interval(a, b), difference_p(a, b, paired=False))


def paired_difference(first: str, second: str, a: Mapping[int, float],
                      b: Mapping[int, float]) -> Difference:
    """The mean of a[s] - b[s] over the seeds s both have, with the paired t-interval."""
    seeds = sorted(set(a) & set(b))
    if not seeds:
        raise ValueError(f"{first} and {second} share no seed")
    x, y = [a[seed] for seed in seeds], [b[seed] for seed in seeds]
    return Difference(first, second, True, (len(seeds),), _mean(x) - _mean(y),
                      paired_interval(x, y), difference_p(x, y, paired=True))


def span(interval: Interval | None, signed: bool = False) -> str:
    """An interval in words ("95% interval 0.810 to 0.880"), or why there is none."""
    if interval is None:
        return "no interval: too few seeds"
    form = "+.3f" if signed else ".3f"
    return f"95% interval {interval[0]:{form}} to {interval[1]:{form}}"


def difference_sentence(pair: Difference) -> str:
    """One difference in words, the higher mean first: a ranking only where
    :attr:`Difference.ranked`."""
    first, second, mean, interval = pair.first, pair.second, pair.mean, pair.interval
    if mean < 0:  # say it the higher first
        first, second, mean = second, first, -mean
        interval = None if interval is None else (-interval[1], -interval[0])
    kind = (f"paired over {pair.seeds[0]} shared seeds" if pair.paired
            else f"unpaired (Welch), over {pair.seeds[0]} and {pair.seeds[1]} seeds")
    tested = ("" if pair.adjusted_p is None else
              f"; Holm-adjusted p = {pair.adjusted_p:.4f} over {pair.comparisons} comparisons")
    numbers = f"{mean:+.3f} on average ({span(interval, True)}; {kind}{tested})"
    if pair.ranked:
        return f"{first} above {second}: {numbers}."
    return f"{first} and {second} not told apart: {first} {numbers}."
