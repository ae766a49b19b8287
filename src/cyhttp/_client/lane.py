"""The plain-request lane: ``session.get(url)`` on a pooled connection, without a body and
with no options but ``headers``, ``params``, ``timeout`` and ``allow_redirects``.

How this works: most crawler requests carry little more than a URL.  For those the
session keeps a *plan* per (method, URL, the request's own headers and params): the parsed
URL, the connection key, the request head bytes and the request headers, all built once
by ``ClientRequest`` itself, so the bytes on the wire are the general path's by construction.  A request is then: take an idle
connection, write the cached head, await the response head.  No ``ClientRequest``, no
thirty-option prologue, no hop loop.

Cookies from the jar go in a last Cookie header, where ``ClientRequest`` puts them, and a
Set-Cookie is stored as the general path stores it.  Whatever the lane does not cover is
handed to ``ClientSession._request`` together with what the lane already did
(``LaneState``): no idle connection, a redirect to follow, a stale pooled connection to
retry.  The general path then finishes exactly as if it had done the first hop itself.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, NamedTuple

from multidict import CIMultiDict, getversion
from yarl import URL

from .. import hdrs
from .._core.errors import ParseError
from .._http.helpers import sentinel
from .config import merge_headers
from .connector.connection import Connection
from .error_map import client_error
from .exceptions import (
    ClientConnectionResetError,
    ClientOSError,
    ServerDisconnectedError,
)
from .redirects import REDIRECTS
from .reqinfo import ConnectionKey
from .request import GET_METHODS, ClientRequest, cookie_header
from .response import ClientResponse
from .timeouts import ClientTimeout, deadline

if TYPE_CHECKING:
    from .session import ClientSession

__all__ = ("LANE_KWARGS", "LANE_METHODS", "LANE_OPTIONS", "LaneState", "PlainLane")

# Bodiless and idempotent: a stale pooled connection may always be retried.
LANE_METHODS = frozenset({hdrs.METH_GET, hdrs.METH_HEAD, hdrs.METH_OPTIONS, hdrs.METH_DELETE})
LANE_OPTIONS = frozenset({"timeout", "headers", "params"})  # the options a plain request may carry
LANE_KWARGS = LANE_OPTIONS | {"allow_redirects"}
_PLANS_MAX = 1024  # distinct URLs remembered per method; a crawler's one-off URLs just churn
_STALE = (ServerDisconnectedError, ClientOSError, ClientConnectionResetError)


class LaneState(NamedTuple):
    """What the lane hands to ``_request``: its first response (or None), deadline, retry."""

    response: ClientResponse | None
    when: float | None
    retried: bool


class _Plan(NamedTuple):
    url: URL
    key: ConnectionKey
    head: bytes
    headers: CIMultiDict[str]


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a request's ``headers`` / ``params`` (a mapping, pairs, a str)."""
    if value is None or isinstance(value, str):
        return value
    return tuple(value.items() if hasattr(value, "items") else value)


class PlainLane:
    """Per session: the plans and the settings a plain request needs, looked up once."""

    __slots__ = ("_session", "_connector", "_loop", "_jar", "_deadlines", "_plans", "_timeout",
                 "_ceil", "_sock_read", "_auto_decompress", "_read_bufsize", "_limits",
                 "_raise_for_status", "_base_url", "_headers", "_headers_version", "_skip", "_version")

    def __init__(self, session: ClientSession) -> None:
        cfg = session._config
        self._session = session
        self._connector = session._connector
        self._loop = session._loop
        self._jar = session._cookie_jar
        self._deadlines = session._deadlines
        self._plans: dict[str, dict[Any, _Plan]] = {m: {} for m in LANE_METHODS}
        self._timeout = cfg.timeout.total
        self._ceil = cfg.timeout.ceil_threshold
        self._sock_read = cfg.timeout.sock_read
        self._auto_decompress = cfg.auto_decompress
        self._read_bufsize = cfg.read_bufsize
        self._limits = cfg.limits
        rfs = cfg.raise_for_status
        self._raise_for_status = None if rfs is False else rfs
        self._base_url = cfg.base_url
        self._headers = cfg.headers  # the session's own, mutable: plans are dropped when it changes
        self._headers_version = getversion(cfg.headers)
        self._skip = cfg.skip_auto_headers or None
        self._version = cfg.version

    @staticmethod
    def for_session(session: ClientSession) -> PlainLane | None:
        """A lane when the session's settings leave a plain request plain, else None."""
        cfg = session._config
        connector = session._connector
        if (cfg.middlewares or cfg.trace_configs or cfg.trust_env or cfg.auth is not None
                or cfg.proxy is not None or connector is None or not connector._plain_connect
                or cfg.request_class not in (None, ClientRequest)
                or cfg.response_class not in (None, ClientResponse)):
            return None
        return PlainLane(session)

    def _plan(self, method: str, str_or_url: Any, key: Any, headers: Any, params: Any) -> _Plan | None:
        """Build (and remember under ``key``) the plan for one URL; None when it is not plain."""
        try:
            url = str_or_url if isinstance(str_or_url, URL) else URL(str_or_url)
        except (ValueError, TypeError):
            return None  # the general path raises the right error
        if self._base_url is not None and not url.absolute:
            url = self._base_url.join(url)
        if (url.scheme not in ("http", "https") or not url.raw_host
                or url.raw_user is not None or url.raw_password is not None):
            return None
        merged = merge_headers(self._headers, headers) if headers or self._headers else None
        req = ClientRequest(
            method, url, params=params, headers=merged, skip_auto_headers=self._skip,
            version=self._version, loop=self._loop, session=self._session,
        )
        try:
            head = req._head()
        except ValueError:
            return None
        plan = _Plan(req.original_url, req.connection_key, head, req.headers)
        plans = self._plans[method]
        if len(plans) >= _PLANS_MAX:
            plans.clear()
        plans[key] = plan
        return plan

    def _with_cookies(self, method: str, plan: _Plan) -> _Plan | None:
        """``plan`` with the jar's cookies for its URL in a last Cookie header, as
        ``ClientRequest`` puts them; None when the general path must build this one."""
        cookies = self._jar.filter_cookies(plan.url)
        if not cookies:
            return plan
        if method not in GET_METHODS or hdrs.COOKIE in plan.headers:
            return None  # a Content-Length or a session Cookie header would come after it
        value = cookie_header(cookies)
        if "\r" in value or "\n" in value or "\x00" in value:
            return None  # the general path refuses it with its own error
        headers = plan.headers.copy()
        headers[hdrs.COOKIE] = value
        head = b"%sCookie: %s\r\n\r\n" % (plan.head[:-2], value.encode("utf-8", "surrogateescape"))
        return _Plan(plan.url, plan.key, head, headers)

    async def request(self, method: str, str_or_url: Any, allow_redirects: bool,
                      timeout: Any = sentinel, headers: Any = None, params: Any = None) -> ClientResponse:
        session = self._session
        if getversion(self._headers) != self._headers_version:
            self._headers_version = getversion(self._headers)
            for plans in self._plans.values():
                plans.clear()
        try:
            # A request's own headers and params are part of its plan's key, as given.
            key = str_or_url if headers is None and params is None else (
                str_or_url, _frozen(headers), _frozen(params))
            plan = self._plans[method].get(key)
        except TypeError:  # unhashable: not a URL, or values the general path must judge
            plan = None
        else:
            if plan is None:
                plan = self._plan(method, str_or_url, key, headers, params)
        # Settled before a connection is taken: nothing may raise while one is held unwrapped.
        loop = self._loop
        if timeout is sentinel or timeout is None:
            when = deadline(loop, self._timeout, self._ceil)
            sock_read = self._sock_read
        else:  # as ``_request`` reads it: a ClientTimeout, or a number of seconds in all
            if not isinstance(timeout, ClientTimeout):
                timeout = ClientTimeout(total=timeout)
            when = deadline(loop, timeout.total, timeout.ceil_threshold)
            sock_read = timeout.sock_read
        connector = self._connector
        proto = None
        if plan is not None and len(self._jar):
            plan = self._with_cookies(method, plan)
        if plan is not None and session._connector is connector and not connector._closed:
            proto = connector._take_idle(plan.key)
        if proto is None:
            return await session._request(method, str_or_url, allow_redirects=allow_redirects, timeout=timeout,
                                          headers=headers, params=params)

        task: asyncio.Task[Any] | None = None
        if when is not None:
            task, cancelling = self._deadlines.enter(when)
        handoff: LaneState | None = None
        try:
            conn = Connection(connector, plan.key, proto, loop, reused=True)
            try:
                waiter = proto.start_response(
                    method, True, self._auto_decompress, self._read_bufsize, sock_read, when,
                    self._limits,
                )
                transport = proto.transport
                if transport is None or transport.is_closing():
                    proto._waiter = None
                    raise ClientConnectionResetError("Cannot write to closing transport")
                transport.write(plan.head)
            except BaseException:
                conn.close()
                raise
            resp = ClientResponse(
                method, plan.url, writer=None, continue100=None, timer=None, request_info=None,  # type: ignore[arg-type]
                traces=None, loop=loop, session=session,
            )
            resp._req_headers = plan.headers
            resp._waiter = waiter
            resp._begin(conn)
            try:
                try:  # ``resp.start(conn)`` inline: its coroutine frame costs 3 % of a request here
                    result = await waiter
                except ParseError as exc:
                    raise resp._head_error(exc) from exc
                finally:
                    resp._waiter = None
                resp._got_head(result)
                if allow_redirects and resp.status in REDIRECTS:
                    handoff = LaneState(resp, when, False)  # it also stores the hop's cookies
                else:
                    if hdrs.SET_COOKIE in resp._headers:
                        # The raw values, parsed leniently (as the general path does).
                        self._jar.update_cookies_from_headers(resp._headers.getall(hdrs.SET_COOKIE), resp.url)
                    rfs = self._raise_for_status
                    if rfs is not None:
                        if callable(rfs):
                            await rfs(resp)
                        elif rfs:
                            resp.raise_for_status()
            except BaseException:
                resp.close()  # also gives the connection back, closed
                raise
        except _STALE:
            # The server closed the idle connection just as we reused it: once more, the
            # general way (a fresh or another idle connection; no further retry).
            handoff = LaneState(None, when, True)
        except asyncio.CancelledError as exc:
            if task is not None and self._deadlines.expired(when, task, cancelling):  # type: ignore[arg-type]
                raise asyncio.TimeoutError() from exc
            raise
        except OSError as exc:
            err = client_error(exc)
            if err is exc:
                raise
            raise err from exc
        finally:
            if task is not None:
                self._deadlines.discard(when, task)  # type: ignore[arg-type]
        if handoff is not None:
            return await session._request(
                method, str_or_url, allow_redirects=allow_redirects, timeout=timeout, headers=headers,
                params=params, _lane=handoff,
            )
        return resp
