"""``@streamer``: a coroutine that writes a request body through ``await writer.write(chunk)``.

aiohttp keeps it (deprecated in favour of async generators) and so does cyhttp::

    @cyhttp.streamer
    async def send_file(writer, path):
        ...await writer.write(chunk)...

    await session.post(url, data=send_file(path))
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from .payload import Payload, payload_type

__all__ = ("streamer",)


class _StreamCall:
    """``send_file(path)``: the decorated coroutine with its arguments, waiting for a writer."""

    __slots__ = ("_coro", "_args", "_kwargs")

    def __init__(self, coro: Callable[..., Awaitable[None]], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._coro = coro
        self._args = args
        self._kwargs = kwargs

    async def __call__(self, writer: Any) -> None:
        await self._coro(writer, *self._args, **self._kwargs)


class streamer:  # noqa: N801 - aiohttp's name
    def __init__(self, coro: Callable[..., Awaitable[None]]) -> None:
        warnings.warn("@streamer is deprecated, use async generators instead", DeprecationWarning, stacklevel=2)
        self._coro = coro

    def __call__(self, *args: Any, **kwargs: Any) -> _StreamCall:
        return _StreamCall(self._coro, args, kwargs)


@payload_type(_StreamCall)
class StreamCallPayload(Payload):
    """A ``@streamer`` call as a body: size unknown (sent chunked unless Content-Length is given)."""

    _default_content_type = "application/octet-stream"

    async def write(self, writer: Any) -> None:
        await self._value(writer)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("Unable to decode.")


@payload_type(streamer)
class StreamerPayload(StreamCallPayload):
    """The decorated function itself, called with no arguments."""

    def __init__(self, value: streamer, *args: Any, **kwargs: Any) -> None:
        super().__init__(value(), *args, **kwargs)
