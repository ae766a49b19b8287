"""Putting one request on a connection and waiting for its head (the session's inner step).

How this works: ``send_now`` is the untraced fast path — an idle pooled connection,
the request written, the response returned with its head future still pending, all
without a coroutine; the session then awaits that future itself.  ``send_request``
is the general step (also the handler middlewares wrap): it may open a connection,
traces, and honours overridden ``connect`` / ``send`` / ``start``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .exceptions import ConnectionTimeoutError
from .request import ClientRequest
from .response import ClientResponse
from .timeouts import ClientTimeout

__all__ = ("send_now", "send_request")

_REQUEST_SEND = ClientRequest.send
_RESPONSE_START = ClientResponse.start


def send_now(connector: Any, req: ClientRequest) -> ClientResponse | None:
    """The untraced fast path: write ``req`` on an idle pooled connection, no coroutine.

    Returns the response with its head future pending, or None when anything
    needs the full ``send_request`` (tracing, no idle connection, overridden
    ``connect`` / ``send`` / ``start``).
    """
    if req.traces or type(req).send is not _REQUEST_SEND:
        return None
    response_class = req.response_class
    if response_class is not None and response_class.start is not _RESPONSE_START:
        return None
    if connector is None or not connector._plain_connect:
        return None
    conn = connector.connect_idle(req)
    if conn is None:
        return None
    req._conn_reused = True
    try:
        resp = req._send_now(conn)
    except BaseException:
        conn.close()
        raise
    resp._begin(conn)
    return resp



async def send_request(session: Any, req: ClientRequest, timeout: ClientTimeout, when: float | None) -> ClientResponse:
    """Borrow a connection, write ``req``, await the response head (the middlewares' handler)."""
    connector = session._connector
    if connector is None:
        raise RuntimeError("Session is closed")
    traces = req.traces
    # Untraced and not overridden: take an idle connection, write, and await the head
    # future right here (no connect/send/start coroutines); anything else the long way.
    conn = connector.connect_idle(req) if not traces and connector._plain_connect else None
    if conn is None:
        try:
            conn = await connector.connect(req, traces=traces, timeout=timeout)
        except asyncio.TimeoutError as exc:
            if isinstance(exc, ConnectionTimeoutError) or when is not None and session._loop.time() >= when:
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
    return resp

