"""The benchmark's report: every combination of paths prints, nothing crashes at the end."""

import pytest
from bench_report import PATH_LABELS, machine_description, report
from bench_setup import flops

EPOCHS = {"m1": 20, "m2": 10, "m3": 10}
NEED = {"baseline": flops(EPOCHS, 542, 200, 180, True),
        "lesson": flops(EPOCHS, 542, 200, 180, False)}
NEED["lesson-bf16"] = NEED["lesson"]
IMAGES = {"m1": 922, "m2": 7600, "m3": 7600}


def outcome(m1, m2, m3, accuracy=True):
    result = {"times": {"m1": m1, "m2": m2, "m3": m3}, "peak_rss_mib": 1000.0}
    if accuracy:
        result["accuracy"] = {"m1": 0.85, "m2": 0.81, "m3": 0.9}
    return result


@pytest.mark.parametrize("paths", [["lesson"], ["baseline"], ["baseline", "lesson"],
                                   ["lesson", "lesson-bf16"],
                                   ["baseline", "lesson", "lesson-bf16"]])
def test_report_for_every_combination_of_paths(paths):
    runs = {"baseline": outcome(40.0, 300.0, 400.0, accuracy=False),
            "lesson": outcome(40.0, 150.0, 200.0), "lesson-bf16": outcome(20.0, 75.0, 100.0)}
    text = report({path: runs[path] for path in paths}, NEED, IMAGES, peak=100.0)
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["path", "m1", "s", "m2"]
    rows = [line for line in lines[1:] if line[:1].isalpha() and "  " in line]
    labels = [label for label in PATH_LABELS.values()
              if any(row.startswith(label + "  ") for row in rows)]
    assert labels == [PATH_LABELS[path] for path in paths]
    summary = lines[-1]
    assert summary.startswith("summary: fp32 speedup ")
    both = "baseline" in paths and "lesson" in paths
    assert ("fp32 speedup 1.90" in summary) == both  # 740 / 390 s
    assert ("bf16 speedup 3.79" in summary) == ("baseline" in paths and "lesson-bf16" in paths)
    assert ("floor multiple n/a" in summary) == ("lesson" not in paths)


def test_machine_description_names_the_cpu_and_its_features(tmp_path):
    from santa_lib.internals.environment import machine

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("model name\t: Test CPU 9000\nflags\t\t: fpu avx2 avx512f amx_bf16\n")
    described = machine(str(cpuinfo))
    assert described.startswith("Test CPU 9000, ") and "(avx2 avx512f amx_bf16)" in described
    assert machine_description().startswith(machine()) and "python" in machine_description()
