"""HTTP Digest authentication (RFC 7616) as a client middleware, aiohttp 3.12+'s API.

``DigestAuthMiddleware(login, password, preemptive=True)`` goes in a session's (or a
request's) ``middlewares=``.  It answers a ``401`` carrying a ``WWW-Authenticate: Digest``
challenge by sending the request once more with an ``Authorization: Digest`` header, and,
when ``preemptive``, sends that header up front on later requests inside the challenge's
protection space (so they cost one round trip, not two).

How this works:
- A request is sent at most twice per call: once as is (or pre-authorised), and once more
  if the answer is a Digest challenge.  A second 401 is handed to the caller.  A
  ``stale=true`` challenge needs nothing special: the retry uses its fresh nonce.
- The credentials are pinned to the origin of the first request the middleware sees.
  Requests to any other origin pass through untouched unless a challenge from that origin
  listed them in its ``domain`` directive (RFC 7616 §3.3); a redirect to another host
  therefore never receives a response computed from the password.
- Challenges are read with a small hand-written scanner (RFC 7235 §4.1 grammar: several
  challenges per field, quoted strings with escapes, token68).  The first Digest challenge
  whose algorithm we support is used.
- ``nc`` counts the requests sent with the same nonce; ``cnonce`` is fresh randomness.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any, Protocol

from yarl import URL

from .. import hdrs
from .._http.payload import BytesPayload
from .exceptions import ClientError
from .middlewares import ClientHandlerType
from .request import ClientRequest
from .response import ClientResponse

__all__ = ("DigestAuthMiddleware", "parse_challenges", "SUPPORTED_ALGORITHMS")

class _Digest(Protocol):
    """What the middleware uses of a ``hashlib`` hash object."""

    def hexdigest(self) -> str: ...


HashFactory = Callable[[bytes], _Digest]


def _sha512_256(data: bytes) -> _Digest:
    return hashlib.new("sha512_256", data)


def _algorithms() -> dict[str, HashFactory]:
    """Algorithm name (upper case, without ``-SESS``) → hash constructor."""
    table: dict[str, HashFactory] = {
        "MD5": hashlib.md5,
        "SHA": hashlib.sha1,  # not in RFC 7616; servers in the wild use it (and aiohttp accepts it)
        "SHA256": hashlib.sha256,
        "SHA-256": hashlib.sha256,
        "SHA512": hashlib.sha512,
        "SHA-512": hashlib.sha512,
    }
    try:  # RFC 7616's SHA-512/256, where the OpenSSL build has it
        _sha512_256(b"")
    except ValueError:  # pragma: no cover - depends on the OpenSSL build
        pass
    else:
        table["SHA-512-256"] = _sha512_256
    return table


_HASHES: dict[str, HashFactory] = _algorithms()
SUPPORTED_ALGORITHMS: tuple[str, ...] = tuple(
    sorted(name + suffix for name in _HASHES for suffix in ("", "-SESS"))
)
_QUOTED = ("username", "realm", "nonce", "uri", "response", "opaque", "cnonce")

# -- reading WWW-Authenticate --------------------------------------------------------------

# RFC 7230 tchar; unquoted parameter values are read leniently (anything up to , or space).
_TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_OWS = " \t"


def parse_challenges(value: str) -> list[tuple[str, dict[str, str]]]:
    """``(scheme lower-cased, {param lower-cased: value})`` for each challenge in ``value``.

    A token68 (``Basic abc==``) is skipped.  A malformed tail (an unterminated quoted
    string, a stray character) ends the scan: what was read before it is kept, except the
    challenge it interrupted.
    """
    out: list[tuple[str, dict[str, str]]] = []
    params: dict[str, str] | None = None
    scheme = ""
    pos, end = 0, len(value)
    after_comma = True  # a bare token here starts a new challenge
    while pos < end:
        ch = value[pos]
        if ch in _OWS:
            pos += 1
            continue
        if ch == ",":
            after_comma = True
            pos += 1
            continue
        start = pos
        while pos < end and value[pos] in _TCHARS:
            pos += 1
        if pos == start:  # not a token: give up on the challenge being read
            break
        token = value[start:pos]
        look = pos
        while look < end and value[look] in _OWS:
            look += 1
        if look < end and value[look] == "=":  # an auth-param, or a token68 with padding
            look += 1
            while look < end and value[look] in _OWS:
                look += 1
            if look < end and value[look] == '"':
                text, pos = _quoted(value, look + 1)
                if text is None:
                    break
            elif look < end and value[look] not in ",=":
                pos = look
                while pos < end and value[pos] not in " \t,":
                    pos += 1
                text = value[look:pos]
            else:  # token68 padding ("abc==") or an empty value: skip to the next comma
                pos = value.find(",", look)
                pos = end if pos < 0 else pos
                after_comma = False
                continue
            if params is not None:
                params[token.lower()] = text
            after_comma = False
            continue
        if after_comma or params is None:  # a new auth-scheme
            if params is not None:
                out.append((scheme, params))
            scheme, params = token.lower(), {}
            after_comma = False
            pos = look
            continue
        pos = look  # a token68 right after the scheme: nothing we need
    else:
        if params is not None:
            out.append((scheme, params))
    return out


def _quoted(value: str, pos: int) -> tuple[str | None, int]:
    """The quoted-string starting after the opening quote at ``pos``: (text, index after it)."""
    parts: list[str] = []
    end = len(value)
    while pos < end:
        ch = value[pos]
        if ch == '"':
            return "".join(parts), pos + 1
        if ch == "\\" and pos + 1 < end:
            pos += 1
            ch = value[pos]
        parts.append(ch)
        pos += 1
    return None, pos


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _digest_challenge(response: ClientResponse) -> dict[str, str] | None:
    """The Digest challenge of a 401 to answer: the first with an algorithm we know,
    else the first one at all (answering it then raises the clear error)."""
    first: dict[str, str] | None = None
    for field in response.headers.getall(hdrs.WWW_AUTHENTICATE, ()):
        for scheme, params in parse_challenges(field):
            if scheme != "digest" or not params:
                continue
            algorithm = params.get("algorithm", "MD5").upper().removesuffix("-SESS")
            if algorithm in _HASHES:
                return params
            if first is None:
                first = params
    return first


# -- the middleware ------------------------------------------------------------------------


class DigestAuthMiddleware:
    """Answer HTTP Digest challenges (RFC 7616) for one login on one origin."""

    __slots__ = ("_login", "_login_b", "_password_b", "_preemptive", "_challenge", "_space",
                 "_origin", "_nonce", "_nc")

    def __init__(self, login: str, password: str, preemptive: bool = True) -> None:
        if login is None:
            raise ValueError("None is not allowed as login value")
        if password is None:
            raise ValueError("None is not allowed as password value")
        if ":" in login:
            raise ValueError('A ":" is not allowed in username (RFC 1945#section-11.1)')
        self._login = login
        self._login_b = login.encode("utf-8")
        self._password_b = password.encode("utf-8")
        self._preemptive = preemptive
        self._challenge: dict[str, str] = {}  # the last Digest challenge answered
        self._space: tuple[str, ...] = ()  # absolute URL prefixes the challenge covers
        self._origin: URL | None = None  # the origin the credentials belong to
        self._nonce = ""
        self._nc = 0

    def __repr__(self) -> str:
        return f"<DigestAuthMiddleware login={self._login!r} preemptive={self._preemptive}>"

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        url = request.url
        origin = url.origin()
        if self._origin is None:
            self._origin = origin
        elif origin != self._origin and not self._covers(url):
            return await handler(request)  # another origin: never sign for it
        if self._preemptive and self._challenge and self._covers(url):
            request.headers[hdrs.AUTHORIZATION] = await self._authorization(request)
        response = await handler(request)
        if not self._learn(response):
            return response
        # Answer the challenge once; a 401 to the answer goes back to the caller.
        try:
            authorization = await self._authorization(request)
        except BaseException:
            response.close()
            raise
        response.release()  # the connection goes back to the pool once the 401's body is in
        request.headers[hdrs.AUTHORIZATION] = authorization
        response = await handler(request)
        self._learn(response)  # a fresh nonce (e.g. on a failed answer) serves the next request
        return response

    # -- protection space ------------------------------------------------------------------

    def _covers(self, url: URL) -> bool:
        """Is ``url`` under one of the challenge's protection-space prefixes (whole segments)?"""
        text = str(url)
        for prefix in self._space:
            if text.startswith(prefix) and (
                len(text) == len(prefix) or prefix.endswith("/") or text[len(prefix)] in "/?"
            ):
                return True
        return False

    def _learn(self, response: ClientResponse) -> bool:
        """Keep the Digest challenge of a 401; True when there is one to answer."""
        if response.status != 401:
            return False
        challenge = _digest_challenge(response)
        if challenge is None:
            return False
        self._challenge = challenge
        origin = response.url.origin()
        space: list[str] = []
        for uri in challenge.get("domain", "").split():
            uri = uri.strip('"')
            if not uri:
                continue
            try:
                target = URL(uri)
                space.append(str(origin.join(target) if not target.absolute else target))
            except ValueError:  # an unusable domain entry is ignored, not fatal
                continue
        # Without a usable domain the whole origin is the protection space (RFC 7616 §3.3).
        self._space = tuple(space) if space else (str(origin),)
        return True

    # -- the answer ------------------------------------------------------------------------

    async def _authorization(self, request: ClientRequest) -> str:
        """The ``Authorization`` value answering the current challenge for ``request``."""
        challenge = self._challenge
        realm = challenge.get("realm")
        if realm is None:
            raise ClientError("Malformed Digest auth challenge: Missing 'realm' parameter")
        nonce = challenge.get("nonce")
        if nonce is None:
            raise ClientError("Malformed Digest auth challenge: Missing 'nonce' parameter")
        if not nonce:
            raise ClientError("Security issue: Digest auth challenge contains empty 'nonce' value")
        algorithm = challenge.get("algorithm", "MD5")
        name = algorithm.upper()
        session = name.endswith("-SESS")
        hash_factory = _HASHES.get(name.removesuffix("-SESS"))
        if hash_factory is None:
            raise ClientError(
                f"Digest auth error: Unsupported hash algorithm: {name}. "
                f"Supported algorithms: {', '.join(SUPPORTED_ALGORITHMS)}"
            )
        qop = _choose_qop(challenge.get("qop", ""), request.body)

        def h(data: bytes) -> bytes:  # RFC 7616 §3.4: H() is the lower-case hex digest
            return hash_factory(data).hexdigest().encode("ascii")

        uri = request.url.raw_path_qs  # what goes on the request line, what the server signs
        nonce_b = nonce.encode("utf-8")
        if nonce != self._nonce:
            self._nonce, self._nc = nonce, 0
        self._nc += 1
        nc = f"{self._nc:08x}"
        cnonce = os.urandom(8).hex()
        ha1 = h(b":".join((self._login_b, realm.encode("utf-8"), self._password_b)))
        if session:
            ha1 = h(b":".join((ha1, nonce_b, cnonce.encode("ascii"))))
        a2 = f"{request.method}:{uri}".encode("utf-8")
        if qop == "auth-int":
            a2 += b":" + h(await _entity_bytes(request.body))
        ha2 = h(a2)
        if qop:
            signed = f"{nonce}:{nc}:{cnonce}:{qop}:".encode("utf-8") + ha2
        else:  # RFC 2069 compatibility: no qop, no nc, no cnonce
            signed = b":".join((nonce_b, ha2))
        fields: list[tuple[str, str]] = [
            ("username", self._login), ("realm", realm), ("nonce", nonce), ("uri", uri),
            ("response", h(ha1 + b":" + signed).decode("ascii")), ("algorithm", algorithm),
        ]
        opaque = challenge.get("opaque")
        if opaque:
            fields.append(("opaque", opaque))
        if qop:
            fields += [("qop", qop), ("nc", nc), ("cnonce", cnonce)]
        return "Digest " + ", ".join(
            f'{key}="{_quote(val)}"' if key in _QUOTED else f"{key}={val}" for key, val in fields
        )


def _choose_qop(offered: str, body: Any) -> str:
    """``auth-int`` when offered (as aiohttp, it wins over ``auth``) and the body can be
    hashed without consuming it; else ``auth``; "" when the challenge has no qop."""
    if not offered:
        return ""
    choices = {q.strip().lower() for q in offered.split(",")} & {"auth", "auth-int"}
    if not choices:
        raise ClientError(f"Digest auth error: Unsupported Quality of Protection (qop) value(s): {offered}")
    if "auth-int" in choices:
        if _hashable_body(body):
            return "auth-int"
        if "auth" not in choices:
            raise ClientError("Digest auth error: qop=auth-int needs a body that can be read twice")
    return "auth"


def _hashable_body(body: Any) -> bool:
    """A body we can hash and still send: in memory (a stream or a file would be consumed)."""
    return body is None or isinstance(body, (bytes, bytearray, BytesPayload))


async def _entity_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return await body.as_bytes()  # type: ignore[no-any-return]  # a BytesPayload

