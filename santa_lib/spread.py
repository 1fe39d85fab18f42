"""How much the results move from run to run: a sweep's records, read (home notebook: 05).

One run's test accuracy depends on its seed: the random weights, the shuffling, the
augmentation. ``python -m santa_lib sweep GRID.yaml`` (``make sweep``) runs the notebooks over a
grid of parameters and writes a summary of every run it holds (``santa_lib.sweeps``). This module
reads such a summary, your own when there is one, else the one shipped with the lesson, and says
what the spread supports: a model ranks above another only when it scored higher with every
seed they share (at least :data:`MIN_SEEDS` of them); otherwise the difference is run-to-run
noise, and the sentence gives the numbers.

The facts are computed first (:func:`pair_facts`, :func:`rate_facts`), then put into words in one
place each (:func:`spread_observations`, :func:`rate_observations`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.results import METHODS

MIN_SEEDS = 3
"""A model is ranked above another only over at least this many shared seeds."""
PRETRAINED = ("01_feature_extraction", "02_frozen_base_augmentation", "03_fine_tuning")
"""The notebooks whose base starts from VGG19's weights (the baseline has none)."""
SHIPPED = "santa_lib.sources.sweeps"
"""The package folder holding the sweep summaries made for the lesson (``make sweep``)."""


def sweep_summary(grid: str, cache_dir: str | Path | None = None) -> dict:
    """The summary of the sweep named ``grid`` (``"seeds"``, ``"finetune-rate"``): your own
    (``<cache>/sweeps/GRID.json``) when you ran one, else the lesson's shipped one. The dict has
    ``"source"`` added: ``"your own sweep"`` or ``"the lesson's shipped sweep"``."""
    own = Path(cache_dir or default_cache_dir()) / "sweeps" / f"{grid}.json"
    if own.is_file():
        return {**json.loads(own.read_text()), "source": "your own sweep"}
    shipped = resources.files(SHIPPED) / f"{grid}.json"
    if not shipped.is_file():
        raise FileNotFoundError(
            f"no sweep named {grid!r}: run `make sweep GRID=params/sweeps/{grid}.yaml` first.")
    return {**json.loads(shipped.read_text()), "source": "the lesson's shipped sweep"}


def run_seconds(run: Mapping) -> float:
    """The time a run took: its own, plus the head it trained itself (notebook 03 alone)."""
    head = run.get("head") or {}
    own_head = head.get("seconds", 0.0) if head.get("source") == "trained in this notebook" else 0
    return run["seconds"] + own_head


def describe_sweep(summary: Mapping) -> str:
    """Where a summary comes from, in one line: source, runs, data, machine, date, and the time
    its runs took there (all of them, those an earlier sweep had done included)."""
    minutes = sum(run_seconds(run) for run in summary["runs"]) / 60
    data = sorted({str(run["parameters"].get("data_dir")) for run in summary["runs"]})
    weights = sorted({str(run.get("weights")) for run in summary["runs"]
                      if run["notebook"] in PRETRAINED})
    return (f"From {summary['source']} '{summary['grid']}': {len(summary['runs'])} runs on "
            f"{', '.join(data)} data" + (f", base weights {', '.join(weights)}" if weights else "")
            + f"; made on {summary['machine']} on {summary['date']}; its runs took "
            f"{minutes:.0f} min there, one at a time.")


def by_seed(summary: Mapping, notebook: str, **fixed: object) -> dict[int, Mapping]:
    """The runs of ``notebook`` whose parameters match ``fixed``, by seed."""
    return {run["parameters"]["seed"]: run for run in summary["runs"]
            if run["notebook"] == notebook
            and all(run["parameters"].get(name) == value for name, value in fixed.items())}


@dataclass(frozen=True)
class Pair:
    """Two sets of runs compared seed by seed (first minus second)."""

    first: str
    second: str
    seeds: int
    first_higher: int
    smallest: float
    largest: float
    first_mean: float
    second_mean: float

    @property
    def ranked(self) -> bool:
        """Whether the spread supports putting ``first`` above ``second``."""
        return self.seeds >= MIN_SEEDS and self.first_higher == self.seeds


def compare(first: str, second: str, a: Mapping[int, float], b: Mapping[int, float]) -> Pair:
    """Compare two seed-to-accuracy maps over their shared seeds, higher mean first."""
    seeds = sorted(set(a) & set(b))
    if not seeds:
        raise ValueError(f"{first} and {second} share no seed")
    mean_a = sum(a[seed] for seed in seeds) / len(seeds)
    mean_b = sum(b[seed] for seed in seeds) / len(seeds)
    if mean_b > mean_a:
        first, second, a, b, mean_a, mean_b = second, first, b, a, mean_b, mean_a
    differences = [a[seed] - b[seed] for seed in seeds]
    return Pair(first, second, len(seeds), sum(d > 0 for d in differences), min(differences),
                max(differences), mean_a, mean_b)


def accuracies(summary: Mapping) -> dict[str, dict[int, float]]:
    """Each model's test accuracy by seed, models named as the comparison names them."""
    runs = {notebook: by_seed(summary, notebook) for notebook in METHODS}
    return {METHODS[notebook]: {seed: run["test_accuracy"] for seed, run in found.items()}
            for notebook, found in runs.items() if found}


def pair_facts(summary: Mapping) -> list[Pair]:
    """Every pair of models, compared seed by seed; ranked pairs first, larger gaps first."""
    scores = accuracies(summary)
    names = list(scores)
    pairs = [compare(x, y, scores[x], scores[y])
             for i, x in enumerate(names) for y in names[i + 1:]]
    return sorted(pairs, key=lambda pair: (not pair.ranked, pair.second_mean - pair.first_mean))


def _pair_sentence(pair: Pair) -> str:
    if pair.ranked:
        return (f"{pair.first} scored above {pair.second} with {pair.seeds} of {pair.seeds} "
                f"seeds, by {pair.smallest:.3f} to {pair.largest:.3f}.")
    return (f"{pair.first} and {pair.second}: within run-to-run noise: the first scored "
            f"higher with {pair.first_higher} of {pair.seeds} seeds, differences from "
            f"{pair.smallest:+.3f} to {pair.largest:+.3f} (means {pair.first_mean:.3f} and "
            f"{pair.second_mean:.3f}).")


def spread_observations(summary: Mapping) -> str:
    """Each model's range over seeds, then every pair: ranked only where every seed agrees."""
    lines = [f"{name}: {min(values.values()):.3f} to {max(values.values()):.3f} over "
             f"{len(values)} seeds (mean {sum(values.values()) / len(values):.3f})."
             for name, values in accuracies(summary).items()]
    lines += [_pair_sentence(pair) for pair in pair_facts(summary)]
    return "\n".join(lines)


@dataclass(frozen=True)
class RateFacts:
    """Notebook 03's runs at one learning rate, over seeds."""

    rate: float
    test: dict[int, float]
    lowest_validation: dict[int, float]


def rate_facts(summary: Mapping, notebook: str = "03_fine_tuning") -> list[RateFacts]:
    """For each learning rate in the summary, test accuracy and the lowest validation accuracy
    of any epoch, by seed (the lowest epoch shows how far training fell on its way)."""
    rates = sorted({run["parameters"]["learning_rate"] for run in summary["runs"]
                    if run["notebook"] == notebook}, reverse=True)
    facts = []
    for rate in rates:
        runs = by_seed(summary, notebook, learning_rate=rate)
        facts.append(RateFacts(rate, {seed: run["test_accuracy"] for seed, run in runs.items()},
                               {seed: min(run["history"]["val_accuracy"])
                                for seed, run in runs.items()}))
    return facts


def rate_observations(summary: Mapping) -> str:
    """Per learning rate, the test accuracies and the deepest fall; then the rates compared."""
    facts = rate_facts(summary)
    lines = [f"learning rate {fact.rate:g}: test accuracy {min(fact.test.values()):.3f} to "
             f"{max(fact.test.values()):.3f}; the lowest validation accuracy of an epoch "
             f"{min(fact.lowest_validation.values()):.3f} to "
             f"{max(fact.lowest_validation.values()):.3f} over {len(fact.test)} seeds."
             for fact in facts]
    for i, x in enumerate(facts):
        for y in facts[i + 1:]:
            names = f"at {x.rate:g}", f"at {y.rate:g}"
            test = compare(*names, x.test, y.test)
            low = compare(*names, x.lowest_validation, y.lowest_validation)
            lines.append("Test accuracy, " + _pair_sentence(test))
            lines.append("Lowest validation accuracy, " + _pair_sentence(low))
    return "\n".join(lines)


def spread_chart(summary: Mapping, title: str = "Test accuracy over seeds"):
    """Each model's test accuracy for every seed (dots), its mean (bar) and range (line)."""
    import matplotlib.pyplot as plt

    scores = accuracies(summary)
    figure, axis = plt.subplots(figsize=(8, 3.8), layout="constrained")
    for position, values in enumerate(scores.values()):
        points = [values[seed] for seed in sorted(values)]
        offsets = [position + 0.05 * (i - (len(points) - 1) / 2) for i in range(len(points))]
        axis.plot([position, position], [min(points), max(points)], color="gray", linewidth=1)
        axis.scatter(offsets, points, color="tab:blue", zorder=3, s=18,
                     label="one seed" if position == 0 else None)
        mean = sum(points) / len(points)
        axis.plot([position - 0.2, position + 0.2], [mean, mean], color="black", linewidth=2,
                  label="mean" if position == 0 else None)
    axis.axhline(0.5, color="gray", linestyle="--", linewidth=1, label="chance (0.5)")
    axis.set_xticks(range(len(scores)), [name.replace(" · ", "\n") for name in scores])
    axis.set_ylabel("test accuracy")
    axis.set_ylim(0.4, 1.02)
    axis.spines[["top", "right"]].set_visible(False)
    axis.legend(frameon=False, loc="lower right", fontsize=9)
    axis.set_title(title, loc="left")
    plt.close(figure)
    return figure


def rate_chart(summary: Mapping, title: str = "Fine-tuning learning rate, seed by seed"):
    """Test accuracy (left) and the lowest validation accuracy of an epoch (right) at each
    learning rate; a line joins the runs of one seed."""
    import matplotlib.pyplot as plt

    facts = rate_facts(summary)
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained", sharey=True)
    labels = [f"{fact.rate:g}" for fact in facts]
    for axis, field, name in zip(axes, ("test", "lowest_validation"),
                                 ("test accuracy", "lowest validation accuracy of an epoch"),
                                 strict=True):
        seeds = sorted(set.intersection(*(set(getattr(fact, field)) for fact in facts)))
        for seed in seeds:
            axis.plot(range(len(facts)), [getattr(fact, field)[seed] for fact in facts],
                      marker="o", color="tab:blue", alpha=0.7)
        axis.axhline(0.5, color="gray", linestyle="--", linewidth=1)
        axis.set_xticks(range(len(facts)), labels)
        axis.set_xlabel("learning rate")
        axis.set_title(name, fontsize=10)
        axis.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylim(0.4, 1.02)
    figure.suptitle(title, x=0.02, ha="left")
    plt.close(figure)
    return figure
