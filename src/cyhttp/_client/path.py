"""THE request path: every request of a session, from the verb's keywords to its response.

How this works: a session's ``RequestPath`` holds the session's settings resolved once
(timeouts, read settings, raise_for_status, the middleware chain, which classes are
ours) and its ``PlanCache``.  ``run`` takes one request through the same steps,
each paying only for what the request uses:

1. options: the keywords passed, resolved (``options.resolve``); none → nothing to do;
2. the plan (``plan.py``): looked up by (method, URL as given, plan-shaping options); on
   a miss the URL is parsed and checked, credentials and auth settled, and the plan built;
3. the request: composed from the plan with the jar's cookies and the body
   (``ClientRequest._planned``), or built by ``ClientRequest`` when the parts cannot say it;
4. the send step: an idle pooled connection written to and its head awaited right here;
   otherwise, or through middlewares, the ``send_request`` coroutine (``send.py``), which
   waits for the pool when it must;
5. the answer: Set-Cookie stored, a redirect followed (another hop of the same loop, its
   plan cached too), raise_for_status.

A stale pooled connection (the server closed it as we reused it) is retried once on
another, when resending is safe.  Tracing, middlewares, redirects and that retry sit in
the same loop and cost nothing when absent.  Errors from lower layers become aiohttp's
names at one place (``error_map.client_error``); the total timeout is one coalesced timer
per deadline (``context._Deadlines``).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Hashable, Mapping
from operator import is_
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDict
from yarl import URL

from .. import hdrs
from .._core.errors import ParseError
from .._http.auth import strip_auth_from_url
from .config import merge_headers
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
from .middlewares import build_client_middlewares
from .options import NO_OPTIONS, Resolved, resolve, storable
from .plan import Plan, PlanCache, body_of
from .redirects import REDIRECTS, next_hop
from .connector.connection import Connection, _Placeholder
from .request import IDEMPOTENT_METHODS, ClientRequest
from .response import ClientResponse
from .send import send_request
from .timeouts import ClientTimeout, deadline
from .wire import cookie_header, write_request

if TYPE_CHECKING:
    from .connector.pool import BaseConnector
    from .session import ClientSession

__all__ = ("RequestPath",)

_STALE: Final = (ServerDisconnectedError, ClientOSError, ClientConnectionResetError)
_NO_TRACES: Final[tuple[Any, ...]] = ()
_BARE: Final = (None, None, None)  # a composed request's parts without cookies or body


def _hop_key(url: URL, headers: CIMultiDict[str], auth: Any, plan_key: Hashable | None) -> Hashable | None:
    """A redirect hop's plan key (None: not cacheable)."""
    pairs = []
    for name, value in headers.items():
        if type(value) is not str:
            return None
        pairs.append((name, value))
    return (url, tuple(pairs), auth, plan_key)


class RequestPath:
    """One session's settings, resolved once, its plans, and the path every request takes."""

    __slots__ = (
        "_session", "_loop", "_jar", "_deadlines", "_plans", "_cache", "_timeout", "_auto_decompress",
        "_read_bufsize", "_limits", "_rfs", "_handler", "_send", "_trace_configs", "_request_class", "_composable",
        "_inline", "_base_url", "_base_origin", "_headers", "_skip", "_auth", "_proxy", "_proxy_auth",
        "_version", "_json", "_requote", "_trust_env", "_response_class",
    )

    def __init__(self, session: ClientSession) -> None:
        cfg = session._config
        self._session = session
        self._loop = session._loop
        self._jar = session._cookie_jar
        self._deadlines = session._deadlines
        self._plans = PlanCache(cfg.headers)
        # Environment proxies and .netrc are looked up for every request (as aiohttp does).
        self._cache = not cfg.trust_env
        self._trust_env = cfg.trust_env
        self._timeout = cfg.timeout
        self._auto_decompress = cfg.auto_decompress
        self._read_bufsize = cfg.read_bufsize
        self._limits = cfg.limits
        rfs = cfg.raise_for_status
        self._rfs = None if rfs is False else rfs
        self._send = functools.partial(send_request, session=session)  # what middlewares wrap
        self._handler = build_client_middlewares(self._send, cfg.middlewares) if cfg.middlewares else None
        self._trace_configs = cfg.trace_configs
        request_class = cfg.request_class or ClientRequest
        response_class = cfg.response_class or ClientResponse
        self._request_class: type[ClientRequest] = request_class
        self._response_class = cfg.response_class
        # A plan composes the requests of ClientRequest (and of subclasses that build alike).
        self._composable = request_class is ClientRequest or (
            issubclass(request_class, ClientRequest) and request_class._plain)
        # Requests written and awaited in the path itself need our own classes.
        self._inline = request_class is ClientRequest and response_class is ClientResponse
        self._base_url = cfg.base_url
        self._base_origin = cfg.base_origin
        self._headers = cfg.headers
        self._skip = cfg.skip_auto_headers
        self._auth = cfg.auth
        self._proxy = cfg.proxy
        self._proxy_auth = cfg.proxy_auth
        self._version = cfg.version
        self._json = cfg.json_serialize
        self._requote = cfg.requote_redirect_url

    @property
    def plans(self) -> PlanCache:
        return self._plans

    async def run(self, method: str, str_or_url: Any, options: Mapping[str, Any], sink: Any = None) -> ClientResponse:
        """The response to one request (``method`` upper-case, ``options`` the verb's keywords);
        also stored as ``sink._resp`` (the verb's context manager) when given."""
        session = self._session
        connector = session._connector
        if connector is None or connector._closed:
            raise RuntimeError("Session is closed")
        o = resolve(options, self._json) if options else NO_OPTIONS
        timeout = o.timeout or self._timeout
        when = deadline(self._loop, timeout.total, timeout.ceil_threshold)
        task: asyncio.Task[Any] | None = None
        if when is not None:  # one coalesced timer per deadline, not one per request
            task, cancelling = self._deadlines.enter(when)
        try:
            # -- the plan (on a miss: the URL and the proxy, checked before anything is traced)
            key: Hashable | None = None
            plan: Plan | None = None
            if self._cache:
                key = str_or_url if o.plan_key is None else (str_or_url, o.plan_key)
                plan = self._plans.get(method, key)
            if plan is None:
                url = self._url(str_or_url, connector)
                proxy = o.proxy
                if proxy is None:
                    proxy = self._proxy
                elif not isinstance(proxy, URL):
                    try:
                        proxy = URL(proxy)
                    except ValueError as exc:
                        raise InvalidURL(proxy) from exc
                proxy_auth = o.proxy_auth if o.proxy_auth is not None else self._proxy_auth
            else:
                url, proxy, proxy_auth = plan.given_url, plan.proxy, plan.proxy_auth
            traces: Any = _NO_TRACES
            headers: CIMultiDict[str] | None = None  # the merged headers: for traces and hops
            if self._trace_configs:
                from .tracing import Trace

                headers = self._merged(o) if plan is None else plan.headers
                traces = []
                for trace_config in self._trace_configs:
                    trace = Trace(session, trace_config,
                                  trace_config.trace_config_ctx(trace_request_ctx=o.trace_request_ctx))
                    await trace.send_request_start(method, url.update_query(o.params) if o.params else url, headers)
                    traces.append(trace)
            jar = self._jar
            req_jar: Any = None
            if o.cookies:  # per-request cookies: checked once, filtered per hop
                from .request_cookies import check_user_cookies, request_cookie_jar

                req_jar = request_cookie_jar(jar, check_user_cookies(o.cookies))
            handler = self._handler
            if o.middlewares is not None:
                handler = build_client_middlewares(self._send, o.middlewares) if o.middlewares else None
            # Written and awaited in line, without a request object: ours, untraced, unwrapped.
            inline = handler is None and self._inline and not traces and connector._plain_connect
            data = o.data
            auth = o.auth
            history: list[ClientResponse] | None = None
            retried = False
            resp: ClientResponse | None = None
            req: ClientRequest | None = None
            try:
                while True:
                    if plan is None:
                        plan = await self._plan(method, url, o, headers, auth, proxy, proxy_auth, history)
                        if key is not None and storable(o.plan_key):
                            self._plans.put(method, key, plan)
                    if req_jar is None:
                        cookies = jar.filter_cookies(plan.url) if len(jar) else None
                    else:
                        from .request_cookies import cookies_for

                        cookies = cookies_for(jar, req_jar, plan.url)
                    if cookies or data is not None or plan.attrs is None or o.full:
                        parts = self._parts(plan, cookies, data, o)
                    else:
                        parts = _BARE  # no cookies, no body: the plan's own head
                    proto = req = slot = None
                    if inline and parts is not None and plan.proxy is None and not connector._closed:
                        proto = connector._take_idle(plan.key)
                        if proto is None and timeout.connect is None:
                            # Behind the pool's limits: queue on a plain future, and be handed
                            # the next connection released for this key (or a reserved slot).
                            turn = connector._turn(plan.key)
                            if turn is not None:
                                try:
                                    proto = await turn
                                except BaseException:
                                    connector._end_turn(plan.key, turn, True)
                                    raise
                                connector._end_turn(plan.key, turn, False)
                                if type(proto) is _Placeholder:
                                    slot, proto = proto, None
                    try:
                        if proto is not None:
                            # An idle pooled connection: the request written, its head awaited.
                            cookie, body, content_type = parts  # type: ignore[misc]
                            sent = body
                            conn = Connection(connector, plan.key, proto, self._loop, True)
                            try:
                                head = (plan.head if cookie is None and body is None
                                        else plan.head_for(cookie, body, content_type))
                                if o.read is None:
                                    waiter = write_request(proto, method, head, body, True, self._auto_decompress,
                                                           self._read_bufsize, timeout.sock_read, when, self._limits)
                                else:
                                    waiter = write_request(proto, method, head, body,
                                                           *self._read_params(o.read, timeout, when))
                            except BaseException:
                                conn.close()
                                raise
                            resp = ClientResponse._new(method, plan.original_url, None, None, self._loop, session,
                                                       waiter)
                            resp._req_parts = (plan, cookie, None if body is None else len(body), content_type)
                            resp._begin(conn)
                            try:
                                try:
                                    result = await waiter
                                except ParseError as exc:
                                    raise resp._head_error(exc) from exc
                                finally:
                                    resp._waiter = None
                                resp._got_head(result)
                            except BaseException:
                                resp.close()  # also gives the connection back, closed
                                raise
                        else:
                            params = self._read_params(o.read, timeout, when)
                            req = (self._build(plan, data, cookies, o, traces, params, timeout) if parts is None else
                                   self._request_class._planned(plan, *parts, traces, params, timeout))
                            sent = req.body
                            resp = await (send_request(req, slot) if handler is None else handler(req))
                    except _STALE as exc:
                        resp = None
                        # The server may close an idle keep-alive connection just as we reuse
                        # it: once more on another connection, when resending is safe.
                        reused = proto is not None or (req is not None and req._conn_reused)
                        if (reused and not retried and not isinstance(exc, ClientConnectorError)
                                and (method in IDEMPOTENT_METHODS or isinstance(exc, ClientConnectionResetError))):
                            retried = True
                            continue
                        raise
                    got = resp._headers
                    if got is not None and hdrs.SET_COOKIE in got:
                        # The raw values, parsed leniently; duplicate names stay apart (aiohttp 3.14).
                        jar.update_cookies_from_headers(got.getall(hdrs.SET_COOKIE), resp.url)
                    if resp.status in REDIRECTS and o.allow_redirects:
                        for trace in traces:
                            await trace.send_request_redirect(method, plan.url, plan.headers, resp)
                        if history is None:
                            history = []
                        history.append(resp)
                        if o.max_redirects and len(history) >= o.max_redirects:
                            resp.close()
                            raise TooManyRedirects(history[0].request_info, tuple(history))
                        hop_headers = plan.headers.copy()  # the next hop's: next_hop edits it
                        headers = hop_headers
                        hop = next_hop(resp, plan.url, method, data if sent is None else sent, hop_headers,
                                       self._requote)
                        if hop is None:
                            break
                        url, method, data, cross_origin = hop
                        auth = plan.auth
                        if cross_origin:
                            auth = None
                            req_jar = None
                        key = _hop_key(url, hop_headers, auth, o.plan_key) if key is not None else None
                        plan = None if key is None else self._plans.get(method, key)
                        continue
                    break
                rfs: bool | Callable[[ClientResponse], Awaitable[None]] | None = o.raise_for_status
                if rfs is None:
                    rfs = self._rfs
                if rfs is not None and rfs is not False:
                    if callable(rfs):
                        await rfs(resp)
                    elif rfs:
                        resp.raise_for_status()
                if history:
                    resp._history = tuple(history)
                for trace in traces:
                    await trace.send_request_end(method, plan.url, headers or plan.headers, resp)
                if sink is not None:
                    sink._resp = resp
                return resp
            except BaseException as exc:
                if resp is not None:
                    resp.close()
                if req is not None:
                    req.terminate()
                for trace in traces:
                    await trace.send_request_exception(
                        method, url if plan is None else plan.url, headers or self._merged(o), exc)
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

    # -- the steps ------------------------------------------------------------------------

    def _url(self, str_or_url: Any, connector: BaseConnector) -> URL:
        try:
            url = str_or_url if isinstance(str_or_url, URL) else URL(str_or_url)
            if self._base_url is not None and not url.absolute:
                url = self._base_url.join(url)
        except ValueError as exc:
            raise InvalidUrlClientError(str_or_url) from exc
        if url.scheme not in connector.allowed_protocol_schema_set:
            raise NonHttpUrlClientError(url)
        return url

    def _merged(self, o: Resolved) -> CIMultiDict[str]:
        """The session's default headers and the request's own (with json's Content-Type)."""
        own = o.headers
        if o.json:
            own = CIMultiDict(own or ())
            own.setdefault(hdrs.CONTENT_TYPE, "application/json")
        return merge_headers(self._headers, own) if own or self._headers else CIMultiDict()

    async def _plan(self, method: str, url: URL, o: Resolved, headers: CIMultiDict[str] | None, auth: Any,
                    proxy: URL | None, proxy_auth: Any, history: list[ClientResponse] | None) -> Plan:
        """A new plan for one hop: credentials out of the URL, the auth that applies, the proxy."""
        given = url
        if url.raw_user is None and url.raw_password is None:
            auth_from_url = None
        else:
            url, auth_from_url = strip_auth_from_url(url)
        if not url.raw_host:
            raise (InvalidUrlRedirectClientError if history else InvalidUrlClientError)(url)
        if not history and auth and auth_from_url:
            raise ValueError("Cannot combine AUTH argument with credentials encoded in URL")
        if auth is None or (history and auth_from_url is not None):
            auth = auth_from_url
        if auth is None and self._auth is not None and (self._base_url is None or self._base_origin == url.origin()):
            auth = self._auth
        if auth is None and self._trust_env and url.host is not None:
            from .env import netrc_auth

            auth = await self._loop.run_in_executor(None, netrc_auth, url.host)
        if headers is None:
            headers = self._merged(o)
        if auth is not None and hdrs.AUTHORIZATION in headers:
            raise ValueError("Cannot combine AUTHORIZATION header with AUTH argument or credentials encoded in URL")
        if proxy is None and self._trust_env:
            from .env import get_env_proxy_for_url

            try:
                proxy, env_auth = await asyncio.to_thread(get_env_proxy_for_url, url)
            except LookupError:
                proxy = None
            else:
                if proxy_auth is None:
                    proxy_auth = env_auth
        skip: Any = self._skip
        if o.skip_auto_headers is not None:
            skip = skip | frozenset(o.skip_auto_headers)
        plan = Plan(method, given, url, params=None if history else o.params, headers=headers, skip=skip or None,
                    auth=auth, proxy=proxy, proxy_auth=proxy_auth, proxy_headers=o.proxy_headers, ssl=o.ssl,
                    server_hostname=o.server_hostname)
        if self._composable:
            plan.compose(ClientRequest(
                method, url, params=plan.params, headers=headers, skip_auto_headers=plan.skip, auth=auth,
                version=self._version, loop=self._loop, response_class=self._response_class, proxy=proxy,
                proxy_auth=proxy_auth, session=self._session, ssl=o.ssl, server_hostname=o.server_hostname,
                proxy_headers=o.proxy_headers, trust_env=self._trust_env,
            ))
        return plan

    def _read_params(self, read: tuple[Any, ...] | None, timeout: ClientTimeout,
                     when: float | None) -> tuple[Any, ...]:
        """What the protocol is told about reading the response (``ClientRequest.response_params``):
        the session's settings, or the request's own (``read``)."""
        if read is None:
            return True, self._auto_decompress, self._read_bufsize, timeout.sock_read, when, self._limits
        until_eof, decompress, bufsize, line, field, count = read
        limits = self._limits
        return (
            until_eof, self._auto_decompress if decompress is None else decompress,
            self._read_bufsize if bufsize is None else bufsize, timeout.sock_read, when,
            (limits[0] if line is None else line, limits[1] if field is None else field,
             limits[2] if count is None else count),
        )

    @staticmethod
    def _parts(plan: Plan, cookies: Any, data: Any, o: Resolved) -> tuple[str | None, bytes | None, str | None] | None:
        """``(Cookie value, body, its content type)`` composing this hop's request from the plan,
        or None when ``ClientRequest`` must build it (see ``plan.py``)."""
        if plan.attrs is None or o.full:
            return None
        cookie = None
        if cookies:
            if not plan.cookie_ok:
                return None  # a Cookie header of the request's own: ClientRequest merges them
            # The jar hands out the same morsel objects until a cookie changes: the same
            # morsels, the same header (the last one is remembered per plan).
            morsels = tuple(cookies.values())
            memo = plan.cookie_memo
            if memo is not None and len(memo[0]) == len(morsels) and all(map(is_, memo[0], morsels)):
                cookie = memo[1]
            else:
                cookie = cookie_header(cookies)
                if "\r" in cookie or "\n" in cookie or "\x00" in cookie:
                    return None  # ClientRequest refuses it, with its own error
                plan.cookie_memo = (morsels, cookie)
        if data is None:
            return cookie, None, None
        made = body_of(data) if plan.body_ok else None
        if made is None:
            return None
        return cookie, made[0], made[1]

    def _build(self, plan: Plan, data: Any, cookies: Any, o: Resolved, traces: Any, params: tuple[Any, ...],
               timeout: ClientTimeout) -> ClientRequest:
        """This hop's request built by the request class from the plan's inputs."""
        req = self._request_class(
            plan.method, plan.url, params=plan.params, headers=plan.headers, skip_auto_headers=plan.skip,
            data=data, cookies=cookies, auth=plan.auth, version=self._version, compress=o.compress,
            chunked=o.chunked, expect100=o.expect100, loop=self._loop, response_class=self._response_class,
            proxy=plan.proxy, proxy_auth=plan.proxy_auth, session=self._session, ssl=plan.ssl,
            server_hostname=plan.server_hostname, proxy_headers=plan.proxy_headers, traces=traces,
            trust_env=self._trust_env,
        )
        req.response_params = params
        req._timeout = timeout
        return req
