"""Reading a request's body: ``read`` / ``text`` / ``json`` / ``post`` / ``multipart``.

How this works: a mixin over ``_payload`` (the shared ``StreamReader`` the server
protocol feeds, ``EMPTY_PAYLOAD`` when there is no body).  ``read()`` reads once and
caches; the body may not exceed ``client_max_size`` (413): a Content-Length above it
is refused before a byte is read, a chunked body as soon as it passes it.  ``post()``
parses urlencoded and multipart/form-data forms (files spooled to temporary files,
``client_max_fields`` bounding the number of fields).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import tempfile
from typing import IO, TYPE_CHECKING, Any, Callable, Final
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy, MultiDict, MultiDictProxy

from .. import hdrs
from .._http.multipart_part import BodyPartReader
from .._http.multipart_reader import MultipartReader
from .._http.streams import EmptyStreamReader, StreamReader
from .exceptions import HTTPRequestEntityTooLarge

__all__ = ("RequestBodyMixin", "FileField")

_FILE_SPOOL_MAX_SIZE: Final = 1024**2  # file parts above this go to disk
_READ_CHUNK: Final = 2**18


@dataclasses.dataclass(frozen=True)
class FileField:
    """A file uploaded in a multipart/form-data body (``post()``'s value for it)."""

    name: str
    filename: str
    file: IO[bytes]
    content_type: str
    headers: CIMultiDictProxy[str]


def _too_many_fields(max_fields: int) -> HTTPRequestEntityTooLarge:
    return HTTPRequestEntityTooLarge(max_fields,
                                     text=f"Maximum number of form fields {max_fields} exceeded.")


class RequestBodyMixin:
    """Body access for BaseRequest (needs ``_payload``, ``_headers``, ``_method``...)."""

    _payload: StreamReader
    _headers: CIMultiDictProxy[str]
    _method: str
    _client_max_size: int
    _client_max_fields: int
    _loop: asyncio.AbstractEventLoop
    _protocol: Any
    _post: MultiDictProxy[Any] | None = None
    _read_bytes: bytes | None = None
    POST_METHODS: set[str]

    if TYPE_CHECKING:  # HeadersMixin's properties
        @property
        def content_type(self) -> str: ...

        @property
        def charset(self) -> str | None: ...

    @property
    def content(self) -> StreamReader:
        """The body as a stream (read it incrementally)."""
        return self._payload

    @property
    def has_body(self) -> bool:
        import warnings

        warnings.warn("Deprecated, use .can_read_body #2005", DeprecationWarning, stacklevel=2)
        return not self._payload.at_eof()

    @property
    def can_read_body(self) -> bool:
        """True while some of the body is still unread."""
        return not self._payload.at_eof()

    @property
    def body_exists(self) -> bool:
        """True when the request has a body at all."""
        return type(self._payload) is not EmptyStreamReader

    async def release(self) -> None:
        """Read and drop whatever is left of the body."""
        while not self._payload.at_eof():
            await self._payload.readany()

    async def read(self) -> bytes:
        """The whole body (cached; 413 past ``client_max_size``)."""
        if self._read_bytes is not None:
            return self._read_bytes
        payload = self._payload
        max_size = self._client_max_size
        length = self._headers.get(hdrs.CONTENT_LENGTH)
        if max_size and length is not None and int(length) > max_size:
            raise HTTPRequestEntityTooLarge(max_size, actual_size=int(length))
        if length is not None or not max_size:
            body = await payload.read()
        else:
            parts = bytearray()
            while True:
                chunk = await payload.readany()
                if not chunk:
                    break
                parts += chunk
                if len(parts) > max_size:
                    raise HTTPRequestEntityTooLarge(max_size, actual_size=len(parts))
            body = bytes(parts)
        self._read_bytes = body
        return body

    async def text(self) -> str:
        """The body decoded with the Content-Type's charset (UTF-8 by default)."""
        body = await self.read()
        return body.decode(self.charset or "utf-8")

    async def json(self, *, loads: Callable[[str], Any] = json.loads) -> Any:
        """The body parsed as JSON."""
        return loads(await self.text())

    async def multipart(self) -> MultipartReader:
        """The body's parts, one at a time."""
        protocol = self._protocol
        return MultipartReader(
            self._headers, self._payload, client_max_size=self._client_max_size or 2**63,
            max_field_size=getattr(protocol, "max_field_size", 8190),
            max_headers=getattr(protocol, "max_headers", 128),
            max_size_error_cls=HTTPRequestEntityTooLarge)

    async def post(self) -> MultiDictProxy[Any]:
        """The form fields of an urlencoded or multipart/form-data body (cached)."""
        if self._post is not None:
            return self._post
        content_type = self.content_type
        if self._method not in self.POST_METHODS or content_type not in (
                "", "application/x-www-form-urlencoded", "multipart/form-data"):
            self._post = MultiDictProxy(MultiDict())
            return self._post
        if content_type == "multipart/form-data":
            out = await self._multipart_form()
        else:
            data = await self.read()
            out = MultiDict()
            if data:
                charset = self.charset or "utf-8"
                max_fields = self._client_max_fields
                try:
                    pairs = parse_qsl(data.rstrip().decode(charset), keep_blank_values=True,
                                      encoding=charset,
                                      max_num_fields=max_fields if max_fields > 0 else None)
                except ValueError:
                    raise _too_many_fields(max_fields) from None
                out.extend(pairs)
        self._post = MultiDictProxy(out)
        return self._post

    async def _multipart_form(self) -> MultiDict[Any]:
        out: MultiDict[Any] = MultiDict()
        reader = await self.multipart()
        max_size = self._client_max_size
        max_fields = self._client_max_fields
        payload = self._payload
        while (field := await reader.next()) is not None:
            if 0 < max_size < payload.total_bytes:
                raise HTTPRequestEntityTooLarge(max_size)
            if 0 < max_fields <= len(out):
                raise _too_many_fields(max_fields)
            if not isinstance(field, BodyPartReader):
                raise ValueError("To decode nested multipart you need to use custom reader")
            if field.name is None:
                raise ValueError("Multipart field missing name.")
            field_ct = field.headers.get(hdrs.CONTENT_TYPE)
            if field.filename:
                tmp: Any = tempfile.SpooledTemporaryFile(_FILE_SPOOL_MAX_SIZE)
                while chunk := await field.read_chunk(size=_READ_CHUNK):
                    if 0 < max_size < payload.total_bytes:
                        tmp.close()
                        raise HTTPRequestEntityTooLarge(max_size)
                    async for decoded in field.decode_iter(chunk):
                        tmp.write(decoded)
                tmp.seek(0)
                out.add(field.name, FileField(field.name, field.filename, tmp,
                                              field_ct or "application/octet-stream",
                                              field.headers))
                continue
            raw = bytearray()
            while chunk := await field.read_chunk():
                if 0 < max_size < payload.total_bytes:
                    raise HTTPRequestEntityTooLarge(max_size)
                raw += chunk
            value = bytearray()
            async for decoded in field.decode_iter(raw):
                value += decoded
            if field_ct is None or field_ct.startswith("text/"):
                out.add(field.name, value.decode(field.get_charset(default="utf-8")))
            else:
                out.add(field.name, value)
        return out

    def _finish(self) -> None:
        """Close the temporary files of uploaded files (after the response)."""
        if self._post is None or self.content_type != "multipart/form-data":
            return
        for value in self._post.values():
            if isinstance(value, FileField):
                value.file.close()
