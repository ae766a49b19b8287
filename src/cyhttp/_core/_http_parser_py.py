"""HTTP/1.1 response parser (RFC 9112), the pure-Python twin: the readable reference.

``ResponseParser.feed(data)`` returns events: a ``ResponseHead``, body ``bytes``, then
``EndOfMessage`` (``MESSAGE_END`` when there are no trailers); ``[]`` means "need more".
After the end the parser is idle and parses the next response from what is left.

Rules shared with the compiled twin (same inputs → same events or the same error type):

* Head lines end at LF.  A line's content is the bytes before CRLF (lax: before LF,
  one CR before it dropped).  For each complete line, in order: the head so far is
  over ``max_head_size`` → LineTooLong; the content is over its limit (status line:
  ``max_line_size``, field: ``max_field_size``) → LineTooLong; a bare LF in strict mode
  → BadHttpMessage; then the status line is checked (BadStatusLine) or the field
  counted (over ``max_headers`` → TooManyHeaders) and checked (InvalidHeader).
  Between feeds, an incomplete head over ``max_head_size`` or an incomplete line over
  its limit (one trailing CR not counted) → LineTooLong, so errors do not depend on
  where the input was split.  Empty lines before a status line are skipped.  Values:
  no control byte but HTAB (lax: no NUL, CR, LF; the rest as aiohttp's client).
* ``max_head_size`` defaults to the biggest head the other limits allow:
  ``max_line_size + max_headers * (max_field_size + 2) + 4``.
* Framing (see ``_http_head_py.make_head``): Content-Length may appear once (even an
  identical repeat is refused, as by aiohttp's compiled parser), 1–18 digits;
  Transfer-Encoding excludes Content-Length; ``chunked`` at most once and, to frame the
  body, last; else the body runs until EOF and ``keep_alive`` is False (as after a 101
  or a CONNECT tunnel).  HEAD, CONNECT 2xx, 1xx, 204 and 304 have no body.
* 100 → the head alone (interim), parsing goes on.  Other 1xx but 101 → skipped.
  101, and a 2xx answer to CONNECT → head, MESSAGE_END, then ``upgraded`` and every
  later byte goes to ``unparsed()``.
* A ParseError from ``feed()`` carries what that call had produced before it (a head,
  body pieces ...) as ``exc.events`` ([] if none): deliver them, then the error.
* A chunked body's feed puts a ``ChunkEnds`` (where the chunks whose CRLF it passed
  ended, in body payload offsets) before that feed's payload pieces, so a consumer that
  decodes the payload can cut it at the boundaries; none when no chunk ended.
* ``feed(b"")`` is ``feed_eof()``: ends an until-EOF body ([MESSAGE_END]); idle → [];
  a truncated head → IncompleteMessage, Content-Length body → ContentLengthError,
  chunked body → TransferEncodingError.
"""

from __future__ import annotations

from typing import Final, Union

from ._chunked_py import ChunkedDecoder
from ._http_head_py import Event as HeadEvent
from ._http_head_py import ResponseHead, make_head
from ._http_lines_py import HeadLines
from .errors import (
    ContentLengthError,
    IncompleteMessage,
    ParseError,
    TransferEncodingError,
)
from .events import MESSAGE_END, ChunkEnds

Event = Union[HeadEvent, ChunkEnds]  # what feed() returns

# How this works: a small state machine (head, length body, chunked body, until-EOF
# body, upgraded).  The head is gathered line by line, across feeds, by the HeadLines
# mixin (_http_lines_py.py).  Body bytes are sliced out of ``data`` (the ``data`` object
# itself when a chunk is exactly the rest of the body).

_HEAD: Final = 0
_LENGTH: Final = 1
_CHUNKED: Final = 2
_UNTIL_EOF: Final = 3
_UPGRADED: Final = 4


class ResponseParser(HeadLines):
    """Sans-IO parser of a stream of HTTP/1.x responses."""

    __slots__ = (
        "_max_line", "_max_field", "_max_headers", "_max_head", "_read_until_eof", "_lax",
        "_method", "_state", "_remaining", "_chunks", "_tail", "upgraded",
    )

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        max_head_size: int | None = None,
        read_until_eof: bool = True,
        lax: bool = False,
    ) -> None:
        self._max_line = max_line_size
        self._max_field = max_field_size
        self._max_headers = max_headers
        if max_head_size is None:
            max_head_size = max_line_size + max_headers * (max_field_size + 2) + 4
        self._max_head = max_head_size
        self._read_until_eof = read_until_eof
        self._lax = lax
        self._method = "GET"
        self._state = _HEAD
        self._buf = bytearray()  # an unfinished head carried over between feeds
        self._scan = 0  # offset in _buf where the LF search resumes
        self._line_start = 0  # offset in _buf of the unfinished line
        self._status_line: tuple[tuple[int, int], int, str] | None = None
        self._fields: list[tuple[bytes, bytes]] = []
        self._remaining = 0
        self._chunks: ChunkedDecoder | None = None
        self._tail = bytearray()  # after an upgrade: the bytes that are not HTTP
        self.upgraded = False

    def set_method(self, method: str) -> None:
        """The method of the request whose response comes next (persists until changed)."""
        self._method = method.upper()

    def unparsed(self) -> bytes:
        """After an upgrade: the bytes that followed the head, not parsed as HTTP."""
        return bytes(self._tail)

    def feed(self, data: bytes) -> list[Event]:
        """Parse ``data``; returns the events it completes (``b""`` means EOF)."""
        events: list[Event] = []
        pos = 0
        end = len(data)
        if not end:
            return self.feed_eof()
        try:
            while pos < end:
                state = self._state
                if state == _HEAD:
                    pos = self._head(data, pos, events)
                elif state == _LENGTH:
                    remaining = self._remaining
                    if pos == 0 and end <= remaining:
                        events.append(data)  # the whole chunk is body: no copy
                        pos = end
                        remaining -= end
                    else:
                        take = min(remaining, end - pos)
                        events.append(data[pos:pos + take])
                        pos += take
                        remaining -= take
                    self._remaining = remaining
                    if remaining == 0:
                        events.append(MESSAGE_END)
                        self._state = _HEAD
                elif state == _CHUNKED:
                    decoder = self._chunks
                    assert decoder is not None
                    pieces = decoder.feed(data[pos:] if pos else data)
                    ends = decoder.chunk_ends()
                    if ends is not None:  # before the payload: see the module docstring
                        events.append(ends)
                    events.extend(pieces)
                    pos = end
                    if decoder.done:
                        data = decoder.unused()
                        pos, end = 0, len(data)
                        self._chunks = None
                        self._state = _HEAD
                elif state == _UNTIL_EOF:
                    events.append(data[pos:] if pos else data)
                    pos = end
                else:
                    self._tail += data[pos:]
                    pos = end
        except ParseError as exc:
            exc.events[:0] = events  # before any the chunked decoder put there
            raise
        return events

    def body_remaining(self) -> int:
        """Bytes of a Content-Length body still to come; 0 anywhere else.

        The caller may read that many straight into the body's own buffer and report
        them with ``skip_body`` instead of passing them through ``feed``.
        """
        return self._remaining if self._state == _LENGTH else 0

    def skip_body(self, n: int) -> list[Event]:
        """``n`` body bytes arrived outside ``feed``; ``[MESSAGE_END]`` if that ends the body."""
        if self._state != _LENGTH or not 0 <= n <= self._remaining:
            raise ValueError(f"skip_body({n}) does not fit the {self.body_remaining()} body bytes to come")
        self._remaining -= n
        if self._remaining:
            return []
        self._state = _HEAD
        return [MESSAGE_END]

    def feed_eof(self) -> list[Event]:
        """The peer closed: ends an until-EOF body, or raises if a response is cut short."""
        state = self._state
        if state == _UNTIL_EOF:
            self._state = _HEAD
            return [MESSAGE_END]
        if state == _HEAD:
            if self._status_line is not None or len(self._buf) > self._line_start:
                raise IncompleteMessage("connection closed in the middle of a response head")
            return []
        if state == _LENGTH:
            raise ContentLengthError(
                f"connection closed with {self._remaining} bytes of the body missing"
            )
        if state == _CHUNKED:
            raise TransferEncodingError("connection closed in the middle of a chunked body")
        return []

    # -- head (scanned by _http_lines_py.HeadLines._head) --------------------

    def _head_done(self, events: list[Event], status_line: tuple[tuple[int, int], int, str] | None,
                   pairs: list[tuple[str, str]], raw: tuple[tuple[bytes, bytes], ...] | None,
                   block: bytes) -> None:
        assert status_line is not None
        self._status_line = None
        self._fields = []
        self._buf = bytearray()
        self._scan = self._line_start = 0
        version, status, reason = status_line
        method = self._method
        tunnel = method == "CONNECT" and 200 <= status < 300
        no_body = status < 200 or status == 204 or status == 304 or method == "HEAD" or tunnel
        head, _ = make_head(version, status, reason, pairs, raw, block, no_body,
                            status == 101 or tunnel)
        if status < 200 and status != 101:
            if status == 100:
                events.append(head)  # the caller may be waiting to send its body
            return
        events.append(head)
        if status == 101 or tunnel:
            events.append(MESSAGE_END)
            self.upgraded = True
            self._state = _UPGRADED
        elif no_body:
            events.append(MESSAGE_END)
        elif head.chunked:
            self._chunks = ChunkedDecoder(
                max_line_size=self._max_line, max_trailers=self._max_headers,
                max_field_size=self._max_field,
            )
            self._state = _CHUNKED
        elif head.content_length is not None:
            if head.content_length:
                self._remaining = head.content_length
                self._state = _LENGTH
            else:
                events.append(MESSAGE_END)
        elif self._read_until_eof:
            self._state = _UNTIL_EOF
        else:
            events.append(MESSAGE_END)


__all__ = ("ResponseParser", "ResponseHead")
