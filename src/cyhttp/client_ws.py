"""aiohttp's ``client_ws`` import path: ``ClientWebSocketResponse``.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._client.ws import (
    ClientWebSocketResponse,
    WSCloseCode,
    WSMessage,
    WSMsgType,
)

__all__ = (
    "ClientWebSocketResponse",
    "WSMsgType",
    "WSMessage",
    "WSCloseCode",
)
