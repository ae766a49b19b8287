"""Routes: one method's handler on a resource (and the system route of 404/405).

How this works: a route checks its handler once, at registration (a coroutine
function, a class-based view, or a plain function wrapped with a deprecation warning,
as aiohttp does), so nothing is checked per request.  ``handle_expect_header`` runs
the route's Expect handler; the default answers ``100-continue`` with an interim
``100 Continue`` and refuses any other expectation with 417.
"""

from __future__ import annotations

import abc
import asyncio
import inspect
import re
import warnings
from functools import wraps
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Final

from yarl import URL

from .. import hdrs
from ..abc import AbstractView
from .exceptions import HTTPExpectationFailed

if TYPE_CHECKING:
    from .exceptions import HTTPException
    from .request import Request
    from .resources import AbstractResource
    from .stream_response import StreamResponse

__all__ = ("AbstractRoute", "ResourceRoute", "SystemRoute", "HTTP_METHOD_RE")

HTTP_METHOD_RE: Final = re.compile(r"^[0-9A-Za-z!#\$%&'\*\+\-\.\^_`\|~]+$")

Handler = Callable[["Request"], Awaitable["StreamResponse"]]
ExpectHandler = Callable[["Request"], Awaitable["StreamResponse | None"]]


async def _default_expect_handler(request: Request) -> None:
    """Answer ``Expect: 100-continue`` with ``100 Continue``; refuse other expectations."""
    expect = request.headers.get(hdrs.EXPECT, "")
    if request.version == (1, 1):
        if expect.lower() == "100-continue":
            writer = request.writer
            writer.write_raw(b"HTTP/1.1 100 Continue\r\n\r\n")
            writer.output_size = 0  # the interim answer is not the response
        else:
            raise HTTPExpectationFailed(text=f"Unknown Expect: {expect}")


def _is_coroutine_function(func: Any) -> bool:
    return inspect.iscoroutinefunction(func) or asyncio.iscoroutinefunction(func)


class AbstractRoute(abc.ABC):
    """A method + handler pair; ``resource`` is where it is registered."""

    def __init__(self, method: str, handler: Handler | type[AbstractView], *,
                 expect_handler: ExpectHandler | None = None,
                 resource: AbstractResource | None = None) -> None:
        if expect_handler is None:
            expect_handler = _default_expect_handler
        assert _is_coroutine_function(expect_handler), (
            f"Coroutine is expected, got {expect_handler!r}")
        method = method.upper()
        if not HTTP_METHOD_RE.match(method):
            raise ValueError(f"{method} is not allowed HTTP method")
        assert callable(handler), handler
        if _is_coroutine_function(handler):
            pass
        elif isinstance(handler, type) and issubclass(handler, AbstractView):
            pass
        else:
            warnings.warn("Bare functions are deprecated, use async ones", DeprecationWarning)
            old_handler: Any = handler

            @wraps(old_handler)
            async def handler_wrapper(request: Request) -> StreamResponse:
                result = old_handler(request)
                if asyncio.iscoroutine(result):
                    result = await result
                return result  # type: ignore[no-any-return]

            handler = handler_wrapper
        self._method = method
        self._handler = handler
        self._expect_handler = expect_handler
        self._resource = resource

    @property
    def method(self) -> str:
        return self._method

    @property
    def handler(self) -> Handler:
        return self._handler

    @property
    @abc.abstractmethod
    def name(self) -> str | None:
        """The route's name: its resource's."""

    @property
    def resource(self) -> AbstractResource | None:
        return self._resource

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Introspection data."""

    @abc.abstractmethod
    def url_for(self, *args: str, **kwargs: str) -> URL:
        """The URL of the route's resource."""

    async def handle_expect_header(self, request: Request) -> StreamResponse | None:
        return await self._expect_handler(request)


class ResourceRoute(AbstractRoute):
    """A route registered on a resource."""

    def __init__(self, method: str, handler: Handler | type[AbstractView],
                 resource: AbstractResource, *, expect_handler: ExpectHandler | None = None) -> None:
        super().__init__(method, handler, expect_handler=expect_handler, resource=resource)

    def __repr__(self) -> str:
        return f"<ResourceRoute [{self.method}] {self._resource} -> {self.handler!r}"

    @property
    def name(self) -> str | None:
        return None if self._resource is None else self._resource.name

    def url_for(self, *args: str, **kwargs: str) -> URL:
        assert self._resource is not None
        return self._resource.url_for(*args, **kwargs)

    def get_info(self) -> dict[str, Any]:
        assert self._resource is not None
        return self._resource.get_info()


class SystemRoute(AbstractRoute):
    """The route of a failed match: its handler raises the HTTP exception."""

    def __init__(self, http_exception: HTTPException) -> None:
        super().__init__(hdrs.METH_ANY, self._handle)
        self._http_exception = http_exception

    def url_for(self, *args: str, **kwargs: str) -> URL:
        raise RuntimeError(".url_for() is not allowed for SystemRoute")

    @property
    def name(self) -> str | None:
        return None

    def get_info(self) -> dict[str, Any]:
        return {"http_exception": self._http_exception}

    async def _handle(self, request: Request) -> StreamResponse:
        raise self._http_exception

    @property
    def status(self) -> int:
        return self._http_exception.status

    @property
    def reason(self) -> str:
        return self._http_exception.reason

    def __repr__(self) -> str:
        return f"<SystemRoute {self.status}: {self.reason}>"
