"""Abstract bases users may implement: cookie jar, DNS resolver, stream writer, and the
server's router, match info, class-based view and access logger.

Names and signatures follow aiohttp 3.14's ``aiohttp.abc`` so user subclasses
written for aiohttp plug into cyhttp unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping, Sequence, Sized
from http.cookies import BaseCookie, Morsel, SimpleCookie
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypedDict, Union

from yarl import URL

if TYPE_CHECKING:
    from multidict import CIMultiDict

__all__ = (
    "AbstractAccessLogger",
    "AbstractCookieJar",
    "AbstractMatchInfo",
    "AbstractResolver",
    "AbstractRouter",
    "AbstractStreamWriter",
    "AbstractView",
    "ClearCookiePredicate",
    "LooseCookies",
    "ResolveResult",
)

ClearCookiePredicate = Callable[["Morsel[str]"], bool]
LooseCookiesMappings = Mapping[str, Union[str, "BaseCookie[str]", "Morsel[Any]"]]
LooseCookiesIterables = Iterable[tuple[str, Union[str, "BaseCookie[str]", "Morsel[Any]"]]]
LooseCookies = Union[LooseCookiesMappings, LooseCookiesIterables, "BaseCookie[str]"]


class ResolveResult(TypedDict):
    """One resolved address (the shape ``loop.getaddrinfo`` results become)."""

    hostname: str
    host: str
    port: int
    family: int
    proto: int
    flags: int


class AbstractResolver(ABC):
    """A DNS resolver: ``resolve()`` returns numeric addresses, ``close()`` frees it."""

    @abstractmethod
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Return the addresses of ``host``."""

    @abstractmethod
    async def close(self) -> None:
        """Release the resolver."""


class AbstractCookieJar(Sized, Iterable["Morsel[str]"]):
    """Abstract cookie jar (``ClientSession(cookie_jar=...)``)."""

    def __init__(self, *, loop: asyncio.AbstractEventLoop | None = None) -> None:
        # Kept for aiohttp compatibility; cyhttp's jars never need a loop.
        self._loop = loop

    @property
    @abstractmethod
    def unsafe(self) -> bool:
        """True if cookies may be used with IP-address hosts."""

    @property
    @abstractmethod
    def quote_cookie(self) -> bool:
        """True if cookie values are quoted when sent."""

    @property
    def treat_as_secure_origin(self) -> frozenset[URL]:
        """Origins considered secure even over cleartext connections."""
        return frozenset()

    @property
    @abstractmethod
    def cookies(self) -> MappingProxyType[tuple[str, str], SimpleCookie]:
        """The stored cookies keyed by (domain, path)."""

    @property
    @abstractmethod
    def host_only_cookies(self) -> frozenset[tuple[str, str, str]]:
        """(domain, path, name) of the host-only cookies."""

    @abstractmethod
    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        """Clear all cookies, or those the predicate is true for."""

    @abstractmethod
    def clear_domain(self, domain: str) -> None:
        """Clear the cookies of ``domain`` and its subdomains."""

    @abstractmethod
    def update_cookies(self, cookies: LooseCookies, response_url: URL = URL()) -> None:
        """Store cookies received from ``response_url``."""

    def update_cookies_from_headers(
        self, headers: Sequence[str], response_url: URL
    ) -> None:
        """Store cookies from raw Set-Cookie header values (malformed ones skipped)."""
        if headers:
            from ._http.cookie_parse import parse_set_cookie_headers

            parsed = parse_set_cookie_headers(headers)
            if parsed:
                self.update_cookies(parsed, response_url)

    @abstractmethod
    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """The jar's cookies to send to ``request_url``."""


class AbstractStreamWriter(ABC):
    """Abstract request-body writer (aiohttp's interface for payload writers)."""

    buffer_size: int = 0
    output_size: int = 0
    length: int | None = 0
    on_body_write: Callable[[int, int], None] | None = None

    @property
    def transport(self) -> asyncio.WriteTransport | None:
        return None

    @abstractmethod
    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Write a body chunk."""

    @abstractmethod
    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write the last chunk."""

    @abstractmethod
    async def drain(self) -> None:
        """Wait until the transport's write buffer is below its high-water mark."""

    @abstractmethod
    def enable_compression(
        self, encoding: str = "deflate", strategy: int | None = None
    ) -> None:
        """Compress the body from now on."""

    @abstractmethod
    def enable_chunking(self) -> None:
        """Use chunked transfer coding."""

    @abstractmethod
    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        """Write the request head."""


# -- the server's extension points (aiohttp.abc's names; the server lives in cyhttp._web).
# Annotations name the server's classes as strings only: this leaf imports no layer.


class AbstractRouter(ABC):
    """Resolves a request to its match info (``Application(router=...)``)."""

    def __init__(self) -> None:
        self._frozen = False

    def post_init(self, app: Any) -> None:
        """Called once the router is attached to ``app`` (optional hook)."""

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        """Freeze the router: no more resources."""
        self._frozen = True

    @abstractmethod
    async def resolve(self, request: Any) -> AbstractMatchInfo:
        """Return the match info for ``request``."""


class AbstractMatchInfo(ABC):
    """What routing found for one request: the handler and the apps it belongs to."""

    __slots__ = ()

    @property
    @abstractmethod
    def handler(self) -> Callable[[Any], Awaitable[Any]]:
        """The request handler."""

    @property
    @abstractmethod
    def expect_handler(self) -> Callable[[Any], Awaitable[Any]]:
        """The handler of an ``Expect`` header (100-continue)."""

    @property
    @abstractmethod
    def http_exception(self) -> Any:
        """The HTTPException routing raised (404, 405), or None."""

    @abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Introspection data."""

    @property
    @abstractmethod
    def apps(self) -> tuple[Any, ...]:
        """The stack of applications, the top-level one first."""

    @abstractmethod
    def add_app(self, app: Any) -> None:
        """Push ``app`` on the stack of applications."""

    @abstractmethod
    def freeze(self) -> None:
        """No more apps may be added."""


class AbstractView(ABC):
    """A class-based view: constructed with the request, awaited for the response."""

    def __init__(self, request: Any) -> None:
        self._request = request

    @property
    def request(self) -> Any:
        return self._request

    @abstractmethod
    def __await__(self) -> Generator[Any, None, Any]:
        """Run the view."""


class AbstractAccessLogger(ABC):
    """Writes one access-log entry per response (``AppRunner(access_log_class=...)``)."""

    __slots__ = ("logger", "log_format")

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    def log(self, request: Any, response: Any, time: float) -> None:
        """Emit the entry for ``request`` answered by ``response`` in ``time`` seconds."""

    @property
    def enabled(self) -> bool:
        """False when nothing would be written (the entry is then never formatted)."""
        return True
