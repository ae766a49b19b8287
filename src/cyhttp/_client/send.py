"""Putting one request on a connection and waiting for its head (the request path's inner step).

How this works: ``send_request`` is the whole step as a coroutine: what middlewares
wrap, and what the request path awaits when no idle connection is at hand
(``connector.connect`` opens one, or queues the request until the pool hands it one),
when tracing, or when ``connect`` / ``send`` / ``start`` are overridden.  On an idle
pooled connection, untraced, the path does the same in line (``path.py``): take it,
``ClientRequest._send_now``, await the head future.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .exceptions import ConnectionTimeoutError
from .request import ClientRequest
from .response import ClientResponse

__all__ = ("send_request",)

_REQUEST_SEND = ClientRequest.send


async def send_request(req: ClientRequest, slot: Any = None, session: Any = None) -> ClientResponse:
    """Borrow a connection for ``req`` (waiting for one if need be), write it, await the head.

    ``slot``: a slot the pool already reserved for ``req`` (the path queued for it);
    ``session``: the session sending it (a middleware may hand on a request of its own)."""
    if session is None:
        session = req._session
    connector = session._connector
    if connector is None:
        raise RuntimeError("Session is closed")
    timeout = req._timeout or session._config.timeout
    traces = req.traces
    conn = connector.connect_idle(req) if not traces and connector._plain_connect and slot is None else None
    if conn is None:
        try:
            if slot is not None:
                conn = await connector.connect_reserved(req, slot, timeout)
            else:
                conn = await connector.connect(req, traces=traces, timeout=timeout)
        except asyncio.TimeoutError as exc:
            when = req.response_params[4] if req.response_params else None
            if isinstance(exc, ConnectionTimeoutError) or when is not None and connector._loop.time() >= when:
                raise
            raise ConnectionTimeoutError(f"Connection timeout to host {req.url}") from exc
    req._conn_reused = conn.reused
    try:
        if traces or type(req).send is not _REQUEST_SEND:
            resp = await req.send(conn)
        else:
            resp = req._send_now(conn)
        try:
            await resp.start(conn)
        except BaseException:
            resp.close()
            raise
    except BaseException:
        conn.close()
        raise
    return resp  # type: ignore[no-any-return]
