"""Set-Cookie parsing (RFC 6265 section 5.2) and cookie-date parsing (5.1.1).

How this works: each Set-Cookie value is split at ';' into the name=value pair
and attributes; anything malformed (no '=', empty name, control characters,
oversize) makes that one cookie be skipped — never an exception. Results are
``Morsel`` objects built without http.cookies' strict name check, since real
servers send names it refuses.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from http.cookies import Morsel

from .log import internal_logger

__all__ = ("MAX_COOKIE_SIZE", "has_control_chars", "is_sendable", "make_morsel",
           "parse_cookie_date", "parse_set_cookie_headers")

MAX_COOKIE_SIZE = 4096  # name + value, as RFC 6265bis and browsers
MAX_ATTRIBUTE_SIZE = 1024

# Control characters other than HTAB are never valid in a cookie (CR/LF could
# split the Cookie header we later send).
_CTL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_STRING_ATTRS = {"path": "path", "domain": "domain", "expires": "expires",
                 "max-age": "max-age", "samesite": "samesite", "comment": "comment",
                 "version": "version"}
_FLAG_ATTRS = {"secure": "secure", "httponly": "httponly"}
if "partitioned" in Morsel._reserved:  # type: ignore[attr-defined]  # Python 3.14+
    _FLAG_ATTRS["partitioned"] = "partitioned"


def has_control_chars(text: str) -> bool:
    """True when ``text`` holds a control character other than HTAB (e.g. CR, LF, NUL)."""
    return _CTL_RE.search(text) is not None


def is_sendable(name: str, value: str) -> bool:
    """A name/value that can go into a Cookie header unchanged in meaning."""
    return (
        _CTL_RE.search(name) is None
        and _CTL_RE.search(value) is None
        and ";" not in name
        and "=" not in name
        and len(name) + len(value) <= MAX_COOKIE_SIZE
    )


def make_morsel(name: str, value: str, coded_value: str) -> Morsel[str]:
    morsel: Morsel[str] = Morsel()
    # __setstate__ stores key/value as given (Morsel.set() refuses some names).
    morsel.__setstate__({"key": name, "value": value, "coded_value": coded_value})  # type: ignore[attr-defined]
    return morsel


# The name characters aiohttp accepts (a token, as RFC 6265 §4.1.1, with a few it lets by).
_NAME_RE = re.compile(r"[!#$%&'()*+\-./0-9:<=>?@A-Z\[\]^_`a-z{|}~]+")
# A quoted value: backslash escapes (\" and octal \ooo, as http.cookies writes them).
_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE_RE = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))")
# Attributes are split at ';' and, as aiohttp reads them, also where a known attribute
# name follows whitespace ("Path=/ Max-Age=1"): dates never contain one.
_ATTR_SPLIT_RE = re.compile(
    r"\s+(?=(?:path|domain|expires|max-age|samesite|comment|version|secure|httponly|partitioned)"
    r"(?:[\s=]|$))", re.IGNORECASE)


def _unescape(match: re.Match[str]) -> str:
    octal, char = match.groups()
    return chr(int(octal, 8)) if octal else char


def _split_pair(header: str) -> tuple[str, str, str, str] | None:
    """``(name, value, coded value, attributes)``; a quoted value may hold ';'."""
    name, eq, rest = header.partition("=")
    if not eq:
        return None
    rest = rest.lstrip(" \t")
    if rest.startswith('"') and (m := _QUOTED_RE.match(rest)) is not None:
        coded = m.group(0)
        value = _ESCAPE_RE.sub(_unescape, m.group(1)) if "\\" in coded else m.group(1)
        tail = rest[m.end():]
        junk, _, attrs = tail.partition(";")
        if junk.strip(" \t"):
            return None  # bytes after the closing quote: not a value aiohttp would take
        return name.strip(" \t"), value, coded, attrs
    raw, _, attrs = rest.partition(";")
    raw = raw.strip(" \t")
    return name.strip(" \t"), raw, raw, attrs


def _parse_one(header: str) -> Morsel[str] | None:
    pair = _split_pair(header)
    if pair is None:
        return None
    name, value, coded, attrs = pair
    if not name or name[0] == "$":
        return None
    if _NAME_RE.fullmatch(name) is None:
        internal_logger.warning("Can not load cookies: Illegal cookie name %r", name)
        return None
    if not is_sendable(name, coded):
        return None
    morsel = make_morsel(name, value, coded)
    if attrs:
        for segment in attrs.split(";"):
            for av in _ATTR_SPLIT_RE.split(segment) if " " in segment.strip() else (segment,):
                key, _, val = av.partition("=")
                key = key.strip(" \t").lower()
                val = val.strip(" \t")
                if len(val) > MAX_ATTRIBUTE_SIZE or _CTL_RE.search(val):
                    continue
                if key in _FLAG_ATTRS:
                    morsel[_FLAG_ATTRS[key]] = True
                elif key in _STRING_ATTRS:
                    morsel[_STRING_ATTRS[key]] = val
    return morsel


def parse_set_cookie_headers(headers: Iterable[str]) -> list[tuple[str, Morsel[str]]]:
    """``(name, Morsel)`` for every well-formed Set-Cookie value; others skipped."""
    result: list[tuple[str, Morsel[str]]] = []
    for header in headers:
        if not isinstance(header, str):
            continue
        morsel = _parse_one(header)
        if morsel is not None:
            result.append((morsel.key, morsel))
    return result


# --- cookie-date (RFC 6265 section 5.1.1) ------------------------------------

_DELIMS_RE = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)")
_DAY_RE = re.compile(r"(\d{1,2})(?:\D|$)")
_YEAR_RE = re.compile(r"(\d{2,4})(?:\D|$)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
           "nov", "dec")


def parse_cookie_date(text: str) -> float | None:
    """Seconds since the epoch for an Expires value, or None when invalid."""
    hms: tuple[int, int, int] | None = None
    day = month = year = None
    for token in _DELIMS_RE.split(text):
        if not token:
            continue
        if hms is None and (m := _TIME_RE.match(token)):
            hms = (int(m[1]), int(m[2]), int(m[3]))
        elif day is None and (m := _DAY_RE.match(token)):
            day = int(m[1])
        elif month is None and token[:3].lower() in _MONTHS:
            month = _MONTHS.index(token[:3].lower()) + 1
        elif year is None and (m := _YEAR_RE.match(token)):
            year = int(m[1])
    if hms is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = hms
    if not 1 <= day <= 31 or year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    try:
        return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))
    except (OverflowError, ValueError):
        return None
