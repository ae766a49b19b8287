"""BaseRequest and Request: one incoming request as the handler sees it.

How this works: a request is created per message with the engine's head as is; every
derived value (the URL, the query, host, remote, cookies ...) is computed on first use
and cached in ``_cache`` (propcache's ``under_cached_property``), so a handler pays only
for what it reads.  Routing reads ``_match_path()``, which for the usual origin-form
target without ``%`` is a slice of the target, no URL object at all.  The header-derived
properties live in ``request_info.RequestInfoMixin``, the body readers in
``request_body.RequestBodyMixin``.  ``Request`` adds what routing found: ``match_info``,
``app``, ``config_dict``, and the apps' ``on_response_prepare`` signals.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from multidict import CIMultiDict, CIMultiDictProxy
from propcache.api import under_cached_property as reify
from yarl import URL

from .._http.helpers import HttpVersion, HttpVersion10, HttpVersion11, sentinel
from .helpers import ChainMapProxy, HeadersMixin, RequestKey
from .message import RawRequestMessage
from .request_body import RequestBodyMixin
from .request_info import RequestInfoMixin
from .stream_response import NotAppKeyWarning

if TYPE_CHECKING:
    from .app import Application
    from .match_info import UrlMappingMatchInfo
    from .protocol import RequestHandler
    from .stream_response import StreamResponse
    from .writer import ResponseWriter

__all__ = ("BaseRequest", "Request", "target_url")

_T = TypeVar("_T")


def target_url(method: str, target: str) -> URL:
    """The request-target as a URL, per its form (RFC 9112 §3.2)."""
    if target.startswith("/"):
        path, _, fragment = target.partition("#")
        path, _, query = path.partition("?")
        return URL.build(path=path, query_string=query, fragment=fragment, encoded=True)
    if method == "CONNECT":
        return URL.build(authority=target, encoded=True)
    return URL(target, encoded=True)  # absolute-form, or "*"


def _version(version: Any) -> HttpVersion:
    if version == HttpVersion11:
        return HttpVersion11
    if version == HttpVersion10:
        return HttpVersion10
    return HttpVersion(*version)


class BaseRequest(MutableMapping["str | RequestKey[Any]", Any], HeadersMixin, RequestInfoMixin,
                  RequestBodyMixin):
    """A request, independent of routing (what a low-level ``Server`` handler gets)."""

    POST_METHODS = {"PATCH", "POST", "PUT", "TRACE", "DELETE"}
    _seen_str_keys: set[str] = set()
    _state: dict[Any, Any] | None = None
    _match_info: UrlMappingMatchInfo | None = None

    def __init__(self, message: Any, payload: Any, protocol: RequestHandler,
                 payload_writer: ResponseWriter, task: asyncio.Task[None] | None,
                 loop: asyncio.AbstractEventLoop, *, client_max_size: int = 1024**2,
                 client_max_fields: int = 1000, state: dict[Any, Any] | None = None,
                 scheme: str | None = None, host: str | None = None,
                 remote: str | None = None) -> None:
        self._message = message
        self._protocol = protocol
        self._payload_writer = payload_writer
        self._payload = payload
        # A request's headers are read-only, a response's mutable; the mixin only reads them.
        self._headers: CIMultiDictProxy[str] = message.headers  # pyright: ignore[reportIncompatibleVariableOverride]
        method = message.method
        self._method = method if method.isupper() else method.upper()
        self._version = message.version  # a plain (major, minor) tuple; see .version
        self._cache: dict[str, Any] = {}
        self._task = task
        self._loop = loop
        if client_max_size != 1024**2:
            self._client_max_size = client_max_size
        if client_max_fields != 1000:
            self._client_max_fields = client_max_fields
        if state is not None:
            self._state = state
        if scheme is not None:
            self._cache["scheme"] = scheme
        if host is not None:
            self._cache["host"] = host
        if remote is not None:
            self._cache["remote"] = remote
        if not message.path.startswith("/"):
            self._absolute_target(scheme, host)

    _client_max_size = 1024**2
    _client_max_fields = 1000

    def _absolute_target(self, scheme: str | None, host: str | None) -> None:
        """An absolute-form target sets url, host and scheme (aiohttp's rules)."""
        url = target_url(self._method, self._message.path)
        if not url.absolute:
            return
        if scheme is None and url.scheme:
            scheme = "https" if self._protocol.ssl_context else "http"
        if scheme is not None:
            url = url.with_scheme(scheme)
            self._cache["scheme"] = scheme
        if host is not None:
            url = url.with_host(host)
        self._cache["url"] = url
        self._cache["host"] = url.host
        self._cache["rel_url"] = url.relative()

    def clone(self, *, method: Any = sentinel, rel_url: Any = sentinel, headers: Any = sentinel,
              scheme: Any = sentinel, host: Any = sentinel, remote: Any = sentinel,
              client_max_size: Any = sentinel, client_max_fields: Any = sentinel) -> BaseRequest:
        """A copy with some attributes replaced (the body stream is shared)."""
        if self._read_bytes:
            raise RuntimeError("Cannot clone request after reading its content")
        changes: dict[str, Any] = {}
        if method is not sentinel:
            changes["method"] = method
        if rel_url is not sentinel:
            new_url = URL(rel_url)
            changes["url"] = new_url
            changes["path"] = str(new_url)
        if headers is not sentinel:
            changes["headers"] = CIMultiDictProxy(CIMultiDict(headers))
            changes["raw_headers"] = tuple(
                (k.encode("utf-8"), v.encode("utf-8")) for k, v in changes["headers"].items())
        message = RawRequestMessage.of(self._message, **changes)
        kwargs: dict[str, Any] = {}
        for name, value in (("scheme", scheme), ("host", host), ("remote", remote)):
            if value is not sentinel:
                kwargs[name] = value
        return self.__class__(
            message, self._payload, self._protocol, self._payload_writer, self._task, self._loop,
            client_max_size=self._client_max_size if client_max_size is sentinel else client_max_size,
            client_max_fields=(self._client_max_fields if client_max_fields is sentinel
                               else client_max_fields),
            state=dict(self._state) if self._state else {}, **kwargs)

    # -- plumbing -------------------------------------------------------------------------

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    @property
    def protocol(self) -> RequestHandler:
        return self._protocol  # type: ignore[no-any-return]

    @property
    def transport(self) -> asyncio.Transport | None:
        return None if self._protocol is None else self._protocol.transport

    @property
    def writer(self) -> ResponseWriter:
        return self._payload_writer

    @property
    def client_max_size(self) -> int:
        return self._client_max_size

    @property
    def client_max_fields(self) -> int:
        return self._client_max_fields

    @reify
    def message(self) -> Any:
        warnings.warn("Request.message is deprecated", DeprecationWarning, stacklevel=3)
        return self._message

    @reify
    def loop(self) -> asyncio.AbstractEventLoop:
        warnings.warn("request.loop property is deprecated", DeprecationWarning, stacklevel=2)
        return self._loop

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """Extra info from the protocol's transport."""
        transport = self.transport
        return default if transport is None else transport.get_extra_info(name, default)

    # -- the request line ------------------------------------------------------------------

    @property
    def method(self) -> str:
        """The method, upper-cased (``GET``, ``POST`` ...)."""
        return self._method

    @property
    def version(self) -> HttpVersion:
        return _version(self._version)

    @property
    def keep_alive(self) -> bool:
        """Whether the client asked to keep the connection open."""
        return bool(self._message.keep_alive)

    @reify
    def rel_url(self) -> URL:
        return target_url(self._method, self._message.path)

    def _match_path(self) -> str:
        """The path routing matches: decoded except ``%2F`` / ``%25`` (yarl's path_safe)."""
        target: str = self._message.path
        if "rel_url" not in self._cache and target[0] == "/":
            end = target.find("?")
            path = target if end < 0 else target[:end]
            if "%" not in path and "#" not in path:
                return path
        url: URL = self.rel_url
        return url.path_safe

    @reify
    def path(self) -> str:
        """The decoded path (``/app/blog``)."""
        return self.rel_url.path

    @reify
    def path_qs(self) -> str:
        """Path and query string (``/app/blog?id=10``)."""
        return str(self.rel_url)

    @reify
    def raw_path(self) -> str:
        """The request-target as sent (still %-encoded, with the query)."""
        path: str = self._message.path
        return path

    @reify
    def query(self) -> Any:
        """The query string as a MultiDictProxy."""
        return self.rel_url.query

    @reify
    def query_string(self) -> str:
        return self.rel_url.query_string

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._headers

    @reify
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        return tuple(self._message.raw_headers)

    # -- where it came from ------------------------------------------------------------------

    @reify
    def scheme(self) -> str:
        """``https`` over TLS, else ``http`` (or what ``clone(scheme=)`` said)."""
        return "https" if self._protocol is not None and self._protocol.ssl_context else "http"

    @reify
    def secure(self) -> bool:
        return self.scheme == "https"

    @reify
    def host(self) -> str:
        """The Host header, else the local address the request arrived on, else ``""``."""
        host = self._headers.get("Host")
        if host is not None:
            return host
        sockname = self._protocol.sockname if self._protocol is not None else None
        if sockname is None:
            return ""
        if isinstance(sockname, tuple):
            if len(sockname) == 4:
                return f"[{sockname[0]}]"
            return str(sockname[0])
        return str(sockname)

    @reify
    def remote(self) -> str | None:
        """The peer's IP address (or what ``clone(remote=)`` said)."""
        peername = self._protocol.peername if self._protocol is not None else None
        if peername is None:
            return None
        if isinstance(peername, (list, tuple)):
            return str(peername[0])
        return str(peername)

    @reify
    def url(self) -> URL:
        """The full URL: scheme and host joined with the target."""
        return URL.build(scheme=self.scheme, authority=self.host).join(self.rel_url)

    # -- state -------------------------------------------------------------------------------

    @overload
    def __getitem__(self, key: RequestKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: str | RequestKey[_T]) -> Any:
        if self._state is None:
            raise KeyError(key)
        return self._state[key]

    @overload
    def __setitem__(self, key: RequestKey[_T], value: _T) -> None: ...

    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...

    def __setitem__(self, key: str | RequestKey[_T], value: Any) -> None:
        if not isinstance(key, RequestKey) and key not in BaseRequest._seen_str_keys:
            BaseRequest._seen_str_keys.add(key)
            warnings.warn(
                "It is recommended to use web.RequestKey instances for keys.\n"
                "https://docs.aiohttp.org/en/stable/web_advanced.html#request-s-storage",
                category=NotAppKeyWarning, stacklevel=2)
        if self._state is None:
            self._state = {}
        self._state[key] = value

    def __delitem__(self, key: str | RequestKey[_T]) -> None:
        if self._state is None:
            raise KeyError(key)
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state) if self._state else 0

    def __iter__(self) -> Iterator[str | RequestKey[Any]]:
        return iter(self._state if self._state else ())

    def __repr__(self) -> str:
        path = self.path.encode("ascii", "backslashreplace").decode("ascii")
        return f"<{type(self).__name__} {self._method} {path} >"

    def __eq__(self, other: object) -> bool:
        return id(self) == id(other)

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return True

    # -- server hooks -----------------------------------------------------------------------

    # True when an app on the request's way has on_response_prepare handlers (set by the app).
    _prepare_hooks = False

    async def _prepare_hook(self, response: StreamResponse) -> None:
        return

    def _cancel(self, exc: BaseException) -> None:
        payload = self._payload
        if not payload.is_eof():
            payload.set_exception(exc)


class Request(BaseRequest):
    """A request routed by an Application (``match_info``, ``app``, ``config_dict``)."""

    def clone(self, **kwargs: Any) -> Request:
        ret = cast(Request, super().clone(**kwargs))
        ret._match_info = self._match_info
        return ret

    @reify
    def match_info(self) -> UrlMappingMatchInfo:
        """What routing found: the URL's variables, and ``.route``."""
        match_info = self._match_info
        assert match_info is not None
        return match_info

    @property
    def app(self) -> Application:
        """The application whose handler is running (a sub-app's inside a sub-app)."""
        match_info = self._match_info
        assert match_info is not None
        return match_info.current_app

    @property
    def config_dict(self) -> ChainMapProxy:
        """The state of the current app and of the apps above it, the current first."""
        match_info = self._match_info
        assert match_info is not None
        apps = match_info.apps
        idx = apps.index(self.app)
        return ChainMapProxy(reversed(apps[: idx + 1]))

    async def _prepare_hook(self, response: StreamResponse) -> None:
        match_info = self._match_info
        if match_info is None:
            return
        for app in match_info._apps:
            signal = app._on_response_prepare
            if signal:
                await signal.send(self, response)
