"""``TCPConnector``: DNS (cached, de-duplicated), RFC 8305 connect, TLS context choice.

How this works: ``_create_connection`` resolves the host (IP literals skip the
resolver; names go through a TTL cache where concurrent lookups of one host share a
single shielded resolve task), turns the answers into addrinfos and lets
``aiohappyeyeballs.start_connection`` race them (per-attempt ``sock_connect``
timeout), then wraps the connected socket with ``loop.create_connection``.  OS,
DNS and TLS failures are mapped to aiohttp's exception types here, at one boundary.
The default SSL contexts (``client_ssl.py``) are built once per process, at import.
Proxies (forwarding and CONNECT tunnels, then ``start_tls``) use ``connector_proxy.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import sys
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import aiohappyeyeballs

from ..exceptions import (
    ClientConnectionError,
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientProxyConnectionError,
    InvalidUrlClientError,
    ServerFingerprintMismatch,
)
from ..timeouts import ClientTimeout, deadline, timeout_at
from ..tls import (
    _CERT_ERRORS,
    _SSL_ERRORS,
    SSL_CONTEXT_UNVERIFIED,
    SSL_CONTEXT_VERIFIED,
    SSLContext,
    merge_ssl_params,
    ssl,
)
from .connection import _SENTINEL, Protocol
from .pool import HIGH_LEVEL_SCHEMA_SET, BaseConnector
from .proxy import ProxyHop, TunnelProtocol, tunnel_head
from .resolver import AbstractResolver, DefaultResolver, ResolveResult

__all__ = ("TCPConnector", "SSL_CONTEXT_VERIFIED", "SSL_CONTEXT_UNVERIFIED")


def _ip_literal(host: str) -> bool:
    """True for an IP address literal; legacy numeric IPv4 forms (``127.1``) are refused."""
    if ":" in host:
        return True
    if not host.replace(".", "").isdigit():
        return False
    try:
        ipaddress.IPv4Address(host)  # strict dotted quad, no octal leading zeros
    except ValueError:
        raise InvalidUrlClientError(host, "is not a canonical IPv4 address") from None
    return True



@contextlib.contextmanager
def _connect_errors(key: Any, client_error: type[ClientConnectorError]) -> Iterator[None]:
    """TLS and OS failures while connecting → aiohttp's connector errors (timeouts pass through)."""
    try:
        yield
    except _CERT_ERRORS as exc:
        raise ClientConnectorCertificateError(key, exc) from exc  # type: ignore[arg-type]
    except _SSL_ERRORS as exc:
        raise ClientConnectorSSLError(key, exc) from exc  # type: ignore[arg-type]
    except OSError as exc:
        if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
            raise
        raise client_error(key, exc) from exc

class _DNSCache:
    """Resolved addresses per (host, port) with a TTL and an LRU bound; rotates answers."""

    __slots__ = ("_entries", "_ttl", "_max_size", "_loop")

    def __init__(self, loop: asyncio.AbstractEventLoop, ttl: float | None, max_size: int) -> None:
        self._entries: OrderedDict[tuple[str, int], tuple[list[ResolveResult], float]] = OrderedDict()
        self._ttl = ttl
        self._max_size = max_size
        self._loop = loop

    def get(self, key: tuple[str, int]) -> list[ResolveResult] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        addrs, stamp = entry
        if self._ttl is not None and stamp + self._ttl < self._loop.time():
            return None
        # Round robin: the next connect starts with the next address.
        if len(addrs) > 1:
            self._entries[key] = (addrs[1:] + addrs[:1], stamp)
        self._entries.move_to_end(key)
        return addrs

    def add(self, key: tuple[str, int], addrs: list[ResolveResult]) -> None:
        self._entries[key] = (addrs, self._loop.time())
        self._entries.move_to_end(key)
        if len(self._entries) > self._max_size:
            self._entries.popitem(last=False)

    def remove(self, key: tuple[str, int]) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


def _drop_result(task: asyncio.Task[Any]) -> None:
    # Nobody may be left to read the result; mark it retrieved so asyncio stays quiet.
    if not task.cancelled():
        task.exception()


class TCPConnector(BaseConnector):
    """Connector for TCP (+TLS) with a DNS cache and happy-eyeballs connects."""

    allowed_protocol_schema_set = HIGH_LEVEL_SCHEMA_SET | frozenset({"tcp"})

    def __init__(
        self,
        *,
        verify_ssl: bool = True,
        fingerprint: bytes | None = None,
        use_dns_cache: bool = True,
        ttl_dns_cache: int | None = 10,
        dns_cache_max_size: int = 1000,
        family: socket.AddressFamily = socket.AddressFamily.AF_UNSPEC,
        ssl_context: Any = None,
        ssl: Any = True,
        local_addr: tuple[str, int] | None = None,
        resolver: AbstractResolver | None = None,
        keepalive_timeout: Any = _SENTINEL,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        timeout_ceil_threshold: float = 5,
        happy_eyeballs_delay: float | None = 0.25,
        interleave: int | None = None,
        socket_factory: Any = None,
        ssl_shutdown_timeout: Any = _SENTINEL,
    ) -> None:
        super().__init__(
            keepalive_timeout=keepalive_timeout,
            force_close=force_close,
            limit=limit,
            limit_per_host=limit_per_host,
            enable_cleanup_closed=enable_cleanup_closed,
            loop=loop,
            timeout_ceil_threshold=timeout_ceil_threshold,
        )
        self._ssl = merge_ssl_params(ssl, verify_ssl, ssl_context, fingerprint)
        if resolver is None:
            self._resolver: AbstractResolver = DefaultResolver(loop=self._loop)
            self._resolver_owner = True
        else:
            self._resolver = resolver
            self._resolver_owner = False
        self._use_dns_cache = use_dns_cache
        self._dns_cache = _DNSCache(self._loop, ttl_dns_cache, dns_cache_max_size)
        self._dns_inflight: dict[tuple[str, int], asyncio.Task[list[ResolveResult]]] = {}
        self._family = family
        self._local_addr_infos = aiohappyeyeballs.addr_to_addr_infos(local_addr)
        self._happy_eyeballs_delay = happy_eyeballs_delay
        self._interleave = interleave
        self._socket_factory = socket_factory
        if ssl_shutdown_timeout is _SENTINEL:
            self._ssl_shutdown_timeout: float | None = 0
        else:
            warnings.warn(
                "The ssl_shutdown_timeout parameter is deprecated and will be removed in aiohttp 4.0",
                DeprecationWarning,
                stacklevel=2,
            )
            self._ssl_shutdown_timeout = ssl_shutdown_timeout

    @property
    def family(self) -> int:
        """Socket family of the connections (AF_UNSPEC = both)."""
        return self._family

    @property
    def use_dns_cache(self) -> bool:
        return self._use_dns_cache

    def clear_dns_cache(self, host: str | None = None, port: int | None = None) -> None:
        """Forget one (host, port) or, without arguments, every cached answer."""
        if host is not None and port is not None:
            self._dns_cache.remove((host, port))
        elif host is not None or port is not None:
            raise ValueError("either both host and port or none of them are allowed")
        else:
            self._dns_cache.clear()

    def _close(self, *, abort_ssl: bool = False) -> list[Any]:
        waiters = super()._close(abort_ssl=abort_ssl)
        for task in self._dns_inflight.values():
            task.cancel()
            waiters.append(task)
        return waiters

    async def close(self, *, abort_ssl: bool = False) -> None:
        """Close every connection and (if we made it) the resolver; idempotent."""
        # With no graceful-shutdown grace period, TLS transports are aborted (aiohttp 3.14).
        await super().close(abort_ssl=abort_ssl or self._ssl_shutdown_timeout == 0)
        if self._resolver_owner:
            await self._resolver.close()

    # -- DNS ---------------------------------------------------------------------------

    async def _resolve_host(self, host: str, port: int, traces: list[Any] | None = None) -> list[ResolveResult]:
        if _ip_literal(host):
            return [{"hostname": host, "host": host, "port": port, "family": self._family, "proto": 0, "flags": 0}]
        if not self._use_dns_cache:
            if traces:
                for trace in traces:
                    await trace.send_dns_resolvehost_start(host)
            if self._closed:
                raise ClientConnectionError("Connector is closed")
            res = await self._resolver.resolve(host, port, family=self._family)
            if traces:
                for trace in traces:
                    await trace.send_dns_resolvehost_end(host)
            return res

        key = (host, port)
        addrs = self._dns_cache.get(key)
        if addrs is not None:
            if traces:
                for trace in traces:
                    await trace.send_dns_cache_hit(host)
            return addrs
        task = self._dns_inflight.get(key)
        if task is None:
            # The lookup runs in its own task so that one caller's cancellation never
            # cancels it for everyone else waiting on the same host.
            task = self._loop.create_task(self._resolve_and_cache(key, traces))
            self._dns_inflight[key] = task
            task.add_done_callback(_drop_result)
        elif traces:
            for trace in traces:
                await trace.send_dns_cache_hit(host)
        return await asyncio.shield(task)

    async def _resolve_and_cache(self, key: tuple[str, int], traces: list[Any] | None) -> list[ResolveResult]:
        host, port = key
        try:
            if traces:
                for trace in traces:
                    await trace.send_dns_cache_miss(host)
                for trace in traces:
                    await trace.send_dns_resolvehost_start(host)
            addrs = await self._resolver.resolve(host, port, family=self._family)
            if traces:
                for trace in traces:
                    await trace.send_dns_resolvehost_end(host)
            self._dns_cache.add(key, addrs)
            return addrs
        finally:
            self._dns_inflight.pop(key, None)

    # -- connecting --------------------------------------------------------------------

    def _get_ssl_context(self, req: Any) -> Any:
        """The SSLContext for ``req`` (None for plain HTTP); defaults are process-wide singletons."""
        if not req.is_ssl():
            return None
        if ssl is None:  # pragma: no cover
            raise RuntimeError("SSL is not supported.")
        for choice in (req.ssl, self._ssl):
            if isinstance(choice, SSLContext):
                return choice
            if choice is not True:
                return SSL_CONTEXT_UNVERIFIED  # ssl=False or a Fingerprint: no CA verification
        return SSL_CONTEXT_VERIFIED

    def _get_fingerprint(self, req: Any) -> Any:
        for choice in (req.ssl, self._ssl):
            if choice is not True and choice is not False and choice is not None and not isinstance(choice, SSLContext):
                return choice
        return None

    async def _create_connection(self, req: Any, traces: list[Any], timeout: ClientTimeout) -> Protocol:
        if req.proxy:
            return await self._create_proxy_connection(req, traces, timeout)
        _, proto = await self._create_direct_connection(req, traces, timeout)
        return proto

    async def _create_proxy_connection(self, req: Any, traces: list[Any], timeout: ClientTimeout) -> Protocol:
        """A connection to the origin through ``req.proxy`` (see ``connector_proxy``)."""
        hop = ProxyHop(req)
        if not req.is_ssl():
            # Plain HTTP: the request itself goes to the proxy, in absolute form.
            _, proto = await self._create_direct_connection(hop, [], timeout, client_error=ClientProxyConnectionError)
            return proto
        head, info = tunnel_head(req)
        transport, tunnel = await self._create_direct_connection(
            hop, [], timeout, client_error=ClientProxyConnectionError, factory=self._tunnel_factory
        )
        # The proxy's answer is part of connecting; with no sock_connect, sock_read bounds it.
        delay = timeout.sock_connect if timeout.sock_connect is not None else timeout.sock_read
        try:
            loop = self._loop
            async with timeout_at(loop, deadline(loop, delay, timeout.ceil_threshold)):
                await tunnel.connect(head, info)
        except BaseException:
            transport.abort()
            raise
        return await self._start_tls(transport, req, timeout)

    def _tunnel_factory(self) -> TunnelProtocol:
        return TunnelProtocol(self._loop)

    async def _start_tls(self, transport: Any, req: Any, timeout: ClientTimeout) -> Protocol:
        """TLS to the origin over an established tunnel ``transport`` (consumed: closed on error)."""
        loop = self._loop
        sslcontext = self._get_ssl_context(req)
        proto = self._factory()
        kwargs: dict[str, Any] = {"ssl_handshake_timeout": timeout.total or None}
        if self._ssl_shutdown_timeout and sys.version_info >= (3, 11):
            kwargs["ssl_shutdown_timeout"] = self._ssl_shutdown_timeout
        server_hostname = (req.server_hostname or req.url.raw_host).rstrip(".")
        try:
            with _connect_errors(req.connection_key, ClientConnectorError):
                async with timeout_at(loop, deadline(loop, timeout.sock_connect, timeout.ceil_threshold)):
                    try:
                        tls_transport = await loop.start_tls(
                            transport, proto, sslcontext, server_hostname=server_hostname, **kwargs
                        )
                    except BaseException:
                        transport.abort()
                        raise
        except TypeError as exc:  # the loop cannot start TLS on this transport (TLS in TLS)
            raise ClientConnectionError(
                f"Cannot initialize a TLS-in-TLS connection to host {req.url.raw_host}:{req.port} "
                f"through the proxy {req.proxy} [{exc}]"
            ) from exc
        if tls_transport is None:
            raise ClientConnectorError(
                req.connection_key, OSError("Failed to start TLS (possibly caused by closing transport)")
            )
        fingerprint = self._get_fingerprint(req)
        if fingerprint is not None:
            try:
                fingerprint.check(tls_transport)
            except ServerFingerprintMismatch:
                tls_transport.abort()
                raise
        # start_tls does not call connection_made on the new protocol.
        proto.connection_made(tls_transport)
        return proto

    def _addr_infos(self, hosts: list[ResolveResult]) -> list[Any]:
        infos: list[Any] = []
        for h in hosts:
            addr_host = h["host"]
            v6 = ":" in addr_host
            fam = socket.AF_INET6 if v6 else socket.AF_INET
            if self._family and self._family != fam:
                continue
            addr = (addr_host, h["port"], 0, 0) if v6 else (addr_host, h["port"])
            infos.append((fam, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", addr))
        return infos

    async def _create_direct_connection(
        self,
        req: Any,
        traces: list[Any],
        timeout: ClientTimeout,
        *,
        client_error: type[ClientConnectorError] = ClientConnectorError,
        factory: Any = None,
    ) -> tuple[asyncio.Transport, Protocol]:
        sslcontext = self._get_ssl_context(req)
        fingerprint = self._get_fingerprint(req) if sslcontext is not None else None
        host = req.url.raw_host
        if host.endswith(".."):
            host = host.rstrip(".") + "."
        port = req.port
        try:
            hosts = await self._resolve_host(host, port, traces)
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise ClientConnectorDNSError(req.connection_key, exc) from exc

        server_hostname = (req.server_hostname or host).rstrip(".") if sslcontext is not None else None
        addr_infos = self._addr_infos(hosts)
        last_exc: BaseException | None = None
        while addr_infos:
            try:
                transport, proto = await self._connect_addrs(
                    req, addr_infos, timeout, sslcontext, server_hostname, client_error, factory or self._factory
                )
            except (ClientConnectorError, asyncio.TimeoutError) as exc:
                last_exc = exc
                # Drop the address (family group) that failed and try what is left.
                aiohappyeyeballs.pop_addr_infos_interleave(addr_infos, self._interleave)
                continue
            if fingerprint is not None:
                try:
                    fingerprint.check(transport)
                except ServerFingerprintMismatch as exc:
                    transport.abort()
                    last_exc = exc
                    sock = transport.get_extra_info("socket")
                    aiohappyeyeballs.remove_addr_infos(addr_infos, sock.getpeername())
                    continue
            return transport, proto
        if last_exc is None:
            raise client_error(req.connection_key, OSError(None, f"no usable address for {host!r}"))
        raise last_exc

    async def _connect_addrs(
        self,
        req: Any,
        addr_infos: list[Any],
        timeout: ClientTimeout,
        sslcontext: Any,
        server_hostname: str | None,
        client_error: type[ClientConnectorError],
        factory: Any,
    ) -> tuple[asyncio.Transport, Protocol]:
        loop = self._loop
        kwargs: dict[str, Any] = {}
        if sslcontext is not None:
            kwargs["ssl"] = sslcontext
            kwargs["server_hostname"] = server_hostname
            if self._ssl_shutdown_timeout and sys.version_info >= (3, 11):
                kwargs["ssl_shutdown_timeout"] = self._ssl_shutdown_timeout
        with _connect_errors(req.connection_key, client_error):
            async with timeout_at(loop, deadline(loop, timeout.sock_connect, timeout.ceil_threshold)):
                sock = await aiohappyeyeballs.start_connection(
                    addr_infos,
                    local_addr_infos=self._local_addr_infos,
                    happy_eyeballs_delay=self._happy_eyeballs_delay,
                    interleave=self._interleave,
                    loop=loop,
                    socket_factory=self._socket_factory,
                )
                return await loop.create_connection(factory, sock=sock, **kwargs)
