"""Small role-neutral helpers: HTTP versions, Content-Type and Link parsing, IP literals.

How this works: every function here is pure (no I/O besides reading the
environment / the netrc file), so the session layer can call them per request;
parsers of header values that repeat a lot are memoised.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
from collections.abc import Iterable
from types import MappingProxyType
from typing import NamedTuple, Union
from urllib.parse import unquote

from multidict import MultiDict, MultiDictProxy
from yarl import URL

__all__ = (
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "is_expected_content_type",
    "is_ip_address",
    "parse_content_type",
    "parse_links",
    "sentinel",
)

class _SENTINEL(enum.Enum):
    sentinel = enum.auto()


sentinel = _SENTINEL.sentinel  # "argument not given" where None is a valid value


class HttpVersion(NamedTuple):
    major: int
    minor: int


HttpVersion10 = HttpVersion(1, 0)
HttpVersion11 = HttpVersion(1, 1)


# --- Content-Type ------------------------------------------------------------

_DEFAULT_CONTENT_TYPE = "application/octet-stream"  # RFC 9110 section 8.3


def _split_params(value: str) -> list[str]:
    """Split on ';' outside double quotes (quoted-pairs respected)."""
    parts: list[str] = []
    start = 0
    quoted = escaped = False
    for i, ch in enumerate(value):
        if escaped:
            escaped = False
        elif quoted:
            if ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == ";":
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return parts


def _param_value(raw: str) -> str:
    raw = raw.strip()
    if not raw.startswith('"'):
        return raw.split(None, 1)[0] if raw else ""
    out = []
    escaped = False
    for ch in raw[1:]:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            break
        else:
            out.append(ch)
    return "".join(out)


@functools.lru_cache(maxsize=128)
def _rfc2231(value: str, charset: str = "") -> tuple[str, str]:
    """``charset'lang'%xx`` (or, with ``charset`` given, a later ``%xx`` segment) → (text, charset)."""
    if not charset:
        charset, q1, rest = value.partition("'")
        _lang, q2, value = rest.partition("'")
        if not (q1 and q2):
            return value if q1 else charset, ""
    try:
        return unquote(value, encoding=charset or "ascii", errors="strict"), charset
    except (LookupError, UnicodeDecodeError):
        return value, charset


_CONTINUATION = re.compile(r"(.+?)\*(\d+)(\*?)")


def _join_continuations(segments: dict[str, list[tuple[int, bool, str]]], params: dict[str, str]) -> None:
    """RFC 2231 §3/§4: ``name*0``, ``name*1*``... joined in order (the first names the charset)."""
    for name, parts in segments.items():
        parts.sort()
        charset = ""
        text = []
        for i, (_, extended, value) in enumerate(parts):
            if extended:
                if i == 0:
                    value, charset = _rfc2231(value)
                elif charset:
                    value, _ = _rfc2231(value, charset)
            text.append(value)
        params.setdefault(name, "".join(text))


def parse_content_type(raw: str) -> tuple[str, MappingProxyType[str, str]]:
    """``(mimetype, params)`` of a Content-Type value, as aiohttp's.

    The mimetype is lower-cased; anything but exactly one "/" gives
    ``application/octet-stream``. Parameter names are lower-cased, values
    unquoted (RFC 2231 ``name*=charset''%xx`` decoded, ``name*0``, ``name*1``...
    continuations joined); the first of a repeated parameter wins.
    """
    parts = _split_params(raw)
    mimetype = parts[0].strip().lower()
    if mimetype.count("/") != 1:
        mimetype = _DEFAULT_CONTENT_TYPE
    params: dict[str, str] = {}
    segments: dict[str, list[tuple[int, bool, str]]] | None = None
    for item in parts[1:]:
        key, _, value = item.partition("=")
        key = key.strip().lower()
        if not key:
            continue
        value = _param_value(value)
        if "*" in key:
            m = _CONTINUATION.fullmatch(key)
            if m is not None:
                if segments is None:
                    segments = {}
                segments.setdefault(m.group(1), []).append((int(m.group(2)), bool(m.group(3)), value))
                continue
            if key.endswith("*"):
                key = key[:-1]
                value = _rfc2231(value)[0]
        params.setdefault(key, value)
    if segments is not None:
        _join_continuations(segments, params)
    return mimetype, MappingProxyType(params)


_JSON_RE = re.compile(r"^application/(?:[\w.+-]+?\+)?json")


def is_expected_content_type(response_content_type: str, expected: str) -> bool:
    """``ClientResponse.json(content_type=...)``'s check, as aiohttp's.

    "application/json" also accepts "application/<anything>+json"; other
    expectations are a substring test.
    """
    if expected == "application/json":
        return _JSON_RE.match(response_content_type) is not None
    return expected in response_content_type


# --- Link header --------------------------------------------------------------

_LINK_SPLIT_RE = re.compile(r",(?=\s*<)")
_LINK_RE = re.compile(r"\s*<(.*)>(.*)", re.S)
_LINK_PARAM_RE = re.compile(r"^([^\s=]+)\s*=\s*(?:(['\"])(.*?)\2|(\S*))$", re.M)

LinkParams = MultiDictProxy[Union[str, URL]]


def parse_links(
    link_values: str | Iterable[str], base_url: URL
) -> MultiDictProxy[LinkParams]:
    """``ClientResponse.links``: rel (or the target) → params with a joined ``url``."""
    joined = link_values if isinstance(link_values, str) else ", ".join(link_values)
    links: MultiDict[LinkParams] = MultiDict()
    if not joined:
        return MultiDictProxy(links)
    for val in _LINK_SPLIT_RE.split(joined):
        match = _LINK_RE.match(val)
        if match is None:
            continue
        target, params_str = match.groups()
        link: MultiDict[str | URL] = MultiDict()
        for param in params_str.split(";")[1:]:
            pm = _LINK_PARAM_RE.match(param.strip())
            if pm is None:  # malformed parameter: skipped, like aiohttp
                continue
            key, _, quoted, unquoted = pm.groups()
            link.add(key, unquoted if quoted is None else quoted)
        key = link.get("rel", target)
        link.add("url", base_url.join(URL(target)))
        links.add(str(key), MultiDictProxy(link))
    return MultiDictProxy(links)


# --- hosts --------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def is_ip_address(host: str | None) -> bool:
    """True for an IPv4/IPv6 literal (brackets and a zone id allowed)."""
    if not host:
        return False
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    return True
