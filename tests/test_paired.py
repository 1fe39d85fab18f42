"""Two models on the same test pictures: the agreement table, McNemar's exact test, Newcombe's
interval, Holm's correction, and what the sentences say (santa_lib.paired)."""

import itertools

import matplotlib.pyplot as plt
import pytest
from scipy import stats

from santa_lib.intervals import holm
from santa_lib.paired import (
    Agreement,
    agreement,
    agreement_chart,
    answers_right,
    baseline_facts,
    difference_interval,
    draw_agreement,
    mcnemar_p,
    paired_facts,
    paired_observations,
    pretraining_observations,
)

NOTEBOOKS = {"A": "01_feature_extraction", "B": "03_fine_tuning",
             "C": "02_frozen_base_augmentation", "baseline": "04_from_scratch"}


def answers(rights: list[bool]) -> tuple[list[int], list[float]]:
    """Labels (alternating 0 and 1) and probabilities that make each answer right or wrong."""
    labels = [index % 2 for index in range(len(rights))]
    probabilities = [0.9 if (label == 1) == right else 0.1
                     for label, right in zip(labels, rights, strict=True)]
    return labels, probabilities


def record(name: str, rights: list[bool], pictures: str = "test-split-1",
           weights: str = "random (offline fallback)") -> dict:
    """A record as notebooks 01-04 keep it, with one answer per test picture."""
    labels, probabilities = answers(rights)
    return {"notebook": NOTEBOOKS[name], "method": name,
            "test_accuracy": sum(rights) / len(rights), "test_size": len(rights),
            "weights": "none (trained from scratch)" if name == "baseline" else weights,
            "test_labels": labels, "test_probabilities": probabilities, "test_pictures": pictures}


def pair(both_right: int, only_a: int, only_b: int, both_wrong: int,
         names: tuple[str, str] = ("A", "B")) -> tuple[dict, dict]:
    """Two records whose answers make exactly this agreement table."""
    cells = [(True, True)] * both_right + [(True, False)] * only_a + [(False, True)] * only_b \
        + [(False, False)] * both_wrong
    return (record(names[0], [a for a, _ in cells]), record(names[1], [b for _, b in cells]))


def test_a_picture_is_right_when_the_answer_matches_the_label():
    one = {"method": "m", "test_labels": [1, 1, 0, 0], "test_probabilities": [0.9, 0.5, 0.5, 0.7],
           "test_pictures": "x"}
    assert answers_right(one) == [True, False, True, False]  # 0.5 answers class 0
    assert answers_right({"method": "old", "test_accuracy": 0.8}) is None


def test_the_worked_example_15_to_3_is_told_apart():
    """150/180 against 162/180, disagreeing on 18 pictures: only B right 15, only A right 3."""
    a, b = pair(147, 3, 15, 15)
    assert (a["test_accuracy"], b["test_accuracy"]) == (150 / 180, 162 / 180)
    assert agreement(a, b) == Agreement(147, 3, 15, 15)
    assert mcnemar_p(3, 15) == pytest.approx(stats.binomtest(3, 18, 0.5).pvalue)
    assert mcnemar_p(3, 15) == pytest.approx(0.0075, abs=5e-5)
    [fact] = paired_facts([a, b])
    assert (fact.first, fact.second) == ("B", "A")  # the higher accuracy first
    assert fact.table == Agreement(147, 15, 3, 15) and fact.table.difference == pytest.approx(
        12 / 180)
    assert fact.adjusted_p == fact.p_value and fact.comparisons == 1 and fact.told_apart
    text = paired_observations([a, b])
    assert text.startswith("B scored above A on the same pictures: both right 147, only B right "
                           "15, only A right 3, both wrong 15; difference +0.067")
    assert "McNemar p = 0.0075, Holm-adjusted p = 0.0075 over 1 comparison" in text


def test_40_to_28_is_not_told_apart():
    """p = 0.18 for 28 against 40 discordant pictures. (On 180 pictures 150 and 162 right cannot
    split 40 to 28: at least 132 are right for both, so at most 48 disagree; the table below has
    the same discordant pictures with 100 right for both.)"""
    assert mcnemar_p(28, 40) == pytest.approx(stats.binomtest(28, 68, 0.5).pvalue)
    assert mcnemar_p(28, 40) == pytest.approx(0.18, abs=0.005)
    [fact] = paired_facts(list(pair(100, 28, 40, 12)))
    assert not fact.told_apart and fact.interval[0] < 0 < fact.interval[1]
    assert "B and A: this run does not tell them apart: both right 100" in paired_observations(
        list(pair(100, 28, 40, 12)))
    assert "maybe" not in paired_observations(list(pair(100, 28, 40, 12)))


def test_an_interval_excluding_0_beside_a_corrected_p_above_005_is_called_a_maybe():
    """14 to 5 on 180 pictures: p = 0.064, and the uncorrected interval just excludes 0."""
    a, b = pair(137, 14, 5, 24)
    [fact] = paired_facts([a, b])
    assert not fact.told_apart and fact.interval[0] > 0
    assert paired_observations([a, b]).splitlines()[0].endswith(
        "excludes 0: a maybe, not a ranking.")


def test_no_disagreement_means_p_1():
    assert mcnemar_p(0, 0) == 1.0
    [fact] = paired_facts(list(pair(170, 0, 0, 10)))
    assert fact.p_value == 1.0 and not fact.told_apart


@pytest.mark.parametrize(("cells", "expected"), [
    ((36, 12, 2, 0), (0.0569, 0.3404)),
    ((18, 12, 2, 18), (0.0562, 0.3290)),
    ((53, 0, 0, 1), (-0.0729, 0.0729)),
    ((0, 30, 0, 0), (0.8395, 1.0000)),
])
def test_newcombes_interval_matches_his_published_values(cells, expected):
    """Newcombe (1998), Statistics in Medicine 17, 2635-2650, Table II, method 10, examples (a)
    to (d) (cells e, f, g, h: both, first only, second only, neither), to his 4 decimals."""
    low, high = difference_interval(Agreement(*cells))
    assert (low, high) == pytest.approx(expected, abs=6e-5)


def test_newcombes_interval_on_the_brief_example_12_9_2_21():
    """The brief's example (n = 44, difference 0.1591): method 10 as published (corrected phi)
    gives 0.0112 to 0.2954; the brief's 0.0039 to 0.3136 is not what this method gives."""
    table = Agreement(12, 9, 2, 21)
    assert table.difference == pytest.approx(0.1591, abs=5e-5)
    assert difference_interval(table) == pytest.approx((0.0112, 0.2954), abs=5e-5)


def test_the_interval_always_holds_the_difference_within_minus_one_to_one():
    for n in range(1, 9):
        for e, f, g in itertools.product(range(n + 1), repeat=3):
            if e + f + g > n:
                continue
            table = Agreement(e, f, g, n - e - f - g)
            low, high = difference_interval(table)
            assert -1.0 <= low <= table.difference <= high <= 1.0, table
            swapped = difference_interval(Agreement(e, g, f, n - e - f - g))
            assert swapped == pytest.approx((-high, -low))  # A - B is -(B - A)
    wilson = stats.binomtest(180, 180).proportion_ci(method="wilson")
    for table in (Agreement(180, 0, 0, 0), Agreement(0, 0, 0, 180)):  # all right, all wrong
        assert difference_interval(table) == pytest.approx((wilson.low - 1, 1 - wilson.low))
    low, high = difference_interval(Agreement(90, 0, 0, 90))  # no discordant pictures
    assert low < 0 < high and low == pytest.approx(-high)


def test_holm_matches_the_textbook_example():
    """Wikipedia, "Holm-Bonferroni method", example: p = 0.01, 0.04, 0.03, 0.005 at alpha 0.05
    rejects H1 and H4 only; adjusted: 4 x 0.005, 3 x 0.01, max(2 x 0.03, 0.03), max(0.04, 0.06)."""
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert [p < 0.05 for p in adjusted] == [True, False, False, True]
    assert holm([0.01, 0.02, 0.03, 0.04, 0.05]) == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])
    assert holm([0.5, 0.9]) == [1.0, 1.0] and holm([]) == []


def test_holm_can_take_away_a_ranking_one_pair_alone_would_give():
    a, b = pair(150, 2, 11, 17)  # alone: p = 0.0225
    c = record("C", answers_right(a))  # C answers as A: p = 0.0225 against B, 1 against A
    alone = paired_facts([a, b])[0]
    assert alone.p_value == pytest.approx(stats.binomtest(2, 13).pvalue) and alone.told_apart
    three = {(fact.first, fact.second): fact for fact in paired_facts([a, b, c])}
    assert three[("B", "A")].comparisons == 3
    assert three[("B", "A")].adjusted_p == pytest.approx(3 * alone.p_value)
    assert not three[("B", "A")].told_apart and not three[("B", "C")].told_apart


def test_records_that_cannot_be_paired_get_no_verdict_said_in_words():
    a, b = pair(150, 3, 15, 12)
    old = {key: value for key, value in a.items() if not key.startswith("test_")
           or key in ("test_accuracy", "test_size")}
    other = {**b, "test_pictures": "test-split-2"}
    [fact] = paired_facts([old, b])
    assert fact.p_value is None and "A kept no per-picture answers" in fact.reason
    text = paired_observations([old, b, other])
    assert "A and B: no paired verdict: A kept no per-picture answers" in text
    assert "B and B: no paired verdict: they were scored on different test pictures." in text
    assert "What the test covers" not in text  # nothing was tested
    with pytest.raises(ValueError, match="different test pictures"):
        agreement(b, other)
    assert "At least two models" in paired_observations([a])


def test_the_sentences_say_what_the_test_covers_once():
    a, b = pair(147, 3, 15, 15)
    c = record("C", answers_right(b))
    text = paired_observations([a, b, c])
    assert text.count("What the test covers") == 1
    assert ("only the pictures on which two models disagree, among the same 180 test pictures"
            in text and "nothing about other seeds or other pictures" in text)


def test_pretraining_is_judged_against_the_baseline_with_holm_over_the_methods():
    a, base = pair(147, 3, 15, 15, names=("A", "baseline"))
    b = record("B", answers_right(base))
    facts = baseline_facts([a, b, base])
    assert [(fact.first, fact.second) for fact in facts] == [("baseline", "A"), ("B", "baseline")]
    # one family with every pair (here 3: A-B too), so 05's sections give the same p-values
    assert all(fact.comparisons == 3 for fact in facts)
    everything = {(fact.first, fact.second): fact for fact in paired_facts([a, b, base])}
    assert facts[0] == everything[("baseline", "A")]
    lines = pretraining_observations([a, b, base]).splitlines()
    assert lines[0].startswith("A: -0.067 against the baseline (95% interval -")
    assert lines[0].endswith("): scored below the baseline.")
    assert f"Holm-adjusted p = {facts[0].adjusted_p:.4f}" in lines[0]
    assert lines[1].startswith("B: +0.000 against the baseline")
    assert lines[1].endswith("not told apart from the baseline.")
    assert "both right" not in "".join(lines)  # the table is said once, in the pairs above
    assert "must have run" in pretraining_observations([a, b])


def test_the_agreement_chart_draws_the_table():
    a, b = pair(147, 3, 15, 15)
    figure = draw_agreement(a, b)
    assert not plt.fignum_exists(figure.number)  # returned closed
    axis = figure.axes[0]
    assert [text.get_text() for text in axis.texts] == ["147", "3", "15", "15"]
    assert [t.get_text() for t in axis.get_xticklabels()] == ["model B right", "model B wrong"]
    assert [t.get_text() for t in axis.get_yticklabels()] == ["model A right", "model A wrong"]
    assert "A (A) and B (B)" in axis.get_title()
    with pytest.raises(ValueError, match="different test pictures"):
        draw_agreement(a, {**b, "test_pictures": "another split"})


def test_notebook_05s_chart_picks_the_pair_by_notebook_and_says_why_when_it_cannot():
    fine_tuning, baseline = pair(100, 40, 30, 10, names=("B", "baseline"))
    first, _ = pair(120, 10, 10, 40)
    results = [first, fine_tuning, baseline]
    figure = agreement_chart(results)  # 03 and 04 by default, whatever the records' order
    assert [text.get_text() for text in figure.axes[0].texts] == ["100", "40", "30", "10"]
    assert agreement_chart([first, fine_tuning]) == (
        "No agreement table: 04_from_scratch has not run with these parameters.")
    unpaired = [fine_tuning, {**baseline, "test_pictures": "another split"}]
    assert agreement_chart(unpaired) == (
        "No agreement table: they were scored on different test pictures.")
