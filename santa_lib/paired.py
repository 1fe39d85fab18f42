"""Two models on the same test pictures, compared picture by picture (home notebook: 05).

Two records made on the same test split (equal ``test_pictures`` fingerprints) keep, picture by
picture in the same order, the label (``test_labels``, 0 or 1) and the model's P(class 1)
(``test_probabilities``); a picture is right when ``(probability > 0.5) == (label == 1)``.
Their **agreement table** counts the pictures both got right, only one, or neither
(:class:`Agreement`). From it:

- **McNemar's exact test** (:func:`mcnemar_p`): of the pictures where the two disagree, does one
  model win more often than a coin would give? A two-sided exact binomial test on those pictures
  alone; the pictures both got right or both got wrong say nothing about which is better.
- **Newcombe's interval** (:func:`difference_interval`) for the accuracy difference on these
  pictures, from the two accuracies' Wilson intervals and their correlation.
- **Holm's correction** (:func:`holm`) when several pairs are tested at once.

Facts first (:func:`paired_facts`, :func:`baseline_facts`, frozen :class:`PairedFacts`), then
their sentences (:func:`paired_observations`, :func:`pretraining_observations`); records made
before these keys were kept get no paired verdict, and the sentence says why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from scipy import stats

from santa_lib.evaluation import predicted_labels
from santa_lib.internals.records import BASELINE
from santa_lib.intervals import ALPHA, holm_tested

ANSWER_KEYS = ("test_labels", "test_probabilities", "test_pictures")
"""What a record must keep, beside its test accuracy, to be compared picture by picture."""


@dataclass(frozen=True)
class Agreement:
    """How two models' answers on the same test pictures agree ("first" is model A)."""

    both_right: int
    only_first: int
    only_second: int
    both_wrong: int

    @property
    def pictures(self) -> int:
        """The test pictures both were scored on."""
        return self.both_right + self.only_first + self.only_second + self.both_wrong

    @property
    def difference(self) -> float:
        """Accuracy of A minus accuracy of B, on these pictures."""
        return (self.only_first - self.only_second) / self.pictures


def answers_right(record: Mapping) -> list[bool] | None:
    """Per test picture, whether the record's model got it right; None for a record that did
    not keep its answers (made before they were kept)."""
    if any(record.get(key) is None for key in ANSWER_KEYS):
        return None
    labels, probabilities = record["test_labels"], record["test_probabilities"]
    if len(labels) != len(probabilities):
        raise ValueError(f"{record['method']}: {len(labels)} labels but "
                         f"{len(probabilities)} probabilities")
    said = predicted_labels(probabilities)  # the rule Keras' accuracy uses
    return [int(answer) == int(label) for answer, label in zip(said, labels, strict=True)]


def unpaired_reason(first: Mapping, second: Mapping) -> str | None:
    """Why two records cannot be compared picture by picture; None when they can."""
    old = [record["method"] for record in (first, second) if answers_right(record) is None]
    if old:
        return (f"{' and '.join(old)} kept no per-picture answers (a record made before they "
                "were kept: run the notebook again)")
    if first["test_pictures"] != second["test_pictures"]:
        return "they were scored on different test pictures"
    if list(first["test_labels"]) != list(second["test_labels"]):
        return "their test labels differ, though the test split's fingerprint is the same"
    return None


def agreement(first: Mapping, second: Mapping) -> Agreement:
    """The agreement table of two records made on the same test pictures."""
    reason = unpaired_reason(first, second)
    if reason:
        raise ValueError(f"{first['method']} and {second['method']}: {reason}.")
    pairs = list(zip(answers_right(first), answers_right(second), strict=True))
    return Agreement(sum(a and b for a, b in pairs), sum(a and not b for a, b in pairs),
                     sum(b and not a for a, b in pairs), sum(not (a or b) for a, b in pairs))


def mcnemar_p(only_first: int, only_second: int) -> float:
    """McNemar's exact test: the two-sided exact binomial p-value of ``only_first`` successes
    in the ``only_first + only_second`` discordant pictures at 1/2
    (``scipy.stats.binomtest``); 1 when the models never disagree."""
    discordant = only_first + only_second
    return 1.0 if discordant == 0 else float(stats.binomtest(only_first, discordant).pvalue)


def _wilson(right: int, pictures: int) -> tuple[float, float]:
    found = stats.binomtest(right, pictures).proportion_ci(method="wilson")
    return float(found.low), float(found.high)


def difference_interval(table: Agreement) -> tuple[float, float]:
    """The 95% interval of the paired accuracy difference A - B: Newcombe's hybrid score
    interval, method 10 of Newcombe (1998), "Improved confidence intervals for the difference
    between binomial proportions based on paired data", Statistics in Medicine 17, 2635-2650.

    It combines the Wilson intervals (l1, u1) and (l2, u2) of the two accuracies p1, p2 with
    the correlation phi of the two models' answers:
    lower = D - sqrt((p1-l1)^2 - 2 phi (p1-l1)(u2-p2) + (u2-p2)^2), upper = D + sqrt((u1-p1)^2
    - 2 phi (u1-p1)(p2-l2) + (p2-l2)^2), with phi = (e h - f g) / sqrt((e+f)(g+h)(e+g)(f+h)),
    its numerator lowered by n/2 (not below 0) when positive, as in Newcombe's method 10, and
    phi = 0 where a margin is empty. The interval holds D and lies within [-1, 1], also with no
    discordant pictures, every picture right or every one wrong."""
    e, f, g, h = table.both_right, table.only_first, table.only_second, table.both_wrong
    n = table.pictures
    p1, p2 = (e + f) / n, (e + g) / n
    (l1, u1), (l2, u2) = _wilson(e + f, n), _wilson(e + g, n)
    margins = (e + f) * (g + h) * (e + g) * (f + h)
    numerator = e * h - f * g
    if numerator > 0:
        numerator = max(numerator - n / 2, 0.0)
    phi = numerator / math.sqrt(margins) if margins else 0.0
    below = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    above = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    difference = table.difference
    return (max(-1.0, difference - math.sqrt(max(below, 0.0))),
            min(1.0, difference + math.sqrt(max(above, 0.0))))


@dataclass(frozen=True)
class PairedFacts:
    """Two records compared on the same pictures, the higher accuracy first (``first`` is A):
    the table, McNemar's p, Holm's adjusted p over the comparisons made together
    (``comparisons`` of them) and the 95% interval of A - B; ``reason`` (and no numbers)
    where the two cannot be compared picture by picture."""

    first: str
    second: str
    table: Agreement | None = None
    p_value: float | None = None
    interval: tuple[float, float] | None = None
    adjusted_p: float | None = None
    comparisons: int = 0
    reason: str | None = None

    @property
    def told_apart(self) -> bool:
        """Whether the Holm-adjusted p-value is below :data:`ALPHA`."""
        return self.adjusted_p is not None and self.adjusted_p < ALPHA


def compare_records(first: Mapping, second: Mapping) -> PairedFacts:
    """One pair's facts before Holm's correction, the higher accuracy first."""
    reason = unpaired_reason(first, second)
    if reason:
        return PairedFacts(first["method"], second["method"], reason=reason)
    table = agreement(first, second)
    if table.difference < 0:
        first, second = second, first
        table = Agreement(table.both_right, table.only_second, table.only_first,
                          table.both_wrong)
    return PairedFacts(first["method"], second["method"], table,
                       mcnemar_p(table.only_first, table.only_second), difference_interval(table))


def _corrected(facts: list[PairedFacts]) -> list[PairedFacts]:
    adjusted = holm_tested([fact.p_value for fact in facts])
    tested = sum(p is not None for p in adjusted)
    return [fact if p is None else replace(fact, adjusted_p=p, comparisons=tested)
            for fact, p in zip(facts, adjusted, strict=True)]


def paired_facts(results: Sequence[Mapping]) -> list[PairedFacts]:
    """Every pair of records (in record order), Holm-corrected over the pairs tested."""
    return _corrected([compare_records(a, b) for i, a in enumerate(results)
                       for b in results[i + 1:]])


def baseline_facts(results: Sequence[Mapping]) -> list[PairedFacts]:
    """Each method against the baseline (the record of notebook :data:`BASELINE`), as
    :func:`paired_facts` judged them: Holm-corrected over every pair, one family of tests for
    the whole comparison; [] without a baseline."""
    baseline = next((result for result in results if result["notebook"] == BASELINE), None)
    if baseline is None:
        return []
    return [fact for fact in paired_facts(results)
            if baseline["method"] in (fact.first, fact.second)]


def _numbers(fact: PairedFacts) -> str:
    table, (low, high) = fact.table, fact.interval
    return (f"both right {table.both_right}, only {fact.first} right {table.only_first}, "
            f"only {fact.second} right {table.only_second}, both wrong {table.both_wrong}; "
            f"difference {table.difference:+.3f} (95% interval {low:+.3f} to {high:+.3f}); "
            f"McNemar p = {fact.p_value:.4f}, Holm-adjusted p = {fact.adjusted_p:.4f} over "
            f"{fact.comparisons} comparison{'s' * (fact.comparisons != 1)}")


def _sentence(fact: PairedFacts) -> str:
    if fact.reason:
        return f"{fact.first} and {fact.second}: no paired verdict: {fact.reason}."
    if fact.told_apart:
        return f"{fact.first} scored above {fact.second} on the same pictures: {_numbers(fact)}."
    maybe = ("; the interval, another calculation than the test and not corrected, excludes 0: "
             "a maybe, not a ranking" if fact.interval[0] > 0 else "")
    return (f"{fact.first} and {fact.second}: this run does not tell them apart: "
            f"{_numbers(fact)}{maybe}.")


def _scope(facts: Sequence[PairedFacts]) -> str:
    sizes = sorted({fact.table.pictures for fact in facts if fact.table})
    if not sizes:
        return ""
    pictures = " or ".join(str(size) for size in sizes)
    return (f"What the test covers: only the pictures on which two models disagree, among the "
            f"same {pictures} test pictures; a ranking needs Holm-adjusted p < {ALPHA}. It says "
            "nothing about other seeds or other pictures.")


def paired_observations(results: Sequence[Mapping]) -> str:
    """Every pair of models, compared picture by picture: a ranking only where the Holm-
    adjusted McNemar p-value is below :data:`ALPHA`, otherwise "this run does not tell them
    apart"; always the numbers (table, difference with its interval, p and adjusted p)."""
    if len(results) < 2:
        return "At least two models must have run with these parameters to compare them."
    facts = paired_facts(results)
    return "\n".join(filter(None, [*(_sentence(fact) for fact in facts), _scope(facts)]))


def pretraining_observations(results: Sequence[Mapping]) -> str:
    """Each method minus the baseline on the same test pictures, one line each, with the
    interval and Holm-adjusted p of :func:`paired_observations`: what VGG19's weights bought it
    in this run (what that means, for these weights, is :mod:`santa_lib.scope`'s to say)."""
    facts = baseline_facts(results)
    if not facts:
        return ("The baseline and at least one method must have run with these parameters to "
                "say what VGG19's weights bought.")
    baseline = next(result["method"] for result in results if result["notebook"] == BASELINE)
    return "\n".join(_against_baseline(fact, baseline) for fact in facts)


def _against_baseline(fact: PairedFacts, baseline: str) -> str:
    """One method minus the baseline: the pair's verdict, without its agreement table."""
    method = fact.second if fact.first == baseline else fact.first
    if fact.reason:
        return f"{method}: no paired verdict against the baseline: {fact.reason}."
    sign = -1 if fact.first == baseline else 1
    low, high = sorted(sign * bound for bound in fact.interval)
    verdict = (("scored above" if sign > 0 else "scored below") if fact.told_apart
               else "not told apart from")
    return (f"{method}: {sign * fact.table.difference:+.3f} against the baseline (95% interval "
            f"{low:+.3f} to {high:+.3f}; Holm-adjusted p = {fact.adjusted_p:.4f}): {verdict} "
            "the baseline.")


def agreement_chart(results: Sequence[Mapping], first: str = "03_fine_tuning",
                    second: str = BASELINE):
    """The agreement table of notebook ``first``'s record and notebook ``second``'s among
    ``results``, as a 2x2 grid (:func:`draw_agreement`); where either has not run, or the two
    cannot be compared picture by picture, a sentence saying why instead (a notebook shows
    either as the cell's value)."""
    found = {record["notebook"]: record for record in results}
    missing = [name for name in (first, second) if name not in found]
    if missing:
        return f"No agreement table: {' and '.join(missing)} has not run with these parameters."
    reason = unpaired_reason(found[first], found[second])
    if reason:
        return f"No agreement table: {reason}."
    return draw_agreement(found[first], found[second])


def draw_agreement(first: Mapping, second: Mapping, title: str | None = None):
    """The agreement table of two records as a 2x2 grid (model A right/wrong down, model B
    right/wrong across, counts in the cells, the disagreements shaded: McNemar's test reads
    those alone). Returns the figure, closed, so a notebook shows it once."""
    import matplotlib.pyplot as plt

    table = agreement(first, second)
    cells = [[table.both_right, table.only_first], [table.only_second, table.both_wrong]]
    figure, axis = plt.subplots(figsize=(4.2, 3.6), layout="constrained")
    axis.imshow([[0, 1], [1, 0]], cmap="Greys", vmin=0, vmax=3)
    for row, column in ((0, 0), (0, 1), (1, 0), (1, 1)):
        axis.text(column, row, f"{cells[row][column]}", ha="center", va="center", fontsize=14)
    axis.set_xticks([0, 1], ["model B right", "model B wrong"])
    axis.set_yticks([0, 1], ["model A right", "model A wrong"])
    axis.set_xlabel(f"B: {second['method']}")
    axis.set_ylabel(f"A: {first['method']}")
    axis.set_title(title or f"{first['method']} (A) and {second['method']} (B)\non the same "
                   f"{table.pictures} test pictures", fontsize=10)
    plt.close(figure)
    return figure
