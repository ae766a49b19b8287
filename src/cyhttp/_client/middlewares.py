"""Client middlewares (aiohttp 3.12+): ``async def mw(req, handler) -> ClientResponse``.

How this works: the session wraps the function that sends ONE request (connect,
write, await the response head) in the middlewares, the first in the list
outermost, and runs the chain for every request it sends — each redirect hop and
each retry on a fresh connection included.  A middleware may change ``req``
(headers, URL…) before calling ``handler(req)``, call it more than once (a retry),
or answer without calling it.  Each link is a tiny callable object: calling it
returns the middleware's coroutine directly, so the chain adds no coroutine frames
of its own.  With no middlewares the session calls the sender directly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .request import ClientRequest
from .response import ClientResponse

__all__ = ("ClientHandlerType", "ClientMiddlewareType", "build_client_middlewares")

ClientHandlerType = Callable[[ClientRequest], Awaitable[ClientResponse]]
ClientMiddlewareType = Callable[[ClientRequest, ClientHandlerType], Awaitable[ClientResponse]]


class _Link:
    """One middleware bound to the rest of the chain."""

    __slots__ = ("_middleware", "_next")

    def __init__(self, middleware: ClientMiddlewareType, next_handler: ClientHandlerType) -> None:
        self._middleware = middleware
        self._next = next_handler

    def __call__(self, req: ClientRequest) -> Awaitable[ClientResponse]:
        return self._middleware(req, self._next)

    def __repr__(self) -> str:
        return f"<middleware {self._middleware!r} -> {self._next!r}>"


def build_client_middlewares(
    handler: ClientHandlerType, middlewares: Sequence[ClientMiddlewareType]
) -> ClientHandlerType:
    """``handler`` wrapped so that ``middlewares[0]`` runs first."""
    chained: Any = handler
    for middleware in reversed(middlewares):
        chained = _Link(middleware, chained)
    return chained  # type: ignore[no-any-return]
