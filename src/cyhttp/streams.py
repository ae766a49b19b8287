"""aiohttp's ``streams`` import path: ``StreamReader`` and friends.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._http.streams import (
    DEFAULT_LIMIT,
    EMPTY_PAYLOAD,
    EmptyStreamReader,
    EofStream,
    StreamReader,
)

__all__ = (
    "StreamReader",
    "EmptyStreamReader",
    "EMPTY_PAYLOAD",
    "EofStream",
    "DEFAULT_LIMIT",
)
