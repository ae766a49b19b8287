"""The client WebSocket handshake: ``ws_connect(session, url, **kwargs)``.

How this works: the upgrade GET goes through the session's normal request path, so
auth, headers, params, cookies, proxy and TLS settings apply exactly as for any
request.  The 101 answer is checked (Upgrade, Connection, Sec-WebSocket-Accept,
subprotocol, permessage-deflate parameters) and any mismatch is a
``WSServerHandshakeError``.  On success the connection stays checked out of the pool
for good (the 101 response keeps it; closing the WebSocket closes it), the
transport is switched to a ``WSProtocol`` (``BufferedWSProtocol`` on asyncio's own
loops) and fed the bytes that arrived behind the 101 head.  ``ClientSession.ws_connect`` delegates here in one line.
"""

from __future__ import annotations

import asyncio
import base64
import os
import warnings
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, TypedDict

from multidict import CIMultiDict

from .. import hdrs
from .._core.ws_reader import FrameReader
from .._core.ws_writer import FrameWriter
from .._http.auth import AUTH_DEPRECATED, PROXY_AUTH_DEPRECATED, BasicAuth
from .._http.helpers import _SENTINEL, sentinel
from .._http.typedefs import LooseHeaders, Query, StrOrURL
from .._http.ws_handshake import (
    HandshakeProblem,
    accept_key,
    connection_has_upgrade,
    ws_ext_offer,
    ws_ext_parse,
)
from .._http.ws_protocol import protocol_class
from .context import _BaseRequestContextManager
from .exceptions import WSServerHandshakeError
from .response import ClientResponse
from .timeouts import DEFAULT_WS_CLIENT_TIMEOUT, ClientWSTimeout
from .tls import Fingerprint, merge_ssl_params
from .ws import ClientWebSocketResponse

if TYPE_CHECKING:
    from ssl import SSLContext

    from typing_extensions import Unpack

    from .session import ClientSession

__all__ = ("WSConnectOptions", "WSRequestContextManager", "ws_connect")


class WSConnectOptions(TypedDict, total=False):
    """The keyword options of ``ws_connect`` (aiohttp 3.14's), with their types."""

    method: str
    protocols: Iterable[str]
    timeout: ClientWSTimeout | _SENTINEL | None
    receive_timeout: float | None  # deprecated: timeout=ClientWSTimeout(ws_receive=...)
    autoclose: bool
    autoping: bool
    heartbeat: float | None
    auth: BasicAuth | None  # deprecated
    origin: str | None
    params: Query
    headers: LooseHeaders | None
    proxy: StrOrURL | None
    proxy_auth: BasicAuth | None  # deprecated
    ssl: SSLContext | bool | Fingerprint
    verify_ssl: bool | None  # deprecated: ssl=
    fingerprint: bytes | None  # deprecated: ssl=Fingerprint(...)
    ssl_context: SSLContext | None  # deprecated: ssl=
    server_hostname: str | None
    proxy_headers: LooseHeaders | None
    compress: int
    max_msg_size: int
    decode_text: bool


def ws_connect(
    session: ClientSession, url: StrOrURL, **kwargs: Unpack[WSConnectOptions]
) -> WSRequestContextManager:
    """``await ws_connect(session, url)`` or ``async with ws_connect(session, url) as ws``."""
    return WSRequestContextManager(_ws_connect(session, url, **kwargs))


async def _ws_connect(
    session: ClientSession,
    url: StrOrURL,
    *,
    method: str = hdrs.METH_GET,
    protocols: Iterable[str] = (),
    timeout: ClientWSTimeout | _SENTINEL | None = sentinel,
    receive_timeout: float | None = None,
    autoclose: bool = True,
    autoping: bool = True,
    heartbeat: float | None = None,
    auth: BasicAuth | None = None,
    origin: str | None = None,
    params: Query = None,
    headers: LooseHeaders | None = None,
    proxy: StrOrURL | None = None,
    proxy_auth: BasicAuth | None = None,
    ssl: SSLContext | bool | Fingerprint = True,
    verify_ssl: bool | None = None,
    fingerprint: bytes | None = None,
    ssl_context: SSLContext | None = None,
    server_hostname: str | None = None,
    proxy_headers: LooseHeaders | None = None,
    compress: int = 0,
    max_msg_size: int = 4 * 1024 * 1024,
    decode_text: bool = True,
) -> ClientWebSocketResponse:
    # As aiohttp: these warn here, and again in the request the handshake makes.
    if auth is not None:
        warnings.warn(AUTH_DEPRECATED, DeprecationWarning, stacklevel=3)
    if proxy_auth is not None:
        warnings.warn(PROXY_AUTH_DEPRECATED, DeprecationWarning, stacklevel=3)
    if timeout is sentinel or timeout is None:
        ws_timeout = DEFAULT_WS_CLIENT_TIMEOUT
    elif isinstance(timeout, ClientWSTimeout):
        ws_timeout = timeout
    else:
        warnings.warn(
            "parameter 'timeout' of type 'float' is deprecated, please use "
            "'timeout=ClientWSTimeout(ws_close=...)'", DeprecationWarning, stacklevel=3,
        )
        ws_timeout = ClientWSTimeout(ws_close=timeout)
    if receive_timeout is not None:
        warnings.warn(
            "float parameter 'receive_timeout' is deprecated, please use parameter "
            "'timeout=ClientWSTimeout(ws_receive=...)'", DeprecationWarning, stacklevel=3,
        )
        ws_timeout = ClientWSTimeout(ws_receive=receive_timeout, ws_close=ws_timeout.ws_close)
    if ssl is None:
        warnings.warn("ssl=None is deprecated, please use ssl=True", DeprecationWarning, stacklevel=3)
        ssl = True
    if verify_ssl is not None or ssl_context is not None or fingerprint is not None:
        ssl = merge_ssl_params(ssl, verify_ssl, ssl_context, fingerprint)
    protocols = tuple(protocols)

    real_headers: CIMultiDict[str] = CIMultiDict(headers or ())
    real_headers.setdefault(hdrs.UPGRADE, "websocket")
    real_headers.setdefault(hdrs.CONNECTION, "Upgrade")
    real_headers.setdefault(hdrs.SEC_WEBSOCKET_VERSION, "13")
    sec_key = base64.b64encode(os.urandom(16))
    real_headers[hdrs.SEC_WEBSOCKET_KEY] = sec_key.decode()
    if protocols:
        real_headers[hdrs.SEC_WEBSOCKET_PROTOCOL] = ",".join(protocols)
    if origin is not None:
        real_headers[hdrs.ORIGIN] = origin
    if compress:
        real_headers[hdrs.SEC_WEBSOCKET_EXTENSIONS] = ws_ext_offer(compress)

    resp = await session.request(
        method, url, params=params, headers=real_headers, read_until_eof=False, auth=auth,
        proxy=proxy, proxy_auth=proxy_auth, ssl=ssl, server_hostname=server_hostname,
        proxy_headers=proxy_headers,
    )
    try:
        try:
            negotiated = _check_handshake(resp, sec_key, protocols, compress)
        except HandshakeProblem as exc:
            raise WSServerHandshakeError(
                resp.request_info, resp.history, message=str(exc), status=resp.status,
                headers=resp.headers,
            ) from None
        chosen, server_bits, server_notakeover, client_bits, client_notakeover = negotiated
        conn = resp.connection
        http_protocol = conn.protocol if conn is not None else None
        transport = conn.transport if conn is not None else None
        if http_protocol is None or transport is None or transport.is_closing():
            from .exceptions import ServerDisconnectedError

            raise ServerDisconnectedError("Connection closed right after the WebSocket handshake")
        reader = FrameReader(
            max_msg_size=max_msg_size, compress=bool(server_bits),
            server_window_bits=server_bits or 15, server_notakeover=server_notakeover,
            decode_text=decode_text, expect_masked=False,
        )
        writer = FrameWriter(is_client=True, compress=client_bits, notakeover=client_notakeover)
        loop = asyncio.get_running_loop()
        ws_protocol = protocol_class(loop)(loop, reader, transport, http_protocol)
        # No await between these two lines: nothing can arrive in between.
        transport.set_protocol(ws_protocol)
        tail = http_protocol.upgraded_tail()
    except BaseException:
        resp.close()
        raise
    ws = ClientWebSocketResponse(
        ws_protocol, writer, chosen, resp, ws_timeout, autoclose, autoping,
        # ``compress`` reports our own (client) window bits, as aiohttp's does.
        ws_protocol._loop, heartbeat=heartbeat, compress=client_bits if server_bits else 0,
        client_notakeover=client_notakeover,
    )
    ws_protocol.feed_tail(tail)
    return ws


def _check_handshake(
    resp: ClientResponse, sec_key: bytes, protocols: tuple[str, ...], compress: int
) -> tuple[str | None, int, bool, int, bool]:
    """(protocol, server window bits, server_notakeover, client window bits, client_notakeover)."""
    if resp.status != 101:
        raise HandshakeProblem("Invalid response status")
    headers = resp.headers
    if headers.get(hdrs.UPGRADE, "").strip().lower() != "websocket":
        raise HandshakeProblem("Invalid upgrade header")
    if not connection_has_upgrade(headers.get(hdrs.CONNECTION, "")):
        raise HandshakeProblem("Invalid connection header")
    if headers.get(hdrs.SEC_WEBSOCKET_ACCEPT, "").strip() != accept_key(sec_key):
        raise HandshakeProblem("Invalid challenge response")
    chosen: str | None = None
    answer = headers.get(hdrs.SEC_WEBSOCKET_PROTOCOL)
    if answer is not None and answer.strip():
        # RFC 6455 §4.1: the server picks one of ours or the client fails the connection.
        for name in (p.strip() for p in answer.split(",")):
            if name in protocols:
                chosen = name
                break
        else:
            raise HandshakeProblem("Invalid protocol: the server chose one we did not offer")
    ext = headers.get(hdrs.SEC_WEBSOCKET_EXTENSIONS)
    if ext is None or not ext.strip():
        return chosen, 0, False, 0, False
    params = ws_ext_parse(ext, compress)
    server_bits = params["server_max_window_bits"] or 15
    client_bits = params["client_max_window_bits"] or 15
    return (
        chosen, server_bits, params["server_no_context_takeover"],
        client_bits, params["client_no_context_takeover"],
    )


class WSRequestContextManager(_BaseRequestContextManager[ClientWebSocketResponse]):
    """Awaitable, and an async context manager that closes the WebSocket on exit."""

    __slots__ = ()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._resp.close()
