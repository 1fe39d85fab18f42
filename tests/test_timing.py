import time

from santa_lib.internals.timing import Stopwatch, format_duration


def test_format_duration():
    assert format_duration(3.04) == "3.0 s"
    assert format_duration(74.25) == "1 min 14.2 s"
    assert format_duration(3600) == "60 min 0.0 s"


def test_stopwatch_counts_up():
    watch = Stopwatch()
    first = watch.seconds
    time.sleep(0.01)
    assert watch.seconds > first >= 0
    assert str(watch).endswith(" s")
