"""The errors the role-neutral layer raises: its own, never a client's or a server's.

How this works: ``_http`` pieces (flow control, the writer, the WebSocket protocol) are
used by both sides, so they raise these plain ``ConnectionResetError`` subclasses; each
side translates them at its one boundary (the client into aiohttp's exception names in
``_client/error_map.py``, the server into a closed connection).  Engine errors from
``_core`` (``ParseError`` and its tree) pass through this layer unchanged.
"""

from __future__ import annotations

__all__ = ("ConnectionLostError", "PeerDisconnectedError", "TransportClosingError")


class TransportClosingError(ConnectionResetError):
    """A write on a transport that is closing or gone (aiohttp's "Cannot write to closing
    transport"); the client's name for it is ``ClientConnectionResetError``."""


class ConnectionLostError(ConnectionResetError):
    """A writer waited for the write buffer to drain and the connection was lost."""


class PeerDisconnectedError(ConnectionResetError):
    """The peer closed the connection before the exchange was over; the client's name for
    it is ``ServerDisconnectedError``."""
