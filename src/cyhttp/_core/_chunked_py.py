"""Chunked transfer decoder (RFC 9112 §7.1): the pure-Python twin, the readable reference.

``ChunkedDecoder.feed(data)`` takes the bytes of a chunked body as they arrive and
returns the payload found in that block as few bytes objects (never empty): ``data``
itself when the block is all payload, a slice when one chunk's payload is in it, else
consecutive chunks' payloads joined into pieces of at most ``PIECE_CAP`` (64 KiB)
bytes (a single chunk's slice may be bigger; it is never split).  Then, once the last
chunk and the trailer section are complete, one ``EndOfMessage``.
Bytes fed after the end are kept for the next message (``unused()``).
``chunk_ends()`` then tells where, in payload offsets from the start of the body, the
chunks with data whose closing CRLF that feed passed ended (a ``ChunkEnds`` or None):
``readchunk()`` reports those boundaries, as aiohttp's llhttp-based parser does.

Error contract (the compiled twin raises the same types at the same points):

* every line (size line or trailer field) is the bytes before the first LF; its
  content is that without one final CR.  Content longer than the limit →
  ``LineTooLong`` (raised as soon as ``limit + 2`` bytes arrived without an LF, so the
  error does not depend on how the input was split).  No CR before the LF (bare LF) →
  ``TransferEncodingError``.
* size line: 1–16 hex digits whose value fits in 63 bits, then (unless ``strict``)
  optional SP/HTAB, then chunk extensions (RFC 9112 §7.1.1; checked, then ignored),
  each ``";" name ["=" value]`` with no whitespace anywhere: the name a token, the
  value a token or a quoted-string (qdtext, obs-text and quoted-pairs, closed).  So an
  empty extension (``2;``), a lone ``=``, an unclosed quote, a control byte, a byte
  >= 0x80 outside quotes, or SP/HTAB around ``;`` / ``=`` → ``TransferEncodingError``,
  as anything else after the digits.  This is llhttp's rule, and so aiohttp's client
  and server (its C parser): llhttp's lenient mode, which aiohttp's client uses, only
  lets SP/HTAB follow the size; ``strict=True`` (the request side, as aiohttp's server)
  refuses that too.
* chunk data must be followed by exactly CRLF, else ``TransferEncodingError``.
* trailer fields: more than ``max_trailers`` → ``TooManyHeaders``; a name that is not a
  token, a missing colon, obs-fold (leading whitespace) or a control byte in the
  value → ``InvalidHeader``.  Trailers are returned raw, value stripped of SP/HTAB.
* not a ParseError: ``feed`` of anything but exact ``bytes`` → ``TypeError``; a negative
  limit → ``ValueError``, one over ``sys.maxsize`` → ``OverflowError``.

A ParseError raised by ``feed`` carries the payload that call had decoded before the
error as ``exc.events`` (pieces as above, ``[]`` when none), and ``chunk_ends()`` then
tells where the chunks that call passed before the error ended.  After an error the
decoder is spent: ``reset()`` it (or drop it) before reuse.
"""

from __future__ import annotations

import re
import sys
from array import array
from typing import Final, Union

from .errors import (
    InvalidHeader,
    LineTooLong,
    ParseError,
    TooManyHeaders,
    TransferEncodingError,
)
from .events import MESSAGE_END, ChunkEnds, EndOfMessage

# What feed() returns: payload pieces, then at most one EndOfMessage.
ChunkEvent = Union[bytes, EndOfMessage]

# How this works: a four-state machine (size line, chunk data, CRLF after the data,
# trailer lines) walks an index over each fed block.  Chunk data is sliced straight out
# of the block and the slices of one call are joined (up to PIECE_CAP), so the consumer
# dispatches a few objects per read, not one per HTTP chunk (the protocol's per-event
# cost dominates small chunks).  A line split across feeds is gathered in ``_line``; the LF search only
# ever looks at new bytes and is bounded by the line limit, so a 1-byte drip is O(n).

_SIZE: Final = 0
_DATA: Final = 1
_DATA_END: Final = 2  # the CRLF after the chunk data
_TRAILER: Final = 3
_DONE: Final = 4

_MAX_SIZE: Final = (1 << 63) - 1
# A joined payload piece stays at most this big: larger fresh allocations come from
# glibc's mmap (page faults on every feed), which cost more than the dispatch saved.
PIECE_CAP: Final = 65536
_TOKEN: Final = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED: Final = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_EXTENSIONS: Final = rb"(?:;" + _TOKEN + rb"(?:=(?:" + _TOKEN + rb"|" + _QUOTED + rb"))?)*"
# Every branch starts with a different byte, so a failing line costs O(n).
_SIZE_LINE: Final = re.compile(rb"([0-9A-Fa-f]+)[ \t]*" + _EXTENSIONS)
_SIZE_LINE_STRICT: Final = re.compile(rb"([0-9A-Fa-f]+)" + _EXTENSIONS)
_NEXT_SIZE: Final = re.compile(rb"\r\n([0-9A-Fa-f]{1,16})\r\n")  # data end + plain size line
_FIELD: Final = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):(.*)", re.DOTALL)
_VALUE_CTL: Final = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


class ChunkedDecoder:
    """Decodes one chunked body at a time; ``reset()`` readies it for the next."""

    __slots__ = (
        "_state", "_remaining", "_cr_seen", "_line", "_trailers", "_unused", "_done",
        "_max_line_size", "_max_trailers", "_max_field_size", "_total", "_base", "_ends",
        "_size_line_re",
    )

    def __init__(self, *, max_line_size: int = 8190, max_trailers: int = 128,
                 max_field_size: int = 8190, strict: bool = False) -> None:
        for value in (max_line_size, max_trailers, max_field_size):
            if value < 0:
                raise ValueError("limits must be >= 0")
            if value > sys.maxsize:  # what the compiled twin's C integers allow
                raise OverflowError("limit too large")
        self._max_line_size = max_line_size
        self._max_trailers = max_trailers
        self._max_field_size = max_field_size
        self._size_line_re = _SIZE_LINE_STRICT if strict else _SIZE_LINE
        self._line = bytearray()
        self._trailers: list[tuple[bytes, bytes]] = []
        self._unused: list[bytes] = []
        self._ends: list[int] = []
        self.reset()

    @property
    def done(self) -> bool:
        """True once the ``EndOfMessage`` was returned."""
        return self._done

    def reset(self) -> None:
        """Forget the current message: ready to decode the next one."""
        self._state = _SIZE
        self._remaining = 0
        self._cr_seen = False
        self._line.clear()
        self._trailers.clear()
        self._unused.clear()
        self._done = False
        self._total = self._base = 0  # payload bytes of this body so far / before this feed
        self._ends.clear()

    def chunk_ends(self) -> ChunkEnds | None:
        """Where chunks with data ended during the last ``feed`` (None if nowhere)."""
        if not self._ends:
            return None
        return ChunkEnds(array("q", self._ends).tobytes(), self._base)

    def unused(self) -> bytes:
        """The bytes fed after the end of the message (they belong to the next one)."""
        if len(self._unused) > 1:
            self._unused[:] = [b"".join(self._unused)]
        return self._unused[0] if self._unused else b""

    def feed(self, data: bytes) -> list[ChunkEvent]:
        """Decode ``data``: payload pieces, then ``EndOfMessage`` once at the end."""
        if data.__class__ is not bytes:  # exact, as the compiled twin's typed argument
            raise TypeError(f"data must be bytes, not {type(data).__name__}")
        out: list[ChunkEvent] = []  # only the EndOfMessage: payload goes to ``pieces``
        ends = self._ends
        ends.clear()
        self._base = self._total
        pieces: list[bytes] = []
        pos = 0
        end = len(data)
        # The fast path reads "CRLF size CRLF" in one regex step; a plain size line is at
        # most 16 bytes, so it is only taken when such a line cannot be over the limit.
        fast = _NEXT_SIZE.match if self._max_line_size >= 16 else None
        try:
            while pos < end:
                state = self._state
                if state == _DATA:
                    take = min(self._remaining, end - pos)
                    pieces.append(data if take == end else data[pos:pos + take])
                    pos += take
                    self._total += take
                    self._remaining -= take
                    if not self._remaining:
                        self._state = _DATA_END
                elif state == _DATA_END:
                    if not self._cr_seen:
                        if fast is not None and (match := fast(data, pos)) is not None:
                            pos = match.end()
                            ends.append(self._total)
                            self._start_chunk(match.group(1))
                            continue
                        if data[pos:pos + 2] == b"\r\n":
                            pos += 2
                            ends.append(self._total)
                            self._state = _SIZE
                            continue
                    byte = data[pos]
                    pos += 1
                    if not self._cr_seen and byte == 13:
                        self._cr_seen = True
                    elif self._cr_seen and byte == 10:
                        self._cr_seen = False
                        ends.append(self._total)
                        self._state = _SIZE
                    else:
                        raise TransferEncodingError("chunk data not followed by CRLF")
                elif state == _SIZE:
                    line, pos = self._take_line(data, pos, self._max_line_size)
                    if line is not None:
                        self._size_line(line)
                elif state == _TRAILER:
                    line, pos = self._take_line(data, pos, self._max_field_size)
                    if line is not None:
                        self._trailer_line(line, out)
                else:  # _DONE: the rest belongs to the next message
                    self._unused.append(data[pos:] if pos else data)
                    break
        except ParseError as exc:
            exc.events[:0] = _joined(pieces)
            raise
        return _joined(pieces) + out if pieces else out

    def _take_line(self, data: bytes, pos: int, limit: int) -> tuple[bytes | None, int]:
        """One line's content (CRLF removed) if complete, and the new index."""
        have = len(self._line)
        # Search only new bytes, and no further than a line could legally reach.
        lf = data.find(b"\n", pos, pos + limit + 2 - have)
        if lf < 0:
            if have + len(data) - pos >= limit + 2:
                raise LineTooLong(f"line longer than {limit} bytes")
            self._line += data[pos:]
            return None, len(data)
        if have:
            self._line += data[pos:lf]
            line = bytes(self._line)
            self._line.clear()
        else:
            line = data[pos:lf]
        if line.endswith(b"\r"):
            line = line[:-1]
            if len(line) > limit:
                raise LineTooLong(f"line longer than {limit} bytes")
        elif len(line) > limit:
            raise LineTooLong(f"line longer than {limit} bytes")
        else:
            raise TransferEncodingError("bare LF in chunked framing")
        return line, lf + 1

    def _size_line(self, line: bytes) -> None:
        match = self._size_line_re.fullmatch(line)
        if match is None:
            raise TransferEncodingError(f"invalid chunk size line {line[:40]!r}")
        self._start_chunk(match.group(1))

    def _start_chunk(self, digits: bytes) -> None:
        if len(digits) > 16 or (size := int(digits, 16)) > _MAX_SIZE:
            raise TransferEncodingError("chunk size too large")
        if size:
            self._remaining = size
            self._state = _DATA
        else:
            self._state = _TRAILER

    def _trailer_line(self, line: bytes, out: list[ChunkEvent]) -> None:
        if not line:
            self._state = _DONE
            self._done = True
            trailers = self._trailers
            out.append(EndOfMessage(tuple(trailers)) if trailers else MESSAGE_END)
            return
        if len(self._trailers) >= self._max_trailers:
            raise TooManyHeaders(f"more than {self._max_trailers} trailer fields")
        match = _FIELD.fullmatch(line)
        if match is None:
            raise InvalidHeader(f"invalid trailer field {line[:40]!r}")
        value = match.group(2).strip(b" \t")
        if _VALUE_CTL.search(value) is not None:
            raise InvalidHeader("control character in trailer value")
        self._trailers.append((match.group(1), value))


def _joined(pieces: list[bytes]) -> list[ChunkEvent]:
    """The payload of one feed: consecutive slices joined while the sum stays within
    ``PIECE_CAP`` (a lone slice is kept as is, whatever its size)."""
    if len(pieces) < 2:
        return [pieces[0]] if pieces else []
    out: list[ChunkEvent] = []
    group: list[bytes] = []
    total = 0
    for piece in pieces:
        if group and total + len(piece) > PIECE_CAP:
            out.append(group[0] if len(group) == 1 else b"".join(group))
            group, total = [], 0
        group.append(piece)
        total += len(piece)
    out.append(group[0] if len(group) == 1 else b"".join(group))
    return out


__all__ = ("PIECE_CAP", "ChunkedDecoder")
