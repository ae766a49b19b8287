"""The HTTP protocol on asyncio's own loops: reads through ``recv_into``, large bodies
straight into the response's buffer; and ``protocol_class``, which picks per loop.
"""

from __future__ import annotations

import asyncio

from .._http.flow import BufferedReadMixin, reads_buffered
from .protocol import ResponseHandler

__all__ = ("BufferedResponseHandler", "protocol_class")

# Below this many body bytes to come, reads go through the shared buffer as usual: a
# read straight into the body pays off for large bodies, not for a small tail.
_DIRECT_MIN = 1 << 16
# At most this much per read (the pure Buffer's window is a scratch array of that size).
_DIRECT_MAX = 1 << 20
# Less room than this before the high-water mark: read through the shared buffer instead
# (never a tiny or empty window: recv_into into zero bytes would look like EOF).
_DIRECT_ROOM_MIN = 1 << 14


class BufferedResponseHandler(BufferedReadMixin, ResponseHandler, asyncio.BufferedProtocol):
    """ResponseHandler reading through ``recv_into`` on asyncio's own loops (see
    ``_flow.BufferedReadMixin``: one reused buffer per thread instead of an mmap per recv).

    Inside a large enough Content-Length body, the socket reads straight into the body's
    own buffer instead (never past the body's end, so the next response's bytes still go
    through the parser): no copy out of the thread's buffer, no copy into the body's, no
    parser call per read.  ``read()`` of a 1 MiB body is then one kernel copy into the
    very bytes object it returns.
    """

    _direct = False  # the window handed out by the last get_buffer is the body's own

    def get_buffer(self, sizehint: int) -> memoryview:
        payload = self._payload
        if payload is not None and self._decoder is None and self._backlog is None and not self._upgraded:
            remaining = self._parser.body_remaining()
            if remaining >= _DIRECT_MIN:
                # Never past the body's end, nor past what flow control lets in: a slow
                # reader's buffer stays bounded by its high-water mark, as with copied reads.
                room = payload.room()
                if room >= _DIRECT_ROOM_MIN:
                    self._direct = True
                    return payload.get_write_buffer(min(remaining, room, _DIRECT_MAX))
        self._direct = False
        return BufferedReadMixin.get_buffer(self, sizehint)

    def buffer_updated(self, nbytes: int) -> None:
        if not self._direct:
            BufferedReadMixin.buffer_updated(self, nbytes)
            return
        self._direct = False
        if self._read_timeout is not None:
            self._last_read = self._loop.time()
        payload = self._payload
        if payload is None:  # failed meanwhile: nothing waits for these bytes
            return
        payload.commit(nbytes)
        if self._parser.skip_body(nbytes):
            self._end_message()


def protocol_class(loop: asyncio.AbstractEventLoop) -> type[ResponseHandler]:
    """The HTTP protocol for ``loop``: buffered reads on asyncio's loops, plain elsewhere (uvloop)."""
    return BufferedResponseHandler if reads_buffered(loop) else ResponseHandler
