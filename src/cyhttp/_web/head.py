"""Response heads and the Date value, from the engine: its head writer and Date cache.

How this works: ``response_head`` is the engine's ``write_response_head`` (compiled twin:
the head is sized once and copied into one bytes object; CR, LF and NUL in the reason or
any field, and non-token names, are refused with HeaderInjectionError, a ValueError as
aiohttp raises).  ``date_value`` is the engine's once-a-second ``DateCache`` read with
the wall clock.
"""

from __future__ import annotations

import time

from .._core.errors import HeaderInjectionError
from .._core.head_writer import write_response_head as response_head
from .._core.http_date import DateCache

__all__ = ("response_head", "date_value", "HeaderInjectionError")

_dates = DateCache()
_now = time.time


def date_value() -> str:
    """The Date header's value for a response sent now (renewed once a second)."""
    return _dates.get(_now())
