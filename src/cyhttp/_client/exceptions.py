"""The client's exception tree: aiohttp 3.14's names, bases and constructor signatures.

Engine ``ParseError``s never reach users directly; the protocol translates them into
these at one boundary (``raise ClientPayloadError(...) from exc``).
"""

from __future__ import annotations

import asyncio
import warnings
from typing import TYPE_CHECKING, Any

from multidict import MultiMapping
from yarl import URL

from .reqinfo import ConnectionKey, RequestInfo

try:
    import ssl

    _SSLError: tuple[type[BaseException], ...] = (ssl.SSLError,)
    _CertError: tuple[type[BaseException], ...] = (ssl.SSLCertVerificationError,)
except ImportError:  # pragma: no cover - Python without ssl
    ssl = None  # type: ignore[assignment]
    _SSLError = _CertError = (ValueError,)

if TYPE_CHECKING:
    from .._core.ws_types import WSMessage  # noqa: F401


class ClientError(Exception):
    """Base class for client connection errors."""


class ClientResponseError(ClientError):
    """An error that happened after a response (head) arrived."""

    def __init__(
        self,
        request_info: RequestInfo,
        history: tuple[Any, ...],
        *,
        code: int | None = None,
        status: int | None = None,
        message: str = "",
        headers: MultiMapping[str] | None = None,
    ) -> None:
        self.request_info = request_info
        if code is not None:
            if status is not None:
                raise ValueError("Both code and status arguments are provided; code is deprecated, use status instead")
            warnings.warn("code argument is deprecated, use status instead", DeprecationWarning, stacklevel=2)
            status = code
        self.status = status if status is not None else 0
        self.message = message
        self.headers = headers
        self.history = history
        self.args = (request_info, history)

    def __str__(self) -> str:
        url = self.request_info.real_url if self.request_info is not None else None
        return f"{self.status}, message={self.message!r}, url={str(url)!r}"

    def __repr__(self) -> str:
        args = f"{self.request_info!r}, {self.history!r}"
        if self.status != 0:
            args += f", status={self.status!r}"
        if self.message != "":
            args += f", message={self.message!r}"
        if self.headers is not None:
            args += f", headers={self.headers!r}"
        return f"{type(self).__name__}({args})"

    @property
    def code(self) -> int:
        """Deprecated alias of ``status`` (kept for aiohttp compatibility)."""
        warnings.warn("code property is deprecated, use status instead", DeprecationWarning, stacklevel=2)
        return self.status

    @code.setter
    def code(self, value: int) -> None:
        warnings.warn("code property is deprecated, use status instead", DeprecationWarning, stacklevel=2)
        self.status = value


class ContentTypeError(ClientResponseError):
    """``json()`` found a Content-Type it was not told to accept."""


class WSServerHandshakeError(ClientResponseError):
    """The server's answer to the WebSocket handshake was not acceptable."""


class ClientHttpProxyError(ClientResponseError):
    """The proxy answered CONNECT (or a forwarded request) with an error status."""


class TooManyRedirects(ClientResponseError):
    """More redirects than ``max_redirects``."""


class ClientConnectionError(ClientError):
    """Base class for client socket errors."""


class ClientConnectionResetError(ClientConnectionError, ConnectionResetError):
    """The connection was reset while writing."""


class ClientOSError(ClientConnectionError, OSError):
    """An OSError while talking to the server."""


class ClientConnectorError(ClientOSError):
    """Could not open a connection to the server."""

    def __init__(self, connection_key: ConnectionKey, os_error: OSError) -> None:
        self._conn_key = connection_key
        self._os_error = os_error
        super().__init__(os_error.errno, os_error.strerror)
        self.args = (connection_key, os_error)

    @property
    def os_error(self) -> OSError:
        return self._os_error

    @property
    def host(self) -> str:
        return self._conn_key.host

    @property
    def port(self) -> int | None:
        return self._conn_key.port

    @property
    def ssl(self) -> Any:
        return self._conn_key.ssl

    def __str__(self) -> str:
        ssl_text = "default" if self.ssl is True else self.ssl
        return f"Cannot connect to host {self.host}:{self.port} ssl:{ssl_text} [{self.strerror}]"

    __reduce__ = BaseException.__reduce__


class ClientConnectorDNSError(ClientConnectorError):
    """The host name could not be resolved."""


class ClientProxyConnectionError(ClientConnectorError):
    """Could not open a connection to the proxy."""


class UnixClientConnectorError(ClientConnectorError):
    """Could not open a connection to a unix socket."""

    def __init__(self, path: str, connection_key: ConnectionKey, os_error: OSError) -> None:
        self._path = path
        super().__init__(connection_key, os_error)

    @property
    def path(self) -> str:
        return self._path

    def __str__(self) -> str:
        ssl_text = "default" if self.ssl is True else self.ssl
        return f"Cannot connect to unix socket {self.path} ssl:{ssl_text} [{self.strerror}]"


class ServerConnectionError(ClientConnectionError):
    """The server side of an open connection misbehaved."""


class ServerDisconnectedError(ServerConnectionError):
    """The server closed the connection before a complete response."""

    def __init__(self, message: Any = None) -> None:
        if message is None:
            message = "Server disconnected"
        self.args = (message,)
        self.message = message


class ServerTimeoutError(ServerConnectionError, asyncio.TimeoutError):
    """A socket-level timeout (connect or read)."""


class ConnectionTimeoutError(ServerTimeoutError):
    """Connecting (including waiting for a pool slot) took too long."""


class SocketTimeoutError(ServerTimeoutError):
    """No data arrived within ``sock_read``."""


class ServerFingerprintMismatch(ServerConnectionError):
    """The server certificate does not match the pinned fingerprint."""

    def __init__(self, expected: bytes, got: bytes, host: str, port: int) -> None:
        self.expected = expected
        self.got = got
        self.host = host
        self.port = port
        self.args = (expected, got, host, port)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} expected={self.expected!r} got={self.got!r} "
            f"host={self.host!r} port={self.port!r}>"
        )


class ClientPayloadError(ClientError):
    """The response body was malformed or ended early."""


class UploadAbortedError(ClientError):
    """The request body stream was aborted before it was sent completely."""


class InvalidURL(ClientError, ValueError):
    """The URL cannot be used (no host, a bad scheme, …)."""

    def __init__(self, url: str | URL, description: str | None = None) -> None:
        self._url = url
        self._description = description
        if description:
            super().__init__(url, description)
        else:
            super().__init__(url)

    @property
    def url(self) -> str | URL:
        return self._url

    @property
    def description(self) -> str | None:
        return self._description

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    def __str__(self) -> str:
        if self._description:
            return f"{self._url} - {self._description}"
        return str(self._url)


class InvalidUrlClientError(InvalidURL):
    """An invalid URL was given to a request."""


class RedirectClientError(ClientError):
    """A redirect could not be followed."""


class NonHttpUrlClientError(ClientError):
    """A request URL whose scheme is not http(s)/ws(s)."""


class InvalidUrlRedirectClientError(InvalidUrlClientError, RedirectClientError):
    """A redirect's Location is not a valid URL."""


class NonHttpUrlRedirectClientError(NonHttpUrlClientError, RedirectClientError):
    """A redirect's Location is not an HTTP URL."""


class ClientSSLError(ClientConnectorError):
    """Base of the TLS connection errors."""


class ClientConnectorSSLError(ClientSSLError, *_SSLError):  # type: ignore[misc]
    """The TLS handshake failed for a reason other than certificate verification."""


class ClientConnectorCertificateError(ClientSSLError, *_CertError):  # type: ignore[misc]
    """The server certificate did not verify."""

    def __init__(self, connection_key: ConnectionKey, certificate_error: Exception) -> None:
        # os_error / errno / strerror: the certificate error's own when it is an OSError
        # (ssl.CertificateError is), else empty — as aiohttp.
        os_error = certificate_error if isinstance(certificate_error, OSError) else OSError()
        ClientConnectorError.__init__(self, connection_key, os_error)
        self._certificate_error = certificate_error
        self.args = (connection_key, certificate_error)

    @property
    def certificate_error(self) -> Exception:
        return self._certificate_error

    @property
    def ssl(self) -> bool:  # host and port come from ClientConnectorError
        return self._conn_key.is_ssl

    def __str__(self) -> str:
        return (
            f"Cannot connect to host {self.host}:{self.port} ssl:{self.ssl} "
            f"[{type(self.certificate_error).__name__}: {self.certificate_error.args}]"
        )


class WSMessageTypeError(TypeError):
    """``receive_str`` & co. got a message of another type."""


__all__ = (
    "ClientError",
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientOSError",
    "ClientConnectorError",
    "ClientProxyConnectionError",
    "ClientSSLError",
    "ClientConnectorDNSError",
    "ClientConnectorSSLError",
    "ClientConnectorCertificateError",
    "ConnectionTimeoutError",
    "SocketTimeoutError",
    "ServerConnectionError",
    "ServerTimeoutError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ClientResponseError",
    "ClientHttpProxyError",
    "WSServerHandshakeError",
    "ContentTypeError",
    "ClientPayloadError",
    "UploadAbortedError",
    "InvalidURL",
    "InvalidUrlClientError",
    "RedirectClientError",
    "NonHttpUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlRedirectClientError",
    "WSMessageTypeError",
    "TooManyRedirects",
    "UnixClientConnectorError",
)
