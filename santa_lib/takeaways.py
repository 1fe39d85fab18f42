"""Notebook 05's take-aways: this run's verdicts on the same test pictures (paired tests,
Holm-corrected) in the terms of its weights, and a seeds sweep's where it was made in this run's
case (:func:`santa_lib.scope.case_differences`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from santa_lib.internals.records import BASELINE
from santa_lib.paired import baseline_facts, paired_facts
from santa_lib.scope import case_differences, case_of
from santa_lib.spread import difference_facts


def take_aways(results: Sequence[Mapping], sweep: Mapping | None = None) -> str:
    """Notebook 05's take-aways about this run, one line a point: what VGG19's weights bought
    against the baseline on the same pictures (paired tests), in the terms of these weights;
    what this run ranked between the methods; and, where ``sweep`` (a seeds summary) describes
    this run's case (:func:`case_differences`), what it ranked over its seeds."""
    facts = [fact for fact in baseline_facts(results) if fact.table is not None]
    if not facts:
        return ("- This run has no paired comparison with the baseline: run notebooks 01-04 "
                "with the same parameters.")
    baseline = next(result["method"] for result in results if result["notebook"] == BASELINE)
    above = [fact.first for fact in facts if fact.told_apart and fact.first != baseline]
    below = [fact.second for fact in facts if fact.told_apart and fact.first == baseline]
    same = [fact.first if fact.second == baseline else fact.second for fact in facts
            if not fact.told_apart]
    parts = [f"{', '.join(above)} scored above the baseline" if above else "",
             f"the baseline scored above {', '.join(below)}" if below else "",
             f"{', '.join(same)} could not be told from it" if same else ""]
    verdict = "; ".join(part for part in parts if part)
    weights = case_of(results)["weights"]
    if weights == {"random"}:
        meaning = ("That is what random VGG19 features are worth against a small convnet on "
                   "these pictures, not what transfer learning is worth: run with ImageNet's "
                   "weights to see that.")
    elif weights == {"imagenet"}:
        meaning = ("With ImageNet's weights, that is what pretraining bought on these "
                   "pictures, in this run.")
    else:
        meaning = "Read it in the terms of the methods' weights, named above."
    between = [fact for fact in paired_facts(results) if fact.table is not None
               and baseline not in (fact.first, fact.second)]
    ranked = [f"{fact.first} above {fact.second}" for fact in between if fact.told_apart]
    methods = (f"this run ranked {', '.join(ranked)}" + (" and told no other pair apart"
               if len(ranked) < len(between) else "") if ranked
               else "this run told no two of them apart")
    return "\n".join([
        f"- In this run, on the same test pictures (paired tests, Holm-corrected): {verdict}. "
        + meaning,
        f"- Between the methods themselves, {methods}. They keep 2022's settings, which differ "
        "(the head, the learning rate, the epochs), so a ranking between two of them ranks a "
        "method with its settings, not the method alone; and method 3 is method 2's model "
        "trained for more epochs, so 3 against 2 is fine-tuning and longer training together.",
        _over_seeds(results, sweep)])


def _over_seeds(results: Sequence[Mapping], sweep: Mapping | None) -> str:
    """The take-away on seeds: the sweep's rankings where it describes this run's case."""
    if sweep is None or case_differences(results, sweep):
        return ("- One run ranks little: each verdict above rests on these test pictures and "
                "this seed; whether it holds for other seeds is a sweep's question, answered "
                "only by a sweep made in this run's case.")
    pairs = difference_facts(sweep)
    ranked = [f"{pair.first if pair.mean > 0 else pair.second} above "
              f"{pair.second if pair.mean > 0 else pair.first}" for pair in pairs if pair.ranked]
    seeds = len({run["parameters"]["seed"] for run in sweep["runs"]})
    return (f"- Over the sweep's {seeds} seeds, made in this run's case (mean differences, "
            "Holm-corrected): " + (", ".join(ranked) if ranked else "no pair ranked")
            + "".join(f"; {pair.first} and {pair.second} not told apart" for pair in pairs
                      if not pair.ranked)
            + ". Those verdicts cover training randomness on these pictures, not other pictures.")
