"""Request plans: what every request to one URL with one set of options has in common.

How this works: a ``Plan`` is built once per (method, URL as given, plan-shaping
options) and kept in the session's ``PlanCache``.  It holds the request's resolved
inputs (the URL without credentials, the auth that applies, the merged headers, the
proxy and TLS settings) and, when ``ClientRequest`` can be composed from parts, those
parts: the attributes a built request has, its connection key, and its head in three
byte strings — the request line and headers up to the place of a Cookie header (``a``),
the Authorization header (``b``), and what a bodiless request adds (``tail``, the
``Content-Length: 0`` of a POST).  A request is then ``a + Cookie + b + body headers``:
the jar's cookies and a ``bytes`` / ``str`` / urlencoded-form / JSON body cost their own
bytes, nothing else.  The parts are cut from the head ``ClientRequest`` itself
serialized and checked to join back into it, so the wire bytes are ``ClientRequest``'s
by construction; a request the parts cannot express (a streamed body, compression,
``chunked``, ``expect100``, a Cookie header of its own beside jar cookies) is built by
``ClientRequest`` from the plan's inputs instead.

The cache is bounded (``PLANS_MAX`` per method, forgotten all at once when full: a
crawler's one-off URLs just churn) and dropped whenever ``session.headers`` changes.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

from multidict import CIMultiDict, getversion
from yarl import URL

from .. import hdrs
from .._http.writer import serialize_head
from .request import GET_METHODS, ClientRequest
from .wire import headers_version

if TYPE_CHECKING:
    from .reqinfo import ConnectionKey

__all__ = ("PLANS_MAX", "Plan", "PlanCache", "body_of")

PLANS_MAX: Final = 1024

# Per-request attributes of a ClientRequest: never copied from the plan's own request.
_PER_REQUEST: Final = frozenset({"_headers", "body", "traces", "response_params", "response", "_writer_task",
                                 "_conn_reused", "_headers_version"})
# Headers whose presence changes how ClientRequest frames a body (the plan then defers to it).
_FRAMING: Final = (hdrs.CONTENT_LENGTH, hdrs.TRANSFER_ENCODING, hdrs.CONTENT_ENCODING)

_MISSING: Final = object()

OCTETS: Final = "application/octet-stream"
TEXT: Final = "text/plain; charset=utf-8"
FORM: Final = "application/x-www-form-urlencoded"


def body_of(data: Any) -> tuple[bytes, str] | None:
    """``(bytes, content type)`` for a body ClientRequest sends as plain bytes, else None.

    bytes-like and str as ``ClientRequest._set_body`` encodes them; a dict of str to str
    is the urlencoded form ``FormData`` makes of it (anything else — files, payloads,
    multipart, other values — is left to ``ClientRequest``)."""
    kind = type(data)
    if kind is bytes:
        return data, OCTETS
    if kind is str:
        return data.encode("utf-8"), TEXT
    if kind is bytearray or kind is memoryview:
        return bytes(data), OCTETS
    if kind is dict:
        for name, value in data.items():
            if type(name) is not str or type(value) is not str:
                return None
        return urlencode(list(data.items()), doseq=True, encoding="utf-8").encode(), FORM
    return None


def _lines(fields: list[tuple[str, str]]) -> bytes:
    return "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8", "surrogateescape")


class Plan:
    """One request's resolved inputs and, when composable, its head in parts."""

    __slots__ = (
        "method", "given_url", "url", "params", "headers", "skip", "auth", "proxy", "proxy_auth",
        "proxy_headers", "ssl", "server_hostname",
        "attrs", "target", "original_url", "key", "version", "a", "b", "tail", "head", "fields",
        "auth_fields", "tail_fields", "cookie_ok", "body_ok", "ct_present", "cookie_memo",
    )
    # The parts (set by ``compose``; read only when ``attrs`` is not None).
    target: URL
    original_url: URL
    key: ConnectionKey
    version: Any
    a: bytes
    b: bytes
    tail: bytes
    head: bytes
    fields: CIMultiDict[str]
    auth_fields: list[tuple[str, str]]
    tail_fields: list[tuple[str, str]]
    cookie_ok: bool
    body_ok: bool
    ct_present: bool

    def __init__(self, method: str, given_url: URL, url: URL, *, params: Any, headers: CIMultiDict[str],
                 skip: Any, auth: Any, proxy: URL | None, proxy_auth: Any, proxy_headers: Any, ssl: Any,
                 server_hostname: str | None) -> None:
        self.method = method
        self.given_url = given_url  # as the caller gave it (after base_url), for traces
        self.url = url  # without credentials, before params: what ClientRequest is given
        self.params = params
        self.headers = headers  # the session's and the request's own, merged (never edited)
        self.skip = skip
        self.auth = auth
        self.proxy = proxy
        self.proxy_auth = proxy_auth
        self.proxy_headers = proxy_headers
        self.ssl = ssl
        self.server_hostname = server_hostname
        self.attrs: dict[str, Any] | None = None  # None: ClientRequest builds every request
        # The last jar morsels sent with this plan and their Cookie header (see RequestPath._parts).
        self.cookie_memo: tuple[tuple[Any, ...], str] | None = None

    # -- the parts --------------------------------------------------------------------

    def compose(self, req: ClientRequest) -> None:
        """Cut ``req`` (built from this plan's inputs, no body or cookies) into the parts."""
        if req.expect100:
            return  # an Expect: 100-continue header of its own: ClientRequest sends it (and waits)
        try:
            head = req._head()
        except ValueError:
            return  # an injected CR/LF: the send step raises it, at the moment it always has
        items = list(req.headers.items())
        tail = [items.pop()] if self.method not in GET_METHODS and hdrs.CONTENT_LENGTH not in self.headers else []
        auth = [items.pop()] if req.auth is not None else []
        v = req.version
        a = serialize_head(f"{req.method} {req._target()} HTTP/{v[0]}.{v[1]}", items)[:-2]
        b = _lines(auth)
        tail_bytes = _lines(tail)
        if a + b + tail_bytes + b"\r\n" != head:
            return  # never expected; if it ever happens, ClientRequest builds each request
        key: ConnectionKey = req.connection_key
        # What differs from the class defaults (a built request sets every attribute).
        attrs = {name: value for name, value in req.__dict__.items()
                 if name not in _PER_REQUEST and getattr(ClientRequest, name, _MISSING) is not value}
        skip = req._skip_auto_headers
        self.target = req.url
        self.original_url = req.original_url
        self.key = key
        self.version = v
        self.a, self.b, self.tail, self.head = a, b, tail_bytes, head
        self.fields = CIMultiDict(items)  # the keys exactly as ClientRequest stored them
        self.auth_fields = auth
        self.tail_fields = tail
        own = self.fields  # what the request has before a body is framed (no bodiless tail)
        self.cookie_ok = hdrs.COOKIE not in own
        self.body_ok = not any(name in own for name in _FRAMING)
        self.ct_present = hdrs.CONTENT_TYPE in own or bool(skip and hdrs.CONTENT_TYPE in skip)
        self.attrs = attrs

    def head_for(self, cookie: str | None, body: bytes | None, content_type: str | None) -> bytes:
        """The head of this plan's request with ``cookie`` (a Cookie value) and ``body``."""
        if body is None:
            end = self.tail
        elif content_type is None or self.ct_present:
            end = b"Content-Length: %d\r\n" % len(body)
        else:
            end = b"Content-Length: %d\r\nContent-Type: %s\r\n" % (len(body), content_type.encode())
        if cookie is None:
            return b"".join((self.a, self.b, end, b"\r\n"))
        return b"".join((self.a, b"Cookie: ", cookie.encode("utf-8", "surrogateescape"), b"\r\n", self.b, end,
                         b"\r\n"))

    def headers_for(self, cookie: str | None, length: int | None, content_type: str | None) -> CIMultiDict[str]:
        """The request's headers, in the head's order (built only when someone asks)."""
        out: CIMultiDict[str] = self.fields.copy()
        if cookie is not None:
            out[hdrs.COOKIE] = cookie
        for name, value in self.auth_fields:
            out[name] = value
        if length is None:
            for name, value in self.tail_fields:
                out[name] = value
        else:
            out[hdrs.CONTENT_LENGTH] = str(length)
            if content_type is not None and not self.ct_present:
                out[hdrs.CONTENT_TYPE] = content_type
        return out


class PlanCache:
    """Plans per method, bounded, forgotten when the session's default headers change."""

    __slots__ = ("_plans", "_headers", "_version")

    def __init__(self, session_headers: CIMultiDict[str]) -> None:
        self._plans: dict[str, dict[Hashable, Plan]] = {}
        self._headers = session_headers  # mutable, as aiohttp's session.headers
        self._version = headers_version(session_headers)

    def get(self, method: str, key: Hashable) -> Plan | None:
        version = getversion(self._headers)  # type: ignore[arg-type]  # (multidict's stub wants object values)
        if version != self._version:
            self._version = version
            self._plans.clear()
            return None
        plans = self._plans.get(method)
        if plans is None:
            return None
        try:
            return plans.get(key)
        except TypeError:  # an unhashable URL: the request path raises the right error
            return None

    def put(self, method: str, key: Hashable, plan: Plan) -> None:
        plans = self._plans.get(method)
        if plans is None:
            plans = self._plans[method] = {}
        elif len(plans) >= PLANS_MAX:
            plans.clear()
        try:
            plans[key] = plan
        except TypeError:
            pass

    def for_method(self, method: str) -> dict[Hashable, Plan]:
        """The plans of ``method`` (for tests and introspection)."""
        return self._plans.get(method, {})
