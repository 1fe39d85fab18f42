"""What a run can show, from the pictures and weights it used: every case has its sentence."""

from pathlib import Path

import pytest

from santa_lib.data import DataChoice
from santa_lib.internals.records import NO_WEIGHTS
from santa_lib.scope import describe_data_and_weights, what_it_can_show
from santa_lib.weights import WeightsChoice

EMBEDDED = DataChoice("embedded", Path("/cache/embedded"))
PHOTOS = DataChoice("photos", Path("/cache/photos"))
FOLDER = DataChoice("folder", Path("/home/me/pets"))
IMAGENET = WeightsChoice("imagenet", path=Path("/keras/vgg19.h5"))
FALLBACK = WeightsChoice("random", fallback_reason="offline")
ASKED = WeightsChoice("random")
FILE = WeightsChoice("file", path=Path("/home/me/vgg19-places.h5"))


@pytest.mark.parametrize(("pictures", "weights", "says", "never"), [
    (PHOTOS, IMAGENET, ["transfer learning", "2022 lesson's own case"], ["rehearsal"]),
    (EMBEDDED, IMAGENET, ["transfer learning", "easy on purpose"], ["rehearsal", "2022 lesson's"]),
    (EMBEDDED, FALLBACK, ["a rehearsal (the offline fallback)", "random features",
                          "not transfer learning", "easy on purpose"], ["ImageNet's 1.2"]),
    (PHOTOS, ASKED, ["a rehearsal (as asked)"], ["easy on purpose"]),
    (FOLDER, FILE, ["vgg19-places.h5"], ["rehearsal"]),
    (EMBEDDED, None, ["no pretrained weights", "yardstick"], ["rehearsal"]),
])
def test_each_case_says_what_it_can_show(pictures, weights, says, never):
    text = what_it_can_show(pictures, weights)
    assert text.startswith("What this run can show: ")
    assert [phrase for phrase in says if phrase not in text] == []
    assert [phrase for phrase in never if phrase in text] == []


def record(notebook, weights, data="embedded", backend="tensorflow"):
    return {"notebook": notebook, "weights": weights, "data": data, "backend": backend,
            "parameters": {"data_dir": "auto"}}


RANDOM_RUN = [record("01_feature_extraction", "random (offline fallback)"),
              record("03_fine_tuning", "random (offline fallback)"),
              record("04_from_scratch", NO_WEIGHTS)]


def test_the_random_case_is_explained_even_beside_the_baseline():
    """The baseline's weights, "none (trained from scratch)", once hid this sentence."""
    text = describe_data_and_weights(RANDOM_RUN)
    assert text.startswith("Pictures: the lesson's built-in synthetic pictures")
    assert "Weights of methods 1-3: random (offline fallback)." in text
    assert "A rehearsal: VGG19's weights are random" in text and "easy on purpose" in text


def test_the_imagenet_case_and_a_mixture_are_named():
    imagenet = describe_data_and_weights([record("01_feature_extraction", "imagenet", "photos"),
                                          record("04_from_scratch", NO_WEIGHTS, "photos")])
    assert "this is transfer learning" in imagenet and "rehearsal" not in imagenet
    mixed = describe_data_and_weights([record("01_feature_extraction", "imagenet"),
                                       record("02_frozen_base_augmentation", "random"),
                                       record("04_from_scratch", NO_WEIGHTS, "photos")])
    assert "did not all have the same weights" in mixed and "mix pictures" in mixed
    assert describe_data_and_weights([]) == ""


def test_notebook_00_previews_without_fetching_and_says_when_01_03_would_stop(monkeypatch):
    from santa_lib import weights as weights_module

    monkeypatch.setattr(weights_module, "host_reachable", lambda url: (False, "offline (test)"))
    monkeypatch.setattr(weights_module, "_imagenet_or_why",
                        lambda probe, download: (False, "offline (test)"))
    assert "a rehearsal (the offline fallback)" in what_it_can_show(EMBEDDED, "auto")
    assert "notebooks 01-03 will stop at once" in what_it_can_show(EMBEDDED, "imagenet")


def answered(name: str, rights: list[bool]) -> dict:
    """A record with one answer per test picture (tests/test_paired.py's) in the case of
    tests/test_spread.py's seeds sweep: seed 0, embedded pictures, random weights."""
    from tests.test_paired import record as paired_record
    from tests.test_spread import SEEDS

    same = next(run for run in SEEDS["runs"]
                if run["notebook"] == paired_record(name, rights)["notebook"])
    return {**same, **paired_record(name, rights), "method": same["method"]}


def test_the_take_aways_say_this_runs_rankings_and_the_sweeps_in_its_case():
    from santa_lib.takeaways import take_aways
    from tests.test_spread import SEEDS, sweep

    # 01 (A) right on 150 of 180, 03 (B) on 180, the baseline on 165
    first = answered("A", [True] * 150 + [False] * 30)
    third = answered("B", [True] * 180)
    baseline = answered("baseline", [True] * 165 + [False] * 15)
    lines = take_aways([first, third, baseline]).splitlines()
    assert len(lines) == 3
    assert "3 · fine-tuning scored above the baseline" in lines[0]
    assert lines[1].startswith("- Between the methods themselves, this run ranked "
                               "3 · fine-tuning above 1 · feature extraction.")
    assert "answered only by a sweep made in this run's case" in lines[2]
    over_seeds = take_aways([first, third, baseline], SEEDS).splitlines()[2]
    assert over_seeds.startswith("- Over the sweep's 5 seeds, made in this run's case")
    assert over_seeds.count("not told apart") == 3 and "no pair ranked" in over_seeds
    clear = sweep({"01_feature_extraction": [0.80, 0.81, 0.82, 0.83, 0.84],
                   "03_fine_tuning": [0.90, 0.92, 0.91, 0.93, 0.95],
                   "04_from_scratch": [0.84, 0.86, 0.85, 0.87, 0.88]})
    ranked = take_aways([first, third, baseline], clear).splitlines()[2]
    assert ("Holm-corrected): 3 · fine-tuning above 1 · feature extraction, 3 · fine-tuning "
            "above baseline · no pretraining, baseline · no pretraining above 1 · feature "
            "extraction.") in ranked
    elsewhere = [{**record, "backend": "jax"} for record in (first, third, baseline)]
    assert "answered only by a sweep" in take_aways(elsewhere, SEEDS)
    tied = take_aways([first, answered("B", [True] * 150 + [False] * 30), baseline])
    assert "this run told no two of them apart" in tied
