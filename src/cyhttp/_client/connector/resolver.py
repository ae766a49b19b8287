"""DNS resolvers: ``ThreadedResolver`` (the loop's getaddrinfo) and ``AsyncResolver`` (aiodns).

How this works: a resolver turns ``(host, port, family)`` into a list of
``ResolveResult`` dicts holding numeric addresses, the shape aiohttp's resolvers
return so user-written resolvers plug in unchanged.  ``DefaultResolver`` is
``AsyncResolver`` when an aiodns with ``getaddrinfo`` is installed, otherwise
``ThreadedResolver`` (aiohttp 3.14's choice).  Caching and de-duplication of
concurrent lookups live in the connector, not here.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import weakref
from typing import TYPE_CHECKING, Any

from ...abc import AbstractResolver, ResolveResult

if TYPE_CHECKING:
    import aiodns  # the ``speedups`` extra; checkers see it installed
else:
    try:
        import aiodns
    except ImportError:  # pragma: no cover - depends on the environment
        aiodns = None  # AsyncResolver() raises
_AIODNS_DEFAULT = aiodns is not None and hasattr(aiodns.DNSResolver, "getaddrinfo")

__all__ = ("AbstractResolver", "ResolveResult", "ThreadedResolver", "AsyncResolver", "DefaultResolver")

# Results carry numeric hosts/ports so a later getaddrinfo on them never hits DNS.
_NUMERIC_FLAGS = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
_NAMEINFO_FLAGS = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
# AI_ADDRCONFIG: skip IPv6 answers on hosts without IPv6 (and vice versa).
_AI_ADDRCONFIG = socket.AI_ADDRCONFIG & getattr(socket, "AI_MASK", -1)
_IS_WINDOWS = sys.platform == "win32"


def _windows_localhost(host: str) -> bool:
    # Windows refuses "localhost" with AI_ADDRCONFIG when offline; retry without it.
    return _IS_WINDOWS and host.rstrip(".").casefold() == "localhost"


def _inet(address: tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]) -> tuple[str, int]:
    """Host and port of an AF_INET / AF_INET6 sockaddr (getaddrinfo is typed for raw ones too)."""
    host, port = address[0], address[1]
    assert isinstance(host, str) and isinstance(port, int)
    return host, port


class ThreadedResolver(AbstractResolver):
    """Resolves with ``loop.getaddrinfo`` (the default executor's threads)."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop or asyncio.get_running_loop()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            infos = await self._loop.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, family=family, flags=_AI_ADDRCONFIG
            )
        except socket.gaierror:
            if not _windows_localhost(host):
                raise
            infos = await self._loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)

        hosts: list[ResolveResult] = []
        for fam, _type, proto, _canon, address in infos:
            if fam == socket.AF_INET6:
                if len(address) < 3:
                    continue  # Python built without IPv6 support
                if address[3]:
                    # A scope id (link-local address): getnameinfo renders "fe80::1%eth0".
                    resolved, sport = await self._loop.getnameinfo(address, _NAMEINFO_FLAGS)
                    rport = int(sport)
                else:
                    resolved, rport = _inet(address)
            elif fam == socket.AF_INET:
                resolved, rport = _inet(address)
            else:
                continue
            hosts.append(
                ResolveResult(
                    hostname=host, host=resolved, port=rport, family=fam, proto=proto, flags=_NUMERIC_FLAGS
                )
            )
        return hosts

    async def close(self) -> None:
        """Nothing to release: the executor belongs to the loop."""


# One aiodns channel per loop, shared by every default-configured AsyncResolver:
# a channel costs ~0.2 ms to build, and each TCPConnector owns a resolver.
_shared: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, weakref.WeakSet[AsyncResolver]]] = (
    weakref.WeakKeyDictionary()
)


class AsyncResolver(AbstractResolver):
    """Resolves with aiodns (c-ares); extra arguments go to a dedicated ``aiodns.DNSResolver``."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None, *args: Any, **kwargs: Any) -> None:
        if aiodns is None:
            raise RuntimeError("Resolver requires aiodns library")
        self._loop = loop = loop or asyncio.get_running_loop()
        self._shared = not (args or kwargs)
        if not self._shared:
            kwargs.setdefault("loop", loop)
            self._resolver: Any = aiodns.DNSResolver(*args, **kwargs)
            return
        entry = _shared.get(loop)
        if entry is None:
            entry = _shared[loop] = (aiodns.DNSResolver(loop=loop), weakref.WeakSet())
        entry[1].add(self)
        self._resolver = entry[0]

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self._resolver is None:
            raise RuntimeError("Resolver is closed")
        try:
            try:
                resp = await self._resolver.getaddrinfo(
                    host, port=port, type=socket.SOCK_STREAM, family=family, flags=_AI_ADDRCONFIG
                )
            except aiodns.error.DNSError:
                if not _windows_localhost(host):
                    raise
                resp = await self._resolver.getaddrinfo(host, port=port, type=socket.SOCK_STREAM, family=family)
        except aiodns.error.DNSError as exc:
            # aiohttp's contract: DNS failures surface as OSError (errno None).
            msg = exc.args[1] if len(exc.args) > 1 else "DNS lookup failed"
            raise OSError(None, msg) from exc

        hosts: list[ResolveResult] = []
        for node in resp.nodes:
            address = node.addr
            rport = address[1]
            if node.family == socket.AF_INET6:
                if len(address) > 3 and address[3]:
                    info = await self._resolver.getnameinfo(
                        (address[0].decode("ascii"), *address[1:]), _NAMEINFO_FLAGS
                    )
                    resolved = info.node
                else:
                    resolved = address[0].decode("ascii")
            elif node.family == socket.AF_INET:
                resolved = address[0].decode("ascii")
            else:
                continue
            hosts.append(
                ResolveResult(
                    hostname=host, host=resolved, port=rport, family=node.family, proto=0, flags=_NUMERIC_FLAGS
                )
            )
        if not hosts:
            raise OSError(None, "DNS lookup failed")
        return hosts

    async def close(self) -> None:
        """Cancel pending queries and free the c-ares channel; idempotent."""
        resolver, self._resolver = self._resolver, None
        if resolver is None:
            return
        if self._shared:
            entry = _shared.get(self._loop)
            if entry is None or entry[0] is not resolver:
                return
            entry[1].discard(self)
            if entry[1]:
                return  # others still use the shared channel
            del _shared[self._loop]
        closer = getattr(resolver, "close", None)  # aiodns >= 3.3: async close()
        if closer is None:
            resolver.cancel()
        else:
            await closer()


DefaultResolver: type[AsyncResolver] | type[ThreadedResolver] = (
    AsyncResolver if _AIODNS_DEFAULT else ThreadedResolver
)
