"""HTTP/1.1 parsers (RFC 9112), the pure-Python twin: the readable reference.

This module is the twin of ``_http_parser_c``: ``ResponseParser`` lives here,
``RequestParser`` in ``_http_request_py`` (re-exported), both on the one
``MessageParser`` (``_http_message_py``, whose docstring holds the shared rules).

``ResponseParser`` rules, beyond the shared ones:

* Status line: ``HTTP/1.x SSS[ reason]``, status 100–999, reason free of controls but
  HTAB (trimmed) → else BadStatusLine.  Bare-LF heads are accepted with ``lax``.
* Framing: a last Transfer-Encoding coding other than ``chunked`` → the body runs until
  EOF (RFC 9112 §6.3); no Content-Length nor Transfer-Encoding → until EOF too (only
  ``read_until_eof``; else no body).  A body delimited by the close, a 101 and a
  CONNECT tunnel make ``keep_alive`` False.  HEAD, CONNECT 2xx, 1xx, 204 and 304 have
  no body.
* 100 → the head alone (interim), parsing goes on.  Other 1xx but 101 → skipped.
  101, and a 2xx answer to CONNECT → head, MESSAGE_END, then ``upgraded`` and every
  later byte goes to ``unparsed()``.
"""

from __future__ import annotations

import re
from typing import Final, Union

from multidict import CIMultiDict, CIMultiDictProxy

from ._http_head_py import Fields, RawFields, RawHeaders, framing
from ._http_message_py import MessageParser
from ._http_request_py import RequestHead, RequestParser
from .errors import BadStatusLine
from .events import ChunkEnds, EndOfMessage

# status-line = HTTP-version SP 3DIGIT [ SP reason ]; reason = *( HTAB / SP / VCHAR / obs-text ).
# Only HTTP/1.x is ours; a status below 100 is meaningless to the 1xx/body rules.
_STATUS: Final = re.compile(rb"HTTP/1\.([0-9]) ([1-9][0-9][0-9])(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?")

StatusLine = tuple[tuple[int, int], int, str]


class ResponseHead(RawHeaders):
    """One parsed response head (status line, fields, and what framing needs)."""

    __slots__ = (
        "version", "status", "reason", "headers", "content_length", "chunked", "keep_alive",
        "upgrade", "encoding",
    )

    def __init__(
        self,
        version: tuple[int, int],
        status: int,
        reason: str,
        headers: CIMultiDictProxy[str],
        raw: RawFields | None,
        block: bytes,
        content_length: int | None,
        chunked: bool,
        keep_alive: bool,
        upgrade: bool,
        encoding: str | None,
    ) -> None:
        self._raw = raw  # RawHeaders' (set here: a super() call costs on every head)
        self._block = block
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content_length = content_length
        self.chunked = chunked
        self.keep_alive = keep_alive
        self.upgrade = upgrade
        self.encoding = encoding

    def __repr__(self) -> str:
        return (
            f"<ResponseHead HTTP/{self.version[0]}.{self.version[1]} {self.status} "
            f"{self.reason!r} headers={len(self.headers)} length={self.content_length} "
            f"chunked={self.chunked} keep_alive={self.keep_alive}>"
        )


# What the parser's feed() returns: heads, chunk boundaries, body slices and end markers.
Event = Union[ResponseHead, ChunkEnds, bytes, EndOfMessage]


def match_status_line(line: bytes) -> StatusLine | None:
    """``HTTP/1.x SSS[ reason]`` → (version, status, reason), or None."""
    m = _STATUS.fullmatch(line)
    if m is None:
        return None
    reason = m.group(3)
    return (
        (1, line[7] - 48),
        int(m.group(2)),
        reason.strip(b" \t").decode("utf-8", "surrogateescape") if reason else "",
    )


def parse_status_line(line: bytes) -> StatusLine:
    """Like ``match_status_line``, but BadStatusLine for a bad line."""
    parsed = match_status_line(line)
    if parsed is None:
        raise BadStatusLine(f"invalid status line {line[:100]!r}")
    return parsed


class ResponseParser(MessageParser):
    """Sans-IO parser of a stream of HTTP/1.x responses."""

    __slots__ = ("_read_until_eof", "_method")

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
        super().__init__("response", max_line_size, max_field_size, max_headers,
                         max_head_size, lax)
        self._read_until_eof = read_until_eof
        self._method = "GET"

    def set_method(self, method: str) -> None:
        """The method of the request whose response comes next (persists until changed)."""
        self._method = method.upper()

    # -- the hooks (see HeadLines) ---------------------------------------------------

    _match_start = staticmethod(match_status_line)
    _parse_start = staticmethod(parse_status_line)

    def _head_done(self, events: list[Event], start: StatusLine, pairs: Fields,
                   raw: RawFields | None, block: bytes) -> None:
        version, status, reason = start
        method = self._method
        tunnel = method == "CONNECT" and 200 <= status < 300
        switching = status == 101 or tunnel
        no_body = status < 200 or status == 204 or status == 304 or method == "HEAD" or tunnel
        md: CIMultiDict[str] = CIMultiDict(pairs)
        length, te, keep_alive, upgrade, encoding = framing(md, version)
        chunked = bool(te)
        if (not no_body and not chunked and length is None) or switching:
            keep_alive = False  # the body ends with the connection, or HTTP ends here
        head = ResponseHead(version, status, reason, CIMultiDictProxy(md), raw, block, length,
                            chunked, keep_alive, upgrade, encoding)
        if status < 200 and status != 101:
            if status == 100:
                events.append(head)  # the caller may be waiting to send its body
            return
        events.append(head)
        if switching:
            self._switch = True
            self._begin_body(events, False, None, False)
        elif no_body:
            self._begin_body(events, False, None, False)
        else:
            self._begin_body(events, chunked, length, self._read_until_eof)


__all__ = ("ResponseParser", "ResponseHead", "RequestParser", "RequestHead")
