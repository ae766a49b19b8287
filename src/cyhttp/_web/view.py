"""View: a class-based handler; the request's method picks the coroutine method to run.

How this works: the router constructs the class with the request and awaits it;
``GET`` runs ``self.get()`` and so on.  A method the class does not define, or one that
is not an HTTP method at all, is a 405 whose Allow header lists the methods it does.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, NoReturn

from .. import hdrs
from ..abc import AbstractView
from .exceptions import HTTPMethodNotAllowed

if TYPE_CHECKING:
    from .stream_response import StreamResponse

__all__ = ("View",)


class View(AbstractView):
    """Subclass and define ``async def get(self)``, ``post`` ... returning responses."""

    async def _iter(self) -> StreamResponse:
        if self.request.method not in hdrs.METH_ALL:
            self._raise_allowed_methods()
        method = getattr(self, self.request.method.lower(), None)
        if method is None:
            self._raise_allowed_methods()
        ret: StreamResponse = await method()
        return ret

    def __await__(self) -> Generator[Any, None, StreamResponse]:
        return self._iter().__await__()

    def _raise_allowed_methods(self) -> NoReturn:
        allowed_methods = {m for m in hdrs.METH_ALL if hasattr(self, m.lower())}
        raise HTTPMethodNotAllowed(self.request.method, allowed_methods)
