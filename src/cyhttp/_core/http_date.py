"""The ``Date`` header value (RFC 9110 §5.6.7 IMF-fixdate), made once per second.

Pure Python on purpose (no twin): the work is one ``time.gmtime`` and one format per
second, whatever the request rate.  Sans-IO: the caller passes the time (``time.time()``
or its loop's clock), so the cache never reads a clock itself.
"""

from __future__ import annotations

import time
from typing import Final

# Fixed English names: strftime's %a / %b follow the locale, HTTP dates do not.
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                  "Nov", "Dec")


def format_http_date(second: int) -> str:
    """``Sun, 06 Nov 1994 08:49:37 GMT`` for a POSIX time in whole seconds."""
    t = time.gmtime(second)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


class DateCache:
    """The ``Date`` value for a time, recomputed only when its integer second changes."""

    __slots__ = ("_second", "_value")

    def __init__(self) -> None:
        self._second: int | None = None
        self._value = ""

    def get(self, now: float) -> str:
        """The IMF-fixdate of ``now`` (POSIX seconds, fractions ignored)."""
        second = int(now)
        if second != self._second:
            self._value = format_http_date(second)
            self._second = second
        return self._value


__all__ = ("DateCache", "format_http_date")
