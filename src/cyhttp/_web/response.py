"""Response (a whole body: bytes, text or a Payload) and ``json_response``.

How this works: the body is fixed before ``prepare``, so the length is known and the
head carries Content-Length (a Payload of unknown size is sent chunked); the head and
a bytes body leave in one write at ``write_eof``.  Compression of a bytes body happens
all at once at prepare (in an executor above ``zlib_executor_size``), so the
compressed length is known too.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, Callable

from multidict import CIMultiDict

from .. import hdrs
from .._http import payload
from .._http.compression import Encoder
from .._http.helpers import sentinel
from .helpers import should_remove_content_length
from .stream_response import REASON_PHRASES, ContentCoding, StreamResponse

if TYPE_CHECKING:
    from .request import BaseRequest

__all__ = ("Response", "json_response", "json_bytes_response")

MAX_SYNC_CHUNK_SIZE = 4096  # bodies above this are compressed in an executor (as aiohttp)


# Content-Type values of text bodies, by (content_type, charset): built once each.
_TEXT_TYPES: dict[tuple[str | None, str], str] = {}


def _compress(coding: str, body: bytes, strategy: int | None) -> bytes:
    encoder = Encoder(coding)
    return encoder.compress(body) + encoder.flush()


class Response(StreamResponse):
    """A response with its whole body given up front."""

    _compressed_body: bytes | None = None
    _send_headers_immediately = False
    _sends_whole = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A subclass that changes how it is prepared or ended goes through its methods.
        super().__init_subclass__(**kwargs)
        cls._sends_whole = (cls.prepare is StreamResponse.prepare
                            and cls.write_eof is Response.write_eof)

    def __init__(self, *, body: Any = None, status: int = 200, reason: str | None = None,
                 text: str | None = None, headers: Any = None, content_type: str | None = None,
                 charset: str | None = None, zlib_executor_size: int = MAX_SYNC_CHUNK_SIZE,
                 zlib_executor: Executor | None = None) -> None:
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together")
        if headers is None:
            real_headers: CIMultiDict[str] = CIMultiDict()
            has_type = False
        else:
            real_headers = CIMultiDict(headers)
            has_type = hdrs.CONTENT_TYPE in real_headers
        if content_type is not None and "charset" in content_type:
            raise ValueError("charset must not be in content_type argument")
        if text is not None:
            if has_type:
                if content_type or charset:
                    raise ValueError("passing both Content-Type header and content_type "
                                     "or charset params is forbidden")
            else:
                if type(text) is not str and not isinstance(text, str):
                    raise TypeError(f"text argument must be str ({type(text)!r})")
                if charset is None:
                    charset = "utf-8"
                key = (content_type, charset)
                value = _TEXT_TYPES.get(key)
                if value is None:
                    value = (content_type or "text/plain") + "; charset=" + charset
                    if len(_TEXT_TYPES) < 64:
                        _TEXT_TYPES[key] = value
                real_headers[hdrs.CONTENT_TYPE] = value
                body = text.encode(charset)
                text = None
        elif has_type:
            if content_type is not None or charset is not None:
                raise ValueError("passing both Content-Type header and content_type "
                                 "or charset params is forbidden")
        elif content_type is not None:
            if charset is not None:
                content_type += "; charset=" + charset
            real_headers[hdrs.CONTENT_TYPE] = content_type

        # StreamResponse.__init__, inlined: this is every handler's hot path.
        self._headers = real_headers
        if reason is None and type(status) is int:
            self._status = status
            self._reason = REASON_PHRASES.get(status, "")
        else:
            self._set_status(status, reason)
        if text is not None:
            self.text = text
        elif body is not None:
            if type(body) is bytes or type(body) is bytearray:
                self._body = body
            else:
                self.body = body
        if zlib_executor_size != MAX_SYNC_CHUNK_SIZE:
            self._zlib_executor_size = zlib_executor_size
        if zlib_executor is not None:
            self._zlib_executor = zlib_executor

    _zlib_executor_size = MAX_SYNC_CHUNK_SIZE
    _zlib_executor: Executor | None = None

    @property
    def body(self) -> bytes | bytearray | payload.Payload | None:
        return self._body  # type: ignore[no-any-return]

    @body.setter
    def body(self, body: Any) -> None:
        if body is None:
            self._body = None
        elif isinstance(body, (bytes, bytearray)):
            self._body = body
        else:
            try:
                self._body = body = payload.PAYLOAD_REGISTRY.get(body)
            except payload.LookupError:
                raise ValueError(f"Unsupported body type {type(body)!r}") from None
            headers = self._headers
            if hdrs.CONTENT_TYPE not in headers:
                headers[hdrs.CONTENT_TYPE] = body.content_type
            if body.headers:
                for key, value in body.headers.items():
                    if key not in headers:
                        headers[key] = value
        self._compressed_body = None

    @property
    def text(self) -> str | None:
        if self._body is None:
            return None
        return self._body.decode(self.charset or "utf-8")  # type: ignore[no-any-return]

    @text.setter
    def text(self, text: str) -> None:
        assert text is None or isinstance(text, str), f"text argument must be str ({type(text)!r})"
        if self.content_type == "application/octet-stream":
            self.content_type = "text/plain"
        if self.charset is None:
            self.charset = "utf-8"
        self._body = text.encode(self.charset)
        self._compressed_body = None

    @property
    def content_length(self) -> int | None:
        if self._chunked:
            return None
        value = self._headers.get(hdrs.CONTENT_LENGTH)
        if value is not None:
            return int(value)
        if self._compressed_body is not None:
            return len(self._compressed_body)
        body = self._body
        if isinstance(body, payload.Payload):
            return None
        return len(body) if body is not None else 0

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        raise RuntimeError("Content length is set automatically")

    async def write_eof(self, data: bytes = b"") -> None:
        if self._eof_sent:
            return
        assert not data, f"data arg is not supported, got {data!r}"
        writer = self._payload_writer
        assert writer is not None
        body = self._body if self._compressed_body is None else self._compressed_body
        if isinstance(body, payload.Payload) and not self._must_be_empty_body:
            try:
                await body.write(writer)
            finally:
                await body.close()
            if writer.end(b""):
                await writer.drain()
            self._ended(writer)
        elif self._end_now():
            await writer.drain()

    def _end_now(self) -> bool:
        """``write_eof`` of a bytes body, synchronously; True when the caller should drain
        the writer (which this call already detached from the response)."""
        writer = self._payload_writer
        assert writer is not None
        body = self._body if self._compressed_body is None else self._compressed_body
        if body is None or self._must_be_empty_body:
            body = b""
        drain = writer.end(body)
        self._ended(writer)
        return drain

    def _prepare_body(self, request: BaseRequest) -> None:
        headers = self._headers
        if hdrs.CONTENT_LENGTH in headers:
            if should_remove_content_length(request._method, self._status):
                del headers[hdrs.CONTENT_LENGTH]
        elif not self._chunked:
            body = self._body
            if isinstance(body, payload.Payload):
                size = body.size
                if size is not None:
                    headers[hdrs.CONTENT_LENGTH] = str(size)
            else:
                length = len(body) if body else 0
                # RFC 9110 §8.6: a HEAD or 304 answer without a body says nothing of its length.
                if length or (self._status != 304 and request._method != hdrs.METH_HEAD):
                    headers[hdrs.CONTENT_LENGTH] = str(length)

    async def _do_start_compression(self, coding: ContentCoding) -> None:
        if self._chunked or isinstance(self._body, payload.Payload):
            return await super()._do_start_compression(coding)
        if coding is ContentCoding.identity:
            return
        body = bytes(self._body or b"")
        if len(body) > self._zlib_executor_size:
            loop = asyncio.get_running_loop()
            compressed = await loop.run_in_executor(
                self._zlib_executor, _compress, coding.value, body, self._compression_strategy)
        else:
            compressed = _compress(coding.value, body, self._compression_strategy)
        self._compressed_body = compressed
        self._headers[hdrs.CONTENT_ENCODING] = coding.value
        self._headers[hdrs.CONTENT_LENGTH] = str(len(compressed))


def json_response(data: Any = sentinel, *, text: str | None = None, body: bytes | None = None,
                  status: int = 200, reason: str | None = None, headers: Any = None,
                  content_type: str = "application/json",
                  dumps: Callable[[Any], str] = json.dumps) -> Response:
    """A Response whose body is ``dumps(data)`` (or the given text / body)."""
    if data is not sentinel:
        if text or body:
            raise ValueError("only one of data, text, or body should be specified")
        text = dumps(data)
    return Response(text=text, body=body, status=status, reason=reason, headers=headers,
                    content_type=content_type)


def json_bytes_response(data: Any = sentinel, *, dumps: Callable[[Any], bytes],
                        body: bytes | None = None, status: int = 200, reason: str | None = None,
                        headers: Any = None, content_type: str = "application/json") -> Response:
    """Like ``json_response`` for an encoder that returns bytes (orjson and the like)."""
    if data is not sentinel:
        if body is not None:
            raise ValueError("only one of data or body should be specified")
        body = dumps(data)
    return Response(body=body, status=status, reason=reason, headers=headers,
                    content_type=content_type)
