"""aiohttp's ``client`` import path: the session, its request/response and every client name.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._client.context import (
    _RequestContextManager as _RequestContextManager,
)
from ._client.context import (
    _SessionRequestContextManager as _SessionRequestContextManager,
)
from ._client.exceptions import (
    ClientConnectionError,
    ClientConnectionResetError,
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientError,
    ClientHttpProxyError,
    ClientOSError,
    ClientPayloadError,
    ClientProxyConnectionError,
    ClientResponseError,
    ClientSSLError,
    ConnectionTimeoutError,
    ContentTypeError,
    InvalidURL,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
    NonHttpUrlRedirectClientError,
    RedirectClientError,
    ServerConnectionError,
    ServerDisconnectedError,
    ServerFingerprintMismatch,
    ServerTimeoutError,
    SocketTimeoutError,
    TooManyRedirects,
    UnixClientConnectorError,
    UploadAbortedError,
    WSMessageTypeError,
    WSServerHandshakeError,
)
from ._client.reqinfo import (
    RequestInfo,
)
from ._client.request import (
    ClientRequest,
)
from ._client.response import (
    ClientResponse,
)
from ._client.session import (
    ClientSession,
    request,
)
from ._client.timeouts import (
    ClientTimeout,
    ClientWSTimeout,
)
from ._client.tls import (
    Fingerprint,
)
from ._client.ws import (
    ClientWebSocketResponse,
)
from ._client.ws_connect import (
    WSRequestContextManager,
)

__all__ = (
    "ClientSession",
    "request",
    "ClientRequest",
    "ClientResponse",
    "Fingerprint",
    "RequestInfo",
    "ClientTimeout",
    "ClientWSTimeout",
    "ClientWebSocketResponse",
    "WSRequestContextManager",
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
