"""How much the results move from seed to seed: a sweep's summary, read (home notebook: 05).

Each model's mean test accuracy over seeds with its 95% t-interval; mean differences with their
95% intervals, **unpaired** (Welch) across notebooks (seed s of one notebook shares no randomness
with seed s of another), **paired** only within notebook 03's learning-rate sweep (same seed, same
head), ranked only where the interval excludes 0; the rate chosen on validation only
(:data:`RATE_RULE`); whether this run's case is the sweep's. Facts first, then their sentences.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from santa_lib import intervals
from santa_lib.comparison import weights_note
from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.records import (
    METHODS,
    backend_of,
    data_of,
    machine_of,
    run_seconds,
    weights_kind,
)
from santa_lib.intervals import Difference, Mean, difference_sentence

PRETRAINED = ("01_feature_extraction", "02_frozen_base_augmentation", "03_fine_tuning")
"""The notebooks whose base starts from VGG19's weights (the baseline has none)."""
SHIPPED = "santa_lib.sources.sweeps"
"""The package folder holding the sweep summaries made for the lesson (``make sweep``)."""


def sweep_summary(grid: str, cache_dir: str | Path | None = None) -> dict:
    """The summary of the sweep named ``grid`` (``"seeds"``, ``"finetune-rate"``): your own
    newest (``<cache>/sweeps/GRID-<digest>.json``, a digest of the grid file's path, as
    ``make sweep`` names it) when you ran one, else the lesson's shipped one. The dict has
    ``"source"`` added: ``"your own sweep"`` or ``"the lesson's shipped sweep"``."""
    folder = Path(cache_dir or default_cache_dir()) / "sweeps"
    own = [path for path in folder.glob(f"{grid}-*.json")
           if path.stem[len(grid) + 1:].isalnum()] + [folder / f"{grid}.json"]
    own = [path for path in own if path.is_file()]
    if own:
        newest = max(own, key=lambda path: path.stat().st_mtime)
        return {**json.loads(newest.read_text()), "source": "your own sweep"}
    shipped = resources.files(SHIPPED) / f"{grid}.json"
    if not shipped.is_file():
        raise FileNotFoundError(
            f"no sweep named {grid!r}: run `make sweep GRID=params/sweeps/{grid}.yaml` first.")
    return {**json.loads(shipped.read_text()), "source": "the lesson's shipped sweep"}


def describe_sweep(summary: Mapping) -> str:
    """Where a summary comes from, in one line: source, runs, data, machine, date, and the time
    its runs took there, one at a time: the sum of their own seconds (:func:`run_seconds`), those
    an earlier sweep made included, not the sweep's wall time."""
    minutes = sum(map(run_seconds, summary["runs"])) / 60
    data = sorted({data_of(run) for run in summary["runs"]})
    weights = sorted({str(run.get("weights")) for run in summary["runs"]
                      if run["notebook"] in PRETRAINED})
    seeds = len({run["parameters"].get("seed") for run in summary["runs"]})
    return (f"From {summary['source']} '{summary['grid']}': {len(summary['runs'])} runs "
            f"({seeds} seed{'s' * (seeds != 1)}) on "
            f"{', '.join(data)} data" + (f", base weights {', '.join(weights)}" if weights else "")
            + f"; made on {machine_of(summary)} on {summary['date']}; its runs took "
            f"{minutes:.0f} min there, one at a time.")


def by_seed(summary: Mapping, notebook: str, **fixed: object) -> dict[int, Mapping]:
    """The runs of ``notebook`` whose parameters match ``fixed``, by seed."""
    return {run["parameters"]["seed"]: run for run in summary["runs"]
            if run["notebook"] == notebook
            and all(run["parameters"].get(name) == value for name, value in fixed.items())}


def model_spreads(summary: Mapping) -> list[Mean]:
    """Each model (named as the comparison names it): test accuracy by seed, mean, t-interval."""
    return [intervals.seed_mean(name, {seed: run["test_accuracy"] for seed, run in runs.items()})
            for name, runs in ((METHODS[nb], by_seed(summary, nb)) for nb in METHODS) if runs]


SHARED_HEAD = {"02_frozen_base_augmentation", "03_fine_tuning"}
"""Notebook 03's run with a seed starts from the model notebook 02 trained with that seed."""


def seed_paired(first: str, second: str, summary: Mapping) -> bool:
    """Whether runs of two notebooks with the same seed share randomness, so that the design
    pairs them by seed: 02 and 03 (03 starts from 02's model), and any two of 01-03 when the
    base's weights are random (drawn from the seed, the same base for all three). The baseline
    (04) shares nothing with the others."""
    if {first, second} == SHARED_HEAD:
        return True
    random_base = all(weights_kind(run) == "random"
                      for run in summary["runs"] if run["notebook"] in PRETRAINED)
    return random_base and {first, second} <= set(PRETRAINED)


def difference_facts(summary: Mapping) -> list[Difference]:
    """Every pair of models, the higher mean first: paired by seed where the design pairs them
    (:func:`seed_paired`), else unpaired (Welch); Holm-corrected over all the pairs, ranked only
    where the adjusted p is below 0.05; ranked pairs first, larger differences first."""
    scores = {notebook: {seed: run["test_accuracy"] for seed, run in
                         by_seed(summary, notebook).items()} for notebook in METHODS}
    scores = {notebook: values for notebook, values in scores.items() if values}
    names = list(scores)
    pairs = []
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            shared = set(scores[x]) & set(scores[y])
            if seed_paired(x, y, summary) and shared:
                higher, lower = (y, x) if sum(scores[y][seed] - scores[x][seed]
                                              for seed in shared) > 0 else (x, y)
                pairs.append(intervals.paired_difference(METHODS[higher], METHODS[lower],
                                                         scores[higher], scores[lower]))
            else:
                pairs.append(intervals.unpaired_difference(
                    METHODS[x], METHODS[y], list(scores[x].values()), list(scores[y].values())))
    adjusted = intervals.holm_tested([pair.p_value for pair in pairs])
    tested = sum(p is not None for p in adjusted)
    pairs = [replace(pair, adjusted_p=p, comparisons=tested)
             for pair, p in zip(pairs, adjusted, strict=True)]
    return sorted(pairs, key=lambda pair: (not pair.ranked, -pair.mean))


def spread_observations(summary: Mapping) -> str:
    """Each model's mean over seeds with its 95% t-interval and every seed's accuracy; then every
    pair (:func:`difference_facts`), ranked only where Holm's adjusted p is below 0.05; then
    what the spread covers."""
    lines = [f"{spread.name}: mean {spread.mean:.3f} over {len(spread.by_seed)} seeds "
             f"({intervals.span(spread.interval)}); by seed: " + ", ".join(
                 f"{seed}: {value:.3f}" for seed, value in sorted(spread.by_seed.items())) + "."
             for spread in model_spreads(summary)]
    lines += [difference_sentence(pair) for pair in difference_facts(summary)]
    scope = intervals.seed_scope(machine_of(summary) or "not recorded", backend_of(summary))
    return "\n".join([*lines, scope])


@dataclass(frozen=True)
class RateFacts:
    """Notebook 03's runs at one learning rate, by seed (fields: :data:`RATE_MEASURES`)."""

    rate: float
    kept_validation: dict[int, float]
    lowest_validation: dict[int, float]
    test: dict[int, float]


def rate_facts(summary: Mapping, notebook: str = "03_fine_tuning") -> list[RateFacts]:
    """Per learning rate (highest first), by seed: the kept epoch's validation accuracy (max of
    ``history["val_accuracy"]``), the lowest of any epoch, and the test accuracy."""
    facts = []
    for rate in sorted({run["parameters"]["learning_rate"] for run in summary["runs"]
                        if run["notebook"] == notebook}, reverse=True):
        runs = by_seed(summary, notebook, learning_rate=rate).items()
        validation = {seed: run["history"]["val_accuracy"] for seed, run in runs}
        facts.append(RateFacts(rate, {seed: max(v) for seed, v in validation.items()},
                               {seed: min(v) for seed, v in validation.items()},
                               {seed: run["test_accuracy"] for seed, run in runs}))
    return facts


@dataclass(frozen=True)
class RateChoice:
    """Two learning rates compared seed by seed (paired: same seed, same head), first minus
    second, on each of :data:`RATE_MEASURES`."""

    first: float
    second: float
    kept_validation: Difference
    lowest_validation: Difference
    test: Difference

    @property
    def chosen(self) -> float | None:
        """The rate :data:`RATE_RULE` chooses; None where it tells them apart on neither."""
        for measure in (self.lowest_validation, self.kept_validation):
            if measure.ranked:
                return self.first if measure.mean > 0 else self.second
        return None


RATE_MEASURES = {"kept_validation": "kept epoch's validation accuracy",
                 "lowest_validation": "lowest validation accuracy of an epoch",
                 "test": "test accuracy (reported, not used to choose)"}
"""The three measures of a rate, by :class:`RateFacts` field: the first two choose."""
RATE_RULE = ("The rate is chosen on validation only: the one with the higher lowest validation "
             "accuracy of an epoch where that paired 95% interval excludes 0, else the one with "
             "the higher kept epoch's validation accuracy where its interval does, else not told "
             "apart. Test accuracy is reported, never used to choose.")


def rate_choice(summary: Mapping) -> list[RateChoice]:
    """Every pair of learning rates in the summary, compared seed by seed."""
    facts = rate_facts(summary)
    return [RateChoice(x.rate, y.rate, *(intervals.paired_difference(
        f"rate {x.rate:g}", f"rate {y.rate:g}", getattr(x, field), getattr(y, field))
        for field in RATE_MEASURES)) for i, x in enumerate(facts) for y in facts[i + 1:]]


def rate_observations(summary: Mapping) -> str:
    """Per learning rate, the three measures over seeds; per pair of rates, their paired
    differences and the choice (:data:`RATE_RULE`)."""
    lines = [f"learning rate {fact.rate:g}, over {len(fact.test)} seeds: " + "; ".join(
        f"{name} {min(getattr(fact, field).values()):.3f} to "
        f"{max(getattr(fact, field).values()):.3f}" for field, name in RATE_MEASURES.items()) + "."
        for fact in rate_facts(summary)]
    for choice in rate_choice(summary):
        lines += [f"{name}: {difference_sentence(getattr(choice, field))}"
                  for field, name in RATE_MEASURES.items()]
        lines.append(f"Chosen on validation: {choice.chosen:g}." if choice.chosen is not None else
                     f"{choice.first:g} and {choice.second:g}: not told apart on validation.")
    return "\n".join([*lines, RATE_RULE])


def rate_text(rate: float) -> str:
    """A learning rate as the charts write it, every rate alike: ``1e-4``, ``1e-5``, ``2.5e-5``
    (no trailing zeros, no zero before the exponent)."""
    mantissa, exponent = f"{rate:e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


ONE_CLASS = "one class for every picture (0.5)"
"""The dashed line at 0.5 on the rate chart: the accuracy of a model that answers one class for
every picture (as many pictures of each class)."""


def _accuracy_axis(axis, ticks: list[str], chance: str | None = None) -> None:
    """An accuracy axis from 0.4 to 1, chance (0.5) dashed, ``ticks`` along x, no top or right."""
    axis.axhline(0.5, color="gray", linestyle="--", linewidth=1, label=chance)
    axis.set_xticks(range(len(ticks)), ticks)
    axis.set_ylim(0.4, 1.02)
    axis.spines[["top", "right"]].set_visible(False)


def spread_chart(summary: Mapping, this_run: Sequence[Mapping] | None = None,
                 title: str = "Test accuracy over seeds"):
    """Each model's test accuracy for every seed (dots), its mean with its 95% t-interval (black
    bar), and, given this run's records, this run's (red diamond). Each method's label says the
    base weights the sweep's runs of it used (:func:`santa_lib.comparison.weights_note`), as the
    comparison chart's do. Returns the figure, closed."""
    import matplotlib.pyplot as plt

    spreads = model_spreads(summary)
    notebooks = {name: notebook for notebook, name in METHODS.items()}
    labels = ["\n".join(filter(None, [spread.name.replace(" · ", "\n"), weights_note(
        run for run in summary["runs"] if run["notebook"] == notebooks.get(spread.name))]))
        for spread in spreads]
    ours = {record["method"]: record["test_accuracy"] for record in this_run or ()}
    first = next((spread.name for spread in spreads if spread.name in ours), None)
    figure, axis = plt.subplots(figsize=(9.5, 3.8), layout="constrained")
    for position, spread in enumerate(spreads):
        points = list(spread.by_seed.values())
        step = min(0.04, 0.3 / max(len(points), 1))  # the seeds' dots side by side, left of 0
        offsets = [position - 0.12 + step * (i - (len(points) - 1) / 2) for i in range(len(points))]
        axis.scatter(offsets, points, color="tab:blue", zorder=3, s=18,
                     label="one seed" if position == 0 else None)
        low, high = spread.interval or (spread.mean, spread.mean)
        axis.errorbar(position + 0.08, spread.mean, [[spread.mean - low], [high - spread.mean]],
                      fmt="s", color="black", capsize=4, markersize=5,
                      label="mean, 95% interval" if position == 0 else None)
        if spread.name in ours:
            axis.scatter([position + 0.22], [ours[spread.name]], marker="D", color="red", s=36,
                         zorder=4, label="this run" if spread.name == first else None)
    _accuracy_axis(axis, labels, "chance (0.5)")
    axis.set_ylabel("test accuracy")
    axis.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    axis.set_title(title, loc="left")
    plt.close(figure)
    return figure


def rate_chart(summary: Mapping, title: str = "Fine-tuning learning rate, seed by seed"):
    """At each learning rate, one panel per :data:`RATE_MEASURES` (the first two choose, the
    test accuracy is only reported); a line joins one seed's runs. The rates run from the lower
    to the higher, left to right, as on any axis of numbers, written alike (:func:`rate_text`);
    the dashed line is :data:`ONE_CLASS`, named in the legend under the panels. Returns the
    figure, closed."""
    import matplotlib.pyplot as plt

    facts = sorted(rate_facts(summary), key=lambda fact: fact.rate)  # the lower rate first
    figure, axes = plt.subplots(1, 3, figsize=(11, 3.9), layout="constrained", sharey=True)
    for axis, (field, name) in zip(axes, RATE_MEASURES.items(), strict=True):
        seeds = sorted(set.intersection(*(set(getattr(fact, field)) for fact in facts)))
        for seed in seeds:
            axis.plot(range(len(facts)), [getattr(fact, field)[seed] for fact in facts],
                      marker="o", color="tab:blue", alpha=0.7,
                      label="one seed's runs" if seed == seeds[0] else None)
        _accuracy_axis(axis, [rate_text(fact.rate) for fact in facts], ONE_CLASS)
        axis.set_xlabel("learning rate")
        axis.set_title(name, fontsize=10)
    axes[0].set_ylabel("accuracy")
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2,
                  frameon=False, fontsize=9)
    figure.suptitle(title, x=0.02, ha="left")
    plt.close(figure)
    return figure
