"""A message head, line by line across feeds: the pure twin's head scanner.

How this works: the head is searched line by line with bytes.find(b"\n"); when a feed
ends mid-head the unfinished part is kept in ``_buf`` together with the offsets where
the LF search and the current line stopped, so each byte is searched once and a 1-byte
drip of a large head costs O(n).  Complete lines are checked at once (the rules are in
``_http_message_py``'s docstring), so a parsed head never needs a second pass.  The
start line is the parser's hook (``_parse_start`` / ``_match_start``: status line or
request line); the rest is the same for both.  The compiled twin's counterpart is
``_http_lines_c.pxi``.
"""

from __future__ import annotations

from typing import Any, Callable

from ._http_head_py import decode_fields, parse_field, whole_head
from .errors import BadHttpMessage, LineTooLong, TooManyHeaders

__all__ = ("HeadLines",)


class HeadLines:
    """Mixed into MessageParser, which provides the limits; its subclasses the hooks."""

    # The scanner's own state (set up by MessageParser.__init__); the limits are the parser's.
    __slots__ = ("_buf", "_scan", "_line_start", "_start", "_fields")
    _buf: bytearray
    _scan: int
    _line_start: int
    _start: Any  # the parsed start line, None until it is in
    _fields: list[tuple[bytes, bytes]]
    _max_head: int
    _max_line: int
    _max_field: int
    _max_headers: int
    _lax: bool
    _kind: str  # "response" / "request", for messages

    # -- the hooks (plain functions, set by the subclass as staticmethods) -------

    # A non-empty start line → its parts; the start line's error otherwise.
    _parse_start: Callable[[bytes], Any]
    # A start line → its parts, or None for any doubt (the fast path's check).
    _match_start: Callable[[bytes], Any]

    def _head_done(self, events: list[Any], start: Any, pairs: list[tuple[str, str]],
                   raw: tuple[tuple[bytes, bytes], ...] | None, block: bytes) -> None:
        """The blank line is in: build the head, pick the body reader."""
        raise NotImplementedError

    # -- the scanner ------------------------------------------------------------

    def _reset_head(self) -> None:
        self._start = None
        self._fields = []
        self._buf = bytearray()
        self._scan = self._line_start = 0

    def _head(self, data: bytes, pos: int, events: list[Any]) -> int:
        """Consume head bytes from ``data[pos:]``; returns the new position."""
        if not self._buf and self._start is None:
            whole = whole_head(data, pos, self._max_head, self._max_line, self._max_field,
                               self._max_headers, self._lax, self._match_start)
            if whole is not None:
                self._head_done(events, whole[0], whole[1], None, whole[2])
                return whole[3]
        lax = self._lax
        max_head = self._max_head
        buf: bytes | bytearray
        if self._buf:
            # an over-long head shows itself within max_head + 1 bytes: take no more
            old = len(self._buf)
            self._buf += data[pos:pos + max_head + 1 - old]
            buf, base, offset = self._buf, 0, pos - old  # data index = buf index + offset
        else:
            buf, base, offset = data, pos, 0
        limit = self._max_field if self._start is not None else self._max_line
        i = base + self._scan
        start = base + self._line_start
        while True:
            lf = buf.find(b"\n", i)
            if lf < 0:
                break
            if lf + 1 - base > max_head:
                raise LineTooLong(f"{self._kind} head over {max_head} bytes")
            stop = lf - 1 if lf > start and buf[lf - 1] == 13 else lf
            if stop - start > limit:
                raise LineTooLong(f"header line over {limit} bytes")
            if stop == lf and not lax:
                raise BadHttpMessage(f"bare LF in the {self._kind} head (expected CRLF)")
            line = bytes(buf[start:stop])
            i = start = lf + 1
            if self._start is None:
                if line:
                    self._start = self._parse_start(line)
                    limit = self._max_field
            elif line:
                if len(self._fields) >= self._max_headers:
                    raise TooManyHeaders(f"more than {self._max_headers} header fields")
                self._fields.append(parse_field(line, lax))
            else:
                fields = self._fields
                parsed = self._start
                self._reset_head()
                self._head_done(events, parsed, decode_fields(fields), tuple(fields), b"")
                return start + offset
        # the head is unfinished: check its limits now so the split does not matter
        size = len(buf) - base
        if size > max_head:
            raise LineTooLong(f"{self._kind} head over {max_head} bytes")
        partial = len(buf) - start
        if partial and buf[-1] == 13:
            partial -= 1
        if partial > limit:
            raise LineTooLong(f"header line over {limit} bytes")
        if buf is data:
            self._buf = bytearray(buf[base:])
        self._scan = size
        self._line_start = start - base
        return len(buf) + offset
