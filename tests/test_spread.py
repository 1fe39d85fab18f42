"""A sweep's records read: own before shipped, ranks only where every seed agrees, the rates."""

import json
from importlib import resources
from pathlib import Path

import pytest

from santa_lib.spread import (
    MIN_SEEDS,
    accuracies,
    compare,
    describe_sweep,
    pair_facts,
    rate_chart,
    rate_facts,
    rate_observations,
    run_seconds,
    spread_chart,
    spread_observations,
    sweep_summary,
)

ROOT = Path(__file__).resolve().parent.parent


def run(notebook: str, seed: int, accuracy: float, rate: float = 1e-4,
        validation=(0.5, 0.8, 0.9)) -> dict:
    return {"notebook": notebook, "test_accuracy": accuracy, "seconds": 20.0,
            "parameters": {"seed": seed, "learning_rate": rate, "data_dir": "embedded"},
            "history": {"val_accuracy": list(validation)},
            "weights": "none" if notebook == "04_from_scratch" else "random (offline fallback)"}


def summary(runs: list[dict], grid: str = "seeds") -> dict:
    return {"grid": grid, "grid_file": f"params/sweeps/{grid}.yaml", "machine": "a CPU, 2 cores",
            "date": "2026-12-04", "keras_backend": "tensorflow", "seconds": 600.0, "runs": runs,
            "failed": [], "source": "a test"}


# method 3 above method 1 with every seed; method 1 and the baseline alternate
SEEDS = summary(
    [run("01_feature_extraction", seed, acc) for seed, acc in enumerate([0.80, 0.82, 0.85])]
    + [run("03_fine_tuning", seed, acc) for seed, acc in enumerate([0.85, 0.90, 0.87])]
    + [run("04_from_scratch", seed, acc) for seed, acc in enumerate([0.81, 0.80, 0.87])])


def test_a_model_is_ranked_only_when_every_shared_seed_agrees():
    pairs = {(pair.first, pair.second): pair for pair in pair_facts(SEEDS)}
    three_over_one = pairs[("3 · fine-tuning", "1 · feature extraction")]
    assert three_over_one.ranked and three_over_one.seeds == 3
    assert three_over_one.smallest == pytest.approx(0.02)
    assert three_over_one.largest == pytest.approx(0.08)
    noise = pairs[("baseline · no pretraining", "1 · feature extraction")]
    assert not noise.ranked and noise.first_higher == 2
    assert [pair.ranked for pair in pair_facts(SEEDS)] == [True, False, False]  # ranked first
    tie = pairs[("3 · fine-tuning", "baseline · no pretraining")]
    assert tie.first_higher == 2 and tie.smallest == 0.0  # seed 2 tied: not above every time


def test_too_few_seeds_rank_nothing():
    pair = compare("a", "b", dict.fromkeys(range(MIN_SEEDS - 1), 0.9),
                   dict.fromkeys(range(MIN_SEEDS - 1), 0.5))
    assert pair.first_higher == pair.seeds and not pair.ranked
    with pytest.raises(ValueError, match="share no seed"):
        compare("a", "b", {0: 0.9}, {1: 0.8})


def test_the_higher_mean_comes_first_and_only_shared_seeds_count():
    pair = compare("low", "high", {0: 0.7, 1: 0.7, 2: 0.7, 9: 1.0}, {0: 0.8, 1: 0.8, 2: 0.8})
    assert (pair.first, pair.second, pair.seeds) == ("high", "low", 3)


def test_the_sentences_say_what_the_facts_say():
    text = spread_observations(SEEDS)
    assert "3 · fine-tuning scored above 1 · feature extraction with 3 of 3 seeds" in text
    assert "within run-to-run noise" in text
    assert set(accuracies(SEEDS)) == {"1 · feature extraction", "3 · fine-tuning",
                                      "baseline · no pretraining"}


RATES = summary([run("03_fine_tuning", seed, 0.85, 1e-4, (0.5, 0.6, 0.9)) for seed in range(3)]
                + [run("03_fine_tuning", seed, 0.86 + seed / 100, 1e-5, (0.8, 0.85, 0.9))
                   for seed in range(3)], grid="finetune-rate")


def test_the_rates_are_compared_on_their_falls_and_their_scores():
    facts = rate_facts(RATES)
    assert [fact.rate for fact in facts] == [1e-4, 1e-5]
    assert facts[0].lowest_validation == {0: 0.5, 1: 0.5, 2: 0.5}
    assert facts[1].test == pytest.approx({0: 0.86, 1: 0.87, 2: 0.88})
    text = rate_observations(RATES)
    assert "Lowest validation accuracy, at 1e-05 scored above at 0.0001 with 3 of 3" in text


def test_your_own_sweep_replaces_the_shipped_one(private_cache):
    own = private_cache / "sweeps" / "seeds.json"
    own.parent.mkdir(parents=True)
    own.write_text(json.dumps({k: v for k, v in SEEDS.items() if k != "source"}))
    assert sweep_summary("seeds")["source"] == "your own sweep"
    said = describe_sweep(sweep_summary("seeds"))
    assert "9 runs on embedded data, base weights random (offline fallback); made on a CPU, " \
        "2 cores on 2026-12-04" in said
    assert "runs took 3 min there" in describe_sweep(sweep_summary("seeds"))  # 9 x 20 s
    with pytest.raises(FileNotFoundError, match="make sweep GRID=params/sweeps/nothing.yaml"):
        sweep_summary("nothing")


@pytest.mark.parametrize("grid", ["seeds", "finetune-rate"])
def test_the_lesson_ships_both_sweeps(grid):
    shipped = sweep_summary(grid)
    assert shipped["source"] == "the lesson's shipped sweep"
    assert shipped["runs"] and not shipped["failed"]
    assert {run["parameters"]["seed"] for run in shipped["runs"]} == set(range(5))
    assert {"machine", "date"} <= set(shipped)


def test_a_runs_time_counts_the_head_it_trained_itself():
    own = {"seconds": 100.0, "head": {"seconds": 60.0, "source": "trained in this notebook"}}
    reused = {"seconds": 100.0, "head": {"seconds": 60.0, "source": "notebook 02's run"}}
    assert run_seconds(own) == 160.0 and run_seconds(reused) == 100.0
    assert run_seconds({"seconds": 5.0, "head": None}) == 5.0


def test_the_charts_draw_every_run():
    figure = spread_chart(SEEDS)
    dots = sum(len(collection.get_offsets()) for collection in figure.axes[0].collections)
    assert dots == 9
    rates = rate_chart(RATES)
    assert [len(axis.get_lines()) for axis in rates.axes] == [3 + 1, 3 + 1]  # seeds + chance


def test_notebook_03_cites_the_shipped_fine_tuning_sweep_as_it_is():
    """03's sentence on its default learning rate quotes the shipped sweep's figures."""
    import nbformat

    from santa_lib.internals.results import METHOD_DEFAULTS
    from santa_lib.spread import SHIPPED

    text = "\n".join(cell.source for cell in nbformat.read(
        ROOT / "notebooks" / "03_fine_tuning.ipynb", as_version=4).cells
        if cell.cell_type == "markdown")
    shipped = json.loads((resources.files(SHIPPED) / "finetune-rate.json").read_text())
    facts = {fact.rate: fact for fact in rate_facts({**shipped, "source": "shipped"})}
    for fact in facts.values():
        for values in (fact.test, fact.lowest_validation):
            assert f"{min(values.values()):.3f} to {max(values.values()):.3f}" in " ".join(
                text.split())
    steady, fast = facts[1e-5], facts[1e-4]
    assert all(steady.lowest_validation[seed] > fast.lowest_validation[seed]
               for seed in steady.test)
    assert METHOD_DEFAULTS["03_fine_tuning"]["learning_rate"] == 1e-5
