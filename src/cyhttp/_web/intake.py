"""Intake: what arrives on a server connection, sorted into messages (a RequestHandler mixin).

How this works: bytes go straight into the engine's ``RequestParser``; its events are
sorted here — a ``RequestHead`` queues a message with a ``StreamReader`` for its body
(``EMPTY_PAYLOAD`` without one; decoded through an ``Inflater`` when it has a
Content-Encoding), body bytes and chunk ends go to the body being received,
``EndOfMessage`` ends it.  Engine errors become HTTP here: a bad head queues an
``ErrInfo`` (answered with its status, 400, then the connection closes); a bad body
fails the body's stream with ``RequestPayloadError``.

Reading pauses for three reasons, as bits of ``_paused``: a body's stream is above its
high-water mark (the StreamReader asks); ``MAX_MSG_QUEUE_SIZE`` messages wait (resumed
when half are answered); events wait behind a decoded body that filled its stream.  In
the last two cases bytes that still arrive are stashed, parsed once the wait is over.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Final

from .._core.errors import ParseError
from .._core.events import MESSAGE_END, ChunkEnds, EndOfMessage
from .._http.flow import set_reading
from .._http.streams import EMPTY_PAYLOAD, StreamReader
from .config import ServerConfig
from .cycle import ErrInfo
from .errors import RequestPayloadError
from .inflate import Inflater, inflater_for

__all__ = ("Intake", "MAX_MSG_QUEUE_SIZE")

MAX_MSG_QUEUE_SIZE: Final = 32

_PAUSE_BODY: Final = 1   # a body's stream is above its high-water mark
_PAUSE_QUEUE: Final = 2  # too many parsed messages wait
_PAUSE_HELD: Final = 4   # events wait behind a decoded body that filled its stream
_HOLD_INPUT: Final = _PAUSE_QUEUE | _PAUSE_HELD  # bytes arriving meanwhile are stashed


class Intake:
    """Mixed into RequestHandler, which owns every attribute used here."""

    _loop: asyncio.AbstractEventLoop
    _config: ServerConfig
    _parser: Any
    _messages: deque[tuple[Any, Any]]
    _payload: Any
    _inflate: Inflater | None
    _held: list[Any] | None
    _paused: int
    _stash: bytes
    _busy: bool
    _close: bool
    _force_close: bool
    _parse_failed: bool
    _head_started: bool
    _deadline: float
    _request_count: int
    _clock: Any
    transport: asyncio.Transport | None

    def force_close(self) -> None: ...
    def _dispatch(self) -> None: ...

    def pause_reading(self) -> None:
        """A body's stream is full (called by the StreamReader)."""
        self._pause(_PAUSE_BODY)

    def resume_reading(self) -> None:
        """A body's stream has room again; decoding goes on in the next loop step (not
        inside the reader's call: it is about to park and wait for what comes)."""
        self._unpause(_PAUSE_BODY)
        if self._held is not None:
            self._loop.call_soon(self._resume_held)

    def _resume_held(self) -> None:
        held = self._held
        if held is not None and not self._force_close and (
                self._inflate is None or self._inflate.resume()):
            self._held = None
            self._unpause(_PAUSE_HELD)
            self._on_events(held)
            self._replay_stash()
            if self._messages and not self._busy:
                self._dispatch()

    def _pause(self, reason: int) -> None:
        if not self._paused:
            set_reading(self.transport, False)
        self._paused |= reason

    def _unpause(self, reason: int) -> None:
        if self._paused & reason:
            self._paused &= ~reason
            if not self._paused:
                set_reading(self.transport, True)

    def data_received(self, data: bytes) -> None:
        if self._force_close or self._parse_failed:
            return
        if self._paused & _HOLD_INPUT:
            self._stash += data
            return
        if self._payload is None and not self._head_started:
            self._head_started = True
            self._deadline = self._clock.now + self._config.header_timeout
        try:
            events = self._parser.feed(data)
        except ParseError as exc:
            self._on_events(exc.events)
            if self._held is None:
                self._on_parse_error(exc)
            else:  # after the events held back
                self._held.append(exc)
        else:
            self._on_events(events)
        if self._messages and not self._busy:
            self._dispatch()

    def _on_events(self, events: list[Any]) -> None:
        payload = self._payload
        if (payload is None and len(events) == 2 and events[1] is MESSAGE_END
                and not events[0].content_length and not events[0].chunked):
            # The usual case, a whole bodiless request: _on_head without a body.
            self._request_count += 1
            messages = self._messages
            messages.append((events[0], EMPTY_PAYLOAD))
            self._deadline = 0.0
            self._head_started = False
            if len(messages) >= MAX_MSG_QUEUE_SIZE:
                self._pause(_PAUSE_QUEUE)
            return
        inflate = self._inflate
        for i, event in enumerate(events):
            cls = type(event)
            if cls is bytes or cls is memoryview or cls is bytearray:
                if inflate is None:
                    payload.feed_data(event if cls is bytes else bytes(event))  # pyright: ignore[reportOptionalMemberAccess]  # a body follows its head
                elif not inflate.feed(event if cls is bytes else bytes(event)):
                    # The body's reader is full of decoded bytes: what follows waits.
                    self._payload = payload
                    self._held = events[i + 1:]
                    self._pause(_PAUSE_HELD)
                    return
            elif cls is EndOfMessage:
                if inflate is not None:
                    inflate.end()
                    inflate = self._inflate = None
                elif payload is not EMPTY_PAYLOAD:
                    payload.feed_eof()  # pyright: ignore[reportOptionalMemberAccess]  # an end follows its head
                payload = None
            elif cls is ChunkEnds:
                if inflate is None:
                    payload.feed_chunk_ends(event.ends)  # pyright: ignore[reportOptionalMemberAccess]  # a body follows its head
            elif isinstance(event, ParseError):  # held back behind a decoded body
                self._payload = payload
                self._on_parse_error(event)
                return
            else:
                payload = self._on_head(event)
                inflate = self._inflate
        self._payload = payload
        if payload is None and self._head_started and events:
            self._head_started = False  # the next head's clock starts with its first bytes

    def _on_head(self, head: Any) -> Any:
        self._request_count += 1
        if head.content_length or head.chunked:
            payload = StreamReader(self, self._config.read_bufsize, loop=self._loop,
                                   size_hint=head.content_length)
            encoding = head.encoding
            if encoding is not None and self._config.auto_decompress:
                self._inflate = inflater_for(encoding, payload)
            elif head.chunked:
                payload.begin_http_chunk_receiving()
        else:
            payload = EMPTY_PAYLOAD
        self._messages.append((head, payload))
        self._deadline = 0.0
        if len(self._messages) >= MAX_MSG_QUEUE_SIZE:
            self._pause(_PAUSE_QUEUE)
        return payload

    def _on_parse_error(self, exc: ParseError) -> None:
        self._parse_failed = True
        self._deadline = 0.0
        payload = self._payload
        if payload is not None:  # inside a body: its reader fails, the answer then closes
            self._payload = None
            self._inflate = None
            err = RequestPayloadError(str(exc) or type(exc).__name__)
            err.__cause__ = exc
            payload.set_exception(err)
            self._close = True
            if not self._busy and not self._messages:
                self.force_close()
            return
        self._request_count += 1
        self._messages.append((ErrInfo(exc.status, exc, exc.message or str(exc)), EMPTY_PAYLOAD))

    def _message_taken(self) -> None:
        """A queued message is being answered: refill once the queue is half empty."""
        if len(self._messages) <= MAX_MSG_QUEUE_SIZE // 2:
            self._unpause(_PAUSE_QUEUE)
            self._replay_stash()

    def _replay_stash(self) -> None:
        """Parse what arrived while input was held (never answers: a message is in hand)."""
        stash = self._stash
        if stash and not self._paused & _HOLD_INPUT:
            self._stash = b""
            self.data_received(stash)
