"""What the benchmark prints: the machine, a table per path, speedups, the FLOP floor, memory,
and one summary line for scripts (``bench_lesson.py``)."""

from __future__ import annotations

import os
import sys

from bench_setup import METHODS

from santa_lib.internals.environment import machine

PATH_LABELS = {"baseline": "baseline (2022 style)", "lesson": "lesson",
               "lesson-bf16": "lesson bf16"}


def machine_description() -> str:
    """The CPU by name, with the features that decide TensorFlow's speed here, and how oneDNN
    was asked for."""
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    onednn_state = {"0": "off (TF_ENABLE_ONEDNN_OPTS=0)",
                    "1": "on (TF_ENABLE_ONEDNN_OPTS=1)"}.get(onednn, "at TensorFlow's default")
    tensorflow_only = (f"; oneDNN {onednn_state}"
                       if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow" else "")
    return f"{machine()}{tensorflow_only}; python {sys.version.split()[0]}"


def table(rows: list[list[str]]) -> str:
    """Rows of cells as aligned text: the first column left, the others right; short rows are
    padded, so every row can leave out what it does not have."""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(width)]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
                     for row in rows)


def path_rows(outcomes: dict[str, dict], need: dict[str, dict[str, float]],
              images: dict[str, int]) -> list[list[str]]:
    """One row per path that ran: seconds per method and in total, GFLOP/s, test accuracies."""
    rows = [["path", "m1 s", "m2 s", "m3 s", "total s", "m2 img/s", "GFLOP/s", "test acc"]]
    for path, outcome in outcomes.items():
        times = outcome["times"]
        total = sum(times.values())
        gflops = sum(need[path].values()) / total
        accuracy = outcome.get("accuracy")
        rows.append([PATH_LABELS.get(path, path), *(f"{times[m]:.1f}" for m in METHODS),
                     f"{total:.1f}", f"{images['m2'] / times['m2']:.1f}", f"{gflops:.0f}",
                     " / ".join(f"{accuracy[m]:.3f}" for m in METHODS) if accuracy else ""])
    return rows


def speedup_line(outcomes: dict[str, dict], path: str) -> str | None:
    """``path`` against the baseline, per method and in total; None when either did not run."""
    if "baseline" not in outcomes or path not in outcomes:
        return None
    baseline, times = outcomes["baseline"]["times"], outcomes[path]["times"]
    ratios = [f"{m} {baseline[m] / times[m]:.2f}x" for m in METHODS]
    total = sum(baseline.values()) / sum(times.values())
    return f"{PATH_LABELS[path]} vs baseline: {', '.join(ratios)}, total {total:.2f}x"


def report(outcomes: dict[str, dict], need: dict[str, dict[str, float]], images: dict[str, int],
           peak: float) -> str:
    """The figures of every path that has run so far, with the summary line last."""

    def total(path: str) -> float:
        return sum(outcomes[path]["times"].values())

    def speedup(path: str) -> str:
        both = "baseline" in outcomes and path in outcomes
        return f"{total('baseline') / total(path):.2f}" if both else "n/a"

    lines = [table(path_rows(outcomes, need, images))]
    lines += [line for line in (speedup_line(outcomes, p) for p in ("lesson", "lesson-bf16"))
              if line]
    multiple = "n/a"
    if "lesson" in outcomes:
        floor = sum(need["lesson"].values()) / peak
        multiple = f"{total('lesson') / floor:.2f}"
        lines.append(f"FLOP floor of the lesson: {sum(need['lesson'].values()):.0f} GFLOP / "
                     f"{peak:.0f} GFLOP/s = {floor:.1f} s; the lesson path took {multiple}x that")
    lines.append("peak memory (RSS): " + ", ".join(
        f"{PATH_LABELS[p]} {o['peak_rss_mib']:.0f} MiB" for p, o in outcomes.items()))
    lines.append(f"summary: fp32 speedup {speedup('lesson')}, bf16 speedup "
                 f"{speedup('lesson-bf16')}, fp32 floor multiple {multiple}")
    return "\n".join(lines)
