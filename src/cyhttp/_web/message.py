"""RawRequestMessage: aiohttp's shape of a parsed request head, for clones and tests.

How this works: the server hands requests the engine's ``RequestHead`` as is (no copy
per request).  A request made by ``clone()`` or by a test helper carries this tuple
instead; both offer what ``BaseRequest`` reads: method, path, version, headers,
raw_headers and ``keep_alive``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from multidict import CIMultiDictProxy
from yarl import URL

from .._http.helpers import HttpVersion

__all__ = ("RawRequestMessage",)


class RawRequestMessage(NamedTuple):
    method: str
    path: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    should_close: bool
    compression: str | None
    upgrade: bool
    chunked: bool
    url: URL

    @property
    def keep_alive(self) -> bool:
        return not self.should_close

    @classmethod
    def of(cls, message: Any, **changes: Any) -> RawRequestMessage:
        """A RawRequestMessage with ``message``'s fields (a RequestHead or one of these)."""
        if isinstance(message, RawRequestMessage):
            return message._replace(**changes) if changes else message
        fields: dict[str, Any] = {
            "method": message.method,
            "path": message.path,
            "version": HttpVersion(*message.version),
            "headers": message.headers,
            "raw_headers": tuple(message.raw_headers),
            "should_close": not message.keep_alive,
            "compression": getattr(message, "encoding", None),
            "upgrade": bool(getattr(message, "upgrade", False)),
            "chunked": bool(getattr(message, "chunked", False)),
            "url": URL(message.path) if not message.path.startswith("/") else URL.build(
                path=message.path.partition("?")[0],
                query_string=message.path.partition("?")[2], encoded=True),
        }
        fields.update(changes)
        return cls(**fields)
