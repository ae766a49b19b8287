"""HTTP/1.1 request parser (RFC 9112 §2–§7), the pure-Python twin: strict, as a server must be.

``RequestParser`` is a ``MessageParser`` (``_http_message_py``: the shared rules, events
and limits) that reads request lines.  It is re-exported by ``_http_parser_py``, the
twin of ``_http_parser_c`` (where the compiled one lives).  Its own rules, in order:

* Request line ``method SP request-target SP HTTP-version`` (no bare LF, no obs-fold,
  fields strict, whatever the input): the bytes before the first SP (the whole line
  without one) not a non-empty token → BadHttpMethod (TLS bytes on a plain port end
  here); fewer than two SP → BadStatusLine; the bytes after the last SP not exactly
  ``HTTP/1.0`` or
  ``HTTP/1.1`` → BadHttpVersion; the target between them empty or holding a byte
  outside visible ASCII (0x21–0x7E: no whitespace, controls or bytes >= 0x80) →
  InvalidURLError.  The method is kept as sent (methods are case-sensitive).
* Target forms (InvalidURLError otherwise): CONNECT takes only authority-form
  ``host:port`` (reg-name or ``[IP-literal]``, 1–5 digit port); ``*`` only with
  OPTIONS; otherwise origin-form (starts with ``/``) or absolute-form
  (``scheme://`` and a non-empty authority).
* After the fields (the shared framing checks first): Transfer-Encoding in an
  HTTP/1.0 request, or whose last coding is not ``chunked`` → TransferEncodingError
  (a request body can never run until EOF); no Host in HTTP/1.1 → BadHttpMessage;
  more than one Host → InvalidHeader; then a repeated singleton field (RFC 9110:
  Content-Location, Content-Range, Content-Type, ETag, Max-Forwards, Server,
  Transfer-Encoding, User-Agent; the first in that order is named) → InvalidHeader,
  as aiohttp's server refuses them (two Transfer-Encoding fields are the TE.TE
  smuggling class).  The response side accepts repeats, as aiohttp's client does.
* Body: chunked, else Content-Length, else none (never until EOF); a CONNECT has none
  whatever its fields say (RFC 9110 §9.3.6: what follows its head is the tunnel's, as
  llhttp reads it).  ``keep_alive``: 1.1 unless ``Connection: close``, 1.0 only with
  ``Connection: keep-alive``.
* A request with ``upgrade`` (Connection: upgrade and an Upgrade field) or a CONNECT
  ends HTTP for now: after its MESSAGE_END the parser is ``upgraded`` and keeps later
  bytes for ``unparsed()``.  A server that accepts switches protocols with them; one
  that declines calls ``resume()``, which parses them as HTTP again.
* Else a request without ``keep_alive`` is the connection's last: nothing after it is
  parsed (later bytes are dropped; RFC 9112 §9.6: a server MUST NOT process further
  requests).  aiohttp raises "Data after Connection: close" there instead.
"""

from __future__ import annotations

import re
from typing import Final, Union

from multidict import CIMultiDict, CIMultiDictProxy, istr

from ._http_head_py import Fields, RawFields, RawHeaders, framing
from ._http_message_py import _CLOSED, _HEAD, MessageParser
from .errors import (
    BadHttpMessage,
    BadHttpMethod,
    BadHttpVersion,
    BadStatusLine,
    InvalidHeader,
    InvalidURLError,
    TransferEncodingError,
)
from .events import ChunkEnds, EndOfMessage

_TCHAR: Final = rb"!#$%&'*+\-.^_`|~0-9A-Za-z"
# The whole request line at once; on no match, _parse_start finds which part is wrong.
_REQUEST: Final = re.compile(rb"([" + _TCHAR + rb"]+) ([\x21-\x7e]+) HTTP/1\.([01])")
_METHOD: Final = re.compile(rb"[" + _TCHAR + rb"]+")
_TARGET: Final = re.compile(rb"[\x21-\x7e]+")
# Fields a request may carry once (the compiled twin: CYHTTP_SINGLETONS, same order).
_SINGLETONS: Final = ("Content-Location", "Content-Range", "Content-Type", "ETag",
                      "Max-Forwards", "Server", "Transfer-Encoding", "User-Agent")
_SINGLETON_SET: Final = frozenset(istr(name) for name in _SINGLETONS)
_SINGLETON_ORDER: Final = {name.lower(): i for i, name in enumerate(_SINGLETONS)}
# authority-form = uri-host ":" port; host: reg-name (unreserved, pct-encoded, sub-delims)
# or an IP-literal in brackets.  absolute-form: scheme "://" and an authority.
_HOST: Final = rb"A-Za-z0-9\-._~!$&'()*+,;=%"
_AUTHORITY: Final = re.compile(rb"(?:\[[" + _HOST + rb":]+\]|[" + _HOST + rb"]+):[0-9]{1,5}")
_ABSOLUTE: Final = re.compile(rb"[A-Za-z][A-Za-z0-9+\-.]*://[^/?#]")

_V10: Final = (1, 0)
_V11: Final = (1, 1)

RequestLine = tuple[str, str, tuple[int, int]]


class RequestHead(RawHeaders):
    """One parsed request head (request line, fields, and what framing needs).

    ``path`` is the raw request-target as sent (aiohttp's ``RawRequestMessage.path``).
    """

    __slots__ = (
        "method", "path", "version", "headers", "content_length", "chunked", "keep_alive",
        "upgrade", "encoding",
    )

    def __init__(
        self,
        method: str,
        path: str,
        version: tuple[int, int],
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
        self.method = method
        self.path = path
        self.version = version
        self.headers = headers
        self.content_length = content_length
        self.chunked = chunked
        self.keep_alive = keep_alive
        self.upgrade = upgrade
        self.encoding = encoding

    def __repr__(self) -> str:
        return (
            f"<RequestHead {self.method} {self.path!r} HTTP/{self.version[0]}.{self.version[1]}"
            f" headers={len(self.headers)} length={self.content_length} "
            f"chunked={self.chunked} keep_alive={self.keep_alive}>"
        )


# What the parser's feed() returns: heads, chunk boundaries, body slices and end markers.
Event = Union[RequestHead, ChunkEnds, bytes, EndOfMessage]


def _form_ok(method: bytes, target: bytes) -> bool:
    """The request-target's form fits the method (see the module docstring)."""
    if method == b"CONNECT":
        return _AUTHORITY.fullmatch(target) is not None
    first = target[0]
    if first == 47:  # "/"
        return True
    if target == b"*":
        return method == b"OPTIONS"
    return _ABSOLUTE.match(target) is not None


def match_request_line(line: bytes) -> RequestLine | None:
    """A valid request line → (method, target, version), or None."""
    m = _REQUEST.fullmatch(line)
    if m is None or not _form_ok(m.group(1), m.group(2)):
        return None
    return (m.group(1).decode("ascii"), m.group(2).decode("ascii"),
            _V11 if m.group(3) == b"1" else _V10)


def parse_request_line(line: bytes) -> RequestLine:
    """Like ``match_request_line``, but the error of the first rule broken."""
    parsed = match_request_line(line)
    if parsed is not None:
        return parsed
    sp1 = line.find(b" ")
    method = line[:sp1] if sp1 >= 0 else line
    if _METHOD.fullmatch(method) is None:
        raise BadHttpMethod(f"invalid method {method[:40]!r}")
    sp2 = line.rfind(b" ")
    if sp2 == sp1:  # one SP or none
        raise BadStatusLine(f"invalid request line {line[:100]!r}")
    version = line[sp2 + 1:]
    if version != b"HTTP/1.1" and version != b"HTTP/1.0":
        raise BadHttpVersion(f"unsupported HTTP version {version[:40]!r}")
    target = line[sp1 + 1:sp2]
    if _TARGET.fullmatch(target) is None:
        raise InvalidURLError(f"invalid request-target {target[:100]!r}")
    raise InvalidURLError(
        f"request-target {target[:100]!r} does not fit method {method.decode('ascii')}"
    )


class RequestParser(MessageParser):
    """Sans-IO parser of a stream of HTTP/1.x requests (what a server reads)."""

    __slots__ = ()

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        max_head_size: int | None = None,
    ) -> None:
        super().__init__("request", max_line_size, max_field_size, max_headers,
                         max_head_size, False)

    def resume(self) -> list[Event]:
        """The upgrade was declined: parse the bytes kept since as HTTP again (none if
        that request was the connection's last)."""
        if not self.upgraded:
            return []
        self.upgraded = False
        self._state = _CLOSED if self._last else _HEAD
        data = bytes(self._tail)
        self._tail.clear()
        return self.feed(data) if data else []

    # -- the hooks (see HeadLines) ---------------------------------------------------

    _match_start = staticmethod(match_request_line)
    _parse_start = staticmethod(parse_request_line)

    def _head_done(self, events: list[Event], start: RequestLine, pairs: Fields,
                   raw: RawFields | None, block: bytes) -> None:
        method, path, version = start
        md: CIMultiDict[str] = CIMultiDict(pairs)
        length, te, keep_alive, upgrade, encoding = framing(md, version)
        if te is not None:
            if version == _V10:
                raise TransferEncodingError("Transfer-Encoding in an HTTP/1.0 request")
            if not te:
                raise TransferEncodingError("the last transfer coding of a request must be chunked")
        hosts = md.getall("Host", None)
        if hosts is None:
            if version == _V11:
                raise BadHttpMessage("missing Host header in an HTTP/1.1 request")
        elif len(hosts) > 1:
            raise InvalidHeader("duplicate Host header")
        present = md.keys() & _SINGLETON_SET  # usually one or two: look only at those
        if present:
            repeated = [_SINGLETON_ORDER[key.lower()] for key in present if len(md.getall(key)) > 1]
            if repeated:
                raise InvalidHeader(f"duplicate {_SINGLETONS[min(repeated)]} header")
        chunked = bool(te)
        events.append(RequestHead(method, path, version, CIMultiDictProxy(md), raw, block,
                                  length, chunked, keep_alive, upgrade, encoding))
        self._last = not keep_alive
        if method == "CONNECT":  # no body: what follows the head belongs to the tunnel
            self._switch = True
            self._begin_body(events, False, None, False)
        else:
            self._switch = upgrade
            self._begin_body(events, chunked, length, False)


__all__ = ("RequestParser", "RequestHead")
