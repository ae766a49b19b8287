"""HTTP/1.1 head writer, the pure-Python twin: the readable reference.

``write_response_head(version, status, reason, headers)`` → ``HTTP/1.1 200 OK\\r\\n``,
one ``Name: value\\r\\n`` per field, then ``\\r\\n``, as one bytes object;
``write_request_head(method, target, version, headers)`` the same with a request line.
Rules shared with the compiled twin (same inputs → same bytes or the same error type),
checked in this order:

* ``version``: a tuple ``(major, minor)`` of ints 0–9, or a str ``"1.1"`` → else
  ValueError (TypeError for another type).
* ``status``: an int 100–999 → else ValueError (TypeError if not an int).  ``reason``:
  a str (TypeError otherwise); CR, LF or NUL in it → HeaderInjectionError.  The status
  line always has the SP before the reason, even an empty one (RFC 9112 §4).
* ``method``: a str token; ``target``: a str of visible ASCII (no SP, no control, no
  byte >= 0x80: percent-encode first) → else HeaderInjectionError (TypeError if not str).
* ``headers``: anything with ``items()`` (CIMultiDict, dict) gives its items, anything
  else is iterated; each item is a (name, value) pair (ValueError from the unpacking
  otherwise).  First every pair in order: name a str (TypeError) and a token
  (HeaderInjectionError), value a str (TypeError); then every value in order: no CR, LF
  or NUL (HeaderInjectionError).
* Text is encoded as UTF-8 with ``surrogateescape``, so bytes a parser decoded that way
  go back out unchanged; any other lone surrogate → UnicodeEncodeError, raised when its
  reason or value is reached (before that text's CR / LF / NUL check).
"""

from __future__ import annotations

import re
from typing import Final, Iterable, Mapping, Union, cast

from multidict import istr

from .errors import HeaderInjectionError

# How this works: the start line is checked piece by piece, each field name as it is
# reached (a name once found to be a token is remembered), the lines are gathered as
# str, the values are checked all at once in the joined head (a count of CR and LF) and
# the head is encoded once.  Only when that check fails are the values looked at one by
# one, to raise for the first bad one (non-ASCII text is encoded then, so an
# unencodable value fails in its turn, as in the compiled twin).

_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TARGET: Final = re.compile(r"[\x21-\x7e]+")
_FORBIDDEN: Final = re.compile(r"[\r\n\x00]")
_VERSION: Final = re.compile(r"[0-9]\.[0-9]")

Version = Union[tuple[int, int], str]
Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]


def _version(version: Version) -> str:
    if isinstance(version, tuple):
        major, minor = version
        if not (isinstance(major, int) and isinstance(minor, int)
                and 0 <= major <= 9 and 0 <= minor <= 9):
            raise ValueError(f"invalid HTTP version {version!r}")
        return f"HTTP/{major:d}.{minor:d}"  # :d, as the compiled twin: True is 1
    if isinstance(version, str):
        if _VERSION.fullmatch(version) is None:
            raise ValueError(f"invalid HTTP version {version!r}")
        return "HTTP/" + version
    raise TypeError(f"version must be a tuple or a str, not {type(version).__name__}")


def _text(value: str, what: str) -> None:
    """Non-ASCII must encode (UnicodeEncodeError); then CR, LF, NUL → HeaderInjectionError."""
    if not value.isascii():
        value.encode("utf-8", "surrogateescape")
    if _FORBIDDEN.search(value) is not None:
        raise HeaderInjectionError(f"CR, LF or NUL in {what}: {value[:100]!r}")


_GOOD_NAMES: Final[set[str]] = set()  # names already found to be tokens
# Names of these classes are looked up in _GOOD_NAMES: neither overrides str's hash or
# equality (another subclass could, and so pass for a name it is not).
_PLAIN: Final = (str, istr)
_GOOD_NAMES_CAP: Final = 512  # apps with ever new names stop adding, they still work


def _name(name: object) -> None:
    """A field name: a str (TypeError) and a token (HeaderInjectionError)."""
    if not isinstance(name, str):
        raise TypeError(f"header name must be a str, not {type(name).__name__}")
    if _TOKEN.fullmatch(name) is None:
        raise HeaderInjectionError(f"header name {name[:100]!r} is not a token")
    if name.__class__ in _PLAIN and len(_GOOD_NAMES) < _GOOD_NAMES_CAP:
        _GOOD_NAMES.add(name)


def _fields(lines: list[str], headers: Headers) -> bytes:
    items: Iterable[tuple[str, str]]
    if headers.__class__ is list or headers.__class__ is tuple:  # no items(): skip the lookup
        items = cast(Iterable[tuple[str, str]], headers)
    else:
        items_of = getattr(headers, "items", None)  # a CIMultiDict, a dict ...
        items = cast(Iterable[tuple[str, str]], items_of() if callable(items_of) else headers)
    append = lines.append
    good = _GOOD_NAMES
    plain = _PLAIN
    for name, value in items:
        if name.__class__ not in plain or name not in good:
            _name(name)
        if not isinstance(value, str):
            raise TypeError(f"value of header {name!r} must be a str, not {type(value).__name__}")
        append(f"{name}: {value}\r\n")
    append("\r\n")
    head = "".join(lines)
    # The values all at once: each line brought one CRLF, and names, version and reason
    # are checked, so any other CR, LF or NUL, or any non-ASCII, is in a value.
    n = len(lines)
    if head.count("\r") != n or head.count("\n") != n or "\x00" in head or not head.isascii():
        for line in lines[1:-1]:  # the first bad value, in order
            name, _, value = line.partition(": ")  # a token has no ":"
            _text(value[:-2], f"the value of header {name!r}")
    return head.encode("utf-8", "surrogateescape")


def write_response_head(version: Version, status: int, reason: str,
                        headers: Headers = ()) -> bytes:
    """``HTTP/x.y SSS reason`` and the fields, as one bytes object (see the module docstring)."""
    start = _version(version)
    if not isinstance(status, int):
        raise TypeError(f"status must be an int, not {type(status).__name__}")
    if not 100 <= status <= 999:
        raise ValueError(f"status {status} is not three digits")
    if not isinstance(reason, str):
        raise TypeError(f"reason must be a str, not {type(reason).__name__}")
    _text(reason, "the reason phrase")
    return _fields([f"{start} {status:d} {reason}\r\n"], headers)


def write_request_head(method: str, target: str, version: Version,
                       headers: Headers = ()) -> bytes:
    """``METHOD target HTTP/x.y`` and the fields, as one bytes object."""
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, not {type(method).__name__}")
    if _TOKEN.fullmatch(method) is None:
        raise HeaderInjectionError(f"method {method[:100]!r} is not a token")
    if not isinstance(target, str):
        raise TypeError(f"target must be a str, not {type(target).__name__}")
    if _TARGET.fullmatch(target) is None:
        raise HeaderInjectionError(f"request-target {target[:100]!r} is not visible ASCII")
    start = _version(version)
    return _fields([f"{method} {target} {start}\r\n"], headers)


__all__ = ("write_response_head", "write_request_head")
