"""santa_lib: the helpers of the Santa-or-not transfer-learning lesson.

The notebooks write the Keras they teach themselves, and reach everything else through one
prefix, ``import santa_lib as sl``, so that every line says whose code it is: ``keras.`` or
``sl.``. This page is the map. What the notebooks call, by topic, and the module it lives in:

====================  ==================================================  =================
topic                 ``sl.`` names                                       module
====================  ==================================================  =================
the pictures          choose_data, load_data, count_images,               data
                      format_counts, read_pictures
the base's weights    choose_weights, weights_preview                     weights
inside the models     VGG19Preprocessing, augmentation,                   preprocessing,
                      sharpness_report                                    augment
method 1              extract_features                                    features
methods 2 and 3       training_batches, batches_in_order,                 training
                      FrozenFrontValidation, method2_model_path,
                      fine_tuned_model_path, save_model_atomically,
                      train_method2_head
what they learned     confusion_matrix, misclassified, gradcam_examples   evaluation
did it fine-tune?     snapshot_weights, weight_changes,                   finetuning
                      format_weight_changes, weight_change_summary
where it looks        gradcam_heatmaps                                    gradcam
pictures of it all    sample_grid, augmentation_grid, plot_history,       plots
                      plot_confusion_matrix, misclassified_gallery,
                      gradcam_grid, answer_titles
what a run can show   what_it_can_show, describe_data_and_weights,        scope
                      pretraining_heading, pretraining_context,
                      against_2022, case_observations
05's take-aways       take_aways                                          takeaways
the settings          settings_outlook                                    outlook
reading the run       history_observations, mistake_observations,         observations,
                      gradcam_observations                                evaluation
the comparison        collect_results, format_comparison,                 comparison
                      ComparisonTable, comparison_chart, REFERENCE_2022,
                      COMPARISON_RULE
how sure one run is   interval_observations                               intervals
two models, the same  paired_observations, pretraining_observations,      paired
test pictures         agreement_chart, paired_facts, baseline_facts
the spread over       sweep_summary, describe_sweep, spread_chart,        spread
seeds (a sweep)       spread_observations, rate_chart, rate_observations
bookkeeping           Run, checked_parameters, set_precision              internals
====================  ==================================================  =================

Beneath these, apart:

- :mod:`santa_lib.sources`: where pictures and weights come from (the embedded generator, the
  2022 photos, splitting and checking a folder of one's own, the ImageNet weights file);
- :mod:`santa_lib.cli`: the command line, ``python -m santa_lib``;
- :mod:`santa_lib.internals`: cache, atomic files, parameters, precision, quiet start, timing,
  results.

Imports point one way: the lesson's modules may use ``sources`` and ``internals``; ``sources``
may use ``internals``; ``internals`` uses neither. Importing the package is cheap (no
TensorFlow) and makes TensorFlow's first import quiet (:mod:`santa_lib.internals.quiet_start`);
each ``sl.`` name imports its module on first use.
"""

import importlib
import importlib.util
import os

from santa_lib.internals import quiet_start
from santa_lib.internals.environment import configured_backend

_BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
_INSTALL_BACKEND = (
    "santa_lib runs on Keras' {backend} backend (KERAS_BACKEND, or keras.json), and {module} is "
    "not installed in this Python ({python}). Install it with the package: pip install "
    "'santa_lib[{extra}]'{alternative}, or choose a backend that is installed "
    "(KERAS_BACKEND=tensorflow, jax or torch). Where one is already installed (a course's "
    "JupyterHub, Colab), run the notebooks in that environment."
)


def _check_backend_installed() -> None:
    backend = configured_backend()
    module = _BACKEND_MODULES.get(backend)
    if module is None:
        return  # a backend the lesson does not know: Keras itself will say what is wrong
    try:
        installed = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        installed = False
    if not installed:
        import sys

        alternative = " or 'santa_lib[tensorflow-cpu]' (smaller, CPU only)" * (
            backend == "tensorflow")
        raise ModuleNotFoundError(
            _INSTALL_BACKEND.format(backend=backend, module=module, python=sys.executable,
                                    extra=backend, alternative=alternative), name=module)


_check_backend_installed()
# TensorFlow reads this once, when it is first imported: keep its C++ run-time chatter out of
# notebook outputs unless the user asked for it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
quiet_start.install()

__version__ = "2.0.0"

_HOMES = {
    "data": ("choose_data", "load_data", "count_images", "format_counts",
             "read_pictures"),
    "weights": ("choose_weights", "weights_preview"),
    "preprocessing": ("VGG19Preprocessing",),
    "augment": ("augmentation", "sharpness_report"),
    "features": ("extract_features",),
    "training": ("training_batches", "batches_in_order", "FrozenFrontValidation",
                 "method2_model_path", "fine_tuned_model_path", "save_model_atomically",
                 "train_method2_head"),
    "evaluation": ("confusion_matrix", "misclassified", "gradcam_examples",
                   "mistake_observations", "gradcam_observations"),
    "finetuning": ("snapshot_weights", "weight_changes", "format_weight_changes",
                   "weight_change_summary"),
    "gradcam": ("gradcam_heatmaps",),
    "plots": ("sample_grid", "augmentation_grid", "plot_history", "plot_confusion_matrix",
              "misclassified_gallery", "gradcam_grid", "answer_titles"),
    "observations": ("history_observations",),
    "outlook": ("settings_outlook",),
    "scope": ("what_it_can_show", "describe_data_and_weights", "pretraining_heading",
              "pretraining_context", "against_2022", "case_observations"),
    "takeaways": ("take_aways",),
    "comparison": ("collect_results", "format_comparison", "ComparisonTable",
                   "comparison_chart", "REFERENCE_2022", "COMPARISON_RULE"),
    "intervals": ("interval_observations",),
    "paired": ("paired_observations", "pretraining_observations", "agreement_chart",
               "paired_facts", "baseline_facts"),
    "spread": ("sweep_summary", "describe_sweep", "spread_chart", "spread_observations",
               "rate_chart", "rate_observations"),
    "internals.results": ("Run",),
    "internals.params": ("checked_parameters",),
    "internals.precision": ("set_precision",),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    """``sl.name``: import the name's module (see the table above) on first use."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'santa_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"santa_lib.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
