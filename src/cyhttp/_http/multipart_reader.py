"""Reading multipart bodies: ``MultipartReader`` (aiohttp's API) over a response's stream.

``reader = MultipartReader.from_response(resp)`` then ``async for part in reader``:
each part is a ``BodyPartReader`` (multipart_part.py) or, for a ``multipart/*`` part,
a nested ``MultipartReader`` reading the same bytes.

How this works: the reader skips the preamble up to the first ``--boundary`` line,
then for each part reads its header block (each line at most ``max_field_size``
bytes, at most ``max_headers`` fields) and hands out a part reader positioned at the
part's first byte.  Asking for the next part first drains the current one; a part
leaves the input at its delimiter ``CRLF--boundary``, which is checked and consumed
here: ``--`` after it closes the body, anything but white space is an error.  A
nested reader stops right after its own closing ``--inner--``, and its parent then
skips the inner epilogue up to its own delimiter.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from .. import hdrs
from .._core.errors import InvalidHeader, TooManyHeaders
from .content_disposition import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    content_disposition_filename,
    parse_content_disposition,
)
from .helpers import parse_content_type
from .multipart_part import BodyPartReader, BodyPartReaderPayload, _Input

__all__ = (
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BodyPartReader",
    "BodyPartReaderPayload",
    "MultipartReader",
    "MultipartResponseWrapper",
    "content_disposition_filename",
    "parse_content_disposition",
)

_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_BAD_VALUE = frozenset(b"\x00\r\n")
# Fields that may appear once (the same list as aiohttp's parser): two Content-Types or
# Content-Lengths make a part ambiguous.
_SINGLETONS = frozenset({
    "content-length", "content-location", "content-range", "content-type", "etag", "host",
    "max-forwards", "server", "transfer-encoding", "user-agent",
})


class _PartIteration:
    """``async for part in reader``: the parts ``next()`` gives until it returns None."""

    async def next(self) -> MultipartReader | BodyPartReader | None:
        raise NotImplementedError

    def __aiter__(self) -> Any:
        return self

    async def __anext__(self) -> MultipartReader | BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part


class MultipartResponseWrapper(_PartIteration):
    """A MultipartReader tied to its response: the response is released at the end."""

    def __init__(self, resp: Any, stream: MultipartReader) -> None:
        self.resp = resp
        self.stream = stream

    def at_eof(self) -> bool:
        """True once the whole response body was read."""
        return bool(self.resp.content.at_eof())

    async def next(self) -> MultipartReader | BodyPartReader | None:
        item = await self.stream.next()
        if self.stream.at_eof():
            await self.release()
        return item

    async def release(self) -> None:
        """Release the connection; what is left of the body (the epilogue) is read to the void
        first, so a complete response gives its connection back to the pool."""
        content = self.resp.content
        while not content.at_eof() and await content.readany():
            pass
        await self.resp.release()


class MultipartReader(_PartIteration):
    """The parts of a ``multipart/*`` body, one after the other."""

    #: Wraps the reader made by ``from_response``.
    response_wrapper_cls = MultipartResponseWrapper
    #: Reader for nested ``multipart/*`` parts; None means ``type(self)``.
    multipart_reader_cls: type[MultipartReader] | None = None
    #: Reader for every other part.
    part_reader_cls = BodyPartReader

    def __init__(
        self,
        headers: Mapping[str, str],
        content: Any,
        *,
        client_max_size: int = sys.maxsize,
        max_field_size: int = 8190,
        max_headers: int = 128,
        max_size_error_cls: type[Exception] = ValueError,
    ) -> None:
        mimetype, params = parse_content_type(headers[hdrs.CONTENT_TYPE])
        if not mimetype.startswith("multipart/"):
            raise ValueError(f"multipart/* content type expected, got {headers[hdrs.CONTENT_TYPE]!r}")
        if "boundary" not in params:
            raise ValueError(f"boundary missed for Content-Type: {headers[hdrs.CONTENT_TYPE]}")
        boundary = params["boundary"]
        if len(boundary) > 70:
            raise ValueError(f"boundary {boundary!r} is too long (70 chars max)")
        if not boundary:
            raise ValueError("empty multipart boundary")
        self.headers = headers
        self._subtype = mimetype.partition("/")[2]
        self._boundary = b"--" + boundary.encode("utf-8")
        self._delimiter = b"\r\n" + self._boundary
        self._input = content if isinstance(content, _Input) else _Input(content)
        self._client_max_size = client_max_size
        self._max_field_size = max_field_size
        self._max_headers = max_headers
        self._max_size_error_cls = max_size_error_cls
        self._default_charset: str | None = None
        self._last_part: MultipartReader | BodyPartReader | None = None
        self._at_eof = False
        self._at_bof = True

    @classmethod
    def from_response(cls, response: Any) -> MultipartResponseWrapper:
        """A reader over ``response``'s body, releasing the response at the end."""
        return cls.response_wrapper_cls(response, cls(response.headers, response.content))

    def at_eof(self) -> bool:
        """True once the closing boundary was read."""
        return self._at_eof

    async def next(self) -> MultipartReader | BodyPartReader | None:
        """The next part (the current one is drained first), or None after the last."""
        if self._at_eof:
            return None
        await self._release_last_part()
        if self._at_bof:
            await self._read_first_boundary()
            self._at_bof = False
        else:
            await self._read_boundary()
        if self._at_eof:
            return None
        part = await self.fetch_next_part()
        # RFC 7578 §4.6: a leading "_charset_" field sets the form's default charset.
        if (self._last_part is None and self._subtype == "form-data"
                and isinstance(part, BodyPartReader)):
            _, params = parse_content_disposition(part.headers.get(hdrs.CONTENT_DISPOSITION))
            if params.get("name") == "_charset_":
                charset = bytearray()
                while not part.at_eof():
                    charset += await part.read_chunk(32)
                    if len(charset) > 31:
                        raise RuntimeError("Invalid default charset")
                self._default_charset = charset.strip().decode()
                await self._read_boundary()
                if self._at_eof:
                    return None
                part = await self.fetch_next_part()
        self._last_part = part
        return part

    async def release(self) -> None:
        """Read every remaining part to the void, up to the closing boundary."""
        while not self._at_eof:
            part = await self.next()
            if part is None:
                break
            await part.release()

    async def fetch_next_part(self) -> MultipartReader | BodyPartReader:
        """Read the next part's headers and return its reader."""
        headers, lead = await self._read_headers()
        return self._get_part_reader(headers, lead)

    def _get_part_reader(self, headers: CIMultiDictProxy[str], lead: int = 0) -> MultipartReader | BodyPartReader:
        mimetype, _ = parse_content_type(headers.get(hdrs.CONTENT_TYPE, ""))
        if mimetype.startswith("multipart/"):
            cls = self.multipart_reader_cls or type(self)
            return cls(
                headers, self._input,
                client_max_size=self._client_max_size,
                max_field_size=self._max_field_size,
                max_headers=self._max_headers,
                max_size_error_cls=self._max_size_error_cls,
            )
        return self.part_reader_cls(
            self._boundary, headers, self._input,
            subtype=self._subtype,
            default_charset=self._default_charset,
            client_max_size=self._client_max_size,
            max_size_error_cls=self._max_size_error_cls,
            _lead=lead,
        )

    # -- framing ------------------------------------------------------------------

    async def _release_last_part(self) -> None:
        part = self._last_part
        if part is None:
            return
        if not part.at_eof():
            await part.release()
        if isinstance(part, MultipartReader):
            await self._skip_to_delimiter()  # past the nested body's epilogue
        self._last_part = None

    async def _skip_to_delimiter(self) -> None:
        """Discard input up to (not including) our delimiter, scanning each byte once."""
        inp, delimiter = self._input, self._delimiter
        while True:
            idx = inp.find(delimiter)
            if idx >= 0:
                inp.skip(idx)
                return
            inp.skip(max(len(inp) - len(delimiter) + 1, 0))
            if not await inp.fill():
                raise ValueError(f"Invalid boundary: no {self._boundary!r} after a nested multipart")

    async def _read_first_boundary(self) -> None:
        """Skip the preamble: lines up to one that is ``--boundary`` (or the close)."""
        inp, boundary = self._input, self._boundary
        line_start = b"\n" + boundary
        at_line_start = True  # the body's first byte starts a line
        while True:
            if at_line_start:
                await inp.ensure(len(boundary))
                if inp.startswith(boundary):
                    inp.skip(len(boundary))
                    if await self._boundary_line_end(first=True):
                        return
                    continue  # "--boundaryX": a preamble line; the next one starts a line
            idx = inp.find(line_start)
            if idx >= 0:
                inp.skip(idx + 1)
                at_line_start = True
                continue
            at_line_start = False
            inp.skip(max(len(inp) - len(line_start) + 1, 0))
            if not await inp.fill():
                raise ValueError(f"Could not find starting boundary {boundary!r}")

    async def _read_boundary(self) -> None:
        """Consume the delimiter that ended the last part, and the rest of its line."""
        inp = self._input
        await inp.ensure(len(self._delimiter))
        if not inp.startswith(self._delimiter):
            if not len(inp) and inp.eof:
                raise ValueError(f"multipart body ended before the closing boundary {self._boundary!r}")
            got = inp.take(min(len(inp), len(self._delimiter) + 8))
            raise ValueError(f"Invalid boundary {got!r}, expected {self._boundary!r}")
        inp.skip(len(self._delimiter))
        await self._boundary_line_end(first=False)

    async def _boundary_line_end(self, *, first: bool) -> bool:
        """After ``--boundary``: ``--`` closes the body; else white space to the line end.

        Returns False for a line that only starts like a boundary, which in the preamble
        (``first``) is just another preamble line; anywhere else it is an error.
        """
        inp = self._input
        await inp.ensure(2)
        if inp.startswith(b"--"):
            inp.skip(2)  # the line end (if any) belongs to a parent, or to the epilogue
            self._at_eof = True
            return True
        rest = await inp.readline(self._max_field_size)
        if rest.strip(b" \t\r\n") == b"":
            if not rest.endswith(b"\n"):
                raise ValueError(f"multipart body ended after the boundary {self._boundary!r}")
            return True
        if first:
            return False
        raise ValueError(f"Invalid boundary {self._boundary + rest!r}, expected {self._boundary!r}")

    async def _read_headers(self) -> tuple[CIMultiDictProxy[str], int]:
        """A part's header fields, and how many bytes of its blank line are left unread."""
        inp = self._input
        headers: CIMultiDict[str] = CIMultiDict()
        count = 0
        while True:
            line = await inp.readline(self._max_field_size)
            if not line.endswith(b"\n"):
                raise ValueError("multipart body ended inside a part's headers")
            if line == b"\r\n":
                inp.skip(-2)  # may be the CRLF of an empty part's delimiter
                return CIMultiDictProxy(headers), 2
            if line == b"\n":
                return CIMultiDictProxy(headers), 0
            count += 1
            if count > self._max_headers:
                raise TooManyHeaders(f"more than {self._max_headers} header fields in a multipart part")
            name, sep, value = line.rstrip(b"\r\n").partition(b":")
            if not sep or not name or not _TOKEN.issuperset(name):
                raise InvalidHeader(f"invalid multipart header line {line[:100]!r}")
            value = value.strip(b" \t")
            if not _BAD_VALUE.isdisjoint(value):
                raise InvalidHeader(f"invalid character in multipart header {name!r}")
            key = name.decode("ascii")
            if key in headers and key.lower() in _SINGLETONS:
                raise InvalidHeader(f"duplicate {key!r} header in a multipart part")
            headers.add(key, value.decode("utf-8", "surrogateescape"))
