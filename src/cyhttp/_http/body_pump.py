"""The HTTP/1 body pump: parser events → the current message's ``StreamReader``.

Both sides use it: the client protocol for response bodies, the server protocol for
request bodies.  How this works: a protocol feeds its parser and hands the events to
``_process``.  Body bytes go into the current message's reader, through a bounded
Content-Encoding decoder when one is active; ``ChunkEnds`` marks HTTP chunk boundaries
(cut into decoded output where a decoder runs, as aiohttp's ``readchunk`` reports them);
``EndOfMessage`` flushes the decoder and ends the reader; anything else is a head, which
the protocol handles itself (``_on_head``).

Flow control: the reader asks the protocol to pause/resume reading; while paused, a
decoder with pending output is not drained and unprocessed events wait in ``_backlog``
(``_resume_backlog`` picks them up), so a compression bomb never expands past one decoder
step beyond the reader's high-water mark.  How a broken body is named is the side's own
business: ``_body_error`` (identity here) is where the client gives it aiohttp's name.
"""

from __future__ import annotations

from typing import Any

from .._core.errors import ParseError
from .._core.events import ChunkEnds, EndOfMessage
from .compression import DecompressionError
from .streams import StreamReader

__all__ = ("BodyPump",)


class BodyPump:
    """Mixin for a connection protocol: the message body half of its receive path."""

    _payload: StreamReader | None = None
    _decoder: Any = None
    _backlog: list[Any] | None = None
    _reading_paused: bool = False
    _should_close: bool = False

    # -- what the protocol provides -------------------------------------------------------

    def _on_head(self, head: Any) -> None:
        raise NotImplementedError

    def _fail(self, exc: BaseException) -> None:
        """Bad bytes from the peer (a ParseError, a DecompressionError)."""
        raise NotImplementedError

    def _body_error(self, exc: BaseException) -> BaseException:
        """The error a body's reader gets for ``exc`` (each side names it its way)."""
        return exc

    # -- the pump ------------------------------------------------------------------------

    def _process(self, events: list[Any]) -> None:
        decoder = self._decoder
        if decoder is not None and not decoder.needs_input and self._payload is not None:
            # Output still pending from before a pause comes first.
            if not self._decode(decoder, self._payload, b""):
                self._backlog = events
                return
        for i, event in enumerate(events):
            cls = type(event)
            if cls is bytes or cls is bytearray or cls is memoryview:
                payload = self._payload
                if payload is None:
                    continue
                decoder = self._decoder
                if decoder is None:
                    payload.feed_data(event)
                elif not self._decode(decoder, payload, event):
                    self._backlog = events[i + 1:]
                    return
            elif cls is EndOfMessage:
                self._end_message()
            elif cls is ChunkEnds:
                payload = self._payload
                if payload is None:
                    continue
                if not event.ends:  # a mark from _cut_at_ends: a chunk ended here
                    payload.end_http_chunk_receiving()
                elif self._decoder is None:
                    payload.feed_chunk_ends(event.ends)
                else:
                    # Decoded: cut this feed's payload at the raw boundaries, so each
                    # chunk is decoded (and drained) before its end is marked, as aiohttp.
                    payload.begin_http_chunk_receiving()
                    self._process(_cut_at_ends(events[i + 1:], event))
                    return
            elif isinstance(event, ParseError):  # queued by connection_lost behind a backlog
                self._fail(event)
                return
            else:
                self._on_head(event)
            if self._reading_paused and self._decoder is not None and i + 1 < len(events):
                self._backlog = events[i + 1:]
                return

    def _decode(self, decoder: Any, payload: StreamReader, data: Any) -> bool:
        """Feed ``data``; False when flow control stopped the drain (resume continues)."""
        try:
            if data:
                payload.count_raw(len(data))
            out = decoder.decompress(bytes(data) if type(data) is not bytes else data)
            payload.feed_data(out)
            while not decoder.needs_input:
                if self._reading_paused:
                    return False
                payload.feed_data(decoder.decompress(b""))
        except DecompressionError as exc:
            self._fail(exc)
            return True
        return True

    def _end_message(self) -> None:
        """The message is complete: flush the decoder and end the body's stream."""
        payload = self._payload
        if payload is None:
            return
        if payload._splits is not None:
            payload.end_http_chunk_receiving()  # the last chunk's end (llhttp reports it)
        decoder = self._decoder
        if decoder is not None:
            self._decoder = None
            try:
                decoder.flush()
            except DecompressionError as exc:
                self._payload = None
                self._should_close = True
                payload.set_exception(self._body_error(exc))
                return
        self._payload = None
        payload.feed_eof()

    def _resume_backlog(self) -> bool:
        """Process what waited while paused; False if that paused reading again."""
        backlog, self._backlog = self._backlog, None
        if backlog is not None:
            self._process(backlog)
        return not self._reading_paused


_CHUNK_END = ChunkEnds(b"", 0)  # "a chunk ended here", between cut payload pieces


def _cut_at_ends(events: list[Any], ends: ChunkEnds) -> list[Any]:
    """``events`` with their payload pieces cut at ``ends`` (offsets from ``ends.base``,
    the first piece's start) and a ``_CHUNK_END`` at each boundary."""
    marks = [offset - ends.base for offset in ends.offsets()]
    out: list[Any] = []
    k = 0
    pos = 0
    for event in events:
        if type(event) is bytes and k < len(marks):
            start = 0
            size = len(event)
            while k < len(marks) and marks[k] - pos <= size:
                cut = marks[k] - pos
                if cut > start:
                    out.append(event[start:cut])
                out.append(_CHUNK_END)
                start = cut
                k += 1
            if start < size:
                out.append(event[start:] if start else event)
            pos += size
        else:  # the end of the message (or of this feed's payload): marks left go first
            while k < len(marks) and marks[k] <= pos:
                out.append(_CHUNK_END)
                k += 1
            out.append(event)
    out.extend([_CHUNK_END] * (len(marks) - k))
    return out
