"""ClientSession and the module-level ``request()``: aiohttp 3.14's client API.

How this works: a session is a frozen ``SessionConfig`` + a connector + a cookie jar +
its ``RequestPath`` (``path.py``): the settings a request needs, resolved once, the
plan cache, and the one path every request takes.  The verbs (``verbs.py``) hand their
keywords to that path; this module keeps the session's construction, lifecycle and
properties.
"""

from __future__ import annotations

import asyncio
import json as _json
import sys
import traceback
import warnings
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from yarl import URL

from .._http.auth import AUTH_DEPRECATED, PROXY_AUTH_DEPRECATED, BasicAuth
from .._http.helpers import HttpVersion11, sentinel
from .config import SessionConfig, SessionProperties, make_config
from .connector.pool import BaseConnector
from .connector.tcp import TCPConnector
from .context import _Deadlines, _SessionRequestContextManager
from .options import RequestOptions, StrOrURL, request_signature
from .path import RequestPath
from .request import ClientRequest
from .response import ClientResponse
from .verbs import RequestVerbs

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from 3.11; only checkers read it here

    from .ws_connect import WSConnectOptions, WSRequestContextManager

__all__ = ("ClientSession", "request")


def _cookie_jar(loop: asyncio.AbstractEventLoop) -> Any:
    from .cookiejar import CookieJar

    return CookieJar(loop=loop)


class ClientSession(SessionProperties, RequestVerbs):
    """A pool of connections and shared settings for many requests."""

    _connector: BaseConnector | None = None  # __del__ must work if __init__ failed
    _source_traceback: Any = None

    def __init__(
        self,
        base_url: str | URL | None = None,
        *,
        connector: BaseConnector | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        cookies: Any = None,
        headers: Any = None,
        proxy: str | URL | None = None,
        proxy_auth: BasicAuth | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        auth: BasicAuth | None = None,
        json_serialize: Callable[[Any], str] = _json.dumps,
        request_class: type[ClientRequest] = ClientRequest,
        response_class: type[ClientResponse] = ClientResponse,
        version: Any = HttpVersion11,
        cookie_jar: Any = None,
        connector_owner: bool = True,
        raise_for_status: bool | Callable[[ClientResponse], Awaitable[None]] = False,
        timeout: Any = sentinel,
        auto_decompress: bool = True,
        trust_env: bool = False,
        requote_redirect_url: bool = True,
        trace_configs: list[Any] | None = None,
        read_bufsize: int = 2**16,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        fallback_charset_resolver: Callable[[ClientResponse, bytes], str] = lambda r, b: "utf-8",
        middlewares: Sequence[Any] = (),
    ) -> None:
        self._connector = None
        if loop is None and connector is not None:
            loop = connector._loop
        loop = loop or asyncio.get_running_loop()
        self._loop = loop
        if loop.get_debug():
            self._source_traceback = traceback.extract_stack(sys._getframe(1))
        if auth is not None:
            if not isinstance(auth, BasicAuth):
                raise TypeError("BasicAuth() tuple is required instead")
            warnings.warn(AUTH_DEPRECATED, DeprecationWarning, stacklevel=2)
        if proxy_auth is not None:
            warnings.warn(PROXY_AUTH_DEPRECATED, DeprecationWarning, stacklevel=2)
        self._config: SessionConfig = make_config(
            base_url, headers=headers, skip_auto_headers=skip_auto_headers,
            timeout=None if timeout is sentinel else timeout, version=version,
            trace_configs=trace_configs, middlewares=middlewares, proxy=proxy,
            proxy_auth=proxy_auth, auth=auth, json_serialize=json_serialize,
            connector_owner=connector_owner, raise_for_status=raise_for_status,
            auto_decompress=auto_decompress, trust_env=trust_env,
            requote_redirect_url=requote_redirect_url, read_bufsize=read_bufsize,
            max_line_size=max_line_size, max_field_size=max_field_size,
            max_headers=max_headers, fallback_charset_resolver=fallback_charset_resolver,
            request_class=request_class, response_class=response_class,
        )
        if connector is None:
            connector = TCPConnector(loop=loop)
        if connector._loop is not loop:
            raise RuntimeError("Session and connector has to use same event loop")
        self._connector = connector
        self._deadlines = _Deadlines(loop)
        self._cookie_jar = cookie_jar if cookie_jar is not None else _cookie_jar(loop)
        if cookies:
            from .request_cookies import check_user_cookies

            self._cookie_jar.update_cookies(check_user_cookies(cookies))
        self._path = RequestPath(self)

    def __init_subclass__(cls: type[ClientSession]) -> None:
        warnings.warn(
            f"Inheritance class {cls.__name__} from ClientSession is discouraged",
            DeprecationWarning, stacklevel=2,
        )

    def __del__(self, _warnings: Any = warnings) -> None:
        if not self.closed:
            _warnings.warn(f"Unclosed client session {self!r}", ResourceWarning, source=self)
            context: dict[str, Any] = {"client_session": self, "message": "Unclosed client session"}
            if self._source_traceback is not None:
                context["source_traceback"] = self._source_traceback
            self._loop.call_exception_handler(context)

    # -- requests (the verbs: verbs.RequestVerbs; the one request path: path.RequestPath) ----

    async def _request(self, method: str, str_or_url: StrOrURL, **kwargs: Unpack[RequestOptions]) -> ClientResponse:
        """One request, as aiohttp's ``ClientSession._request`` (the verbs call the path directly)."""
        return await self._path.run(method.upper(), str_or_url, kwargs)

    # Introspection shows aiohttp's keywords; the call takes the ones passed, as a dict.
    _request.__signature__ = request_signature()  # type: ignore[attr-defined]

    def ws_connect(self, url: StrOrURL, **kwargs: Unpack[WSConnectOptions]) -> WSRequestContextManager:
        """Open a WebSocket (``async with session.ws_connect(url) as ws``)."""
        from .ws_connect import ws_connect

        return ws_connect(self, url, **kwargs)

    # -- lifecycle -----------------------------------------------------------------

    async def close(self) -> None:
        """Close the connector if owned; idempotent."""
        self._deadlines.close()
        connector = self._connector
        if connector is not None and not connector.closed:
            if self._config.connector_owner:
                await connector.close()
            self._connector = None
        self._connector = None

    @property
    def closed(self) -> bool:
        return self._connector is None or self._connector.closed

    async def __aenter__(self) -> ClientSession:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        await self.close()

    def __enter__(self) -> None:
        raise TypeError("Use async with instead")

    def __exit__(self, *exc: Any) -> None:  # pragma: no cover - __enter__ raises
        pass

    def detach(self) -> None:
        """Forget the connector without closing it."""
        self._connector = None


def request(
    method: str,
    url: str | URL,
    *,
    connector: Any = None,
    loop: asyncio.AbstractEventLoop | None = None,
    cookies: Any = None,
    version: Any = HttpVersion11,
    **kwargs: Any,
) -> _SessionRequestContextManager:
    """One request on a throw-away session (``async with cyhttp.request(...) as r``).

    The connection is closed with the response (``force_close``), as in aiohttp.
    """
    connector_owner = False
    if connector is None:
        connector_owner = True
        connector = TCPConnector(loop=loop, force_close=True)
    session = ClientSession(
        loop=loop, cookies=cookies, version=version, timeout=kwargs.pop("timeout", sentinel),
        connector=connector, connector_owner=connector_owner,
    )
    return _SessionRequestContextManager(session._request(method, url, **kwargs), session)
