"""HTTP/1.1 messages (RFC 9112), the pure-Python twin: what requests and responses share.

``MessageParser`` is the base of ``ResponseParser`` (``_http_parser_py``) and
``RequestParser`` (``_http_request_py``): one state machine, one head scanner, one set of
limits and one body-framing rule; a subclass parses its start line and turns a finished
head into its event.  ``feed(data)`` returns events: a head, body ``bytes``, then
``EndOfMessage`` (``MESSAGE_END`` when there are no trailers); ``[]`` means "need more".
After the end the parser is idle and parses the next message from what is left.

Rules shared with the compiled twin (same inputs → same events or the same error type):

* Head lines end at LF.  A line's content is the bytes before CRLF (lax: before LF,
  one CR before it dropped).  For each complete line, in order: the head so far is
  over ``max_head_size`` → LineTooLong; the content is over its limit (start line:
  ``max_line_size``, field: ``max_field_size``) → LineTooLong; a bare LF in strict mode
  → BadHttpMessage; then the start line is checked (its parser's rules) or the field
  counted (over ``max_headers`` → TooManyHeaders) and checked (InvalidHeader).
  Between feeds, an incomplete head over ``max_head_size`` or an incomplete line over
  its limit (one trailing CR not counted) → LineTooLong, so errors do not depend on
  where the input was split.  Empty lines before a start line are skipped.  Values:
  no control byte but HTAB (lax: no NUL, CR, LF; the rest as aiohttp's client).
* ``max_head_size`` defaults to the biggest head the other limits allow:
  ``max_line_size + max_headers * (max_field_size + 2) + 4``.
* Framing facts (``_http_head_py.framing``): Content-Length may appear once, 1–18
  digits; Transfer-Encoding excludes Content-Length; ``chunked`` at most once.
* The body (``_begin_body``, the one rule): chunked → the chunked decoder (``strict``
  for requests: no SP/HTAB after a chunk size, as aiohttp's server); else a
  positive Content-Length → that many bytes; else, with no Content-Length, until EOF
  where the subclass allows it; else none.  When a message ends, parsing goes on with
  the next one, unless the subclass said the connection switches protocols (then
  ``upgraded`` is True and every later byte goes to ``unparsed()``) or ends with it
  (then later bytes are dropped).
* A ParseError from ``feed()`` carries what that call had produced before it (a head,
  body pieces ...) as ``exc.events`` ([] if none): deliver them, then the error.
* A chunked body's feed puts a ``ChunkEnds`` (where the chunks whose CRLF it passed
  ended, in body payload offsets) before that feed's payload pieces, so a consumer that
  decodes the payload can cut it at the boundaries; none when no chunk ended.  A feed
  that fails does the same in ``exc.events`` (the chunks it passed before the error), so
  what a consumer sees before an error never depends on how the bytes were split.
* ``feed(b"")`` is ``feed_eof()``: ends an until-EOF body ([MESSAGE_END]); idle → [];
  a truncated head → IncompleteMessage, Content-Length body → ContentLengthError,
  chunked body → TransferEncodingError.
"""

from __future__ import annotations

from typing import Any, Final

from ._chunked_py import ChunkedDecoder
from ._http_lines_py import HeadLines
from .errors import ContentLengthError, IncompleteMessage, ParseError, TransferEncodingError
from .events import MESSAGE_END

# How this works: a small state machine (head, length body, chunked body, until-EOF
# body, upgraded, closed).  The head is gathered line by line, across feeds, by the
# HeadLines mixin (_http_lines_py.py).  Body bytes are sliced out of ``data`` (the
# ``data`` object itself when a chunk is exactly the rest of the body).

_HEAD: Final = 0
_LENGTH: Final = 1
_CHUNKED: Final = 2
_UNTIL_EOF: Final = 3
_UPGRADED: Final = 4
_CLOSED: Final = 5


class MessageParser(HeadLines):
    """Sans-IO parser of a stream of HTTP/1.x messages (a subclass knows which kind)."""

    __slots__ = (
        "_max_line", "_max_field", "_max_headers", "_max_head", "_lax", "_kind",
        "_state", "_remaining", "_chunks", "_switch", "_last", "_tail", "upgraded",
    )

    def __init__(self, kind: str, max_line_size: int, max_field_size: int, max_headers: int,
                 max_head_size: int | None, lax: bool) -> None:
        self._max_line = max_line_size
        self._max_field = max_field_size
        self._max_headers = max_headers
        if max_head_size is None:
            max_head_size = max_line_size + max_headers * (max_field_size + 2) + 4
        self._max_head = max_head_size
        self._lax = lax
        self._kind = kind
        self._state = _HEAD
        self._reset_head()
        self._remaining = 0
        self._chunks: ChunkedDecoder | None = None
        self._switch = False  # the message in progress ends HTTP on this connection
        self._last = False  # ... or the connection itself
        self._tail = bytearray()  # after an upgrade: the bytes that are not HTTP
        self.upgraded = False

    def unparsed(self) -> bytes:
        """After an upgrade: the bytes that followed the message, not parsed as HTTP."""
        return bytes(self._tail)

    def feed(self, data: bytes) -> list[Any]:
        """Parse ``data``; returns the events it completes (``b""`` means EOF)."""
        events: list[Any] = []
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
                        self._end_message(events)
                elif state == _CHUNKED:
                    decoder = self._chunks
                    assert decoder is not None
                    pieces = decoder.feed(data[pos:] if pos else data)
                    ends = decoder.chunk_ends()
                    if ends is not None:  # before the payload: see the module docstring
                        events.append(ends)
                    events.extend(pieces)  # the last is the EndOfMessage, when done
                    pos = end
                    if decoder.done:
                        data = decoder.unused()
                        pos, end = 0, len(data)
                        self._chunks = None
                        self._next_message()
                elif state == _UNTIL_EOF:
                    events.append(data[pos:] if pos else data)
                    pos = end
                elif state == _UPGRADED:
                    self._tail += data[pos:]
                    pos = end
                else:  # _CLOSED: what follows the last message is not read
                    pos = end
        except ParseError as exc:
            if self._state == _CHUNKED:  # the decoder raised: the chunks it passed first
                decoder = self._chunks
                assert decoder is not None
                ends = decoder.chunk_ends()
                if ends is not None:
                    events.append(ends)
            exc.events[:0] = events  # before the payload the chunked decoder put there
            raise
        return events

    def body_remaining(self) -> int:
        """Bytes of a Content-Length body still to come; 0 anywhere else.

        The caller may read that many straight into the body's own buffer and report
        them with ``skip_body`` instead of passing them through ``feed``.
        """
        return self._remaining if self._state == _LENGTH else 0

    def skip_body(self, n: int) -> list[Any]:
        """``n`` body bytes arrived outside ``feed``; ``[MESSAGE_END]`` if that ends the body."""
        if self._state != _LENGTH or not 0 <= n <= self._remaining:
            raise ValueError(f"skip_body({n}) does not fit the {self.body_remaining()} body bytes to come")
        self._remaining -= n
        events: list[Any] = []
        if not self._remaining:
            self._end_message(events)
        return events

    def feed_eof(self) -> list[Any]:
        """The peer closed: ends an until-EOF body, or raises if a message is cut short."""
        state = self._state
        if state == _UNTIL_EOF:
            self._state = _HEAD
            return [MESSAGE_END]
        if state == _HEAD:
            if self._start is not None or len(self._buf) > self._line_start:
                raise IncompleteMessage(f"connection closed in the middle of a {self._kind} head")
            return []
        if state == _LENGTH:
            raise ContentLengthError(
                f"connection closed with {self._remaining} bytes of the body missing"
            )
        if state == _CHUNKED:
            raise TransferEncodingError("connection closed in the middle of a chunked body")
        return []

    # -- the body-framing rule, for both kinds of message ----------------------------

    def _begin_body(self, events: list[Any], chunked: bool, length: int | None,
                    until_eof: bool) -> None:
        """After a head: chunked, else a positive length, else (no length at all) until EOF
        where allowed, else no body."""
        if chunked:
            self._chunks = ChunkedDecoder(
                max_line_size=self._max_line, max_trailers=self._max_headers,
                max_field_size=self._max_field, strict=self._kind == "request",
            )
            self._state = _CHUNKED
        elif length:
            self._remaining = length
            self._state = _LENGTH
        elif length is None and until_eof:
            self._state = _UNTIL_EOF
        else:
            events.append(MESSAGE_END)
            self._next_message()

    def _end_message(self, events: list[Any]) -> None:
        events.append(MESSAGE_END)
        self._next_message()

    def _next_message(self) -> None:
        """The message ended: the next one, or no more HTTP after a protocol switch or
        the last message of the connection."""
        if self._switch:
            self._switch = False
            self.upgraded = True
            self._state = _UPGRADED
        elif self._last:
            self._state = _CLOSED
        else:
            self._state = _HEAD


__all__ = ("MessageParser",)
