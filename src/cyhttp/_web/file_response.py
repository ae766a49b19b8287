"""FileResponse: a file from disk, with conditional requests, byte ranges and sendfile.

How this works: ``prepare`` stats and opens the file in an executor (never blocking the
loop), preferring a ``.br`` / ``.gz`` sibling the client accepts; checks the
preconditions in RFC 9110 §13.2.2's order (If-Match, If-Unmodified-Since → 412;
If-None-Match, If-Modified-Since → 304); honours one ``Range`` (206, or 416 with
``Content-Range: bytes */size``) unless If-Range is older than the file; sets ETag
(``<mtime_ns>-<size>`` in hex), Last-Modified, Accept-Ranges and a guessed Content-Type;
then sends the bytes with ``loop.sendfile`` (chunks read in an executor when the
transport cannot, or when compressing).  Missing file → 404, unreadable or not a
regular file → 403.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import os
import pathlib
import sys
from contextlib import suppress
from stat import S_ISREG
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Final

from .. import hdrs
from .helpers import ETAG_ANY, ETag, must_be_empty_body
from .stream_response import StreamResponse

if TYPE_CHECKING:
    from .request import BaseRequest
    from .writer import ResponseWriter

__all__ = ("FileResponse",)

NOSENDFILE: Final = bool(os.environ.get("AIOHTTP_NOSENDFILE") or os.environ.get("CYHTTP_NOSENDFILE"))
FALLBACK_CONTENT_TYPE: Final = "application/octet-stream"
ENCODING_EXTENSIONS: Final = MappingProxyType({".br": "br", ".gz": "gzip"})

CONTENT_TYPES: Final = mimetypes.MimeTypes()
for _ctype, _ext in {"application/gzip": ".gz", "application/x-brotli": ".br",
                     "application/x-bzip2": ".bz2", "application/x-compress": ".Z",
                     "application/x-xz": ".xz"}.items():
    CONTENT_TYPES.add_type(_ctype, _ext)
CONTENT_TYPES.encodings_map.clear()  # "x.tar.gz" is application/gzip, not a tar "encoded" gzip

_SEND, _FORBIDDEN, _PRECONDITION_FAILED, _NOT_MODIFIED = range(4)
_CLOSE_FUTURES: set[asyncio.Future[None]] = set()


def _etag_match(value: str, etags: tuple[ETag, ...], *, weak: bool) -> bool:
    if len(etags) == 1 and etags[0].value == ETAG_ANY:
        return True
    return any(etag.value == value for etag in etags if weak or not etag.is_weak)


class FileResponse(StreamResponse):
    """Send the file at ``path`` (``chunk_size`` bounds each read when not using sendfile)."""

    def __init__(self, path: str | os.PathLike[str], chunk_size: int = 256 * 1024,
                 status: int = 200, reason: str | None = None, headers: Any = None) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        self._path = pathlib.Path(path)
        self._chunk_size = chunk_size

    # -- in the executor --------------------------------------------------------------------

    def _file_and_stat(self, accept_encoding: str) -> tuple[pathlib.Path | None, os.stat_result, str | None]:
        path = self._path
        for extension, encoding in ENCODING_EXTENSIONS.items():
            if encoding not in accept_encoding:
                continue
            compressed = path.with_suffix(path.suffix + extension)
            with suppress(OSError):
                st = compressed.lstat()  # a sibling that is a symlink or special file is ignored
                if S_ISREG(st.st_mode):
                    return compressed, st, encoding
        st = path.stat()
        return (path if S_ISREG(st.st_mode) else None), st, None

    def _open_file(self, request: BaseRequest, accept_encoding: str
              ) -> tuple[int, io.BufferedReader | None, os.stat_result, str | None]:
        path, st, encoding = self._file_and_stat(accept_encoding)
        if path is None:
            return _FORBIDDEN, None, st, None
        etag = f"{st.st_mtime_ns:x}-{st.st_size:x}"
        if_match = request.if_match
        if if_match is not None and not _etag_match(etag, if_match, weak=False):
            return _PRECONDITION_FAILED, None, st, encoding
        unmodified = request.if_unmodified_since
        if unmodified is not None and if_match is None and st.st_mtime > unmodified.timestamp():
            return _PRECONDITION_FAILED, None, st, encoding
        if_none_match = request.if_none_match
        if if_none_match is not None and _etag_match(etag, if_none_match, weak=True):
            return _NOT_MODIFIED, None, st, encoding
        modified = request.if_modified_since
        if modified is not None and if_none_match is None and st.st_mtime <= modified.timestamp():
            return _NOT_MODIFIED, None, st, encoding
        fobj = path.open("rb")
        with suppress(OSError):
            st = os.stat(fobj.fileno())  # what was opened, should it have changed meanwhile
        return _SEND, fobj, st, encoding

    @staticmethod
    def _seek_and_read(fobj: IO[bytes], offset: int, size: int) -> bytes:
        fobj.seek(offset)
        return fobj.read(size)

    # -- on the loop -------------------------------------------------------------------------

    async def prepare(self, request: BaseRequest) -> ResponseWriter | None:
        loop = asyncio.get_running_loop()
        accept_encoding = request.headers.get(hdrs.ACCEPT_ENCODING, "").lower()
        try:
            result, fobj, st, encoding = await loop.run_in_executor(
                None, self._open_file, request, accept_encoding)
        except PermissionError:
            self.set_status(403)
            return await super().prepare(request)
        except OSError:  # missing (or a symlink loop on 3.13+)
            self.set_status(404)
            return await super().prepare(request)
        if result == _FORBIDDEN:
            self.set_status(403)
            return await super().prepare(request)
        if result == _PRECONDITION_FAILED:
            self.set_status(412)
            self.content_length = 0
            return await super().prepare(request)
        if result == _NOT_MODIFIED:
            self.set_status(304)
            self._length_check = False
            self.etag = f"{st.st_mtime_ns:x}-{st.st_size:x}"
            self.last_modified = st.st_mtime
            return await super().prepare(request)
        assert fobj is not None
        try:
            return await self._send_open_file(request, fobj, st, encoding)
        finally:
            # Closed in the executor, not awaited: the connection may go on meanwhile.
            future = loop.run_in_executor(None, fobj.close)
            _CLOSE_FUTURES.add(future)
            future.add_done_callback(_CLOSE_FUTURES.remove)

    async def _send_open_file(self, request: BaseRequest, fobj: io.BufferedReader,
                              st: os.stat_result, encoding: str | None) -> ResponseWriter | None:
        status = self._status
        size = st.st_size
        count = size
        start: int | None = None
        if_range = request.if_range
        if if_range is None or st.st_mtime <= if_range.timestamp():
            try:
                rng = request.http_range
            except ValueError:
                return await self._unsatisfiable(request, size)
            start, end = rng.start, rng.stop
            if start is not None:
                if start < 0 and end is None:  # a suffix: the last -start bytes
                    start = max(start + size, 0)
                    count = size - start
                else:
                    count = min(end if end is not None else size, size) - start
                if start >= size:
                    return await self._unsatisfiable(request, size)
                status = 206
                self.set_status(status)
        if hdrs.CONTENT_TYPE not in self._headers:
            guess = (CONTENT_TYPES.guess_file_type if sys.version_info >= (3, 13)  # type: ignore[attr-defined]
                     else CONTENT_TYPES.guess_type)
            self.content_type = guess(self._path)[0] or FALLBACK_CONTENT_TYPE
        if encoding:
            self._headers[hdrs.CONTENT_ENCODING] = encoding
            self._headers[hdrs.VARY] = hdrs.ACCEPT_ENCODING
            self._compression = False  # already compressed
        self.etag = f"{st.st_mtime_ns:x}-{st.st_size:x}"
        self.last_modified = st.st_mtime
        self.content_length = count
        self._headers[hdrs.ACCEPT_RANGES] = "bytes"
        if status == 206:
            assert start is not None
            self._headers[hdrs.CONTENT_RANGE] = f"bytes {start}-{start + count - 1}/{size}"
        if count == 0 or must_be_empty_body(request.method, status):
            return await super().prepare(request)
        return await self._sendfile(request, fobj, start or 0, count)

    async def _unsatisfiable(self, request: BaseRequest, size: int) -> ResponseWriter | None:
        self._headers[hdrs.CONTENT_RANGE] = f"bytes */{size}"
        self.set_status(416)
        return await super().prepare(request)

    async def _sendfile(self, request: BaseRequest, fobj: io.BufferedReader, offset: int,
                        count: int) -> ResponseWriter:
        writer = await super().prepare(request)
        assert writer is not None
        if NOSENDFILE or self.compression:
            return await self._sendfile_fallback(writer, fobj, offset, count)
        transport = request.transport
        if transport is None:
            raise ConnectionResetError("Connection lost")
        loop = asyncio.get_running_loop()
        try:
            await loop.sendfile(transport, fobj, offset, count)
        except NotImplementedError:
            return await self._sendfile_fallback(writer, fobj, offset, count)
        writer.output_size += count
        await super().write_eof()
        return writer

    async def _sendfile_fallback(self, writer: ResponseWriter, fobj: IO[bytes], offset: int,
                                 count: int) -> ResponseWriter:
        loop = asyncio.get_running_loop()
        chunk_size = self._chunk_size
        chunk = await loop.run_in_executor(None, self._seek_and_read, fobj, offset,
                                           min(chunk_size, count))
        while chunk:
            await writer.write(chunk)
            count -= len(chunk)
            if count <= 0:
                break
            chunk = await loop.run_in_executor(None, fobj.read, min(chunk_size, count))
        await writer.drain()
        return writer
