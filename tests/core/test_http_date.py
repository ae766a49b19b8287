"""DateCache / format_http_date: IMF-fixdate (RFC 9110 §5.6.7), once per second."""

from __future__ import annotations

import email.utils

from hypothesis import given, settings
from hypothesis import strategies as st

from cyhttp._core.http_date import DateCache, format_http_date


def test_rfc_example():
    assert format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 253402300799))  # through 9999-12-31
def test_same_as_the_standard_library(second):
    assert format_http_date(second) == email.utils.formatdate(second, usegmt=True)


def test_recomputed_only_when_the_second_changes():
    cache = DateCache()
    first = cache.get(1_700_000_000.0)
    assert first == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert cache.get(1_700_000_000.999) is first  # the same object: not formatted again
    later = cache.get(1_700_000_001.2)
    assert later == "Tue, 14 Nov 2023 22:13:21 GMT" and later is not first
    assert cache.get(1_700_000_001) is later
    assert cache.get(1_699_999_999.5) == "Tue, 14 Nov 2023 22:13:19 GMT"  # a clock going back


def test_sans_io_no_clock_read(monkeypatch):
    import time

    def no_clock() -> float:
        raise AssertionError("DateCache read the clock")

    monkeypatch.setattr(time, "time", no_clock)
    assert DateCache().get(784111777.5) == "Sun, 06 Nov 1994 08:49:37 GMT"
