"""A sweep's records read: own before shipped; each model's mean over seeds with its t-interval;
differences ranked only where their interval excludes 0 (Welch across notebooks, paired within
the rate sweep); the rate chosen on validation only; whether this run's case is the sweep's."""

import json
from importlib import resources
from pathlib import Path

import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from scipy import stats

from santa_lib.intervals import holm, mean_interval, paired_interval, welch_interval
from santa_lib.scope import case_differences, case_observations
from santa_lib.spread import (
    RATE_RULE,
    describe_sweep,
    difference_facts,
    model_spreads,
    rate_chart,
    rate_choice,
    rate_facts,
    rate_observations,
    rate_text,
    run_seconds,
    seed_paired,
    spread_chart,
    spread_observations,
    sweep_summary,
)

ROOT = Path(__file__).resolve().parent.parent
FIRST, THIRD, BASELINE = "1 · feature extraction", "3 · fine-tuning", "baseline · no pretraining"


def run(notebook: str, seed: int, accuracy: float, rate: float = 1e-4,
        validation=(0.5, 0.8, 0.9)) -> dict:
    return {"notebook": notebook, "method": {"01_feature_extraction": FIRST,
                                             "03_fine_tuning": THIRD}.get(notebook, BASELINE),
            "test_accuracy": accuracy, "seconds": 20.0,
            "parameters": {"seed": seed, "learning_rate": rate, "data_dir": "embedded"},
            "history": {"val_accuracy": list(validation)},
            "weights": "none" if notebook == "04_from_scratch" else "random (offline fallback)"}


def summary(runs: list[dict], grid: str = "seeds") -> dict:
    return {"grid": grid, "grid_file": f"params/sweeps/{grid}.yaml", "machine": "a CPU, 2 cores",
            "date": "2026-12-04", "keras_backend": "tensorflow", "seconds": 600.0, "runs": runs,
            "failed": [], "source": "a test"}


def sweep(scores: dict[str, list[float]]) -> dict:
    return summary([run(notebook, seed, accuracy) for notebook, values in scores.items()
                    for seed, accuracy in enumerate(values)])


# method 3 above method 1 though not with every seed (seed 4); the baseline told from neither
SEEDS = sweep({"01_feature_extraction": [0.80, 0.81, 0.82, 0.83, 0.84],
               "03_fine_tuning": [0.90, 0.92, 0.89, 0.93, 0.82],
               "04_from_scratch": [0.78, 0.92, 0.80, 0.88, 0.83]})


def test_each_model_has_its_mean_and_t_interval_with_every_seed():
    spreads = {spread.name: spread for spread in model_spreads(SEEDS)}
    assert list(spreads) == [FIRST, THIRD, BASELINE]
    third = spreads[THIRD]
    values = [0.90, 0.92, 0.89, 0.93, 0.82]
    assert third.by_seed == dict(enumerate(values))
    assert third.mean == pytest.approx(sum(values) / 5)
    assert third.interval == pytest.approx(stats.t.interval(0.95, 4, loc=third.mean,
                                                            scale=stats.sem(values)))
    assert mean_interval([0.8]) is None and mean_interval([0.8, 0.8]) == (0.8, 0.8)
    alone = model_spreads(sweep({"01_feature_extraction": [0.8]}))[0]
    assert alone.interval is None and "no interval: too few seeds" in spread_observations(
        sweep({"01_feature_extraction": [0.8]}))


def test_differences_are_paired_where_the_design_pairs_them_and_holm_corrected():
    pairs = {(pair.first, pair.second): pair for pair in difference_facts(SEEDS)}
    three_one = pairs[(THIRD, FIRST)]  # random weights: seed s gives 01 and 03 the same base
    third, first = [0.90, 0.92, 0.89, 0.93, 0.82], [0.80, 0.81, 0.82, 0.83, 0.84]
    paired = stats.ttest_rel(third, first)
    assert three_one.paired and three_one.seeds == (5,)
    assert three_one.interval == pytest.approx(tuple(paired.confidence_interval()))
    assert three_one.mean == pytest.approx(0.072)  # though seed 4 went the other way
    baseline_pair = pairs[(THIRD, BASELINE)]  # the baseline shares nothing with seed s of 03
    welch = stats.ttest_ind(third, [0.78, 0.92, 0.80, 0.88, 0.83], equal_var=False)
    assert not baseline_pair.paired and baseline_pair.seeds == (5, 5)
    assert baseline_pair.interval == pytest.approx(tuple(welch.confidence_interval()))
    tested = [paired.pvalue, welch.pvalue, pairs[(BASELINE, FIRST)].p_value]
    assert [pair.comparisons for pair in pairs.values()] == [3, 3, 3]
    assert three_one.adjusted_p == pytest.approx(holm(tested)[0])
    assert three_one.ranked == (holm(tested)[0] < 0.05)
    assert not baseline_pair.ranked and not pairs[(BASELINE, FIRST)].ranked
    higher_every_seed = difference_facts(sweep({"01_feature_extraction": [0.80, 0.90],
                                                "04_from_scratch": [0.81, 0.91]}))[0]
    assert not higher_every_seed.ranked  # two seeds, both higher: still noise


def test_only_a_shared_base_or_head_pairs_two_notebooks():
    imagenet = summary([{**run(notebook, seed, 0.8 + seed / 100), "weights": "imagenet"}
                        for notebook in ("01_feature_extraction", "02_frozen_base_augmentation",
                                         "03_fine_tuning") for seed in range(3)])
    assert not seed_paired("01_feature_extraction", "03_fine_tuning", imagenet)
    assert seed_paired("02_frozen_base_augmentation", "03_fine_tuning", imagenet)  # one head
    assert seed_paired("01_feature_extraction", "03_fine_tuning", SEEDS)  # one random base
    assert not seed_paired("03_fine_tuning", "04_from_scratch", SEEDS)


def test_the_degenerate_intervals():
    assert welch_interval([0.8, 0.8], [0.7, 0.7]) == pytest.approx((0.1, 0.1))
    assert welch_interval([0.8], [0.7, 0.6]) is None
    assert paired_interval([0.9, 0.8], [0.8, 0.7]) == pytest.approx((0.1, 0.1))
    assert paired_interval([0.9], [0.8]) is None
    with pytest.raises(ValueError, match="differ in length"):
        paired_interval([0.9, 0.8], [0.8])


def test_the_sentences_say_what_the_facts_say_and_what_a_sweep_covers():
    text = spread_observations(SEEDS)
    assert f"{THIRD}: mean 0.892 over 5 seeds (95% interval" in text
    assert "by seed: 0: 0.900, 1: 0.920, 2: 0.890, 3: 0.930, 4: 0.820." in text
    assert f"{THIRD} and {FIRST} not told apart: {THIRD} +0.072 on average" in text
    assert "paired over 5 shared seeds; Holm-adjusted p = " in text
    assert "unpaired (Welch), over 5 and 5 seeds" in text
    assert f"{THIRD} and {BASELINE} not told apart" in text
    assert "training randomness only" in text and "same training, validation and test pictures" \
        in text and "one machine (a CPU, 2 cores) and one backend (tensorflow)" in text
    assert "Wilson interval covers test-picture noise" in text
    assert "neither covers the other" in text


def rates(lowest: dict[float, list[float]], kept: dict[float, list[float]],
          test: dict[float, list[float]]) -> dict:
    """A learning-rate sweep of notebook 03: per rate, per seed, an epoch at the lowest
    validation accuracy, one at the kept (highest), and the test accuracy."""
    return summary([run("03_fine_tuning", seed, test[rate][seed], rate,
                        (lowest[rate][seed], kept[rate][seed], lowest[rate][seed] + 0.01))
                    for rate in lowest for seed in range(len(lowest[rate]))], grid="finetune-rate")


LOWEST = {1e-4: [0.50, 0.52, 0.55, 0.50, 0.58], 1e-5: [0.70, 0.75, 0.72, 0.80, 0.74]}
KEPT = {1e-4: [0.90, 0.91, 0.93, 0.88, 0.92], 1e-5: [0.90, 0.90, 0.92, 0.89, 0.91]}
BETTER_TEST_AT_FAST = {1e-4: [0.95, 0.96, 0.94, 0.95, 0.97], 1e-5: [0.85, 0.84, 0.86, 0.85, 0.83]}


def test_the_rate_is_chosen_on_validation_and_never_on_test():
    facts = rate_facts(rates(LOWEST, KEPT, BETTER_TEST_AT_FAST))
    assert [fact.rate for fact in facts] == [1e-4, 1e-5]
    assert facts[0].lowest_validation == dict(enumerate(LOWEST[1e-4]))
    assert facts[1].kept_validation == dict(enumerate(KEPT[1e-5]))
    [choice] = rate_choice(rates(LOWEST, KEPT, BETTER_TEST_AT_FAST))
    assert choice.lowest_validation.paired and choice.lowest_validation.seeds == (5,)
    reference = stats.ttest_rel(LOWEST[1e-4], LOWEST[1e-5]).confidence_interval()
    assert choice.lowest_validation.interval == pytest.approx((reference.low, reference.high))
    reference = stats.ttest_rel(BETTER_TEST_AT_FAST[1e-4], BETTER_TEST_AT_FAST[1e-5])
    assert choice.test.interval == pytest.approx(tuple(reference.confidence_interval()))
    assert choice.test.ranked and choice.test.mean > 0  # the test split favours 1e-4 ...
    assert choice.chosen == 1e-5  # ... and is not asked: the lowest validation decides
    swapped = {1e-4: BETTER_TEST_AT_FAST[1e-5], 1e-5: BETTER_TEST_AT_FAST[1e-4]}
    assert rate_choice(rates(LOWEST, KEPT, swapped))[0].chosen == 1e-5
    text = rate_observations(rates(LOWEST, KEPT, BETTER_TEST_AT_FAST))
    assert "lowest validation accuracy of an epoch: rate 1e-05 above rate 0.0001" in text
    assert "test accuracy (reported, not used to choose): rate 0.0001 above rate 1e-05" in text
    assert "Chosen on validation: 1e-05." in text and text.endswith(RATE_RULE)
    assert "Test accuracy is reported, never used to choose." in RATE_RULE


def test_without_a_fall_apart_the_kept_validation_decides_else_nothing():
    same_fall = {1e-4: LOWEST[1e-5], 1e-5: LOWEST[1e-5]}
    higher_kept = {1e-4: KEPT[1e-4], 1e-5: [value - 0.05 + seed / 1000
                                            for seed, value in enumerate(KEPT[1e-4])]}
    assert rate_choice(rates(same_fall, higher_kept, BETTER_TEST_AT_FAST))[0].chosen == 1e-4
    [neither] = rate_choice(rates(same_fall, KEPT, BETTER_TEST_AT_FAST))
    assert neither.chosen is None and not neither.kept_validation.ranked
    assert "0.0001 and 1e-05: not told apart on validation." in rate_observations(
        rates(same_fall, KEPT, BETTER_TEST_AT_FAST))


def this_run(**changes) -> list[dict]:
    """This run's records: seed 0's runs of :data:`SEEDS`, with ``changes``."""
    return [{**run, **changes} for run in SEEDS["runs"] if run["parameters"]["seed"] == 0]


def test_this_run_is_read_against_the_spread_only_in_the_same_case():
    assert case_differences(this_run(), SEEDS) == []
    assert "describe the same case" in case_observations(this_run(), SEEDS)
    assert case_differences(this_run(backend="tensorflow", environment={
        "machine": "a CPU, 2 cores"}), SEEDS) == []
    other = this_run(data="photos", weights="imagenet", backend="jax",
                     environment={"machine": "a GPU box"})
    found = {difference.aspect: (difference.this_run, difference.sweep)
             for difference in case_differences(other, SEEDS)}
    assert found == {"pictures": ("photos", "embedded"), "base weights": ("imagenet", "random"),
                     "backend": ("jax", "tensorflow"), "machine": ("a GPU box", "a CPU, 2 cores")}
    text = case_observations(other, SEEDS)
    assert "must not be read against this run" in text
    assert "make sweep GRID=params/sweeps/seeds.yaml" in text
    assert "about 5 min on a CPU, 2 cores" in text  # 15 runs x 20 s
    baseline_only = [record for record in other if record["notebook"] == "04_from_scratch"]
    assert "base weights" not in {d.aspect for d in case_differences(baseline_only, SEEDS)}
    assert "No record of this run" in case_observations([], SEEDS)


def test_your_own_sweep_replaces_the_shipped_one(private_cache):
    own = private_cache / "sweeps" / "seeds.json"
    own.parent.mkdir(parents=True)
    runs = [{**run, "head": {"seconds": 60.0, "source": "trained in this notebook"}}
            if run["notebook"] == "03_fine_tuning" and run["parameters"]["seed"] == 0 else run
            for run in SEEDS["runs"]]
    own.write_text(json.dumps({**{k: v for k, v in SEEDS.items() if k != "source"},
                               "runs": runs}))
    assert sweep_summary("seeds")["source"] == "your own sweep"
    said = describe_sweep(sweep_summary("seeds"))
    assert "15 runs (5 seeds) on embedded data, base weights random (offline fallback); made " \
        "on a CPU, 2 cores on 2026-12-04" in said
    # the runs' own seconds, 15 x 20 s, and the head one trained itself, 60 s: not the
    # summary's 600 s of wall time
    assert "runs took 6 min there, one at a time" in said
    with pytest.raises(FileNotFoundError, match="make sweep GRID=params/sweeps/nothing.yaml"):
        sweep_summary("nothing")


@pytest.mark.parametrize("grid", ["seeds", "finetune-rate"])
def test_the_lesson_ships_both_sweeps(grid):
    shipped = sweep_summary(grid)
    assert shipped["source"] == "the lesson's shipped sweep"
    assert shipped["runs"] and not shipped["failed"]
    assert {run["parameters"]["seed"] for run in shipped["runs"]} == set(range(10))
    assert {"machine", "date"} <= set(shipped)
    # made by this version's notebooks: keys, per-picture answers, where and how they ran
    assert all({"key", "test_probabilities", "environment", "backend"} <= set(run)
               for run in shipped["runs"])


def test_a_runs_time_counts_the_head_it_trained_itself():
    own = {"seconds": 100.0, "head": {"seconds": 60.0, "source": "trained in this notebook"}}
    reused = {"seconds": 100.0, "head": {"seconds": 60.0, "source": "notebook 02's run"}}
    assert run_seconds(own) == 160.0 and run_seconds(reused) == 100.0
    assert run_seconds({"seconds": 5.0, "head": None}) == 5.0


def test_the_spread_chart_draws_every_seed_each_mean_with_its_interval_and_this_run():
    figure = spread_chart(SEEDS, this_run(test_accuracy=0.5))
    axis = figure.axes[0]
    scatters = [c for c in axis.collections if isinstance(c, PathCollection)]
    blue = [c for c in scatters if tuple(c.get_facecolor()[0]) == to_rgba("tab:blue")]
    red = [c for c in scatters if tuple(c.get_facecolor()[0]) == to_rgba("red")]
    assert sum(len(c.get_offsets()) for c in blue) == 15
    assert [float(c.get_offsets()[0][1]) for c in red] == [0.5, 0.5, 0.5]
    bars = [container.lines[2][0].get_segments()[0] for container in axis.containers]
    spreads = model_spreads(SEEDS)
    assert [end for bar in bars for end in (bar[0][1], bar[1][1])] == pytest.approx(
        [end for spread in spreads for end in spread.interval])
    legend = [text.get_text() for text in axis.get_legend().get_texts()]
    assert legend.count("this run") == 1 and "mean, 95% interval" in legend
    # the sweep's weights said under each method, as on the comparison chart; not the baseline's
    assert [label.get_text() for label in axis.get_xticklabels()] == [
        "1\nfeature extraction\n(random VGG19 weights)",
        "3\nfine-tuning\n(random VGG19 weights)", "baseline\nno pretraining"]
    imagenet = summary([{**run, "key": {"weights": "imagenet"}} for run in SEEDS["runs"]])
    assert [label.get_text().split("\n")[-1] for label in
            spread_chart(imagenet).axes[0].get_xticklabels()] == [
        "(ImageNet weights)", "(ImageNet weights)", "no pretraining"]
    assert not [c for c in spread_chart(SEEDS).axes[0].collections
                if isinstance(c, PathCollection) and tuple(c.get_facecolor()[0]) == to_rgba("red")]


def test_the_rate_chart_draws_every_seed_on_each_measure():
    figure = rate_chart(rates(LOWEST, KEPT, BETTER_TEST_AT_FAST))
    assert [len(axis.get_lines()) for axis in figure.axes] == [5 + 1] * 3  # seeds + chance
    assert [axis.get_title() for axis in figure.axes] == [
        "kept epoch's validation accuracy", "lowest validation accuracy of an epoch",
        "test accuracy (reported, not used to choose)"]
    assert figure.axes[0].get_ylabel() == "accuracy"
    for axis in figure.axes:  # the lower rate first, every rate written alike
        assert [label.get_text() for label in axis.get_xticklabels()] == ["1e-5", "1e-4"]
        assert axis.get_xlabel() == "learning rate"
    lowest = figure.axes[1].get_lines()[0]  # seed 0: 0.70 at 1e-5, 0.50 at 1e-4
    assert list(lowest.get_xdata()) == [0, 1] and list(lowest.get_ydata()) == [0.70, 0.50]
    [legend] = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "one seed's runs", "one class for every picture (0.5)"]
    [dashed] = [line for line in figure.axes[0].get_lines() if line.get_linestyle() == "--"]
    assert list(dashed.get_ydata()) == [0.5, 0.5]


def test_rates_are_written_in_one_form():
    assert [rate_text(rate) for rate in (1e-4, 1e-5, 2.5e-5, 0.001, 3e-4)] == [
        "1e-4", "1e-5", "2.5e-5", "1e-3", "3e-4"]


def test_notebook_03s_default_rate_is_the_one_the_shipped_sweep_chooses_on_validation():
    """03 says its default learning rate was chosen on validation scores in the lesson's sweep:
    the rule, on the shipped summary, picks that default."""
    import nbformat

    from santa_lib.internals.results import METHOD_DEFAULTS
    from santa_lib.spread import SHIPPED

    text = " ".join("\n".join(cell.source for cell in nbformat.read(
        ROOT / "notebooks" / "03_fine_tuning.ipynb", as_version=4).cells
        if cell.cell_type == "markdown").split())
    shipped = json.loads((resources.files(SHIPPED) / "finetune-rate.json").read_text())
    [choice] = rate_choice({**shipped, "source": "shipped"})
    default = METHOD_DEFAULTS["03_fine_tuning"]["learning_rate"]
    assert choice.chosen == default == 1e-5 and choice.lowest_validation.ranked
    assert not choice.test.ranked  # the test split does not tell the two rates apart either
    assert "1e-5, was chosen on validation" in text
