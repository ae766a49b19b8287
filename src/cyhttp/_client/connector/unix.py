"""Connectors that open one local path: ``UnixConnector`` and Windows' ``NamedPipeConnector``.

How this works: both are a ``BaseConnector`` pool whose ``_create_connection`` ignores the
request's host and opens ``path`` under the ``sock_connect`` deadline; an ``OSError``
becomes the connector error aiohttp raises for that kind of path.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..exceptions import ClientConnectorError, UnixClientConnectorError
from ..timeouts import ClientTimeout, deadline, timeout_at
from .connection import _SENTINEL, Protocol
from .pool import HIGH_LEVEL_SCHEMA_SET, BaseConnector

__all__ = ("NamedPipeConnector", "UnixConnector")


class _PathConnector(BaseConnector):
    """A pool whose every connection opens one local ``path`` (unix socket, named pipe)."""

    def __init__(
        self,
        path: str,
        force_close: bool = False,
        keepalive_timeout: Any = _SENTINEL,
        limit: int = 100,
        limit_per_host: int = 0,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(
            force_close=force_close,
            keepalive_timeout=keepalive_timeout,
            limit=limit,
            limit_per_host=limit_per_host,
            loop=loop,
        )
        self._check_loop()
        self._path = path

    @property
    def path(self) -> str:
        """Path of the socket or pipe."""
        return self._path

    def _check_loop(self) -> None:
        """Refuse an event loop that cannot open this kind of path."""

    async def _open(self) -> Protocol:
        raise NotImplementedError

    def _connect_error(self, req: Any, exc: OSError) -> ClientConnectorError:
        return ClientConnectorError(req.connection_key, exc)

    async def _create_connection(self, req: Any, traces: list[Any], timeout: ClientTimeout) -> Protocol:
        loop = self._loop
        try:
            async with timeout_at(loop, deadline(loop, timeout.sock_connect, timeout.ceil_threshold)):
                return await self._open()
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise self._connect_error(req, exc) from exc


class UnixConnector(_PathConnector):
    """Connects every request to one unix-domain socket ``path``."""

    allowed_protocol_schema_set = HIGH_LEVEL_SCHEMA_SET | frozenset({"unix"})

    async def _open(self) -> Protocol:
        _, proto = await self._loop.create_unix_connection(self._factory, self._path)
        return proto

    def _connect_error(self, req: Any, exc: OSError) -> ClientConnectorError:
        return UnixClientConnectorError(self._path, req.connection_key, exc)


class NamedPipeConnector(_PathConnector):
    """Connects to a Windows named pipe ``path``; needs the ProactorEventLoop."""

    allowed_protocol_schema_set = HIGH_LEVEL_SCHEMA_SET | frozenset({"npipe"})

    def _check_loop(self) -> None:
        proactor: Any = getattr(asyncio, "ProactorEventLoop", None)
        if proactor is None or not isinstance(self._loop, proactor):
            raise RuntimeError("Named Pipes only available in proactor loop under windows")

    async def _open(self) -> Protocol:
        loop: Any = self._loop
        _, proto = await loop.create_pipe_connection(self._factory, self._path)
        # Let connection_made run so the protocol has its transport on return.
        await asyncio.sleep(0)
        return proto
