"""Content-Disposition parsing for multipart parts, with aiohttp's results and warnings.

How this works: ``parse_content_disposition`` splits the header on ``;`` and looks at
each ``key=value`` in turn.  Plain values must be a token or a quoted string (a quoted
string that contained a ``;`` is glued back together); ``key*=charset'lang'%xx`` values
are percent-decoded (RFC 5987); ``key*N`` continuations are kept raw for
``content_disposition_filename`` to join.  A header that cannot be trusted as a whole
warns ``BadContentDispositionHeader`` and yields ``(None, {})``; a single bad parameter
warns ``BadContentDispositionParam`` and is dropped.  Nothing here raises for bad input:
a filename is advisory, so the caller gets ``None`` rather than an exception.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from urllib.parse import unquote

__all__ = (
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "content_disposition_filename",
    "parse_content_disposition",
)


class BadContentDispositionHeader(RuntimeWarning):
    """The Content-Disposition header as a whole is malformed (it is ignored)."""


class BadContentDispositionParam(RuntimeWarning):
    """One Content-Disposition parameter is malformed (it is dropped)."""


# RFC 9110 token characters: visible ASCII minus the separators; aiohttp's set also
# admits HT, and we follow it so the same header gives the same parameters.
_TOKEN_CHARS = (frozenset(chr(c) for c in range(33, 127)) - frozenset('()<>@,;:\\"/[]?={}')) | {"\t"}
# A backslash escapes any ASCII character inside a quoted string.
_QUOTED_PAIR = re.compile(r"\\([\x00-\x7f])")


def _is_token(text: str) -> bool:
    return bool(text) and _TOKEN_CHARS.issuperset(text)


def _is_quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == '"' and text[-1] == '"'


def _unquote_string(text: str) -> str:
    """The inside of a quoted string, unescaped (leading ``\\`` / ``/`` are dropped, as aiohttp)."""
    return _QUOTED_PAIR.sub(r"\1", text[1:-1].lstrip("\\/"))


def _is_continuation(key: str) -> bool:
    star = key.find("*")
    if star < 0:
        return False
    tail = key[star + 1:]
    if tail.endswith("*"):
        tail = tail[:-1]
    return tail.isdigit()


def parse_content_disposition(header: str | None) -> tuple[str | None, dict[str, str]]:
    """``(disposition type, parameters)``; ``(None, {})`` for a missing or broken header."""
    if not header:
        return None, {}
    disptype, *items = header.split(";")
    disptype = disptype.strip()
    if not _is_token(disptype):
        warnings.warn(BadContentDispositionHeader(header))
        return None, {}

    params: dict[str, str] = {}
    items.reverse()  # pop() from the end walks them in order
    while items:
        item = items.pop()
        if not item:  # "a;;b" or a trailing ";": tolerated, but noted
            warnings.warn(BadContentDispositionHeader(header))
            continue
        key, eq, value = item.partition("=")
        if not eq:
            warnings.warn(BadContentDispositionHeader(header))
            return None, {}
        key = key.strip().lower()
        value = value.lstrip()
        if key in params:  # a repeated parameter makes the whole header ambiguous
            warnings.warn(BadContentDispositionHeader(header))
            return None, {}
        if not _is_token(key):
            warnings.warn(BadContentDispositionParam(item))
            continue

        if _is_continuation(key):
            if _is_quoted(value):
                value = _QUOTED_PAIR.sub(r"\1", value[1:-1])
            elif not _is_token(value):
                warnings.warn(BadContentDispositionParam(item))
                continue
        elif key.endswith("*"):
            # RFC 5987 ext-value: charset'language'percent-encoded
            if not (_is_token(value) and value.count("'") == 2):
                warnings.warn(BadContentDispositionParam(item))
                continue
            charset, _, value = value.split("'", 2)
            try:
                value = unquote(value, charset or "utf-8", "strict")
            except (LookupError, UnicodeDecodeError):  # the charset name is the peer's
                warnings.warn(BadContentDispositionParam(item))
                continue
        else:
            stripped = value.rstrip()
            if _is_quoted(stripped):
                value = _unquote_string(stripped)
            elif _is_token(value):
                pass
            elif items and _is_quoted(f"{value};{items[-1]}"):
                # a quoted value holding a ";" was cut in two by the split above
                value = _unquote_string(f"{value};{items.pop()}")
            else:
                warnings.warn(BadContentDispositionHeader(header))
                return None, {}
        params[key] = value
    return disptype.lower(), params


def content_disposition_filename(params: Mapping[str, str], name: str = "filename") -> str | None:
    """The ``name`` parameter: ``name*`` first, then ``name``, then joined ``name*0``, ``name*1``..."""
    if not params:
        return None
    extended = name + "*"
    if extended in params:
        return params[extended]
    if name in params:
        return params[name]
    pieces: list[str] = []
    for expected, (key, value) in enumerate(sorted(
        (k, v) for k, v in params.items() if k.startswith(extended)
    )):
        index = key.split("*", 1)[1]
        if index.endswith("*"):
            index = index[:-1]
        if index != str(expected):  # a gap or a stray key ends the sequence
            break
        pieces.append(value)
    if not pieces:
        return None
    value = "".join(pieces)
    if "'" not in value:
        return value
    charset, _, value = value.split("'", 2)
    try:
        return unquote(value, charset or "utf-8", "strict")
    except (LookupError, UnicodeDecodeError):
        return None
