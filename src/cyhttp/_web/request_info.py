"""What a request's headers say, parsed on first use: Forwarded, conditionals, Range, cookies.

How this works: a mixin over ``_headers`` and ``_cache``; each property parses its one
header once (``under_cached_property``).  Parsers are lenient the way aiohttp's are:
malformed parts are skipped, never raised, except ``http_range`` which raises
ValueError as aiohttp's does.
"""

from __future__ import annotations

import datetime
import re
import string
import types
from collections.abc import Iterator, Mapping
from typing import Any, Final

from multidict import CIMultiDictProxy
from propcache.api import under_cached_property as reify

from .. import hdrs
from .helpers import ETAG_ANY, LIST_QUOTED_ETAG_RE, ETag, parse_http_date

__all__ = ("RequestInfoMixin", "parse_cookie_header")

_TCHAR: Final = string.digits + string.ascii_letters + r"!#$%&'*+.^_`|~-"
_TOKEN: Final = rf"[{_TCHAR}]+"
_QDTEXT: Final = r"[{}]".format(
    "".join(chr(c) for c in (0x09, 0x20, 0x21) + tuple(range(0x23, 0x7F))))
_QUOTED_PAIR: Final = r"\\[\t !-~]"
_QUOTED_STRING: Final = rf'"(?:{_QUOTED_PAIR}|{_QDTEXT})*"'
_FORWARDED_PAIR_RE: Final = re.compile(rf"({_TOKEN})=({_TOKEN}|{_QUOTED_STRING})(:\d{{1,4}})?")
_QUOTED_PAIR_REPLACE_RE: Final = re.compile(r"\\([\t !-~])")
_RANGE_RE: Final = re.compile(r"^bytes=(\d*)-(\d*)$", re.ASCII | re.IGNORECASE)


def _unquote_cookie(value: str) -> str:
    """A quoted cookie value's content, with backslash escapes and \\ooo octals undone."""
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    inner = value[1:-1]
    if "\\" not in inner:
        return inner
    out = []
    i = 0
    n = len(inner)
    while i < n:
        ch = inner[i]
        if ch == "\\" and i + 1 < n:
            octal = inner[i + 1:i + 4]
            if len(octal) == 3 and all(c in "01234567" for c in octal):
                out.append(chr(int(octal, 8)))
                i += 4
                continue
            out.append(inner[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_COOKIE_NAME_RE: Final = re.compile(r"[!#-+\--:<>-\[\]-~]+")  # visible ASCII but " ; = \\


def parse_cookie_header(header: str) -> list[tuple[str, str]]:
    """A Cookie header → (name, value) pairs, in order (RFC 6265 §5.4, leniently).

    Pairs end at ``;`` outside a quoted value; a quoted value is unquoted (backslash
    escapes, ``\\ooo`` octals); a bare name is a cookie with an empty value.  A pair
    whose name holds a space, a control character or ``"`` is skipped, not the rest.
    """
    pairs: list[tuple[str, str]] = []
    n = len(header)
    i = 0
    while i < n:
        semi = header.find(";", i)
        eq = header.find("=", i)
        if eq < 0 or (0 <= semi < eq):  # a bare name: a cookie with an empty value
            name = header[i:semi if semi >= 0 else n].strip(" \t")
            if name and _COOKIE_NAME_RE.fullmatch(name):
                pairs.append((name, ""))
            i = n if semi < 0 else semi + 1
            continue
        name = header[i:eq].strip(" \t")
        j = eq + 1
        while j < n and header[j] in " \t":
            j += 1
        if j < n and header[j] == '"':  # a quoted value may hold ";"
            k = j + 1
            while k < n and header[k] != '"':
                k += 2 if header[k] == "\\" else 1
            if k < n:
                value = header[j:k + 1]
                semi = header.find(";", k + 1)
            else:  # unterminated quote: up to the next ";"
                value = header[j:semi if semi >= 0 else n].rstrip(" \t")
        else:
            value = header[j:semi if semi >= 0 else n].rstrip(" \t")
        i = n if semi < 0 else semi + 1
        if name and _COOKIE_NAME_RE.fullmatch(name):
            pairs.append((name, _unquote_cookie(value)))
    return pairs


class RequestInfoMixin:
    """Header-derived request properties (needs ``_headers`` and ``_cache``)."""

    _headers: CIMultiDictProxy[str]
    _cache: dict[str, Any]

    @reify
    def forwarded(self) -> tuple[Mapping[str, str], ...]:
        """The Forwarded headers (RFC 7239), one read-only dict per forwarded-element.

        Values are tokens or unquoted quoted-strings; a malformed pair skips to the next
        comma; 'for', 'by' and 'host' contents are not validated.
        """
        elems: list[Mapping[str, str]] = []
        for field_value in self._headers.getall(hdrs.FORWARDED, ()):
            length = len(field_value)
            pos = 0
            need_separator = False
            elem: dict[str, str] = {}
            elems.append(types.MappingProxyType(elem))
            while 0 <= pos < length:
                match = _FORWARDED_PAIR_RE.match(field_value, pos)
                if match is not None:
                    if need_separator:
                        pos = field_value.find(",", pos)
                    else:
                        name, value, port = match.groups()
                        if value[0] == '"':
                            value = _QUOTED_PAIR_REPLACE_RE.sub(r"\1", value[1:-1])
                        if port:
                            value += port
                        elem[name.lower()] = value
                        pos += len(match.group(0))
                        need_separator = True
                elif field_value[pos] == ",":
                    need_separator = False
                    elem = {}
                    elems.append(types.MappingProxyType(elem))
                    pos += 1
                elif field_value[pos] == ";":
                    need_separator = False
                    pos += 1
                elif field_value[pos] in " \t":
                    pos += 1
                else:
                    pos = field_value.find(",", pos)
        return tuple(elems)

    @reify
    def if_modified_since(self) -> datetime.datetime | None:
        return parse_http_date(self._headers.get(hdrs.IF_MODIFIED_SINCE))

    @reify
    def if_unmodified_since(self) -> datetime.datetime | None:
        return parse_http_date(self._headers.get(hdrs.IF_UNMODIFIED_SINCE))

    @reify
    def if_range(self) -> datetime.datetime | None:
        return parse_http_date(self._headers.get(hdrs.IF_RANGE))

    @staticmethod
    def _etag_values(etag_header: str) -> Iterator[ETag]:
        if etag_header == ETAG_ANY:
            yield ETag(is_weak=False, value=ETAG_ANY)
            return
        for match in LIST_QUOTED_ETAG_RE.finditer(etag_header):
            is_weak, value, garbage = match.group(2, 3, 4)
            if garbage:  # anything that is not an entity-tag ends the list
                break
            yield ETag(is_weak=bool(is_weak), value=value)

    @classmethod
    def _if_match_or_none_impl(cls, header_value: str | None) -> tuple[ETag, ...] | None:
        if not header_value:
            return None
        return tuple(cls._etag_values(header_value))

    @reify
    def if_match(self) -> tuple[ETag, ...] | None:
        return self._if_match_or_none_impl(self._headers.get(hdrs.IF_MATCH))

    @reify
    def if_none_match(self) -> tuple[ETag, ...] | None:
        return self._if_match_or_none_impl(self._headers.get(hdrs.IF_NONE_MATCH))

    @reify
    def cookies(self) -> Mapping[str, str]:
        """The Cookie header as a read-only name → value mapping (the last of a name wins)."""
        return types.MappingProxyType(dict(parse_cookie_header(self._headers.get(hdrs.COOKIE, ""))))

    @reify
    def http_range(self) -> slice:
        """The Range header as a slice (``bytes=a-b``; ValueError when malformed)."""
        rng = self._headers.get(hdrs.RANGE)
        start: int | None = None
        end: int | None = None
        if rng is not None:
            match = _RANGE_RE.match(rng)
            if match is None:
                raise ValueError("range not in acceptable format")
            start_s, end_s = match.groups()
            end = int(end_s) if end_s else None
            start = int(start_s) if start_s else None
            if start is None and end is not None:
                start = -end  # a suffix range: the last `end` bytes
                end = None
            if start is not None and end is not None:
                end += 1  # inclusive in the header, exclusive in a slice
                if start >= end:
                    raise ValueError("start cannot be after end")
            if start is end is None:
                raise ValueError("No start or end of range specified")
        return slice(start, end, 1)
