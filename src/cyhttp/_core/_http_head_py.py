"""Response head pieces of the pure-Python HTTP/1.1 parser: ResponseHead and its rules.

``parse_status_line`` and ``parse_field`` check one line each; ``make_head`` turns the
parsed lines into a ``ResponseHead`` and decides the framing facts the body needs.
The compiled twin (``_http_parser_c.pyx``) implements exactly these rules, in this order.
"""

from __future__ import annotations

import re
from typing import Final, Union

from multidict import CIMultiDict, CIMultiDictProxy, istr

from ._http_names import KNOWN_NAMES
from .errors import (
    BadStatusLine,
    ContentLengthError,
    InvalidHeader,
    TransferEncodingError,
)
from .events import EndOfMessage

# How this works: each rule is one anchored regular expression (the re engine is the
# fastest scanner pure Python has), applied to a line that is already split off and
# length-checked.  Framing facts come from a handful of CIMultiDict lookups afterwards.

# status-line = HTTP-version SP 3DIGIT [ SP reason ]; reason = *( HTAB / SP / VCHAR / obs-text ).
# Only HTTP/1.x is ours; a status below 100 is meaningless to the 1xx/body rules.
_STATUS: Final = re.compile(rb"HTTP/1\.([0-9]) ([1-9][0-9][0-9])(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?")
# field-line = token ":" OWS value OWS.  Strict values: no CTL but HTAB (RFC 9110 §5.5).
# Lax values (aiohttp's client): only NUL, CR and LF are refused.
_FIELD: Final = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*)")
_FIELD_LAX: Final = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\x00\r\n]*)")
# A whole block of field lines, each ending in CRLF: one C-speed pass checks them all.
_BLOCK: Final = re.compile(rb"(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00-\x08\x0a-\x1f\x7f]*\r\n)*")
_BLOCK_LAX: Final = re.compile(rb"(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00\r\n]*\r\n)*")

_KNOWN: Final[dict[str, str]] = {name: istr(name) for name in KNOWN_NAMES}
known_name: Final = _KNOWN.get  # a cached istr for a common name (see _http_names.py)

_ENCODINGS: Final = frozenset(("gzip", "deflate", "br", "zstd"))
_MAX_LENGTH_DIGITS: Final = 18  # 10**18 - 1 fits in 63 bits: no overflow anywhere


class ResponseHead:
    """One parsed response head (status line, fields, and what framing needs).

    ``raw_headers`` is built on first access from the head's field block when the
    fast path parsed it: most callers never look at it.
    """

    __slots__ = (
        "version", "status", "reason", "headers", "_raw", "_block", "content_length",
        "chunked", "keep_alive", "upgrade", "encoding",
    )

    def __init__(
        self,
        version: tuple[int, int],
        status: int,
        reason: str,
        headers: CIMultiDictProxy[str],
        raw: tuple[tuple[bytes, bytes], ...] | None,
        block: bytes,
        content_length: int | None,
        chunked: bool,
        keep_alive: bool,
        upgrade: bool,
        encoding: str | None,
    ) -> None:
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self._raw = raw
        self._block = block
        self.content_length = content_length
        self.chunked = chunked
        self.keep_alive = keep_alive
        self.upgrade = upgrade
        self.encoding = encoding

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        raw = self._raw
        if raw is None:
            raw = self._raw = tuple(raw_fields(self._block))
        return raw

    def __repr__(self) -> str:
        return (
            f"<ResponseHead HTTP/{self.version[0]}.{self.version[1]} {self.status} "
            f"{self.reason!r} headers={len(self.headers)} length={self.content_length} "
            f"chunked={self.chunked} keep_alive={self.keep_alive}>"
        )


# What the parser's feed() returns: heads, body slices and end markers, in order.
Event = Union[ResponseHead, bytes, EndOfMessage]


def match_status_line(line: bytes) -> tuple[tuple[int, int], int, str] | None:
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


def parse_status_line(line: bytes) -> tuple[tuple[int, int], int, str]:
    """Like ``match_status_line`` but BadStatusLine for a bad line."""
    parsed = match_status_line(line)
    if parsed is None:
        raise BadStatusLine(f"invalid status line {line[:100]!r}")
    return parsed


def parse_field(line: bytes, lax: bool) -> tuple[bytes, bytes]:
    """One field line → (name, value stripped of SP/HTAB); InvalidHeader otherwise."""
    m = (_FIELD_LAX if lax else _FIELD).fullmatch(line)
    if m is None:
        raise InvalidHeader(f"invalid header field {line[:100]!r}")
    return m.group(1), m.group(2).rstrip(b" \t")


def parse_block(block: bytes, lax: bool) -> list[tuple[str, str]] | None:
    """Field lines, each ending in CRLF, all valid → decoded (name, value) pairs.

    None when any line is invalid: the caller then goes line by line, which finds
    the first bad line and raises its error.
    """
    if (_BLOCK_LAX if lax else _BLOCK).fullmatch(block) is None:
        return None
    pairs: list[tuple[str, str]] = []
    if not block:
        return pairs
    append = pairs.append
    # Decoding the block once is cheaper than decoding each value; tokens are ASCII and
    # CRLF never sits inside a UTF-8 sequence, so the pieces are the same.
    known = known_name
    for line in block.decode("utf-8", "surrogateescape")[:-2].split("\r\n"):
        name, _, value = line.partition(":")
        append((known(name, name), value.strip(" \t")))
    return pairs


def raw_fields(block: bytes) -> list[tuple[bytes, bytes]]:
    """The raw (name, value) pairs of an already checked field block."""
    out: list[tuple[bytes, bytes]] = []
    if not block:
        return out
    for line in block[:-2].split(b"\r\n"):
        name, _, value = line.partition(b":")
        out.append((name, value.strip(b" \t")))
    return out


def _tokens(values: list[str]) -> list[str]:
    """Comma-separated list elements, trimmed, empties dropped, ASCII lower-cased.

    A non-ASCII element is kept as is: str.lower() could map it onto an ASCII token
    (KELVIN SIGN → 'k'), which the compiled twin's byte comparison never does.
    """
    out = []
    for value in values:
        for part in value.split(","):
            part = part.strip(" \t")
            if part:
                out.append(part.lower() if part.isascii() else part)
    return out


def make_head(
    version: tuple[int, int],
    status: int,
    reason: str,
    pairs: list[tuple[str, str]],
    raw: tuple[tuple[bytes, bytes], ...] | None,
    block: bytes,
    no_body: bool,
    switching: bool,
) -> tuple[ResponseHead, bool]:
    """Build the head; returns it and whether the body is delimited by the connection close.

    ``pairs``: decoded fields; ``raw`` the raw ones, or None to derive them from
    ``block`` when asked.  ``no_body``: the method or the status means no body at all.
    ``switching``: a 101 or a CONNECT tunnel; the connection stops carrying HTTP.
    Checks, in this order: repeated Content-Length, Content-Length digits,
    Transfer-Encoding with Content-Length, ``chunked`` twice.
    """
    md: CIMultiDict[str] = CIMultiDict(pairs)
    length: int | None = None
    lengths = md.getall("Content-Length", None)
    if lengths is not None:
        if len(lengths) > 1:
            raise ContentLengthError("repeated Content-Length")
        value = lengths[0]
        if not (0 < len(value) <= _MAX_LENGTH_DIGITS and value.isascii() and value.isdigit()):
            raise ContentLengthError(f"invalid Content-Length {value[:40]!r}")
        length = int(value)
    chunked = False
    te = md.getall("Transfer-Encoding", None)
    if te is not None:
        if length is not None:
            raise TransferEncodingError("both Transfer-Encoding and Content-Length")
        codings = _tokens(te)
        if codings.count("chunked") > 1:
            raise TransferEncodingError("chunked applied twice")
        # A last coding other than chunked: the body runs until the close (RFC 9112 §6.3).
        chunked = bool(codings) and codings[-1] == "chunked"
    close = keep = upgrade = False
    conn = md.getall("Connection", None)
    if conn is not None:
        tokens = _tokens(conn)
        close = "close" in tokens
        keep = "keep-alive" in tokens
        upgrade = "upgrade" in tokens and bool(md.get("Upgrade"))
    keep_alive = not close and (version[1] >= 1 or keep)
    until_eof = not no_body and not chunked and length is None
    if until_eof or switching:
        keep_alive = False
    encoding = md.get("Content-Encoding")
    if encoding is not None:
        encoding = encoding.lower() if encoding.isascii() else None
        if encoding not in _ENCODINGS:
            encoding = None
    head = ResponseHead(
        version, status, reason, CIMultiDictProxy(md), raw, block, length, chunked,
        keep_alive, upgrade, encoding,
    )
    return head, until_eof


def whole_head(
    data: bytes, pos: int, max_head: int, max_line: int, max_field: int, max_headers: int,
    lax: bool,
) -> tuple[tuple[tuple[int, int], int, str], list[tuple[str, str]], bytes, int] | None:
    """The common case: a whole, valid head in ``data[pos:]`` → its parts, or None.

    It searches for the blank line and checks all field lines with one regular
    expression; any doubt (a limit could be hit, a line is bad, bare LF, empty lines
    first) gives None, and the caller's line-by-line path finds the exact error.
    Returns (status line, decoded fields, field block, offset after the head).
    """
    e = data.find(b"\r\n\r\n", pos)
    if e < 0 or e + 4 - pos > max_head:
        return None
    k = data.find(b"\r\n", pos)
    if k - pos > max_line or e - k > max_field:
        return None
    status_line = match_status_line(data[pos:k])
    if status_line is None:
        return None
    block = data[k + 2:e + 2]
    pairs = parse_block(block, lax)
    if pairs is None or len(pairs) > max_headers:
        return None
    return status_line, pairs, block, e + 4
