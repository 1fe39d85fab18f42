"""The three methods side by side, on the same footing (home notebook: 04; also ``make lessons``).

Notebook 05 and the run report both show this table, so the rule for what is compared lives
here once.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from santa_lib.internals.environment import configured_backend
from santa_lib.internals.params import AUTO
from santa_lib.internals.records import find_records, weights_kind
from santa_lib.internals.timing import format_duration
from santa_lib.intervals import result_interval
from santa_lib.sources.settle import settled_data, settled_weights

REFERENCE_2022 = [
    {"method": "1 · feature extraction", "test_accuracy": 0.933, "seconds": 74, "note": None},
    {"method": "2 · frozen base + augmentation", "test_accuracy": 0.930, "seconds": 1125,
     "note": "method 2's figure is a validation accuracy (it reported no test score)"},
    {"method": "3 · fine-tuning", "test_accuracy": 0.906, "seconds": 1125 + 400,
     "note": "method 3's time is its 6 min 40 s of fine-tuning plus method 2's 18 min 45 s, the "
             "head it starts from"},
]
"""The 2022 lesson's own figures: the original photos, ImageNet weights, the author's laptop CPU
(1:14, 18:45, and about 6:40 of fine-tuning on top of method 2's model), on this comparison's
footing (:data:`COMPARISON_RULE`)."""


def settled(given: Mapping[str, object]) -> dict[str, object]:
    """The parameters notebooks 01-04 ran with, as their records are filed: ``"auto"`` replaced
    by what it chose on this machine (:mod:`santa_lib.sources.settle`, from the cache alone: the
    photos where a run that could download them left them, ImageNet's weights where Keras keeps
    them), and the Keras backend in use."""
    values = dict(given)
    values["data_dir"] = settled_data(values.get("data_dir", AUTO), cache_only=True)
    values["weights"] = settled_weights(values.get("weights", "auto"), cache_only=True)
    values["backend"] = configured_backend()
    return values


def collect_results(given: Mapping[str, object], cache_dir: str | Path | None = None,
                    ) -> tuple[list[dict], dict[str, dict]]:
    """The newest record of each method notebook and the baseline run with ``given`` on this
    machine (:func:`settled`), for notebook 05; and, for each without one, the parameters to
    run it with (the values of ``given`` it declares). A value of None in ``given`` means "the
    notebook's own default"."""
    found, missing = find_records(settled(given), cache_dir)
    return found, {notebook: {name: given[name] for name in needed if name in given}
                   for notebook, needed in missing.items()}


COMPARISON_COLUMNS = ("method", "test accuracy (95% interval)", "test loss", "scored epoch", "time",
                      "trainable parameters", "images seen", "weights", "precision")
"""The columns of the comparison, in notebook 05, the terminal and the run report."""

COMPARISON_RULE = (
    "Every model is scored with the weights of its best validation epoch (the first epoch with "
    "the highest validation accuracy). Method 3's time and images seen include the head "
    "training it starts from (method 2's), and method 1's time the extraction of its features, "
    "even where this run read them from the cache.")
"""The footing the comparison puts the methods on, in words (notebook 05 and the report)."""


BUILT_ON = {"01_feature_extraction": "features", "03_fine_tuning": "head"}
"""What a method builds on whose cost the comparison counts in full, where the method's own
clock may not have paid for it: method 1's features (read from the cache by a later run),
method 3's head (notebook 02's training)."""


def built_on(result: Mapping) -> tuple[str, Mapping | None] | None:
    """``(what, its cost record)`` a method builds on (:data:`BUILT_ON`); None for the others."""
    what = BUILT_ON.get(result["notebook"])
    return None if what is None else (what, result.get(what))


def total_seconds(result: Mapping) -> float | None:
    """The method's whole cost in seconds: its own part, plus what it builds on (method 1's
    features, method 3's head); None when that cost is not known."""
    part = built_on(result)
    if part is None:
        return result["seconds"]
    return None if part[1] is None else result["seconds"] + part[1]["seconds"]


def total_images(result: Mapping) -> int | None:
    """Training pictures the method went through, the head's training included (method 3)."""
    head = result.get("head")
    if result["notebook"] == "03_fine_tuning" and head is None:
        return None
    return result["images_seen"] + (head or {}).get("images_seen", 0)


def _with_part(total, own, what: str, part, text) -> str:
    if total is None:
        return f"{text(own)} + {what} (not recorded)"
    return text(total) if part is None else f"{text(total)} ({what} {text(part)})"


def comparison_cells(result: dict) -> dict[str, str]:
    """One record's figures as the comparison shows them, by column (:data:`COMPARISON_COLUMNS`)."""
    what, part = built_on(result) or ("", None)
    head = result.get("head") or {}
    epochs = len(result["history"].get("loss", [])) or "?"
    return {
        "method": result["method"],
        "test accuracy (95% interval)": _with_interval(result),
        "test loss": f"{result['test_loss']:.3f}",
        "scored epoch": f"{result.get('scored_epoch', '?')} of {epochs}",
        "time": _with_part(total_seconds(result), result["seconds"], what,
                           (part or {}).get("seconds"), format_duration),
        "trainable parameters": f"{result['trainable_parameters']:,}",
        "images seen": _with_part(total_images(result), result["images_seen"], "head",
                                  head.get("images_seen"), lambda n: f"{n:,}"),
        "weights": result["weights"],
        "precision": result["precision"],
    }


def _with_interval(result: Mapping) -> str:
    interval = result_interval(result)
    text = f"{result['test_accuracy']:.3f}"
    return f"{text} ({interval[0]:.2f}-{interval[1]:.2f})" if interval else text


def format_comparison(results: list[dict]) -> str:
    """The records as an aligned plain-text table, one row per method ("" without any)."""
    if not results:
        return ""
    rows = [list(comparison_cells(result).values()) for result in results]
    header = list(COMPARISON_COLUMNS)
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                       for column, (cell, width) in enumerate(zip(row, widths, strict=True)))
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def weights_note(records: Iterable[Mapping], whose: str = "") -> str:
    """A method's base weights, as its ``records`` say, for its label on a chart, ``whose``
    first: "(random VGG19 weights)", "(ImageNet weights)", "(VGG19 weights from a file)", "(mixed
    VGG19 weights)" where they differ; "" where none says, or for the baseline (no base)."""
    kinds = {weights_kind(record) for record in records if record.get("weights")
             or (record.get("key") or {}).get("weights")} - {"none", ""}
    words = {"random": "random VGG19 weights", "imagenet": "ImageNet weights"}.get(
        min(kinds, default=""), "VGG19 weights from a file")
    return "" if not kinds else f"({whose}{'mixed VGG19 weights' if len(kinds) > 1 else words})"


def _method_key(method: str) -> str:
    """Match rows by the method's number ("2 · frozen base" and "2" agree), else by name."""
    match = re.match(r"\s*(\d+)", str(method))
    return match.group(1) if match else str(method).strip().lower()


def _value(row: Mapping | None, field: str) -> float | None:
    return None if row is None or row.get(field) is None else float(row[field])


def _top_of(row: Mapping | None, field: str, value: float) -> float:
    """Where a bar's label goes: above the bar, and above its interval's cap if it has one."""
    interval = result_interval(row) if field == "test_accuracy" and row else None
    return max(value, interval[1] if interval else value)


def _built_on_part(row: Mapping | None, field: str) -> float | None:
    """The part of a method's time bar that is what it builds on (:func:`built_on`)."""
    part = built_on(row) if field == "seconds" and row and row.get("notebook") else None
    return (part[1] or {}).get("seconds") if part else None


def _paired_bars(axis, keys: list[str], ours: dict, theirs: dict, field: str,
                 text, top: float) -> None:
    """This run's bars (solid) beside the 2022 lesson's (hatched), each labelled with its value
    above its interval; a method's time shows what it builds on (method 1's features, method
    3's head) as a lighter part.

    A method this run lacks is marked "not run"; a figure the reference lacks, "n/a".
    """
    width = 0.38 if theirs else 0.6
    series = [(ours, 0.0 if not theirs else -width / 2, "not run",
               dict(color="tab:blue", label="this run"))]
    if theirs:
        series.append((theirs, width / 2, "n/a",
                       dict(facecolor="white", edgecolor="dimgray", hatch="//",
                            label="2022 lesson")))
    part_label = "of which what it builds on\n(1: features, 3: head)"
    for rows, offset, missing, style in series:
        for position, key in enumerate(keys):
            row, x = rows.get(key), position + offset
            value = _value(row, field)
            if value is None:
                axis.text(x, top * 0.02, missing, ha="center", va="bottom", fontsize=9,
                          color="dimgray")
                continue
            axis.bar(x, value, width, **style)
            style = {k: v for k, v in style.items() if k != "label"}  # one legend entry each
            part = _built_on_part(row, field) if rows is ours else None
            if part:
                axis.bar(x, part, width, color="lightsteelblue", hatch="..",
                         edgecolor="tab:blue", label=part_label)
                part_label = None
            axis.text(x, _top_of(row, field, value) + top * 0.015, text(value), ha="center",
                      va="bottom", fontsize=9)
    axis.set_xticks(range(len(keys)))


def _interval_bars(axis, keys: list[str], ours: dict, offset: float) -> None:
    """Each of this run's accuracies' 95% interval, as an error bar on its bar."""
    for position, key in enumerate(keys):
        interval = result_interval(ours[key]) if key in ours else None
        if interval:
            value = ours[key]["test_accuracy"]
            axis.errorbar(position + offset, value,
                          yerr=[[value - interval[0]], [interval[1] - value]], color="black",
                          capsize=4, linewidth=1, label="95% interval" if position == 0 else None)


def comparison_chart(rows: Sequence[Mapping], reference: Sequence[Mapping] | None = None,
                     title: str = "The three methods compared"):
    """Test accuracy (left) and wall-clock time (right) per method, this run against 2022's.

    ``rows``: records as saved by :mod:`santa_lib.internals.results` (method 3's time counts the
    head it builds on, :func:`total_seconds`), or dicts with ``method``, ``test_accuracy`` and
    ``seconds``. ``reference``: the 2022 lesson's figures,
    dicts with ``method``, ``test_accuracy`` (may be None), ``seconds`` and ``note``, drawn
    hatched beside this run's; their notes go under the chart. Methods missing from either list
    are marked, not dropped, so the chart still reads with one or two methods run. Each label
    says this run's base weights (:func:`weights_note`); the legend stands right of the charts.
    """
    import matplotlib.pyplot as plt

    reference = list(reference or [])
    if not rows and not reference:
        raise ValueError("nothing to compare: give at least one method's results.")
    ours = {_method_key(row["method"]): {**row, "seconds": total_seconds(row)}
            if "notebook" in row else row for row in rows}
    theirs = {_method_key(row["method"]): row for row in reference}
    keys = list(dict.fromkeys([*ours, *theirs]))
    if all(key.isdigit() for key in keys):
        keys.sort(key=int)
    names = {key: str((ours.get(key) or theirs[key])["method"]) for key in keys}
    labels = ["\n".join(textwrap.fill(text, 16) for text in (names[key], weights_note(
        [ours.get(key, {})], "this run: " * bool(theirs))) if text) for key in keys]
    figure, (accuracy_axis, time_axis) = plt.subplots(1, 2, figsize=(12.5, 4.8),
                                                      layout="constrained")

    _paired_bars(accuracy_axis, keys, ours, theirs, "test_accuracy", lambda v: f"{v:.3f}", 1.0)
    _interval_bars(accuracy_axis, keys, ours, -0.19 if theirs else 0.0)
    accuracy_axis.axhline(0.5, color="gray", linestyle="--", linewidth=1, label="chance (0.5)")
    accuracy_axis.set_ylim(0, 1.15)
    accuracy_axis.set_ylabel("test accuracy")
    accuracy_axis.set_title("Test accuracy (higher is better)")

    seconds = [_value(table.get(key), "seconds") for table in (ours, theirs) for key in keys]
    longest = max([value for value in seconds if value is not None], default=1.0) or 1.0
    _paired_bars(time_axis, keys, ours, theirs, "seconds", lambda v: f"{v:.0f} s", longest)
    time_axis.set_ylim(0, longest * 1.15)
    time_axis.set_ylabel("seconds")
    time_axis.set_title("Wall-clock time (lower is faster)")

    for axis in (accuracy_axis, time_axis):
        axis.set_xticklabels(labels, fontsize=9)
        axis.spines[["top", "right"]].set_visible(False)
    unique = {name: handle for axis in (accuracy_axis, time_axis)
              for handle, name in zip(*axis.get_legend_handles_labels(), strict=True)}
    figure.legend(unique.values(), unique.keys(), loc="outside right upper", frameon=False,
                  fontsize=9)
    figure.suptitle(title, x=0.02, ha="left")
    notes = list(dict.fromkeys(str(row["note"]) for row in reference if row.get("note")))
    if notes:  # a figure label, so that the layout keeps it clear of the method names
        figure.supxlabel(textwrap.fill("2022 lesson: " + "; ".join(notes), 130), x=0.01,
                         ha="left", fontsize=9, color="dimgray")
    plt.close(figure)
    return figure


class ComparisonTable:
    """The records as a notebook cell's value: an HTML table (it wraps to the page, where a
    200-character text table would not), and the text table of :func:`format_comparison` where
    no HTML is shown (a terminal, ``print``)."""

    def __init__(self, results: Sequence[Mapping]):
        self.results = list(results)

    def __repr__(self) -> str:
        return format_comparison(self.results) or "(no results)"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(name)}</th>" for name in COMPARISON_COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>"
                                        for cell in comparison_cells(result).values()) + "</tr>"
                       for result in self.results)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
