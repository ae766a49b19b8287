"""Request bodies: one Payload class per kind of value, chosen by ``get_payload``.

A Payload knows its ``size`` (None → the request is sent chunked), its
``content_type`` and extra ``headers``, and writes itself through ``await
writer.write(chunk)``.  Files are read in bounded chunks off the event loop, so a
1 GiB upload never sits in memory; the writer's drain applies back-pressure.
"""

from __future__ import annotations

import asyncio
import io
import json
import mimetypes
import os
import re
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Any, Final
from urllib.parse import quote

from multidict import CIMultiDict

from .. import hdrs

__all__ = (
    "PAYLOAD_REGISTRY",
    "get_payload",
    "payload_type",
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
    "StreamReaderPayload",
    "content_disposition_header",
)

READ_SIZE: Final = 2**16  # one file read; bounded memory per in-flight upload
_SENTINEL: Final = object()


class LookupError(Exception):  # noqa: A001 - aiohttp's name for "no payload for this type"
    """No Payload class accepts this value."""


# RFC 9110 token characters; RFC 5322 quoted-string content (7-bit, printable or HTAB).
_TOKEN: Final = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_QCONTENT: Final = frozenset(chr(i) for i in range(0x20, 0x7F)) | {"\t"}
_NOT_QTEXT: Final = re.compile(r"[^\041\043-\133\135-\176]")


def _backslashed(match: re.Match[str]) -> str:
    return "\\" + match.group(0)


def content_disposition_header(
    disptype: str, quote_fields: bool = True, _charset: str = "utf-8", **params: str
) -> str:
    """``disptype; key="value"; ...`` as aiohttp writes MIME Content-Disposition (RFC 7578).

    With ``quote_fields``: a file name is %-quoted; other values become a quoted-string
    (backslash before what is not qtext), or ``key*=charset''%-quoted`` (RFC 2231) when they
    are not 7-bit.  Without it values are only backslash-escaped (CR, LF and NUL refused).
    """
    if not disptype or not _TOKEN.issuperset(disptype):
        raise ValueError(f"bad content disposition type {disptype!r}")
    parts = [disptype]
    for key, val in params.items():
        if not key or not _TOKEN.issuperset(key):
            raise ValueError(f"bad content disposition parameter {key!r}={val!r}")
        if not quote_fields:
            if any(c in val for c in "\r\n\x00"):
                raise ValueError(f"bad content disposition parameter {key!r}={val!r}")
            text = val.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'{key}="{text}"')
        elif key.lower() == "filename":
            parts.append(f'{key}="{quote(val, "", encoding=_charset)}"')
        elif _QCONTENT.issuperset(val):
            parts.append(f'{key}="{_NOT_QTEXT.sub(_backslashed, val)}"')
        else:
            parts.append(f"{key}*={_charset}''{quote(val, '', encoding=_charset)}")
    return "; ".join(parts)


class Payload:
    """Base of every request body kind."""

    _default_content_type: str = "application/octet-stream"
    _size: int | None = None

    def __init__(
        self,
        value: Any,
        headers: CIMultiDict[str] | dict[str, str] | Iterable[tuple[str, str]] | None = None,
        content_type: Any = _SENTINEL,
        filename: str | None = None,
        encoding: str | None = None,
        **kwargs: Any,
    ) -> None:
        self._value = value
        self._encoding = encoding
        self._filename = filename
        self._headers: CIMultiDict[str] = CIMultiDict()
        self._consumed = False
        if headers is not None:
            self._headers.update(headers)
        if content_type is not _SENTINEL and content_type is not None:
            self._headers[hdrs.CONTENT_TYPE] = content_type
        elif hdrs.CONTENT_TYPE not in self._headers:
            guessed = mimetypes.guess_type(filename)[0] if filename else None
            self._headers[hdrs.CONTENT_TYPE] = guessed or self._default_content_type

    @property
    def size(self) -> int | None:
        """Bytes the body will have, or None when unknown (sent chunked)."""
        return self._size

    @property
    def filename(self) -> str | None:
        return self._filename

    @property
    def headers(self) -> CIMultiDict[str]:
        return self._headers

    @property
    def encoding(self) -> str | None:
        return self._encoding

    @property
    def content_type(self) -> str:
        return self._headers[hdrs.CONTENT_TYPE]

    @property
    def consumed(self) -> bool:
        return self._consumed

    @property
    def autoclose(self) -> bool:
        return False

    def set_content_disposition(self, disptype: str, quote_fields: bool = True, _charset: str = "utf-8",
                                **params: str) -> None:
        self._headers[hdrs.CONTENT_DISPOSITION] = content_disposition_header(
            disptype, quote_fields=quote_fields, _charset=_charset, **params
        )

    async def write(self, writer: Any) -> None:
        raise NotImplementedError

    async def write_with_length(self, writer: Any, content_length: int | None) -> None:
        """Write at most ``content_length`` bytes (all when None)."""
        if content_length is None:
            await self.write(writer)
            return
        limited = _LimitedWriter(writer, content_length)
        await self.write(limited)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        collect = _Collector()
        await self.write(collect)
        return b"".join(collect.parts)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError(f"{type(self).__name__} cannot be decoded synchronously")

    async def close(self) -> None:
        self._consumed = True


class _Collector:
    """A writer that keeps what it is given (for ``as_bytes``)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    async def write(self, chunk: bytes) -> None:
        self.parts.append(bytes(chunk))


class _LimitedWriter:
    def __init__(self, writer: Any, limit: int) -> None:
        self._writer = writer
        self._left = limit

    async def write(self, chunk: bytes) -> None:
        if self._left <= 0:
            return
        data: bytes | memoryview = chunk
        if len(chunk) > self._left:
            data = memoryview(chunk)[: self._left]
        self._left -= len(data)
        await self._writer.write(data)


class BytesPayload(Payload):
    """bytes, bytearray or memoryview, sent as is."""

    def __init__(self, value: bytes | bytearray | memoryview, *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"value argument must be byte-ish, not {type(value)!r}")
        super().__init__(value, *args, **kwargs)
        self._size = value.nbytes if isinstance(value, memoryview) else len(value)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return bytes(self._value).decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return bytes(self._value)

    async def write(self, writer: Any) -> None:
        await writer.write(self._value)


class StringPayload(BytesPayload):
    """str, encoded with the charset of its Content-Type (utf-8 by default)."""

    def __init__(self, value: str, *args: Any, encoding: str | None = None,
                 content_type: str | None = None, **kwargs: Any) -> None:
        if encoding is None:
            if content_type is None:
                encoding = "utf-8"
                content_type = "text/plain; charset=utf-8"
            else:
                from .helpers import parse_content_type

                encoding = parse_content_type(content_type)[1].get("charset", "utf-8")
        elif content_type is None:
            content_type = f"text/plain; charset={encoding}"
        super().__init__(value.encode(encoding), *args, encoding=encoding, content_type=content_type, **kwargs)


class StringIOPayload(StringPayload):
    def __init__(self, value: io.StringIO, *args: Any, **kwargs: Any) -> None:
        super().__init__(value.read(), *args, **kwargs)


class IOBasePayload(Payload):
    """A binary file object: read in READ_SIZE chunks in the default executor."""

    _mode = "binary"

    def __init__(self, value: Any, disposition: str = "attachment", *args: Any, **kwargs: Any) -> None:
        if "filename" not in kwargs:
            name = getattr(value, "name", None)
            kwargs["filename"] = os.path.basename(name) if isinstance(name, str) else None
        super().__init__(value, *args, **kwargs)
        if self._filename is not None and disposition is not None:
            if hdrs.CONTENT_DISPOSITION not in self._headers:
                self.set_content_disposition(disposition, filename=self._filename)
        self._size = self._remaining_size()

    def _remaining_size(self) -> int | None:
        try:
            position: int = self._value.tell()
            return os.fstat(self._value.fileno()).st_size - position
        except (AttributeError, OSError, ValueError):
            return None

    def _read(self) -> bytes:
        data: bytes = self._value.read(READ_SIZE)
        return data

    async def write(self, writer: Any) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                chunk = await loop.run_in_executor(None, self._read)
                if not chunk:
                    break
                await writer.write(chunk)
        finally:
            await loop.run_in_executor(None, self._value.close)
            self._consumed = True

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return "".join(r.decode(encoding, errors) if isinstance(r, bytes) else r for r in self._value.readlines())


class TextIOPayload(IOBasePayload):
    """A text file object: its text re-encoded chunk by chunk."""

    def __init__(self, value: Any, *args: Any, encoding: str | None = None,
                 content_type: str | None = None, **kwargs: Any) -> None:
        if encoding is None:
            if content_type is None:
                encoding = "utf-8"
            else:
                from .helpers import parse_content_type

                encoding = parse_content_type(content_type)[1].get("charset", "utf-8")
        if content_type is None:
            content_type = f"text/plain; charset={encoding}"
        super().__init__(value, *args, content_type=content_type, encoding=encoding, **kwargs)

    def _remaining_size(self) -> int | None:
        return None  # characters are not bytes: unknown until encoded

    def _read(self) -> bytes:
        text: str = self._value.read(READ_SIZE)
        return text.encode(self._encoding or "utf-8")


class BytesIOPayload(IOBasePayload):
    def _remaining_size(self) -> int | None:
        position: int = self._value.tell()
        return len(self._value.getbuffer()) - position


class BufferedReaderPayload(IOBasePayload):
    pass


class JsonPayload(BytesPayload):
    """A value serialised with ``dumps`` (json.dumps by default)."""

    def __init__(self, value: Any, encoding: str = "utf-8", content_type: str = "application/json",
                 dumps: Callable[[Any], str] = json.dumps, *args: Any, **kwargs: Any) -> None:
        super().__init__(dumps(value).encode(encoding), content_type=content_type, encoding=encoding,
                         *args, **kwargs)


class AsyncIterablePayload(Payload):
    """An async iterable of bytes (async generators included): size unknown, sent chunked."""

    def __init__(self, value: AsyncIterable[bytes], *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, AsyncIterable):
            raise TypeError(f"value argument must support collections.abc.AsyncIterable, got {type(value)!r}")
        kwargs.setdefault("content_type", "application/octet-stream")
        super().__init__(value, *args, **kwargs)
        self._iter = value.__aiter__()

    async def write(self, writer: Any) -> None:
        if self._consumed:
            return
        try:
            async for chunk in self._iter:
                if chunk:
                    await writer.write(chunk)
        finally:
            self._consumed = True


class StreamReaderPayload(AsyncIterablePayload):
    """Another response's ``content`` piped through as it arrives."""

    def __init__(self, value: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(value.iter_any(), *args, **kwargs)


class PayloadRegistry:
    """Payload classes by the value types they accept; first match wins, in order."""

    def __init__(self) -> None:
        self._first: list[tuple[type[Payload], Any]] = []
        self._normal: list[tuple[type[Payload], Any]] = []
        self._last: list[tuple[type[Payload], Any]] = []

    def get(self, data: Any, *args: Any, **kwargs: Any) -> Payload:
        if isinstance(data, Payload):
            return data
        for factory, kind in (*self._first, *self._normal, *self._last):
            if isinstance(data, kind):
                return factory(data, *args, **kwargs)
        raise LookupError()

    def register(self, factory: type[Payload], kind: Any, *, order: str = "normal") -> None:
        {"try_first": self._first, "normal": self._normal, "try_last": self._last}[order].append(
            (factory, kind)
        )


PAYLOAD_REGISTRY = PayloadRegistry()


def get_payload(data: Any, *args: Any, **kwargs: Any) -> Payload:
    return PAYLOAD_REGISTRY.get(data, *args, **kwargs)


class payload_type:  # noqa: N801 - aiohttp's decorator name
    """``@payload_type(MyType)`` registers a Payload class for a value type."""

    def __init__(self, kind: Any, *, order: str = "normal") -> None:
        self.kind = kind
        self.order = order

    def __call__(self, factory: type[Payload]) -> type[Payload]:
        PAYLOAD_REGISTRY.register(factory, self.kind, order=self.order)
        return factory


def _register_defaults() -> None:
    reg = PAYLOAD_REGISTRY.register
    reg(BytesPayload, (bytes, bytearray, memoryview))
    reg(StringPayload, str)
    reg(StringIOPayload, io.StringIO)
    reg(TextIOPayload, io.TextIOBase)
    reg(BytesIOPayload, io.BytesIO)
    reg(BufferedReaderPayload, (io.BufferedReader, io.BufferedRandom))
    reg(IOBasePayload, io.IOBase)
    try:
        from .streams import StreamReader
    except ImportError:  # pragma: no cover - streams is part of the package
        pass
    else:
        reg(StreamReaderPayload, StreamReader)
    # Async iterables last: many objects are iterable but want a specific class first.
    reg(AsyncIterablePayload, AsyncIterable, order="try_last")


_register_defaults()
