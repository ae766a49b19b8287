"""WebSocket handshake pieces both sides use (RFC 6455 §4, RFC 7692 §7).

How this works: pure functions over header values: the ``Sec-WebSocket-Accept`` digest
of a key, our permessage-deflate offer and the check of the peer's answer to it, and
the ``Connection: upgrade`` token test.  A value that is not a valid handshake raises
``HandshakeProblem``; each side turns it into its own error (the client's
``WSServerHandshakeError``, the server's 400).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

__all__ = ("HandshakeProblem", "accept_key", "connection_has_upgrade", "ws_ext_offer", "ws_ext_parse")

_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_BITS_PARAMS = ("server_max_window_bits", "client_max_window_bits")
_FLAG_PARAMS = ("server_no_context_takeover", "client_no_context_takeover")


class HandshakeProblem(Exception):
    """An answer that is not a valid WebSocket upgrade (becomes WSServerHandshakeError)."""


def accept_key(key: bytes) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2)."""
    return base64.b64encode(hashlib.sha1(key + _WS_GUID).digest()).decode()


def ws_ext_offer(compress: int) -> str:
    """Our permessage-deflate offer: any client window, server window ≤ ``compress``."""
    if not 9 <= compress <= 15:
        raise ValueError("Compress wbits must between 9 and 15, zlib does not support wbits=8")
    offer = "permessage-deflate; client_max_window_bits"
    if compress < 15:
        offer += f"; server_max_window_bits={compress}"
    return offer


def ws_ext_parse(value: str, offered: int) -> dict[str, Any]:
    """Check the server's Sec-WebSocket-Extensions against our offer (RFC 7692 §7).

    Returns the negotiated parameters; raises ``HandshakeProblem`` for an extension we
    did not offer, an unknown or repeated parameter, or window bits outside 9..15 (or
    above the ``server_max_window_bits`` we asked for).
    """
    result: dict[str, Any] | None = None
    for ext in value.split(","):
        parts = [p.strip() for p in ext.split(";")]
        if not parts[0]:
            continue
        if parts[0].lower() != "permessage-deflate" or not offered:
            raise HandshakeProblem(f"Extension not offered: {parts[0]}")
        if result is not None:
            raise HandshakeProblem("permessage-deflate accepted twice")
        result = {name: None for name in _BITS_PARAMS}
        result.update({name: False for name in _FLAG_PARAMS})
        seen: set[str] = set()
        for param in parts[1:]:
            name, eq, raw = param.partition("=")
            name = name.strip().lower()
            raw = raw.strip().strip('"')
            if name in seen or name not in result:
                raise HandshakeProblem(f"Invalid permessage-deflate parameter: {param}")
            seen.add(name)
            if name in _FLAG_PARAMS:
                if eq:
                    raise HandshakeProblem(f"Invalid permessage-deflate parameter: {param}")
                result[name] = True
                continue
            if not (raw.isdigit() and raw.isascii() and 9 <= int(raw) <= 15):
                raise HandshakeProblem("Invalid window size")
            result[name] = int(raw)
        smb = result["server_max_window_bits"]
        if smb is not None and offered < 15 and smb > offered:
            raise HandshakeProblem("Invalid window size")
    if result is None:
        raise HandshakeProblem("Extension header without an extension")
    return result


def connection_has_upgrade(value: str) -> bool:
    return any(token.strip().lower() == "upgrade" for token in value.split(","))
