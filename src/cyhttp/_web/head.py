"""Response heads: the status line and header fields as one bytes object, and the Date value.

How this works: ``response_head`` is the one place a head is serialised: the status line
(cached per version, status and reason) and ``name: value`` lines joined in one C-level
pass, encoded once.  CR, LF and NUL in the reason or any field are refused by counting
line breaks in the joined text (exactly one CRLF per line is legal): two scans instead of
a check per value.  ``date_value`` is the current IMF-fixdate, formatted at most once a
second.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .._http.writer import HeaderInjectionError
from .helpers import http_date

__all__ = ("response_head", "date_value", "HeaderInjectionError")

_INJECTION_MSG = (
    "Newline or carriage return character detected in HTTP status line or headers. "
    "This is a potential security issue."
)
_status_lines: dict[tuple[Any, int, str], str] = {}


def response_head(version: tuple[int, int], status: int, reason: str,
                  headers: Iterable[tuple[str, str]] | Any) -> bytes:
    """``HTTP/x.y status reason`` + the fields → the head, ending in CRLF CRLF."""
    key = (version, status, reason)
    line = _status_lines.get(key)
    if line is None:
        line = f"HTTP/{version[0]}.{version[1]} {status} {reason}\r\n"
        if len(_status_lines) < 256:
            _status_lines[key] = line
    items = headers.items() if hasattr(headers, "items") else headers
    fields = "\r\n".join(map(": ".join, items))
    if fields:
        text = line + fields + "\r\n\r\n"
        lines = len(items) + 2  # type: ignore[arg-type]
    else:
        text = line + "\r\n"
        lines = 2
    if text.count("\n") != lines or text.count("\r") != lines or "\x00" in text:
        raise HeaderInjectionError(_INJECTION_MSG)
    return text.encode("utf-8", "surrogateescape")


_last_second = 0
_last_value = ""


def date_value() -> str:
    """The Date header's value for a response sent now (renewed once a second)."""
    global _last_second, _last_value
    now = int(time.time())
    if now != _last_second:
        _last_value = http_date(now)
        _last_second = now
    return _last_value
