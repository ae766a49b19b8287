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
    message parsers and the chunked decoder fill it; it is ``[]`` everywhere else.

    ``status``: the HTTP status a server answers a request that raised it with.  Every
    parse error is 400, as aiohttp 3.14's server answers every ``HttpProcessingError``
    (web_protocol.data_received): also for over-long lines and too many fields, where
    RFC 6585 would allow 431, and for an unsupported version, where RFC 9110 has 505.
    """

    status: int = 400

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
    """The start line is malformed: a status line that is not ``HTTP/1.x NNN reason``,
    or a request line that is not ``method SP request-target SP HTTP-version``."""


class BadHttpMethod(BadStatusLine):
    """The request method is not a token (often: TLS or other non-HTTP bytes)."""


class BadHttpVersion(BadStatusLine):
    """The request's version is not exactly ``HTTP/1.0`` or ``HTTP/1.1``."""


class InvalidURLError(BadHttpMessage):
    """The request-target holds a byte outside visible ASCII, or its form does not fit
    the method (origin, absolute, authority for CONNECT, ``*`` for OPTIONS)."""


class InvalidHeader(BadHttpMessage):
    """A header field is malformed or forbidden."""


class LineTooLong(BadHttpMessage):
    """A line, a field, or the whole head is over its limit (400, as aiohttp answers)."""


class TooManyHeaders(LineTooLong):
    """More header fields than ``max_headers``."""


class ContentLengthError(BadHttpMessage):
    """Content-Length is invalid, conflicting, or the body ended early."""


class TransferEncodingError(BadHttpMessage):
    """Transfer-Encoding is invalid or the chunked framing is broken."""


class IncompleteMessage(BadHttpMessage):
    """The peer closed the connection before the message was complete."""


# -- Writing heads ------------------------------------------------------------

class HeaderInjectionError(ValueError):
    """A head to be written holds CR, LF or NUL, or a field name is not a token.

    Not a ParseError: it is the caller's own data that is wrong, not the peer's.
    """


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
    "BadHttpMethod",
    "BadHttpVersion",
    "InvalidURLError",
    "InvalidHeader",
    "LineTooLong",
    "TooManyHeaders",
    "ContentLengthError",
    "TransferEncodingError",
    "IncompleteMessage",
    "HeaderInjectionError",
    "BufferLimitError",
    "WSProtocolError",
    "WSMessageTooBig",
    "WSInvalidUTF8",
)
