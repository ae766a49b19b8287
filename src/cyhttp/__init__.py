"""cyhttp: an asyncio HTTP/1.1 and WebSocket client with aiohttp's client API.

``import cyhttp as aiohttp`` keeps an aiohttp client program working; the hot
pieces run as compiled Cython modules, each with a pure-Python twin.
"""

from typing import TYPE_CHECKING

from aiohappyeyeballs import AddrInfoType, SocketFactoryType  # noqa: E402

from . import hdrs as hdrs  # noqa: E402
from ._client.connector.pool import BaseConnector  # noqa: E402
from ._client.connector.resolver import AsyncResolver, DefaultResolver, ThreadedResolver  # noqa: E402
from ._client.connector.tcp import TCPConnector  # noqa: E402
from ._client.connector.unix import NamedPipeConnector, UnixConnector  # noqa: E402
from ._client.exceptions import (  # noqa: E402
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
from ._client.reqinfo import RequestInfo  # noqa: E402
from ._client.request import ClientRequest  # noqa: E402
from ._client.response import ClientResponse  # noqa: E402
from ._client.session import ClientSession, request  # noqa: E402
from ._client.timeouts import ClientTimeout, ClientWSTimeout  # noqa: E402
from ._client.tls import Fingerprint  # noqa: E402
from ._core._accel import USE_EXTENSIONS as EXTENSIONS
from ._http.auth import BasicAuth, encode_basic_auth  # noqa: E402
from ._http.helpers import HttpVersion, HttpVersion10, HttpVersion11  # noqa: E402
from ._http.streams import EMPTY_PAYLOAD, EofStream, StreamReader  # noqa: E402
from ._version import __version__

if TYPE_CHECKING:
    # What the lazy names below are, for type checkers (at run time they load on first use).
    from ._http.payload_streamer import streamer
    from ._client.cookiejar import CookieJar, DummyCookieJar
    from ._client.digest_auth import DigestAuthMiddleware
    from ._client.middlewares import ClientHandlerType, ClientMiddlewareType
    from ._client.tracing import (
        TraceConfig,
        TraceConnectionCreateEndParams,
        TraceConnectionCreateStartParams,
        TraceConnectionQueuedEndParams,
        TraceConnectionQueuedStartParams,
        TraceConnectionReuseconnParams,
        TraceDnsCacheHitParams,
        TraceDnsCacheMissParams,
        TraceDnsResolveHostEndParams,
        TraceDnsResolveHostStartParams,
        TraceRequestChunkSentParams,
        TraceRequestEndParams,
        TraceRequestExceptionParams,
        TraceRequestHeadersSentParams,
        TraceRequestRedirectParams,
        TraceRequestStartParams,
        TraceResponseChunkReceivedParams,
    )
    from ._client.ws import ClientWebSocketResponse
    from ._core.errors import WSProtocolError as WebSocketError
    from ._core.ws_types import WSCloseCode, WSMessage, WSMsgType
    from ._http.formdata import FormData
    from ._http.multipart_reader import (
        BadContentDispositionHeader,
        BadContentDispositionParam,
        BodyPartReader,
        MultipartReader,
        content_disposition_filename,
        parse_content_disposition,
    )
    from ._http.multipart_writer import MultipartWriter
    from .crawl.charset import charset_resolver
    from .crawl.politeness import HostPolicy, PolitenessMiddleware
    from .crawl.retry import ExponentialBackoff, RetryMiddleware
    from .crawl.robots import RobotsDisallowed, RobotsMiddleware
    from .crawl.stats import HostStats
    from ._http.payload import (
        PAYLOAD_REGISTRY,
        AsyncIterablePayload,
        BufferedReaderPayload,
        BytesIOPayload,
        BytesPayload,
        IOBasePayload,
        JsonPayload,
        Payload,
        StringIOPayload,
        StringPayload,
        TextIOPayload,
        get_payload,
        payload_type,
    )

# Loaded on first use: modules not every program needs (and that keep import light).
_LAZY: dict[str, str] = {
    # cookiejar
    "CookieJar": "_client.cookiejar",
    "DummyCookieJar": "_client.cookiejar",
    # formdata / multipart / payload
    "FormData": "_http.formdata",
    "MultipartWriter": "_http.multipart_writer",
    "MultipartReader": "_http.multipart_reader",
    "BodyPartReader": "_http.multipart_reader",
    "BadContentDispositionHeader": "_http.multipart_reader",
    "BadContentDispositionParam": "_http.multipart_reader",
    "content_disposition_filename": "_http.multipart_reader",
    "parse_content_disposition": "_http.multipart_reader",
    "Payload": "_http.payload",
    "BytesPayload": "_http.payload",
    "StringPayload": "_http.payload",
    "IOBasePayload": "_http.payload",
    "BytesIOPayload": "_http.payload",
    "BufferedReaderPayload": "_http.payload",
    "TextIOPayload": "_http.payload",
    "StringIOPayload": "_http.payload",
    "JsonPayload": "_http.payload",
    "AsyncIterablePayload": "_http.payload",
    "PAYLOAD_REGISTRY": "_http.payload",
    "get_payload": "_http.payload",
    "streamer": "_http.payload_streamer",
    "payload_type": "_http.payload",
    # tracing
    "TraceConfig": "_client.tracing",
    "TraceConnectionCreateEndParams": "_client.tracing",
    "TraceConnectionCreateStartParams": "_client.tracing",
    "TraceConnectionQueuedEndParams": "_client.tracing",
    "TraceConnectionQueuedStartParams": "_client.tracing",
    "TraceConnectionReuseconnParams": "_client.tracing",
    "TraceDnsCacheHitParams": "_client.tracing",
    "TraceDnsCacheMissParams": "_client.tracing",
    "TraceDnsResolveHostEndParams": "_client.tracing",
    "TraceDnsResolveHostStartParams": "_client.tracing",
    "TraceRequestChunkSentParams": "_client.tracing",
    "TraceRequestEndParams": "_client.tracing",
    "TraceRequestExceptionParams": "_client.tracing",
    "TraceRequestHeadersSentParams": "_client.tracing",
    "TraceRequestRedirectParams": "_client.tracing",
    "TraceRequestStartParams": "_client.tracing",
    "TraceResponseChunkReceivedParams": "_client.tracing",
    # middlewares (typing aliases) and the Digest auth middleware
    "DigestAuthMiddleware": "_client.digest_auth",
    "ClientHandlerType": "_client.middlewares",
    "ClientMiddlewareType": "_client.middlewares",
    # websocket
    "ClientWebSocketResponse": "_client.ws",
    "WSMsgType": "_core.ws_types",
    "WSCloseCode": "_core.ws_types",
    "WSMessage": "_core.ws_types",
    # the crawler toolkit (cyhttp.crawl; docs/crawl.md)
    "RetryMiddleware": "crawl.retry",
    "ExponentialBackoff": "crawl.retry",
    "HostPolicy": "crawl.politeness",
    "PolitenessMiddleware": "crawl.politeness",
    "RobotsMiddleware": "crawl.robots",
    "RobotsDisallowed": "crawl.robots",
    "HostStats": "crawl.stats",
    "charset_resolver": "crawl.charset",
}


if not TYPE_CHECKING:  # hidden from checkers, so a misspelt name is an error, not Any

    def __getattr__(name: str) -> object:
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
#   server side or server helpers: GunicornWebWorker, GunicornUVLoopWebWorker,
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
    "streamer",
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
    # crawler toolkit (cyhttp.crawl)
    "RetryMiddleware",
    "ExponentialBackoff",
    "HostPolicy",
    "PolitenessMiddleware",
    "RobotsMiddleware",
    "RobotsDisallowed",
    "HostStats",
    "charset_resolver",
)
