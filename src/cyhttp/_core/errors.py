"""The engine's one error tree.

Every engine twin raises only these.  The session layer translates them, at one
boundary, into aiohttp's exception names.
"""

from __future__ import annotations

from typing import Any


class ParseError(Exception):
    """Base of every error the engine raises for bad input.

    ``events``: what the raising ``feed()`` had produced before the error, in order
    (a head, body pieces ...), so a caller can deliver them and then the error.  The
    response parser and the chunked decoder fill it; it is ``[]`` everywhere else.
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
        # Events the same feed() produced before the error (see the parser's docstring).
        self.events: list[Any] = []

    def __reduce__(self) -> tuple[type[ParseError], tuple[object, ...]]:  # simple pickling for subclasses
        return (type(self), self.args)


# -- HTTP/1.1 ---------------------------------------------------------------

class BadHttpMessage(ParseError):
    """Malformed HTTP message."""


class BadStatusLine(BadHttpMessage):
    """The status line is not ``HTTP/1.x NNN reason``."""


class InvalidHeader(BadHttpMessage):
    """A header field is malformed or forbidden."""


class LineTooLong(BadHttpMessage):
    """A line, a field, or the whole head is over its limit."""


class TooManyHeaders(LineTooLong):
    """More header fields than ``max_headers``."""


class ContentLengthError(BadHttpMessage):
    """Content-Length is invalid, conflicting, or the body ended early."""


class TransferEncodingError(BadHttpMessage):
    """Transfer-Encoding is invalid or the chunked framing is broken."""


class IncompleteMessage(BadHttpMessage):
    """The peer closed the connection before the message was complete."""


# -- Buffer -----------------------------------------------------------------

class BufferLimitError(ParseError):
    """A line or separator search went past its limit without a match."""


# -- WebSocket --------------------------------------------------------------

class WSProtocolError(ParseError):
    """A WebSocket protocol violation, carrying the close code to send."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.args = (code, message)
        self.code = code

    def __str__(self) -> str:
        return self.message


class WSMessageTooBig(WSProtocolError):
    """A message (or its inflated form) is over ``max_msg_size`` (close 1009)."""


class WSInvalidUTF8(WSProtocolError):
    """A text message or close reason is not valid UTF-8 (close 1007)."""


__all__ = (
    "ParseError",
    "BadHttpMessage",
    "BadStatusLine",
    "InvalidHeader",
    "LineTooLong",
    "TooManyHeaders",
    "ContentLengthError",
    "TransferEncodingError",
    "IncompleteMessage",
    "BufferLimitError",
    "WSProtocolError",
    "WSMessageTooBig",
    "WSInvalidUTF8",
)
