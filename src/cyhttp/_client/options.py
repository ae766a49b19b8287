"""A request's keyword options: their types (``RequestOptions``) and their resolution.

How this works: the request verbs take aiohttp 3.14's keywords, typed by the
``RequestOptions`` TypedDict.  ``resolve`` turns the keywords a call actually passed
into one ``Resolved`` object, visiting only those keywords: a value equal to its
default is dropped on the spot (``ssl=True`` and ``max_redirects=10`` cost one
comparison each), an unknown name is a ``TypeError`` as for any Python call.  A
``Resolved`` keeps only what differs from the defaults — every default is a class
attribute — so a request without options shares the one ``NO_OPTIONS`` instance and
reads each setting in one attribute lookup.  The options that shape the request's
*plan* (URL, connection key, head bytes: headers, params, skip_auto_headers, auth,
proxy settings, ssl, server_hostname, json) are also folded into ``plan_key``, a
stand-in the plan cache is keyed by (a lookup misses when a value has no
hashable form, e.g. pairs given as lists); a plan is remembered only when every header and
query value in its key is a str (``storable``).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypedDict

from yarl import URL

from .._http.auth import AUTH_DEPRECATED, PROXY_AUTH_DEPRECATED, BasicAuth
from .._http.helpers import _SENTINEL, sentinel
from .._http.typedefs import LooseHeaders, Query, StrOrURL
from ..abc import LooseCookies
from .timeouts import ClientTimeout
from .tls import Fingerprint, merge_ssl_params

if TYPE_CHECKING:
    from ssl import SSLContext

    from .middlewares import ClientMiddlewareType
    from .response import ClientResponse

__all__ = ("NO_OPTIONS", "OPTION_NAMES", "LooseHeaders", "RequestOptions", "Resolved", "StrOrURL",
           "request_signature", "resolve", "storable")


class RequestOptions(TypedDict, total=False):
    """The keyword options of ``ClientSession.request`` / ``get`` / ``post`` … (aiohttp 3.14's)."""

    params: Query
    data: Any
    json: Any
    cookies: LooseCookies | None
    headers: LooseHeaders | None
    skip_auto_headers: Iterable[str] | None
    auth: BasicAuth | None  # deprecated: pass credentials in the URL or the session
    allow_redirects: bool
    max_redirects: int
    compress: str | bool | None
    chunked: bool | None
    expect100: bool
    raise_for_status: bool | Callable[[ClientResponse], Awaitable[None]] | None
    read_until_eof: bool
    proxy: StrOrURL | None
    proxy_auth: BasicAuth | None  # deprecated
    timeout: ClientTimeout | float | _SENTINEL | None
    ssl: SSLContext | bool | Fingerprint
    verify_ssl: bool | None  # deprecated: ssl=
    fingerprint: bytes | None  # deprecated: ssl=Fingerprint(...)
    ssl_context: SSLContext | None  # deprecated: ssl=
    server_hostname: str | None
    proxy_headers: LooseHeaders | None
    trace_request_ctx: object
    read_bufsize: int | None
    auto_decompress: bool | None
    max_line_size: int | None
    max_field_size: int | None
    max_headers: int | None
    middlewares: Sequence[ClientMiddlewareType] | None


_UNKNOWN: Final[Any] = object()


class Resolved:
    """The options a request passed that differ from their defaults (the class attributes)."""

    # What shapes the plan.
    params: Any = None
    headers: Any = None
    skip_auto_headers: Iterable[str] | None = None
    auth: Any = None
    proxy: URL | None = None
    proxy_auth: Any = None
    proxy_headers: Any = None
    ssl: Any = True
    server_hostname: str | None = None
    json: bool = False  # a json= body: Content-Type is among the request's own headers
    plan_key: Any = None  # None: none of the above was passed
    # The body (json= already serialized) and what forces ClientRequest to build it.
    data: Any = None
    compress: str | bool | None = None
    chunked: bool | None = None
    expect100: bool = False
    full: bool = False  # compress, chunked or expect100: ClientRequest itself frames the body
    # Per request, outside the plan.
    cookies: Any = None
    timeout: ClientTimeout | None = None  # None: the session's
    allow_redirects: bool = True
    max_redirects: int = 10
    raise_for_status: Any = None  # None: the session's
    read: tuple[bool, bool | None, int | None, int | None, int | None, int | None] | None = None
    trace_request_ctx: Any = None
    middlewares: Sequence[Any] | None = None  # None: the session's


NO_OPTIONS: Final = Resolved()

# The default of every option: a value that *is* its default is dropped unread.
_DEFAULTS: Final[dict[str, Any]] = {
    "params": None, "data": None, "json": None, "cookies": None, "headers": None,
    "skip_auto_headers": None, "auth": None, "allow_redirects": True, "max_redirects": 10,
    "compress": None, "chunked": None, "expect100": False, "raise_for_status": None,
    "read_until_eof": True, "proxy": None, "proxy_auth": None, "timeout": sentinel,
    "verify_ssl": None, "fingerprint": None, "ssl_context": None, "ssl": True,
    "server_hostname": None, "proxy_headers": None, "trace_request_ctx": None,
    "read_bufsize": None, "auto_decompress": None, "max_line_size": None, "max_field_size": None,
    "max_headers": None, "middlewares": None,
}
OPTION_NAMES: Final = frozenset(_DEFAULTS)
# Falsy values of these mean the same as their default (``headers={}``, ``params=""`` …).
_EMPTY_IS_DEFAULT: Final = frozenset({"params", "headers", "skip_auto_headers", "cookies", "proxy_headers",
                                      "compress", "chunked"})
_TLS_NAMES: Final = frozenset({"ssl", "verify_ssl", "fingerprint", "ssl_context"})
_READ_NAMES: Final = frozenset({"read_until_eof", "auto_decompress", "read_bufsize", "max_line_size",
                                "max_field_size", "max_headers"})
_FRAMING_NAMES: Final = frozenset({"compress", "chunked", "expect100"})
_PAIRS: Final = frozenset({"headers", "proxy_headers", "params"})  # given as a mapping, pairs or a str


def request_signature() -> inspect.Signature:
    """``(self, method, str_or_url, *, params=None, …)``: aiohttp's ``_request`` keywords and defaults."""
    kind = inspect.Parameter.KEYWORD_ONLY
    types = {name: getattr(t, "__forward_arg__", t) for name, t in RequestOptions.__annotations__.items()}
    return inspect.Signature([
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("method", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation="str"),
        inspect.Parameter("str_or_url", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation="StrOrURL"),
        *(inspect.Parameter(name, kind, default=default, annotation=types.get(name, "Any"))
          for name, default in _DEFAULTS.items()),
    ], return_annotation="ClientResponse")


def _frozen(name: str, value: Any) -> Any:
    """A hashable stand-in for a plan-shaping option (headers / params as their pairs)."""
    if name in _PAIRS:
        if isinstance(value, str):
            return value
        return tuple(value.items() if hasattr(value, "items") else value)  # pairs as lists: unhashable
    if name == "skip_auto_headers":
        return frozenset(value)
    return value


def storable(plan_key: Any) -> bool:
    """Whether a plan may be remembered under ``plan_key``: every header and query value is a
    str.  Then a key equal to it has the same text (only a str equals a str), where 1, True and
    1.0 — equal, and hashed alike — would render differently."""
    if plan_key is None:
        return True
    for name, value in plan_key:
        if name in _PAIRS and not isinstance(value, str):
            for pair in value:
                if len(pair) != 2 or not isinstance(pair[0], str) or not isinstance(pair[1], str):
                    return False
    return True


def resolve(options: Mapping[str, Any], json_serialize: Callable[[Any], Any]) -> Resolved:
    """The ``Resolved`` form of a call's keyword ``options`` (``NO_OPTIONS`` when all are defaults).

    Raises what aiohttp raises for them, in its order: an unknown keyword, conflicting
    TLS settings, data together with json, a serializer returning neither str nor bytes.
    Deprecated ``auth`` / ``proxy_auth`` warn at the caller's line.
    """
    res: Resolved | None = None
    key: list[tuple[str, Any]] = []
    tls: dict[str, Any] | None = None
    read: dict[str, Any] | None = None
    doc: Any = None
    for name, value in options.items():
        default = _DEFAULTS.get(name, _UNKNOWN)
        if value is default:
            continue
        if default is _UNKNOWN:
            raise TypeError(f"request() got an unexpected keyword argument {name!r}")
        if not value and (name in _EMPTY_IS_DEFAULT or value is None):  # timeout=None: the session's
            continue
        if res is None:
            res = Resolved()
        if name in _PLAN_NAMES:
            setattr(res, name, value)
            key.append((name, _frozen(name, value)))
        elif name in _TLS_NAMES:
            if tls is None:
                tls = {}
            tls[name] = value
        elif name in _READ_NAMES:
            if read is None:
                read = {}
            read[name] = value
        elif name == "timeout":
            res.timeout = value if isinstance(value, ClientTimeout) else ClientTimeout(total=value)
        elif name == "json":
            doc = value
        else:
            setattr(res, name, value)
            if name in _FRAMING_NAMES:
                res.full = True
    if res is None:
        return NO_OPTIONS
    if tls is not None:
        ssl = merge_ssl_params(tls.get("ssl", True), tls.get("verify_ssl"), tls.get("ssl_context"),
                               tls.get("fingerprint"))
        if ssl is not True:
            res.ssl = ssl
            key.append(("ssl", ssl))
    if read is not None:
        res.read = (
            read.get("read_until_eof", True), read.get("auto_decompress"), read.get("read_bufsize"),
            read.get("max_line_size"), read.get("max_field_size"), read.get("max_headers"),
        )
    if res.auth is not None:
        warnings.warn(AUTH_DEPRECATED, DeprecationWarning, stacklevel=4)
    if res.proxy_auth is not None:
        warnings.warn(PROXY_AUTH_DEPRECATED, DeprecationWarning, stacklevel=4)
    if doc is not None:
        if res.data is not None:
            raise ValueError("data and json parameters can not be used at the same time")
        body = json_serialize(doc)
        if not isinstance(body, (bytes, str)):
            raise TypeError("json_serialize must return str or bytes")
        res.data = body
        res.json = True
        key.append(("json", True))
    if key:
        res.plan_key = tuple(key)
    return res


_PLAN_NAMES: Final = frozenset({"params", "headers", "skip_auto_headers", "auth", "proxy", "proxy_auth",
                                "proxy_headers", "server_hostname"})

