"""Small server helpers: typed state keys, ETags, HTTP dates, the headers mixin.

How this works: everything here is either a plain value class or a pure function;
``HeadersMixin`` parses Content-Type lazily and re-parses only when the header value
changed (requests and responses share it).  Dates are formatted once per second.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from email.utils import parsedate
from typing import Any, Final, Generic, TypeVar, get_args, overload

from multidict import MultiMapping

from .. import hdrs
from .._http.helpers import parse_content_type, sentinel
from .._version import __version__

__all__ = (
    "AppKey", "RequestKey", "ResponseKey", "ChainMapProxy", "ETag", "ETAG_ANY",
    "HeadersMixin", "SERVER_SOFTWARE", "must_be_empty_body", "should_remove_content_length",
    "parse_http_date", "http_date", "validate_etag_value", "QUOTED_ETAG_RE", "LIST_QUOTED_ETAG_RE",
)

_T = TypeVar("_T")
_S = TypeVar("_S")

SERVER_SOFTWARE: Final = (
    f"Python/{sys.version_info[0]}.{sys.version_info[1]} cyhttp/{__version__}"
)

EMPTY_BODY_STATUS_CODES: Final = frozenset((204, 304, *range(100, 200)))


class BaseKey(Generic[_T]):
    """A typed key for a state mapping; its name is prefixed with the defining module."""

    __slots__ = ("_name", "_t", "__orig_class__")

    __orig_class__: type[object]

    def __init__(self, name: str, t: type[_T] | None = None) -> None:
        frame = inspect.currentframe()
        module = "<unknown>"
        while frame:
            if frame.f_code.co_name == "<module>":
                module = frame.f_globals["__name__"]
                break
            frame = frame.f_back
        self._name = module + "." + name
        self._t = t

    def __lt__(self, other: object) -> bool:
        if isinstance(other, BaseKey):
            return self._name < other._name
        return True  # keys sort before other key types

    def __repr__(self) -> str:
        t: Any = self._t
        if t is None:
            with suppress(AttributeError):
                t = get_args(self.__orig_class__)[0]
        if t is None:
            t_repr = "<<Unknown>>"
        elif isinstance(t, type):
            t_repr = t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
        else:
            t_repr = repr(t)
        return f"<{type(self).__name__}({self._name}, type={t_repr})>"


class AppKey(BaseKey[_T]):
    """Keys for static typing support in Application."""

    __slots__ = ()


class RequestKey(BaseKey[_T]):
    """Keys for static typing support in Request."""

    __slots__ = ()


class ResponseKey(BaseKey[_T]):
    """Keys for static typing support in Response."""

    __slots__ = ()


class ChainMapProxy(Mapping["str | AppKey[Any]", Any]):
    """A read-only view over several mappings, the first that has a key wins."""

    __slots__ = ("_maps",)

    def __init__(self, maps: Iterable[Mapping[str | AppKey[Any], Any]]) -> None:
        self._maps = tuple(maps)

    def __init_subclass__(cls) -> None:
        raise TypeError(f"Inheritance class {cls.__name__} from ChainMapProxy is forbidden")

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: str | AppKey[_T]) -> Any:
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                pass
        raise KeyError(key)

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: _S) -> _T | _S: ...

    @overload
    def get(self, key: AppKey[_T], default: None = ...) -> _T | None: ...

    @overload
    def get(self, key: str, default: Any = ...) -> Any: ...

    def get(self, key: str | AppKey[_T], default: Any = None) -> Any:  # pyright: ignore[reportIncompatibleMethodOverride]  # AppKey overloads, as aiohttp's
        try:
            return self[key]
        except KeyError:
            return default

    def __len__(self) -> int:
        return len(set().union(*self._maps))

    def __iter__(self) -> Iterator[str | AppKey[Any]]:
        d: dict[str | AppKey[Any], Any] = {}
        for mapping in reversed(self._maps):
            d.update(mapping)
        return iter(d)

    def __contains__(self, key: object) -> bool:
        return any(key in m for m in self._maps)

    def __bool__(self) -> bool:
        return any(self._maps)

    def __repr__(self) -> str:
        content = ", ".join(map(repr, self._maps))
        return f"ChainMapProxy({content})"


# -- ETags ------------------------------------------------------------------------------

_ETAGC: Final = r"[!\x23-\x7E\x80-\xff]+"
_ETAGC_RE: Final = re.compile(_ETAGC)
_QUOTED_ETAG: Final = rf'(W/)?"({_ETAGC})"'
QUOTED_ETAG_RE: Final = re.compile(_QUOTED_ETAG)
LIST_QUOTED_ETAG_RE: Final = re.compile(rf"({_QUOTED_ETAG})(?:\s*,\s*|$)|(.)")
ETAG_ANY: Final = "*"


@dataclasses.dataclass(frozen=True)
class ETag:
    value: str
    is_weak: bool = False


def validate_etag_value(value: str) -> None:
    if value != ETAG_ANY and not _ETAGC_RE.fullmatch(value):
        raise ValueError(f"Value {value!r} is not a valid etag. Maybe it contains '\"'?")


# -- dates --------------------------------------------------------------------------------

def parse_http_date(date_str: str | None) -> datetime.datetime | None:
    """An HTTP date header value → an aware UTC datetime, or None when absent or invalid."""
    if date_str is not None:
        timetuple = parsedate(date_str)
        if timetuple is not None:
            with suppress(ValueError):
                return datetime.datetime(*timetuple[:6], tzinfo=datetime.timezone.utc)
    return None


_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                  "Nov", "Dec")


def http_date(when: float) -> str:
    """IMF-fixdate (RFC 9110 §5.6.7) of a Unix time, in English whatever the locale."""
    year, month, day, hh, mm, ss, wd, *_ = time.gmtime(when)
    return f"{_WEEKDAYS[wd]}, {day:02d} {_MONTHS[month]} {year:04d} {hh:02d}:{mm:02d}:{ss:02d} GMT"


# -- bodies -----------------------------------------------------------------------------------

def must_be_empty_body(method: str, code: int) -> bool:
    """True when a response to ``method`` with status ``code`` carries no body."""
    return (
        code in EMPTY_BODY_STATUS_CODES
        or method == hdrs.METH_HEAD
        or (200 <= code < 300 and method == hdrs.METH_CONNECT)
    )


def should_remove_content_length(method: str, code: int) -> bool:
    """True when such a response must not carry Content-Length (a subset of the above)."""
    return code in EMPTY_BODY_STATUS_CODES or (200 <= code < 300 and method == hdrs.METH_CONNECT)


class HeadersMixin:
    """``content_type`` / ``charset`` / ``content_length`` of a message with ``_headers``."""

    _headers: MultiMapping[str]
    _content_type: str | None = None
    _content_dict: dict[str, str] | None = None
    _stored_content_type: Any = sentinel

    def _parse_content_type(self, raw: str | None) -> None:
        self._stored_content_type = raw
        if raw is None:
            self._content_type = "application/octet-stream"  # RFC 9110 §8.3
            self._content_dict = {}
        else:
            content_type, params = parse_content_type(raw)
            self._content_type = content_type
            self._content_dict = dict(params)

    @property
    def content_type(self) -> str:
        """The media type of the Content-Type header (``application/octet-stream`` if none)."""
        raw = self._headers.get(hdrs.CONTENT_TYPE)
        if self._stored_content_type != raw:
            self._parse_content_type(raw)
        assert self._content_type is not None
        return self._content_type

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of the Content-Type header."""
        raw = self._headers.get(hdrs.CONTENT_TYPE)
        if self._stored_content_type != raw:
            self._parse_content_type(raw)
        assert self._content_dict is not None
        return self._content_dict.get("charset")

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as an int, or None."""
        value = self._headers.get(hdrs.CONTENT_LENGTH)
        return None if value is None else int(value)
