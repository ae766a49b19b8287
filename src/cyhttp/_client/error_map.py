"""The client's one error boundary: what lower layers raise → aiohttp's exception names.

How this works: ``client_error(exc)`` returns the exception a user of aiohttp would see
for ``exc``: the role-neutral errors of ``_http`` become their client names
(``TransportClosingError`` → ``ClientConnectionResetError``, ``PeerDisconnectedError`` →
``ServerDisconnectedError``), any other ``OSError`` becomes ``ClientOSError`` with the same
arguments, and what is already a client error — or a timeout, or not an I/O error at all —
is returned as it is.  The new exception's ``__cause__`` is the original.  Every place
where a lower layer's error can reach a user calls this; none builds its own copy.
"""

from __future__ import annotations

import asyncio
from typing import Final, overload

from .._http.errors import PeerDisconnectedError, TransportClosingError
from .exceptions import (
    ClientConnectionResetError,
    ClientError,
    ClientOSError,
    ServerDisconnectedError,
)

__all__ = ("client_error",)

_NAMES: Final[dict[type[BaseException], type[ClientError]]] = {
    TransportClosingError: ClientConnectionResetError,
    PeerDisconnectedError: ServerDisconnectedError,
}


@overload
def client_error(exc: Exception) -> Exception: ...


@overload
def client_error(exc: BaseException) -> BaseException: ...


def client_error(exc: BaseException) -> BaseException:
    """aiohttp's exception for ``exc`` (``exc`` itself when it needs no translation)."""
    if isinstance(exc, ClientError) or not isinstance(exc, OSError):
        return exc
    if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
        return exc  # a timeout stays a timeout (asyncio.TimeoutError is an OSError on 3.11+)
    name = _NAMES.get(type(exc), ClientOSError)
    err = name(*exc.args)
    err.__cause__ = exc
    return err
