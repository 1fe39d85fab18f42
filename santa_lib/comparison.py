"""The three methods side by side, on the same footing (home notebook: 04; also ``make lessons``).

Notebook 04 and the run report both show this table, so the rule for what is compared lives
here once.
"""

from __future__ import annotations

from santa_lib.internals.timing import format_duration

REFERENCE_2022 = [
    {"method": "1 · feature extraction", "test_accuracy": 0.933, "seconds": 74, "note": None},
    {"method": "2 · frozen base + augmentation", "test_accuracy": 0.930, "seconds": 1125,
     "note": "method 2's figure is a validation accuracy (it reported no test score)"},
    {"method": "3 · fine-tuning", "test_accuracy": 0.906, "seconds": 400,
     "note": "method 3's time is about 6 min 40 s"},
]
"""The 2022 lesson's own figures: the original photos, ImageNet weights, the author's laptop CPU
(1:14, 18:45 and about 6:40)."""


COMPARISON_COLUMNS = ("method", "test accuracy", "test loss", "time", "trainable parameters",
                      "images seen", "weights", "precision")
"""The columns of the comparison, in notebook 04, the terminal and the run report."""


def comparison_cells(result: dict) -> dict[str, str]:
    """One record's figures as the comparison shows them, by column (:data:`COMPARISON_COLUMNS`)."""
    return {
        "method": result["method"],
        "test accuracy": f"{result['test_accuracy']:.3f}",
        "test loss": f"{result['test_loss']:.3f}",
        "time": format_duration(result["seconds"]),
        "trainable parameters": f"{result['trainable_parameters']:,}",
        "images seen": f"{result['images_seen']:,}",
        "weights": result["weights"],
        "precision": result["precision"],
    }


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
