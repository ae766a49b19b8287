# pyright: reportMissingImports=false
"""A Scrapy download handler on cyhttp's client: Scrapy users switch by one setting.

    DOWNLOAD_HANDLERS = {
        "http": "cyhttp.scrapy.DownloadHandler",
        "https": "cyhttp.scrapy.DownloadHandler",
    }
    TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # Scrapy's default

How this works: Scrapy 2.13+ has a base class for download handlers that stream a body
from an asyncio HTTP library (``BaseStreamingDownloadHandler``: size limits, data-loss
handling, stop signals, building the ``Response``); this handler fills in its hooks with
one ``cyhttp.ClientSession`` per crawler — a ``TCPConnector`` sized by
``CONCURRENT_REQUESTS`` / ``CONCURRENT_REQUESTS_PER_DOMAIN``, no cookie jar and no
automatic headers or decompression (Scrapy's middlewares do those), redirects left to
Scrapy.  cyhttp's errors become Scrapy's download exceptions.  Requires Scrapy >= 2.13 (the
base class is Scrapy's own, internal module: it is what its aiohttp and httpx handlers use).
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.core.downloader.handlers._base_streaming import BaseStreamingDownloadHandler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    UnsupportedURLSchemeError,
)
from scrapy.http import Headers
from scrapy.utils.ssl import _make_ssl_context
from yarl import URL

import cyhttp

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ("DownloadHandler",)


class _Response(cyhttp.ClientResponse):
    """Keeps the peer address and TLS object, which are gone once a small body is read."""

    peername: Any = None
    ssl_object: Any = None

    async def start(self, connection: Any) -> Any:
        transport = connection.transport
        if transport is not None:
            self.peername = transport.get_extra_info("peername")
            obj = transport.get_extra_info("ssl_object")
            self.ssl_object = obj if isinstance(obj, ssl.SSLObject) else None
        return await super().start(connection)


class DownloadHandler(BaseStreamingDownloadHandler[_Response]):
    """Scrapy's HTTP(S) downloads through cyhttp."""

    experimental: ClassVar[bool] = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._ssl = _make_ssl_context(crawler.settings)
        self._session: cyhttp.ClientSession | None = None

    def _get_session(self) -> cyhttp.ClientSession:
        # Made on first use, inside the running asyncio loop (Scrapy builds handlers early).
        if self._session is None:
            connector = cyhttp.TCPConnector(local_addr=self._bind_address, limit=self._pool_size_total,
                                            limit_per_host=self._pool_size_per_host)
            self._session = cyhttp.ClientSession(
                connector=connector, cookie_jar=cyhttp.DummyCookieJar(), auto_decompress=False,
                response_class=_Response,
                skip_auto_headers=("Accept", "Accept-Encoding", "Content-Type", "User-Agent"),
            )
        return self._session

    @asynccontextmanager
    async def _make_request(self, request: Request, timeout: float) -> AsyncIterator[_Response]:
        session = self._get_session()
        url: str | URL = URL(request.url, encoded=True) if request.meta.get("verbatim_url") else request.url
        try:
            async with session.request(
                request.method, url, data=request.body or None, headers=self._request_headers(request).to_tuple_list(),
                timeout=cyhttp.ClientTimeout(total=timeout), ssl=self._ssl, allow_redirects=False,
                proxy=self._extract_proxy_url_with_creds(request),
            ) as response:
                assert isinstance(response, _Response)
                yield response
        except asyncio.TimeoutError as exc:
            raise DownloadTimeoutError(f"Getting {request.url} took longer than {timeout} seconds.") from exc
        except (cyhttp.InvalidUrlClientError, cyhttp.NonHttpUrlClientError) as exc:
            raise UnsupportedURLSchemeError(str(exc)) from exc
        except cyhttp.ClientConnectorDNSError as exc:
            raise CannotResolveHostError(str(exc)) from exc
        except cyhttp.ClientConnectorError as exc:
            raise DownloadConnectionRefusedError(str(exc)) from exc
        except cyhttp.ClientError as exc:
            raise DownloadFailedError(str(exc)) from exc

    @staticmethod
    def _extract_headers(response: _Response) -> Headers:
        return Headers(list(response.headers.items()))

    @staticmethod
    def _build_base_response_args(response: _Response, request: Request, headers: Headers) -> Any:
        version = response.version
        peer = response.peername
        return {
            "status": response.status,
            "url": request.url,
            "headers": headers,
            "certificate": response.ssl_object.getpeercert(binary_form=True) if response.ssl_object else None,
            "ip_address": ipaddress.ip_address(peer[0]) if peer else None,
            "protocol": f"HTTP/{version.major}.{version.minor}" if version else "HTTP/1.1",
        }

    def _log_tls_info(self, response: _Response, request: Request) -> None:
        if response.ssl_object is not None:
            from scrapy.utils.ssl import _log_sslobj_debug_info

            _log_sslobj_debug_info(response.ssl_object)

    @staticmethod
    def _iter_body_chunks(response: _Response) -> AsyncIterator[bytes]:
        return response.content.iter_any()

    @staticmethod
    def _is_dataloss_exception(exc: Exception) -> bool:
        return isinstance(exc, cyhttp.ClientPayloadError)

    @staticmethod
    def _check_deps_installed() -> None:
        pass  # cyhttp is what runs this

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
