"""cyhttp: an asyncio HTTP/1.1 and WebSocket client with aiohttp's client API.

``import cyhttp as aiohttp`` keeps an aiohttp client program working; the hot
pieces run as compiled Cython modules, each with a pure-Python twin.
"""

from typing import Any

from ._core._accel import USE_EXTENSIONS as EXTENSIONS

__version__ = "0.1.0.dev0"

from . import hdrs as hdrs  # noqa: E402
from .auth import BasicAuth, encode_basic_auth  # noqa: E402
from .client import ClientSession, request  # noqa: E402
from .client_exceptions import (  # noqa: E402
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
    UploadAbortedError,
    WSMessageTypeError,
    WSServerHandshakeError,
)
from .client_reqrep import ClientRequest, ClientResponse, Fingerprint, RequestInfo  # noqa: E402
from .connector import (  # noqa: E402
    AddrInfoType,
    BaseConnector,
    NamedPipeConnector,
    SocketFactoryType,
    TCPConnector,
    UnixConnector,
)
from .helpers import HttpVersion, HttpVersion10, HttpVersion11  # noqa: E402
from .resolver import AsyncResolver, DefaultResolver, ThreadedResolver  # noqa: E402
from .streams import EMPTY_PAYLOAD, EofStream, StreamReader  # noqa: E402
from .timeouts import ClientTimeout, ClientWSTimeout  # noqa: E402

# Loaded on first use: modules not every program needs (and that keep import light).
_LAZY: dict[str, str] = {
    # cookiejar
    "CookieJar": "cookiejar",
    "DummyCookieJar": "cookiejar",
    # formdata / multipart / payload
    "FormData": "formdata",
    "MultipartWriter": "multipart",
    "MultipartReader": "multipart_reader",
    "BodyPartReader": "multipart_reader",
    "BadContentDispositionHeader": "multipart_reader",
    "BadContentDispositionParam": "multipart_reader",
    "content_disposition_filename": "multipart_reader",
    "parse_content_disposition": "multipart_reader",
    "Payload": "payload",
    "BytesPayload": "payload",
    "StringPayload": "payload",
    "IOBasePayload": "payload",
    "BytesIOPayload": "payload",
    "BufferedReaderPayload": "payload",
    "TextIOPayload": "payload",
    "StringIOPayload": "payload",
    "JsonPayload": "payload",
    "AsyncIterablePayload": "payload",
    "PAYLOAD_REGISTRY": "payload",
    "get_payload": "payload",
    "payload_type": "payload",
    # tracing
    "TraceConfig": "tracing",
    "TraceConnectionCreateEndParams": "tracing",
    "TraceConnectionCreateStartParams": "tracing",
    "TraceConnectionQueuedEndParams": "tracing",
    "TraceConnectionQueuedStartParams": "tracing",
    "TraceConnectionReuseconnParams": "tracing",
    "TraceDnsCacheHitParams": "tracing",
    "TraceDnsCacheMissParams": "tracing",
    "TraceDnsResolveHostEndParams": "tracing",
    "TraceDnsResolveHostStartParams": "tracing",
    "TraceRequestChunkSentParams": "tracing",
    "TraceRequestEndParams": "tracing",
    "TraceRequestExceptionParams": "tracing",
    "TraceRequestHeadersSentParams": "tracing",
    "TraceRequestRedirectParams": "tracing",
    "TraceRequestStartParams": "tracing",
    "TraceResponseChunkReceivedParams": "tracing",
    # middlewares (typing aliases) and the Digest auth middleware
    "DigestAuthMiddleware": "client_middleware_digest_auth",
    "ClientHandlerType": "client_middlewares",
    "ClientMiddlewareType": "client_middlewares",
    # websocket
    "ClientWebSocketResponse": "client_ws",
    "WSMsgType": "_core.ws_types",
    "WSCloseCode": "_core.ws_types",
    "WSMessage": "_core.ws_types",
}


def __getattr__(name: str) -> Any:
    if name == "WebSocketError":  # what ERROR messages carry, under aiohttp's name
        from ._core.errors import WSProtocolError

        globals()[name] = WSProtocolError
        return WSProtocolError
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


# aiohttp.__all__ names cyhttp does not provide (tests/compat/test_api_surface.py keeps
# this list exact):
#   server side or server helpers: GunicornWebWorker, GunicornUVLoopWebWorker, streamer,
#     ChainMapProxy, ETag;
#   aiohttp's internal queues: DataQueue, FlowControlDataQueue;
#   not implemented yet: UploadTracker, set_zlib_backend.
__all__ = (
    "EXTENSIONS",
    "__version__",
    "hdrs",
    # client
    "ClientSession",
    "ClientRequest",
    "ClientResponse",
    "ClientTimeout",
    "ClientWSTimeout",
    "ClientWebSocketResponse",
    "Fingerprint",
    "RequestInfo",
    "request",
    "ClientHandlerType",
    "ClientMiddlewareType",
    # connectors and resolvers
    "AddrInfoType",
    "BaseConnector",
    "NamedPipeConnector",
    "SocketFactoryType",
    "TCPConnector",
    "UnixConnector",
    "AsyncResolver",
    "DefaultResolver",
    "ThreadedResolver",
    # exceptions
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHttpProxyError",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientResponseError",
    "ClientSSLError",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TooManyRedirects",
    "UploadAbortedError",
    "WSMessageTypeError",
    "WSServerHandshakeError",
    # auth, cookies, versions
    "BasicAuth",
    "DigestAuthMiddleware",
    "encode_basic_auth",
    "CookieJar",
    "DummyCookieJar",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    # bodies
    "FormData",
    "MultipartWriter",
    "MultipartReader",
    "BodyPartReader",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "content_disposition_filename",
    "parse_content_disposition",
    "Payload",
    "BytesPayload",
    "StringPayload",
    "IOBasePayload",
    "BytesIOPayload",
    "BufferedReaderPayload",
    "TextIOPayload",
    "StringIOPayload",
    "JsonPayload",
    "AsyncIterablePayload",
    "PAYLOAD_REGISTRY",
    "get_payload",
    "payload_type",
    # streams
    "EMPTY_PAYLOAD",
    "EofStream",
    "StreamReader",
    # tracing
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
    # websocket
    "WebSocketError",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
)
