"""ClientSession and the module-level ``request()``: aiohttp 3.14's client API.

How this works: a session is a frozen ``SessionConfig`` + a connector + a cookie
jar.  ``_request`` is the whole per-request path: build a ``ClientRequest``, borrow a
connection, send, await the head, then follow redirects.  It pays only for what is
used: no timer when the total timeout is None, no tracing work without trace
configs, no cookie work with an empty jar and no Set-Cookie.  Errors from the
transport become aiohttp's names here (``OSError`` → ``ClientOSError``), engine
errors in ``protocol.py`` / ``client_response.py``.
"""

from __future__ import annotations

import asyncio
import functools
import json as _json
import sys
import traceback
import warnings
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from multidict import CIMultiDict
from yarl import URL

from .. import hdrs
from .._core.errors import ParseError
from .._http.auth import (
    AUTH_DEPRECATED,
    PROXY_AUTH_DEPRECATED,
    BasicAuth,
    strip_auth_from_url,
)
from .._http.helpers import HttpVersion11, sentinel
from .config import SessionConfig, SessionProperties, make_config, merge_headers
from .connector.pool import BaseConnector
from .connector.tcp import TCPConnector
from .context import _Deadlines, _SessionRequestContextManager
from .error_map import client_error
from .exceptions import (
    ClientConnectionResetError,
    ClientConnectorError,
    ClientOSError,
    InvalidURL,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
    ServerDisconnectedError,
    TooManyRedirects,
)
from .lane import LaneState, PlainLane
from .redirects import REDIRECTS, next_hop
from .request import IDEMPOTENT_METHODS, ClientRequest
from .response import ClientResponse
from .send import send_now, send_request
from .timeouts import ClientTimeout, deadline
from .tls import merge_ssl_params
from .verbs import RequestVerbs

__all__ = ("ClientSession", "request")


def _cookie_jar(loop: asyncio.AbstractEventLoop) -> Any:
    from .cookiejar import CookieJar

    return CookieJar(loop=loop)


class ClientSession(SessionProperties, RequestVerbs):
    """A pool of connections and shared settings for many requests."""

    _connector: BaseConnector | None = None  # __del__ must work if __init__ failed
    _lane: PlainLane | None = None
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
        self._lane = PlainLane.for_session(self)

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

    # -- requests (the verbs and their lane dispatch: client_verbs.RequestVerbs) -------

    async def _request(
        self,
        method: str,
        str_or_url: str | URL,
        # Not keyword-only on purpose: CPython fills missing keyword-only parameters with
        # one dict lookup each (30 per request); positional defaults are a plain copy.
        # Callers (the verb methods) still pass them by keyword.
        params: Any = None,
        data: Any = None,
        json: Any = None,
        cookies: Any = None,
        headers: Any = None,
        skip_auto_headers: Iterable[str] | None = None,
        auth: BasicAuth | None = None,
        allow_redirects: bool = True,
        max_redirects: int = 10,
        compress: str | bool | None = None,
        chunked: bool | None = None,
        expect100: bool = False,
        raise_for_status: Any = None,
        read_until_eof: bool = True,
        proxy: str | URL | None = None,
        proxy_auth: BasicAuth | None = None,
        timeout: Any = sentinel,
        verify_ssl: bool | None = None,
        fingerprint: bytes | None = None,
        ssl_context: Any = None,
        ssl: Any = True,
        server_hostname: str | None = None,
        proxy_headers: Any = None,
        trace_request_ctx: Any = None,
        read_bufsize: int | None = None,
        auto_decompress: bool | None = None,
        max_line_size: int | None = None,
        max_field_size: int | None = None,
        max_headers: int | None = None,
        middlewares: Sequence[Any] | None = None,
        _lane: LaneState | None = None,
    ) -> ClientResponse:
        connector = self._connector
        if connector is None or connector.closed:
            raise RuntimeError("Session is closed")
        cfg = self._config
        if timeout is sentinel or timeout is None:
            real_timeout = cfg.timeout
        elif isinstance(timeout, ClientTimeout):
            real_timeout = timeout
        else:
            real_timeout = ClientTimeout(total=timeout)
        when = deadline(self._loop, real_timeout.total, real_timeout.ceil_threshold) if _lane is None else _lane.when
        method = method.upper()
        task: asyncio.Task[Any] | None = None
        if when is not None:  # one coalesced timer per deadline, not one per request
            task, cancelling = self._deadlines.enter(when)
        try:
            if ssl is not True or verify_ssl is not None or ssl_context is not None or fingerprint is not None:
                ssl = merge_ssl_params(ssl, verify_ssl, ssl_context, fingerprint)
            if auth is not None:
                warnings.warn(AUTH_DEPRECATED, DeprecationWarning, stacklevel=3)
            if proxy_auth is not None:
                warnings.warn(PROXY_AUTH_DEPRECATED, DeprecationWarning, stacklevel=3)
            if data is not None and json is not None:
                raise ValueError("data and json parameters can not be used at the same time")
            if json is not None:
                data = cfg.json_serialize(json)
                if not isinstance(data, (bytes, str)):
                    raise TypeError("json_serialize must return str or bytes")
                headers = CIMultiDict(headers or ())
                headers.setdefault(hdrs.CONTENT_TYPE, "application/json")
            try:
                url = str_or_url if isinstance(str_or_url, URL) else URL(str_or_url)
                if cfg.base_url is not None and not url.absolute:
                    url = cfg.base_url.join(url)
            except ValueError as exc:
                raise InvalidUrlClientError(str_or_url) from exc
            if url.scheme not in connector.allowed_protocol_schema_set:
                raise NonHttpUrlClientError(url)
            headers = merge_headers(cfg.headers, headers) if headers or cfg.headers else CIMultiDict()
            skip: Any = cfg.skip_auto_headers
            if skip_auto_headers is not None:
                skip = skip | frozenset(skip_auto_headers)
            if proxy is None:
                proxy = cfg.proxy
            elif not isinstance(proxy, URL):
                try:
                    proxy = URL(proxy)
                except ValueError as exc:
                    raise InvalidURL(proxy) from exc
            if proxy_auth is None:
                proxy_auth = cfg.proxy_auth
            response_params = (
                read_until_eof,
                cfg.auto_decompress if auto_decompress is None else auto_decompress,
                cfg.read_bufsize if read_bufsize is None else read_bufsize,
                real_timeout.sock_read,
                when,
                (
                    cfg.max_line_size if max_line_size is None else max_line_size,
                    cfg.max_field_size if max_field_size is None else max_field_size,
                    cfg.max_headers if max_headers is None else max_headers,
                ),
            )
            traces: list[Any] = []
            if cfg.trace_configs:
                from .tracing import Trace

                for trace_config in cfg.trace_configs:
                    trace = Trace(self, trace_config, trace_config.trace_config_ctx(trace_request_ctx=trace_request_ctx))
                    await trace.send_request_start(method, url.update_query(params) if params else url, headers)
                    traces.append(trace)
            jar = self._cookie_jar
            req_jar: Any = None
            if cookies:  # per-request cookies: checked once, filtered per hop
                from .request_cookies import (
                    check_user_cookies,
                    cookies_for,
                    request_cookie_jar,
                )

                req_jar = request_cookie_jar(jar, check_user_cookies(cookies))
            mws = cfg.middlewares if middlewares is None else middlewares
            handler: Any = None
            if mws:
                from .middlewares import build_client_middlewares

                handler = build_client_middlewares(
                    functools.partial(send_request, self, timeout=real_timeout, when=when), mws
                )
            history: list[ClientResponse] = []
            redirects = 0
            retried = False if _lane is None else _lane.retried
            lane_resp = None if _lane is None else _lane.response
            resp: ClientResponse | None = None
            req: ClientRequest | None = None
            request_class = cfg.request_class or ClientRequest
            try:
                while True:
                    if lane_resp is not None:  # the lane did this hop: sent and answered
                        resp, lane_resp = lane_resp, None
                    else:
                        if url.raw_user is None and url.raw_password is None:
                            auth_from_url = None  # strip_auth_from_url's common case, inline
                        else:
                            url, auth_from_url = strip_auth_from_url(url)
                        if not url.raw_host:
                            raise (InvalidUrlRedirectClientError if redirects else InvalidUrlClientError)(url)
                        if not history and auth and auth_from_url:
                            raise ValueError("Cannot combine AUTH argument with credentials encoded in URL")
                        if auth is None or (history and auth_from_url is not None):
                            auth = auth_from_url
                        if auth is None and cfg.auth is not None and (
                            cfg.base_url is None or cfg.base_origin == url.origin()
                        ):
                            auth = cfg.auth
                        if auth is None and cfg.trust_env and url.host is not None:
                            from .env import netrc_auth

                            auth = await self._loop.run_in_executor(None, netrc_auth, url.host)
                        if auth is not None and hdrs.AUTHORIZATION in headers:
                            raise ValueError(
                                "Cannot combine AUTHORIZATION header with AUTH argument or credentials encoded in URL"
                            )
                        if req_jar is None:
                            all_cookies = jar.filter_cookies(url) if len(jar) else None
                        else:
                            all_cookies = cookies_for(jar, req_jar, url)
                        req_proxy, req_proxy_auth = proxy, proxy_auth
                        if req_proxy is None and cfg.trust_env:
                            from .env import get_env_proxy_for_url

                            try:
                                req_proxy, env_auth = await asyncio.to_thread(get_env_proxy_for_url, url)
                            except LookupError:
                                req_proxy = None
                            else:
                                if req_proxy_auth is None:
                                    req_proxy_auth = env_auth
                        req = request_class(
                            method, url, params=params, headers=headers, skip_auto_headers=skip or None,
                            data=data, cookies=all_cookies, auth=auth, version=cfg.version,
                            compress=compress, chunked=chunked, expect100=expect100, loop=self._loop,
                            response_class=cfg.response_class, proxy=req_proxy, proxy_auth=req_proxy_auth,
                            session=self, ssl=ssl if ssl is not None else True,
                            server_hostname=server_hostname, proxy_headers=proxy_headers,
                            traces=traces, trust_env=cfg.trust_env,
                        )
                        req.response_params = response_params
                        try:
                            if handler is not None:
                                resp = await handler(req)
                            elif (sent := send_now(self._connector, req)) is None:
                                resp = await send_request(self, req, real_timeout, when)
                            else:  # written on an idle connection: await the head right here
                                resp = sent
                                try:
                                    try:
                                        result = await resp._waiter
                                    except ParseError as exc:
                                        raise resp._head_error(exc) from exc
                                    finally:
                                        resp._waiter = None
                                    resp._got_head(result)
                                except BaseException:
                                    resp.close()  # also gives the connection back, closed
                                    raise
                        except (ServerDisconnectedError, ClientOSError, ClientConnectionResetError) as exc:
                            resp = None
                            # The server may close an idle keep-alive connection just as we reuse
                            # it: retry once on a fresh one when resending is safe.
                            if (req._conn_reused and not retried and not isinstance(exc, ClientConnectorError)
                                    and (method in IDEMPOTENT_METHODS or isinstance(exc, ClientConnectionResetError))):
                                retried = True
                                continue
                            raise
                    if resp._headers is not None and hdrs.SET_COOKIE in resp._headers:
                        # The raw values, parsed leniently; duplicate names stay apart (aiohttp 3.14).
                        jar.update_cookies_from_headers(resp._headers.getall(hdrs.SET_COOKIE), resp.url)
                    if resp.status in REDIRECTS and allow_redirects:
                        for trace in traces:
                            await trace.send_request_redirect(method, url, headers, resp)
                        redirects += 1
                        history.append(resp)
                        if max_redirects and redirects >= max_redirects:
                            resp.close()
                            raise TooManyRedirects(history[0].request_info, tuple(history))
                        hop = next_hop(resp, req, url, method, data, headers, cfg.requote_redirect_url)
                        if hop is None:
                            break
                        url, method, data, cross_origin = hop
                        if cross_origin:
                            auth = None
                            req_jar = None
                        params = None
                        continue
                    break
                if raise_for_status is None:
                    raise_for_status = cfg.raise_for_status
                if raise_for_status is None or raise_for_status is False:
                    pass
                elif callable(raise_for_status):
                    await raise_for_status(resp)
                elif raise_for_status:
                    resp.raise_for_status()
                if history:
                    resp._history = tuple(history)
                for trace in traces:
                    await trace.send_request_end(method, url, headers, resp)
                return resp
            except BaseException as exc:
                if resp is not None:
                    resp.close()
                if req is not None:
                    req.terminate()
                for trace in traces:
                    await trace.send_request_exception(method, url, headers, exc)
                err = client_error(exc)
                if err is not exc:
                    raise err from exc
                raise
        except asyncio.CancelledError as exc:
            if task is not None and self._deadlines.expired(when, task, cancelling):  # type: ignore[arg-type]
                raise asyncio.TimeoutError() from exc
            raise
        finally:
            if task is not None:
                self._deadlines.discard(when, task)  # type: ignore[arg-type]

    def ws_connect(self, url: str | URL, **kwargs: Any) -> Any:
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
