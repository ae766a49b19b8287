"""Small immutable records shared by the request path, the connector and the errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from multidict import CIMultiDictProxy
from yarl import URL

if TYPE_CHECKING:
    from ssl import SSLContext


class _RequestInfo(NamedTuple):
    url: URL
    method: str
    headers: CIMultiDictProxy[str]
    real_url: URL


class RequestInfo(_RequestInfo):
    """What a response (or an error) tells about the request that produced it.

    ``real_url`` may be left out (aiohttp keeps that for backwards compatibility): it is ``url``.
    """

    __slots__ = ()

    def __new__(cls, url: URL, method: str, headers: CIMultiDictProxy[str], real_url: URL | None = None) -> RequestInfo:
        return tuple.__new__(cls, (url, method, headers, url if real_url is None else real_url))

    @classmethod
    def make(cls, url: URL, method: str, headers: CIMultiDictProxy[str], real_url: URL | None = None) -> RequestInfo:
        return tuple.__new__(cls, (url, method, headers, url if real_url is None else real_url))


class ConnectionKey(NamedTuple):
    """Connections are pooled per key: two requests share a connection only if keys are equal."""

    host: str
    port: int | None
    is_ssl: bool
    ssl: SSLContext | bool | Any  # Any: a Fingerprint
    proxy: URL | None
    proxy_auth: Any  # BasicAuth | None
    proxy_headers_hash: int | None
    server_hostname: str | None = None  # TLS name checked, when not the URL's host


__all__ = ("RequestInfo", "ConnectionKey")
