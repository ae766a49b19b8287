"""``BodyPartReader``: one part of a multipart body being read (aiohttp's API).

``MultipartReader`` (multipart_reader.py) walks the parts and hands out these.

How this works: one ``_Input`` wraps the response's ``StreamReader`` and is shared by
the top reader, every part and every nested reader, so bytes read past a part's end are
simply left in its buffer for whoever reads next (no ``unread_data``).  A part without a
Content-Length ends at the delimiter ``CRLF--boundary``; the search remembers how far it
has already looked, so every byte is scanned once (O(n) whatever the drip pattern), and
only the last ``len(delimiter) - 1`` bytes are ever held back.  ``read_chunk`` hands out
what is known not to be delimiter as it arrives, so a part streams in bounded memory.
After a part, the reader expects ``--boundary`` then either ``--`` (the close) or
optional white space and a line end.  The blank line that ends a part's headers keeps
its CRLF in the buffer: it may be the CRLF of an empty part's delimiter (aiohttp reads
``headers CRLF CRLF --boundary`` as an empty part too).
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from collections.abc import AsyncIterator
from typing import Any, Final
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy

from .. import hdrs
from .._core.errors import LineTooLong
from .compression import decoder_for
from .content_disposition import content_disposition_filename, parse_content_disposition
from .helpers import parse_content_type
from .payload import PAYLOAD_REGISTRY, Payload

__all__ = ("BodyPartReader", "BodyPartReaderPayload")

_CRLF: Final = b"\r\n"
_READ_SIZE: Final = 2**16
_MAX_BODY_LINE: Final = 2**17  # BodyPartReader.readline(): longest line without a LF
_B64_CHARS: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_NOT_B64: Final = bytes(c for c in range(256) if c not in _B64_CHARS)


class _Input:
    """The bytes of one multipart body: a buffer with a read offset over a StreamReader."""

    __slots__ = ("_content", "buf", "pos", "eof")

    def __init__(self, content: Any) -> None:
        self._content = content
        self.buf = bytearray()
        self.pos = 0  # first unread byte of buf
        self.eof = False

    def __len__(self) -> int:
        return len(self.buf) - self.pos

    async def fill(self) -> bool:
        """Append whatever the stream has next; False at the end of the stream."""
        if self.eof:
            return False
        # read(n), not readany(): any stream with aiohttp's reader interface will do
        # (a StreamReader, an asyncio.StreamReader, a test double with read/readline).
        data = await self._content.read(_READ_SIZE)
        if not data:
            self.eof = True
            return False
        if self.pos:  # drop what was read; only a short tail is left at this point
            del self.buf[: self.pos]
            self.pos = 0
        self.buf += data
        return True

    async def ensure(self, n: int) -> bool:
        """At least ``n`` unread bytes buffered (False if the stream ends first)."""
        while len(self) < n:
            if not await self.fill():
                return False
        return True

    def find(self, sub: bytes, start: int = 0) -> int:
        """Index of ``sub`` relative to the read offset, or -1."""
        idx = self.buf.find(sub, self.pos + start)
        return idx - self.pos if idx >= 0 else -1

    def startswith(self, prefix: bytes, at: int = 0) -> bool:
        return self.buf.startswith(prefix, self.pos + at)

    def take(self, n: int) -> bytes:
        start = self.pos
        self.pos = start + n
        with memoryview(self.buf) as view:
            return bytes(view[start:start + n])

    def skip(self, n: int) -> None:
        self.pos += n

    async def readline(self, limit: int) -> bytes:
        """One line with its LF; the rest of the stream at EOF; LineTooLong past ``limit``."""
        checked = 0
        while True:
            idx = self.find(b"\n", checked)
            if idx >= 0:
                if idx + 1 > limit + 2:  # the limit is on the line, not its CRLF
                    raise LineTooLong(f"multipart line is longer than {limit} bytes")
                return self.take(idx + 1)
            checked = len(self)
            if checked > limit + 1:
                raise LineTooLong(f"multipart line is longer than {limit} bytes")
            if not await self.fill():
                return self.take(len(self))


class BodyPartReader:
    """One part of a multipart body: its ``headers`` and a stream of its bytes."""

    chunk_size = 8192

    def __init__(
        self,
        boundary: bytes,
        headers: CIMultiDictProxy[str],
        content: Any,
        *,
        subtype: str = "mixed",
        default_charset: str | None = None,
        max_decompress_size: int = 2**16,
        client_max_size: int = sys.maxsize,
        max_size_error_cls: type[Exception] = ValueError,
        _lead: int = 0,
    ) -> None:
        self.headers = headers
        self._boundary = boundary  # b"--" + the boundary
        self._delimiter = _CRLF + boundary
        self._input = content if isinstance(content, _Input) else _Input(content)
        self._default_charset = default_charset
        self._is_form_data = subtype == "form-data"
        self._at_eof = False
        # RFC 7578 §4.8: form-data parts have no meaningful Content-Length.
        length = None if self._is_form_data else headers.get(hdrs.CONTENT_LENGTH)
        if length is not None and not (length.isascii() and length.isdigit()):
            raise ValueError(f"invalid Content-Length: {length!r}")
        self._length = int(length) if length is not None else None
        self._read_bytes = 0
        self._lead = _lead  # CRLF of the header block's blank line, still in the input
        self._checked = 0  # unread bytes known not to start a delimiter
        self._b64_carry = b""
        self._max_decompress_size = max_decompress_size
        self._client_max_size = client_max_size
        self._max_size_error_cls = max_size_error_cls
        self._cache: dict[str, str | None] = {}

    def __aiter__(self) -> BodyPartReader:
        return self

    async def __anext__(self) -> bytes | bytearray:
        data = await self.next()
        if data is None:
            raise StopAsyncIteration
        return data

    async def next(self) -> bytes | bytearray | None:
        data = await self.read()
        return data or None

    def at_eof(self) -> bool:
        """True once the part's end (its closing delimiter) was reached."""
        return self._at_eof

    # -- raw bytes --------------------------------------------------------------

    async def _begin(self) -> bool:
        """Drop the lead CRLF unless it starts the delimiter (an empty part). True if ended."""
        if not self._lead:
            return False
        inp = self._input
        if self._length is None:
            await inp.ensure(len(self._delimiter))
            if inp.startswith(self._delimiter):
                self._lead = 0
                self._at_eof = True
                return True
        inp.skip(self._lead)
        self._lead = 0
        return False

    async def read(self, *, decode: bool = False) -> bytes | bytearray:
        """The rest of the part (decoded by its encodings when ``decode``)."""
        if self._at_eof:
            return b""
        data = bytearray()
        while not self._at_eof:
            data += await self.read_chunk(max(self.chunk_size, 2**16))  # fewer, larger steps
            if len(data) > self._client_max_size:
                raise self._max_size_error_cls(self._client_max_size)
        if not decode:
            return data
        out = bytearray()
        async for piece in self.decode_iter(data):
            out += piece
            if len(out) > self._client_max_size:
                raise self._max_size_error_cls(self._client_max_size)
        return out

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Up to ``size`` bytes of the part; ``b""`` once it ended.

        base64 parts are cut at quartet boundaries so each chunk decodes on its own.
        """
        if size <= 0:
            raise ValueError("size must be positive")
        if self._at_eof:
            return b""
        if self._b64_carry or self._is_base64():
            return await self._read_b64_chunk(size)
        return await self._read_raw(size)

    async def _read_raw(self, size: int) -> bytes:
        if await self._begin():
            return b""
        if self._length is not None:
            return await self._read_sized(size)
        inp, delimiter = self._input, self._delimiter
        keep = len(delimiter) - 1
        while True:
            idx = inp.find(delimiter, self._checked)
            if idx >= 0:
                n = min(idx, size)
                self._checked = idx - n
                if n == idx:
                    self._at_eof = True
                return inp.take(n)
            safe = len(inp) - keep  # bytes that cannot be the start of a delimiter
            if safe > 0:
                n = min(safe, size)
                self._checked = safe - n
                return inp.take(n)
            self._checked = max(self._checked, safe, 0)
            if not await inp.fill():
                raise ValueError("multipart body ended inside a part (no closing boundary)")

    async def _read_sized(self, size: int) -> bytes:
        assert self._length is not None
        inp = self._input
        want = min(size, self._length - self._read_bytes)
        if want and not len(inp) and not await inp.fill():
            raise ValueError("multipart body ended inside a part (Content-Length not reached)")
        data = inp.take(min(want, len(inp)))
        self._read_bytes += len(data)
        if self._read_bytes == self._length:
            # the part must end exactly here: its delimiter's CRLF comes next
            await inp.ensure(2)
            if not inp.startswith(_CRLF):
                raise ValueError("Reader did not read all the data or it is malformed")
            self._at_eof = True
        return data

    def _is_base64(self) -> bool:
        return self.headers.get(hdrs.CONTENT_TRANSFER_ENCODING, "").lower() == "base64"

    async def _read_b64_chunk(self, size: int) -> bytes:
        chunk = self._b64_carry
        self._b64_carry = b""
        while True:
            if not self._at_eof:
                chunk += await self._read_raw(max(size - len(chunk), 1))
            if self._at_eof:
                return chunk
            extra = len(chunk.translate(None, _NOT_B64)) % 4
            if not extra:
                return chunk
            cut = len(chunk)  # walk back over the incomplete quartet
            while extra:
                cut -= 1
                if chunk[cut] in _B64_CHARS:
                    extra -= 1
            if cut:
                self._b64_carry = chunk[cut:]
                return chunk[:cut]
            # not one whole quartet yet: read on

    async def readline(self) -> bytes:
        """The next line of the part; the line before the delimiter comes without its CRLF."""
        if self._at_eof or await self._begin():
            return b""
        inp, delimiter = self._input, self._delimiter
        if self._length is None:
            await inp.ensure(len(delimiter))
            if inp.startswith(delimiter):
                self._at_eof = True
                self._checked = 0
                return b""
        checked = 0
        while True:
            idx = inp.find(b"\n", checked)
            if idx >= 0:
                await inp.ensure(idx - 1 + len(delimiter))
                if idx and inp.startswith(delimiter, idx - 1):
                    line = inp.take(idx - 1)  # its CRLF belongs to the delimiter
                else:
                    line = inp.take(idx + 1)
                break
            checked = len(inp)
            if checked > _MAX_BODY_LINE:
                raise LineTooLong(f"multipart body line is longer than {_MAX_BODY_LINE} bytes")
            if not await inp.fill():
                raise ValueError("multipart body ended inside a part (no closing boundary)")
        self._checked = 0
        if self._length is not None:
            self._read_bytes += len(line)
            if self._read_bytes >= self._length:
                self._at_eof = True
        return line

    async def release(self) -> None:
        """Read the rest of the part to the void."""
        while not self._at_eof:
            await self.read_chunk(self.chunk_size)

    # -- decoded views ------------------------------------------------------------

    def get_charset(self, default: str) -> str:
        _, params = parse_content_type(self.headers.get(hdrs.CONTENT_TYPE, ""))
        return params.get("charset", self._default_charset or default)

    async def text(self, *, encoding: str | None = None) -> str:
        data = await self.read(decode=True)
        return data.decode(encoding or self.get_charset(default="utf-8"))

    async def json(self, *, encoding: str | None = None) -> Any:
        data = await self.read(decode=True)
        if not data:
            return None
        return json.loads(data.decode(encoding or self.get_charset(default="utf-8")))

    async def form(self, *, encoding: str | None = None) -> list[tuple[str, str]]:
        data = await self.read(decode=True)
        if not data:
            return []
        charset = encoding if encoding is not None else self.get_charset(default="utf-8")
        try:
            text = data.rstrip().decode(charset)
        except UnicodeDecodeError:
            raise ValueError(f"data cannot be decoded with {charset} encoding") from None
        return parse_qsl(text, keep_blank_values=True, encoding=charset)

    def _transfer_decode(self, data: bytes | bytearray) -> bytes | bytearray:
        cte = self.headers.get(hdrs.CONTENT_TRANSFER_ENCODING)
        if cte is None:
            return data
        cte = cte.lower()
        if cte == "base64":
            return base64.b64decode(data)
        if cte == "quoted-printable":
            return binascii.a2b_qp(data)
        if cte in ("binary", "8bit", "7bit"):
            return data
        raise RuntimeError(f"unknown content transfer encoding: {cte}")

    def _content_decoder(self) -> Any:
        """A bounded-step decoder for the part's Content-Encoding, or None."""
        if self._is_form_data:  # RFC 7578 §4.8: form-data parts carry no Content-Encoding
            return None
        coding = self.headers.get(hdrs.CONTENT_ENCODING, "").lower()
        if not coding or coding == "identity":
            return None
        if coding not in ("gzip", "deflate"):
            raise RuntimeError(f"unknown content encoding: {coding}")
        return decoder_for(coding, max(self._max_decompress_size, 1))

    def decode(self, data: bytes | bytearray) -> bytes | bytearray:
        """``data`` decoded by the part's Content-Transfer-Encoding and Content-Encoding."""
        data = self._transfer_decode(data)
        decoder = self._content_decoder()
        if decoder is None:
            return data
        out = bytearray(decoder.decompress(bytes(data)))
        while not decoder.needs_input:
            out += decoder.decompress(b"")
            if len(out) > self._client_max_size:
                raise self._max_size_error_cls(self._client_max_size)
        decoder.flush()
        return out

    async def decode_iter(self, data: bytes | bytearray) -> AsyncIterator[bytes | bytearray]:
        """Like ``decode``, in bounded pieces (a compressed part never inflates whole)."""
        data = self._transfer_decode(data)
        decoder = self._content_decoder()
        if decoder is None:
            yield data
            return
        piece = decoder.decompress(bytes(data))
        while True:
            if piece:
                yield piece
            if decoder.needs_input:
                break
            piece = decoder.decompress(b"")
        decoder.flush()

    # -- Content-Disposition --------------------------------------------------------

    def _disposition_param(self, key: str) -> str | None:
        if key not in self._cache:
            _, params = parse_content_disposition(self.headers.get(hdrs.CONTENT_DISPOSITION))
            self._cache[key] = content_disposition_filename(params, key)
        return self._cache[key]

    @property
    def name(self) -> str | None:
        """The ``name`` of the Content-Disposition header (None if missing or malformed)."""
        return self._disposition_param("name")

    @property
    def filename(self) -> str | None:
        """The ``filename`` of the Content-Disposition header (None if missing or malformed)."""
        return self._disposition_param("filename")


class BodyPartReaderPayload(Payload):
    """A part being read, sent on as a request body (streamed, decoded, once)."""

    def __init__(self, value: BodyPartReader, *args: Any, **kwargs: Any) -> None:
        super().__init__(value, *args, **kwargs)
        params = {}
        if value.name is not None:
            params["name"] = value.name
        if value.filename is not None:
            params["filename"] = value.filename
        if params:
            self.set_content_disposition("attachment", True, **params)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("Unable to decode.")

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        raise TypeError("Unable to read body part as bytes. Use write() to consume.")

    async def write(self, writer: Any) -> None:
        part: BodyPartReader = self._value
        self._consumed = True  # the stream is drained as it goes: nothing to replay
        while chunk := await part.read_chunk(2**16):
            async for piece in part.decode_iter(chunk):
                await writer.write(piece)


PAYLOAD_REGISTRY.register(BodyPartReaderPayload, BodyPartReader, order="try_first")
