"""llhttp as a reference: aiohttp's compiled parser (``aiohttp._http_parser``) fed raw bytes.

``verdict(side, data, strict)`` → "ok" or "error": requests as aiohttp's server parses
them (llhttp strict), responses as aiohttp's client does (llhttp lenient: bare LF,
relaxed header values, SP after a chunk size), or strict llhttp with ``strict`` (what
aiohttp's client does in debug mode).  Then EOF, as our corpus runs do.  aiohttp (with its
compiled parser) is a test dependency: without it this module fails to import, never skips.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import _http_parser as llhttp


class _Protocol:
    transport = None
    _reading_paused = False

    def pause_reading(self, **_: Any) -> None: ...

    def resume_reading(self, **_: Any) -> None: ...


def verdict(side: str, data: bytes, strict: bool = False) -> str:
    loop = asyncio.new_event_loop()
    saved = llhttp.DEBUG
    try:
        llhttp.DEBUG = strict  # the response parser sets llhttp's lenient flags unless DEBUG
        if side == "request":
            parser = llhttp.HttpRequestParser(_Protocol(), loop, 2 ** 16)
        else:
            parser = llhttp.HttpResponseParser(_Protocol(), loop, 2 ** 16, read_until_eof=True)
        try:
            messages, upgraded, _tail = parser.feed_data(data)
            if not upgraded:
                parser.feed_eof()
        except Exception:
            return "error"
        for _message, payload in messages:
            if payload.exception() is not None:
                return "error"
        return "ok"
    finally:
        llhttp.DEBUG = saved
        loop.close()


__all__ = ("verdict",)
