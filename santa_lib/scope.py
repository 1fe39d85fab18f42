"""What a run can show, read off the pictures and weights it actually used (every notebook, before
its first figure; notebook 05 for the comparison).

The lesson's prose must hold whichever pictures and weights ``"auto"`` settled on: ImageNet's
weights make the methods transfer learning; the offline fallback's random weights make the run
a rehearsal of the steps, whose methods measure random features; a weights file of one's own is
whatever it was trained on. The sentences that depend on the case are computed here, once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from santa_lib.data import DESCRIPTIONS, DataChoice
from santa_lib.internals.params import EMBEDDED, PHOTOS
from santa_lib.internals.records import (
    BASELINE,
    backend_of,
    data_of,
    machine_of,
    run_seconds,
    weights_kind,
)
from santa_lib.sources.imagenet import WeightsError
from santa_lib.weights import WeightsChoice, choose_weights

REHEARSAL = (
    "VGG19's weights are random, not ImageNet's: methods 1 to 3 run every step, but measure what "
    "random features are worth, not transfer learning, and the small convnet of notebook 04, "
    "which learns its own features, may well beat them.")
"""Why the offline fallback makes a run a rehearsal, in words."""

EASY_ON_PURPOSE = (
    "The built-in pictures are easy on purpose: a red suit, a white beard and a hat are strong, "
    "simple cues, which a small convnet learns well from scratch.")
"""What the built-in pictures are like, in words."""


def _case(record: Mapping) -> str:
    """A record's weights as a case: ``imagenet``, ``random``, ``file`` or ``none``."""
    kind = weights_kind(record)
    return kind if kind in ("imagenet", "random", "none") else "file"


def _pictures(kind: str, label: str) -> str:
    return DESCRIPTIONS.get(kind, f"your own pictures ({label})")


def _case_sentence(weights: WeightsChoice | None) -> str:
    if weights is None:
        return ("a small convnet that learns from the pictures alone, with no pretrained "
                "weights: the yardstick for what VGG19's weights buy methods 1 to 3.")
    if weights.kind == "imagenet":
        return ("transfer learning: VGG19 brings what it learned from ImageNet's 1.2 million "
                "photos.")
    if weights.kind == "random":
        why = "the offline fallback" if weights.fallback_reason else "as asked"
        return f"a rehearsal ({why}). {REHEARSAL}"
    return (f"transfer learning from whatever the weights in {weights.path} were trained on.")


def what_it_can_show(pictures: DataChoice, weights: WeightsChoice | object = None) -> str:
    """The sentences a notebook prints before its first figure: what a run on these
    ``pictures`` (their note, printed first, names them) with these ``weights`` can show.
    ``weights``: the base's :class:`~santa_lib.weights.WeightsChoice`; None for notebook 04's
    model, which starts from none; or notebook 00's ``weights`` parameter, looked at without
    fetching anything."""
    if weights is not None and not isinstance(weights, WeightsChoice):
        try:
            weights = choose_weights(weights, download=False)
        except WeightsError:
            return ("What this run can show: nothing yet: notebooks 01-03 will stop at once, "
                    "until ImageNet's weights can be had (above: how).")
    text = f"What this run can show: {_case_sentence(weights)}"
    if pictures.kind == EMBEDDED:
        text += " " + EASY_ON_PURPOSE
    elif pictures.kind == PHOTOS and weights is not None and weights.kind == "imagenet":
        text += " This is the 2022 lesson's own case."
    return text


def case_of(results: Sequence[Mapping]) -> dict[str, set[str]]:
    """The pictures, the methods' weights (``imagenet``, ``random``, ``file``) and the backends of a
    set of records."""
    return {
        "data": {data_of(result) for result in results},
        "weights": {_case(result) for result in results
                    if result["notebook"] != BASELINE},
        "backend": {str(result.get("backend", "tensorflow")) for result in results},
    }


def describe_data_and_weights(results: Sequence[Mapping]) -> str:
    """Which case these records are: their pictures, the methods' weights, and what that means."""
    if not results:
        return ""
    case = case_of(results)
    data = "; ".join(_pictures(value, value) for value in sorted(case["data"]))
    labels = sorted({str(result["weights"]) for result in results
                     if result["notebook"] != BASELINE})
    text = f"Pictures: {data}. Weights of methods 1-3: {', '.join(labels) or 'none ran'}."
    if case["weights"] == {"random"}:
        text += " A rehearsal: " + REHEARSAL
    elif case["weights"] == {"imagenet"}:
        text += (" With ImageNet's weights the base brings what it learned on 1.2 million "
                 "photos: this is transfer learning.")
    elif len(case["weights"]) > 1:
        text += " The methods did not all have the same weights: compare them with care."
    if case["data"] == {EMBEDDED}:
        text += " " + EASY_ON_PURPOSE
    if len(case["data"]) > 1 or len(case["backend"]) > 1:
        text += (" These records mix pictures or Keras backends: run the notebooks again with "
                 "the same parameters before reading them side by side.")
    return text


class Markdown(str):
    """Text that a notebook shows as Markdown when it is a cell's value (plain text elsewhere)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def pretraining_heading(results: Sequence[Mapping]) -> Markdown:
    """The heading of notebook 05's section on what VGG19's weights bought, read off the
    methods' weights: a cell's value shows it as a Markdown heading."""
    cases = case_of(results)["weights"]
    if cases == {"imagenet"}:
        title = "What pretraining bought: ImageNet's weights against no weights"
    elif cases == {"random"}:
        title = "Random VGG19 features against no pretraining (a rehearsal)"
    else:
        title = "What VGG19's weights bought"
    return Markdown(f"### {title}")


WHY_RANDOM_LOSES = (
    "Why random features can lose here: methods 1 and 2 train only a head on features that no "
    "training chose, and method 3 adapts only block 5 of them, while the baseline learns every "
    "one of its weights from these pictures.")


def pretraining_context(results: Sequence[Mapping]) -> str:
    """What the comparison with the baseline can mean for these records' weights and pictures."""
    case = case_of(results)
    lines = []
    if case["weights"] == {"random"}:
        lines.append(WHY_RANDOM_LOSES + " With ImageNet's weights the same comparison measures "
                     "transfer learning; this one does not.")
    if case["data"] == {EMBEDDED}:
        lines.append(EASY_ON_PURPOSE)
    return "\n".join(lines)


def against_2022(results: Sequence[Mapping]) -> str:
    """Whether this run's accuracies can be set beside the 2022 lesson's (only on its photos
    with ImageNet's weights), and why its times cannot."""
    if not results:
        return "No model has run with these parameters yet."
    case = case_of(results)
    if case["data"] == {PHOTOS} and case["weights"] == {"imagenet"}:
        accuracies = ("This run used the 2022 photos and ImageNet's weights, as the 2022 lesson "
                      "did: its accuracies can be set beside 2022's, each with its interval "
                      "(2022 reported one run, with none).")
    else:
        accuracies = ("This run did not use the 2022 photos with ImageNet's weights, so its "
                      "accuracies say nothing about 2022's.")
    return (accuracies + " Times do not compare at all: 2022's come from its author's laptop, "
            "with Keras 2 reading and augmenting the photos from disk in Python every epoch; a "
            "time says as much about the machine and the input pipeline as about the method.")


SETTINGS_APART = ("seed", "my_photo", "data_dir", "weights", "backend")
"""Parameters the case comparison does not read as settings: the seed varies in a sweep, the
others are compared as aspects of their own."""


def _settings(record: Mapping) -> str:
    values = record.get("key") or record.get("parameters", {})
    return ", ".join(f"{name}={value!r}" for name, value in sorted(values.items())
                     if name not in SETTINGS_APART)


@dataclass(frozen=True)
class CaseDifference:
    """One way this run and a sweep's summary differ: what, this run's, the sweep's."""

    aspect: str
    this_run: str
    sweep: str


def _differing_settings(results: Sequence[Mapping], runs: Sequence[Mapping]) -> CaseDifference:
    ours, theirs = [], []
    for result in results:
        swept = {_settings(run) for run in runs if run["notebook"] == result["notebook"]}
        if swept and _settings(result) not in swept:
            ours.append(f"{result['notebook'][:2]}: {_settings(result)}")
            theirs.append(f"{result['notebook'][:2]}: {' or '.join(sorted(swept))}")
    return CaseDifference("settings", "; ".join(ours) or "the same", "; ".join(theirs) or
                          "the same")


def _machines(results: Sequence[Mapping], summary: Mapping) -> CaseDifference:
    """This run's machines against the sweep's; where one side names no CPU features (a record
    made before they were named), the CPUs' names alone are compared."""
    ours = sorted({str(machine_of(r)) for r in results if machine_of(r)}) or ["not recorded"]
    theirs = str(machine_of(summary) or "not recorded").split("; ")
    if any("(" not in name for name in [*ours, *theirs]):
        ours, theirs = ([name.split(" (")[0] for name in side] for side in (ours, theirs))
    return CaseDifference("machine", ", ".join(sorted(set(ours))),
                          ", ".join(sorted(set(theirs))))


def case_differences(results: Sequence[Mapping], summary: Mapping) -> list[CaseDifference]:
    """Where this run's records and a summary describe different cases: pictures, the methods'
    base weights, backend, machine and the notebooks' settings (all but the seed); an aspect
    one side did not record is not compared."""
    def kinds(records: Sequence[Mapping], read) -> str:
        return ", ".join(sorted({str(read(r)) for r in records if read(r)})) or "not recorded"

    def methods_weights(record: Mapping) -> str | None:
        return None if record["notebook"] == BASELINE else _case(record)

    runs = summary["runs"]
    found = [CaseDifference("pictures", kinds(results, data_of), kinds(runs, data_of)),
             CaseDifference("base weights", kinds(results, methods_weights),
                            kinds(runs, methods_weights)),
             CaseDifference("backend", kinds(results, lambda record: record.get("backend")),
                            backend_of(summary)),
             _machines(results, summary),
             _differing_settings(results, runs)]
    return [difference for difference in found if difference.this_run != difference.sweep
            and "not recorded" not in (difference.this_run, difference.sweep)]


def case_observations(results: Sequence[Mapping], summary: Mapping) -> str:
    """Whether the spread may be read against this run; where the cases differ, the command that
    makes a sweep for this case and about how long its runs took on the sweep's machine."""
    if not results:
        return "No record of this run: nothing to set against the spread."
    differences = case_differences(results, summary)
    if not differences:
        return ("This run and the sweep describe the same case (pictures, base weights, "
                "backend, machine and settings, where recorded): read this run's accuracies "
                "against the spread.")
    said = "; ".join(f"{d.aspect}: this run {d.this_run}, sweep {d.sweep}" for d in differences)
    return (f"This run and the sweep describe different cases ({said}): the spread describes "
            "another case and must not be read against this run. To make one for this case, "
            f"run `make sweep GRID={summary.get('grid_file') or 'params/sweeps/seeds.yaml'}` "
            f"with this run's parameters: its runs took about "
            f"{sum(map(run_seconds, summary['runs'])) / 60:.0f} min "
            f"on {machine_of(summary) or 'the sweep machine'}, one at a time.")
