"""Request tracing: ``TraceConfig`` signals and the ``Trace*Params`` they carry.

How this works: a ``TraceConfig`` owns sixteen ``aiosignal.Signal`` lists that
users append coroutine callbacks to. For each request the session builds one
``Trace`` per config (holding the session, the config and a fresh
``trace_config_ctx``); the request path and the connector call its
``send_<signal>(...)`` coroutines. A session without trace configs builds no
``Trace`` at all, and a signal without receivers costs one truth test.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from aiosignal import Signal
from multidict import CIMultiDict
from yarl import URL

if TYPE_CHECKING:
    from .response import ClientResponse
    from .session import ClientSession

_ParamsT = TypeVar("_ParamsT")
# A trace signal: receivers are ``async def cb(session, trace_config_ctx, params)``.
TraceSignal: TypeAlias = "Signal[ClientSession, SimpleNamespace, _ParamsT]"

__all__ = (
    "Trace",
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
)

@dataclass(frozen=True, slots=True)
class TraceRequestStartParams:
    """Parameters sent by the ``on_request_start`` signal."""

    method: str
    url: URL
    headers: CIMultiDict[str]


@dataclass(frozen=True, slots=True)
class TraceRequestChunkSentParams:
    """Parameters sent by the ``on_request_chunk_sent`` signal."""

    method: str
    url: URL
    chunk: bytes


@dataclass(frozen=True, slots=True)
class TraceResponseChunkReceivedParams:
    """Parameters sent by the ``on_response_chunk_received`` signal."""

    method: str
    url: URL
    chunk: bytes


@dataclass(frozen=True, slots=True)
class TraceRequestEndParams:
    """Parameters sent by the ``on_request_end`` signal."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: ClientResponse


@dataclass(frozen=True, slots=True)
class TraceRequestExceptionParams:
    """Parameters sent by the ``on_request_exception`` signal."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    exception: BaseException


@dataclass(frozen=True, slots=True)
class TraceRequestRedirectParams:
    """Parameters sent by the ``on_request_redirect`` signal."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: ClientResponse


@dataclass(frozen=True, slots=True)
class TraceConnectionQueuedStartParams:
    """Parameters sent by the ``on_connection_queued_start`` signal."""


@dataclass(frozen=True, slots=True)
class TraceConnectionQueuedEndParams:
    """Parameters sent by the ``on_connection_queued_end`` signal."""


@dataclass(frozen=True, slots=True)
class TraceConnectionCreateStartParams:
    """Parameters sent by the ``on_connection_create_start`` signal."""


@dataclass(frozen=True, slots=True)
class TraceConnectionCreateEndParams:
    """Parameters sent by the ``on_connection_create_end`` signal."""


@dataclass(frozen=True, slots=True)
class TraceConnectionReuseconnParams:
    """Parameters sent by the ``on_connection_reuseconn`` signal."""


@dataclass(frozen=True, slots=True)
class TraceDnsResolveHostStartParams:
    """Parameters sent by the ``on_dns_resolvehost_start`` signal."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsResolveHostEndParams:
    """Parameters sent by the ``on_dns_resolvehost_end`` signal."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsCacheHitParams:
    """Parameters sent by the ``on_dns_cache_hit`` signal."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsCacheMissParams:
    """Parameters sent by the ``on_dns_cache_miss`` signal."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceRequestHeadersSentParams:
    """Parameters sent by the ``on_request_headers_sent`` signal."""

    method: str
    url: URL
    headers: CIMultiDict[str]


# Signal name → the params class it delivers (the one table both classes use).
SIGNALS: dict[str, type[object]] = {
    "on_request_start": TraceRequestStartParams,
    "on_request_chunk_sent": TraceRequestChunkSentParams,
    "on_response_chunk_received": TraceResponseChunkReceivedParams,
    "on_request_end": TraceRequestEndParams,
    "on_request_exception": TraceRequestExceptionParams,
    "on_request_redirect": TraceRequestRedirectParams,
    "on_connection_queued_start": TraceConnectionQueuedStartParams,
    "on_connection_queued_end": TraceConnectionQueuedEndParams,
    "on_connection_create_start": TraceConnectionCreateStartParams,
    "on_connection_create_end": TraceConnectionCreateEndParams,
    "on_connection_reuseconn": TraceConnectionReuseconnParams,
    "on_dns_resolvehost_start": TraceDnsResolveHostStartParams,
    "on_dns_resolvehost_end": TraceDnsResolveHostEndParams,
    "on_dns_cache_hit": TraceDnsCacheHitParams,
    "on_dns_cache_miss": TraceDnsCacheMissParams,
    "on_request_headers_sent": TraceRequestHeadersSentParams,
}


class TraceConfig:
    """Callbacks for the stages of requests made by a ClientSession."""

    __slots__ = ("_trace_config_ctx_factory", *("_" + n for n in SIGNALS))

    _on_request_start: TraceSignal[TraceRequestStartParams]
    _on_request_chunk_sent: TraceSignal[TraceRequestChunkSentParams]
    _on_response_chunk_received: TraceSignal[TraceResponseChunkReceivedParams]
    _on_request_end: TraceSignal[TraceRequestEndParams]
    _on_request_exception: TraceSignal[TraceRequestExceptionParams]
    _on_request_redirect: TraceSignal[TraceRequestRedirectParams]
    _on_connection_queued_start: TraceSignal[TraceConnectionQueuedStartParams]
    _on_connection_queued_end: TraceSignal[TraceConnectionQueuedEndParams]
    _on_connection_create_start: TraceSignal[TraceConnectionCreateStartParams]
    _on_connection_create_end: TraceSignal[TraceConnectionCreateEndParams]
    _on_connection_reuseconn: TraceSignal[TraceConnectionReuseconnParams]
    _on_dns_resolvehost_start: TraceSignal[TraceDnsResolveHostStartParams]
    _on_dns_resolvehost_end: TraceSignal[TraceDnsResolveHostEndParams]
    _on_dns_cache_hit: TraceSignal[TraceDnsCacheHitParams]
    _on_dns_cache_miss: TraceSignal[TraceDnsCacheMissParams]
    _on_request_headers_sent: TraceSignal[TraceRequestHeadersSentParams]

    @property
    def on_request_start(self) -> TraceSignal[TraceRequestStartParams]:
        """Signal delivering ``TraceRequestStartParams``."""
        return self._on_request_start

    @property
    def on_request_chunk_sent(self) -> TraceSignal[TraceRequestChunkSentParams]:
        """Signal delivering ``TraceRequestChunkSentParams``."""
        return self._on_request_chunk_sent

    @property
    def on_response_chunk_received(self) -> TraceSignal[TraceResponseChunkReceivedParams]:
        """Signal delivering ``TraceResponseChunkReceivedParams``."""
        return self._on_response_chunk_received

    @property
    def on_request_end(self) -> TraceSignal[TraceRequestEndParams]:
        """Signal delivering ``TraceRequestEndParams``."""
        return self._on_request_end

    @property
    def on_request_exception(self) -> TraceSignal[TraceRequestExceptionParams]:
        """Signal delivering ``TraceRequestExceptionParams``."""
        return self._on_request_exception

    @property
    def on_request_redirect(self) -> TraceSignal[TraceRequestRedirectParams]:
        """Signal delivering ``TraceRequestRedirectParams``."""
        return self._on_request_redirect

    @property
    def on_connection_queued_start(self) -> TraceSignal[TraceConnectionQueuedStartParams]:
        """Signal delivering ``TraceConnectionQueuedStartParams``."""
        return self._on_connection_queued_start

    @property
    def on_connection_queued_end(self) -> TraceSignal[TraceConnectionQueuedEndParams]:
        """Signal delivering ``TraceConnectionQueuedEndParams``."""
        return self._on_connection_queued_end

    @property
    def on_connection_create_start(self) -> TraceSignal[TraceConnectionCreateStartParams]:
        """Signal delivering ``TraceConnectionCreateStartParams``."""
        return self._on_connection_create_start

    @property
    def on_connection_create_end(self) -> TraceSignal[TraceConnectionCreateEndParams]:
        """Signal delivering ``TraceConnectionCreateEndParams``."""
        return self._on_connection_create_end

    @property
    def on_connection_reuseconn(self) -> TraceSignal[TraceConnectionReuseconnParams]:
        """Signal delivering ``TraceConnectionReuseconnParams``."""
        return self._on_connection_reuseconn

    @property
    def on_dns_resolvehost_start(self) -> TraceSignal[TraceDnsResolveHostStartParams]:
        """Signal delivering ``TraceDnsResolveHostStartParams``."""
        return self._on_dns_resolvehost_start

    @property
    def on_dns_resolvehost_end(self) -> TraceSignal[TraceDnsResolveHostEndParams]:
        """Signal delivering ``TraceDnsResolveHostEndParams``."""
        return self._on_dns_resolvehost_end

    @property
    def on_dns_cache_hit(self) -> TraceSignal[TraceDnsCacheHitParams]:
        """Signal delivering ``TraceDnsCacheHitParams``."""
        return self._on_dns_cache_hit

    @property
    def on_dns_cache_miss(self) -> TraceSignal[TraceDnsCacheMissParams]:
        """Signal delivering ``TraceDnsCacheMissParams``."""
        return self._on_dns_cache_miss

    @property
    def on_request_headers_sent(self) -> TraceSignal[TraceRequestHeadersSentParams]:
        """Signal delivering ``TraceRequestHeadersSentParams``."""
        return self._on_request_headers_sent

    def __init__(
        self, trace_config_ctx_factory: type[SimpleNamespace] = SimpleNamespace
    ) -> None:
        for name in SIGNALS:
            setattr(self, "_" + name, Signal(self))
        self._trace_config_ctx_factory = trace_config_ctx_factory

    def trace_config_ctx(self, trace_request_ctx: Any = None) -> SimpleNamespace:
        """A new context object for one request (``trace_request_ctx`` inside)."""
        return self._trace_config_ctx_factory(trace_request_ctx=trace_request_ctx)

    def freeze(self) -> None:
        """Freeze every signal (the session does this; sending needs it)."""
        for name in SIGNALS:
            getattr(self, "_" + name).freeze()

    @property
    def frozen(self) -> bool:
        return bool(self._on_request_start.frozen)


class Trace:
    """One trace config bound to one request: the ``send_*`` coroutines."""

    __slots__ = ("_session", "_trace_config", "_trace_config_ctx")

    def __init__(
        self,
        session: ClientSession,
        trace_config: TraceConfig,
        trace_config_ctx: SimpleNamespace,
    ) -> None:
        self._session = session
        self._trace_config = trace_config
        self._trace_config_ctx = trace_config_ctx

    async def _send(self, signal: TraceSignal[_ParamsT], params: _ParamsT) -> None:
        await signal.send(self._session, self._trace_config_ctx, params)

    async def send_request_start(
        self, method: str, url: URL, headers: CIMultiDict[str]
    ) -> None:
        sig = self._trace_config._on_request_start
        if sig:
            await self._send(sig, TraceRequestStartParams(method, url, headers))

    async def send_request_chunk_sent(self, method: str, url: URL, chunk: bytes) -> None:
        sig = self._trace_config._on_request_chunk_sent
        if sig:
            await self._send(sig, TraceRequestChunkSentParams(method, url, chunk))

    async def send_response_chunk_received(
        self, method: str, url: URL, chunk: bytes
    ) -> None:
        sig = self._trace_config._on_response_chunk_received
        if sig:
            await self._send(sig, TraceResponseChunkReceivedParams(method, url, chunk))

    async def send_request_end(
        self, method: str, url: URL, headers: CIMultiDict[str], response: ClientResponse
    ) -> None:
        sig = self._trace_config._on_request_end
        if sig:
            await self._send(sig, TraceRequestEndParams(method, url, headers, response))

    async def send_request_exception(
        self, method: str, url: URL, headers: CIMultiDict[str], exception: BaseException
    ) -> None:
        sig = self._trace_config._on_request_exception
        if sig:
            params = TraceRequestExceptionParams(method, url, headers, exception)
            await self._send(sig, params)

    async def send_request_redirect(
        self, method: str, url: URL, headers: CIMultiDict[str], response: ClientResponse
    ) -> None:
        sig = self._trace_config._on_request_redirect
        if sig:
            params = TraceRequestRedirectParams(method, url, headers, response)
            await self._send(sig, params)

    async def send_connection_queued_start(self) -> None:
        sig = self._trace_config._on_connection_queued_start
        if sig:
            await self._send(sig, TraceConnectionQueuedStartParams())

    async def send_connection_queued_end(self) -> None:
        sig = self._trace_config._on_connection_queued_end
        if sig:
            await self._send(sig, TraceConnectionQueuedEndParams())

    async def send_connection_create_start(self) -> None:
        sig = self._trace_config._on_connection_create_start
        if sig:
            await self._send(sig, TraceConnectionCreateStartParams())

    async def send_connection_create_end(self) -> None:
        sig = self._trace_config._on_connection_create_end
        if sig:
            await self._send(sig, TraceConnectionCreateEndParams())

    async def send_connection_reuseconn(self) -> None:
        sig = self._trace_config._on_connection_reuseconn
        if sig:
            await self._send(sig, TraceConnectionReuseconnParams())

    async def send_dns_resolvehost_start(self, host: str) -> None:
        sig = self._trace_config._on_dns_resolvehost_start
        if sig:
            await self._send(sig, TraceDnsResolveHostStartParams(host))

    async def send_dns_resolvehost_end(self, host: str) -> None:
        sig = self._trace_config._on_dns_resolvehost_end
        if sig:
            await self._send(sig, TraceDnsResolveHostEndParams(host))

    async def send_dns_cache_hit(self, host: str) -> None:
        sig = self._trace_config._on_dns_cache_hit
        if sig:
            await self._send(sig, TraceDnsCacheHitParams(host))

    async def send_dns_cache_miss(self, host: str) -> None:
        sig = self._trace_config._on_dns_cache_miss
        if sig:
            await self._send(sig, TraceDnsCacheMissParams(host))

    async def send_request_headers_sent(
        self, method: str, url: URL, headers: CIMultiDict[str]
    ) -> None:
        sig = self._trace_config._on_request_headers_sent
        if sig:
            await self._send(sig, TraceRequestHeadersSentParams(method, url, headers))
