"""aiohttp's ``payload_streamer`` import path: the ``@streamer`` decorator."""

from __future__ import annotations

from ._http.payload_streamer import streamer

__all__ = ("streamer",)
