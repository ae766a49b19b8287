"""Head pieces both pure-Python message parsers share: field lines and framing facts.

``parse_field`` checks one field line, ``parse_block`` a whole block of them at once;
``framing`` reads what the body needs from the fields (checking Content-Length and
Transfer-Encoding the same way for requests and responses); ``whole_head`` is the fast
path for a head that arrived whole.  The start lines (status line, request line) are
the parsers' own (``_http_parser_py``, ``_http_request_py``).  The compiled twin
(``_http_lines_c.pxi``, ``csrc/http_scan.h``) implements exactly these rules, in this order.
"""

from __future__ import annotations

import re
from typing import Callable, Final, TypeVar

from multidict import CIMultiDict, istr

from ._http_names import KNOWN_NAMES
from .errors import ContentLengthError, InvalidHeader, TransferEncodingError

# How this works: each rule is one anchored regular expression (the re engine is the
# fastest scanner pure Python has), applied to a line that is already split off and
# length-checked.  Framing facts come from a handful of CIMultiDict lookups afterwards.

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

Start = TypeVar("Start")  # a parsed start line (the parser's own tuple)
Fields = list[tuple[str, str]]
RawFields = tuple[tuple[bytes, bytes], ...]


class RawHeaders:
    """``raw_headers`` of a head, built on first access from the head's field block when
    the fast path parsed it: most callers never look at it."""

    __slots__ = ("_raw", "_block")

    def __init__(self, raw: RawFields | None, block: bytes) -> None:
        self._raw = raw
        self._block = block

    @property
    def raw_headers(self) -> RawFields:
        raw = self._raw
        if raw is None:
            raw = self._raw = tuple(raw_fields(self._block))
        return raw


def parse_field(line: bytes, lax: bool) -> tuple[bytes, bytes]:
    """One field line → (name, value stripped of SP/HTAB); InvalidHeader otherwise."""
    m = (_FIELD_LAX if lax else _FIELD).fullmatch(line)
    if m is None:
        raise InvalidHeader(f"invalid header field {line[:100]!r}")
    return m.group(1), m.group(2).rstrip(b" \t")


def parse_block(block: bytes, lax: bool) -> Fields | None:
    """Field lines, each ending in CRLF, all valid → decoded (name, value) pairs.

    None when any line is invalid: the caller then goes line by line, which finds
    the first bad line and raises its error.
    """
    if (_BLOCK_LAX if lax else _BLOCK).fullmatch(block) is None:
        return None
    pairs: Fields = []
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


def decode_fields(fields: list[tuple[bytes, bytes]]) -> Fields:
    """Checked raw fields (the line-by-line path) → decoded pairs."""
    return [
        (known_name(name, name), v.decode("utf-8", "surrogateescape"))
        for name, v in ((n.decode("ascii"), v) for n, v in fields)
    ]


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


def framing(
    md: CIMultiDict[str], version: tuple[int, int],
) -> tuple[int | None, bool | None, bool, bool, str | None]:
    """What the body needs, from the fields of one head.

    Returns (content length, chunked, keep-alive, upgrade, content encoding).
    ``chunked`` is None without Transfer-Encoding, else whether ``chunked`` is the last
    coding.  Checks, in this order: repeated Content-Length (even an identical repeat,
    as aiohttp's compiled parser), Content-Length digits (1–18), Transfer-Encoding with
    Content-Length, ``chunked`` twice.  ``keep_alive`` is what the Connection field and
    the version say (1.1: unless ``close``; 1.0: only with ``keep-alive``); ``upgrade``
    is Connection: upgrade with a non-empty Upgrade field.
    """
    length: int | None = None
    lengths = md.getall("Content-Length", None)
    if lengths is not None:
        if len(lengths) > 1:
            raise ContentLengthError("repeated Content-Length")
        value = lengths[0]
        if not (0 < len(value) <= _MAX_LENGTH_DIGITS and value.isascii() and value.isdigit()):
            raise ContentLengthError(f"invalid Content-Length {value[:40]!r}")
        length = int(value)
    chunked: bool | None = None
    te = md.getall("Transfer-Encoding", None)
    if te is not None:
        if length is not None:
            raise TransferEncodingError("both Transfer-Encoding and Content-Length")
        codings = _tokens(te)
        if codings.count("chunked") > 1:
            raise TransferEncodingError("chunked applied twice")
        chunked = bool(codings) and codings[-1] == "chunked"
    close = keep = upgrade = False
    conn = md.getall("Connection", None)
    if conn is not None:
        tokens = _tokens(conn)
        close = "close" in tokens
        keep = "keep-alive" in tokens
        upgrade = "upgrade" in tokens and bool(md.get("Upgrade"))
    encoding = md.get("Content-Encoding")
    if encoding is not None:
        encoding = encoding.lower() if encoding.isascii() else None
        if encoding not in _ENCODINGS:
            encoding = None
    return length, chunked, not close and (version[1] >= 1 or keep), upgrade, encoding


def whole_head(
    data: bytes, pos: int, max_head: int, max_line: int, max_field: int, max_headers: int,
    lax: bool, match_start: Callable[[bytes], Start | None],
) -> tuple[Start, Fields, bytes, int] | None:
    """The common case: a whole, valid head in ``data[pos:]`` → its parts, or None.

    It searches for the blank line and checks all field lines with one regular
    expression; any doubt (a limit could be hit, a line is bad, bare LF, empty lines
    first) gives None, and the caller's line-by-line path finds the exact error.
    ``match_start`` parses a start line, or gives None for any doubt about it.
    Returns (start line, decoded fields, field block, offset after the head).
    """
    e = data.find(b"\r\n\r\n", pos)
    if e < 0 or e + 4 - pos > max_head:
        return None
    k = data.find(b"\r\n", pos)
    if k - pos > max_line or e - k > max_field:
        return None
    start = match_start(data[pos:k])
    if start is None:
        return None
    block = data[k + 2:e + 2]
    pairs = parse_block(block, lax)
    if pairs is None or len(pairs) > max_headers:
        return None
    return start, pairs, block, e + 4
