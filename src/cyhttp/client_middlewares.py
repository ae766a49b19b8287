"""aiohttp's ``client_middlewares`` import path: the middleware types.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._client.middlewares import (
    ClientHandlerType,
    ClientMiddlewareType,
    build_client_middlewares,
)

__all__ = (
    "ClientHandlerType",
    "ClientMiddlewareType",
    "build_client_middlewares",
)
