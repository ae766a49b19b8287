"""HTTP Basic authentication credentials (aiohttp's ``BasicAuth``).

How this works: ``BasicAuth`` is an immutable (login, password, encoding)
tuple; ``encode()`` gives the ``Authorization`` header value, ``decode()`` and
``from_url()`` build one from a header or from a URL's userinfo.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from typing import NamedTuple

from yarl import URL

__all__ = ("BasicAuth", "encode_basic_auth", "strip_auth_from_url")

# aiohttp 3.14's wording: the session's, the request's and ws_connect's arguments still work, and warn.
AUTH_DEPRECATED = (
    "The 'auth' parameter is deprecated and will be removed in v4;"
    " pass headers={'Authorization': aiohttp.encode_basic_auth(login, password)} instead"
)
PROXY_AUTH_DEPRECATED = (
    "The 'proxy_auth' parameter is deprecated and will be removed in v4;"
    " pass proxy_headers={'Proxy-Authorization': aiohttp.encode_basic_auth(login, password)} instead"
)


def encode_basic_auth(login: str, password: str = "", encoding: str = "utf-8") -> str:
    """The ``Authorization`` value ``"Basic <base64(login:password)>"``."""
    if ":" in login:
        raise ValueError('A ":" is not allowed in login (RFC 7617#section-2)')
    creds = f"{login}:{password}".encode(encoding)
    return "Basic " + base64.b64encode(creds).decode("ascii")


class _Fields(NamedTuple):
    login: str
    password: str
    encoding: str


class BasicAuth(_Fields):
    """Http basic authentication helper."""

    __slots__ = ()

    def __new__(
        cls, login: str, password: str = "", encoding: str = "latin1"
    ) -> BasicAuth:
        if login is None:
            raise ValueError("None is not allowed as login value")
        if password is None:
            raise ValueError("None is not allowed as password value")
        if ":" in login:
            raise ValueError('A ":" is not allowed in login (RFC 1945#section-11.1)')
        # As aiohttp 3.14; the library's own instances (decode, from_url, URLs) skip this.
        warnings.warn(
            "BasicAuth is deprecated and will be removed in aiohttp 4.0; use aiohttp.encode_basic_auth()"
            " with headers={'Authorization': ...} instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return super().__new__(cls, login, password, encoding)

    @classmethod
    def decode(cls, auth_header: str, encoding: str = "latin1") -> BasicAuth:
        """Create a BasicAuth object from an ``Authorization`` header value."""
        try:
            auth_type, encoded = auth_header.split(" ", 1)
        except ValueError:
            raise ValueError("Could not parse authorization header.") from None
        if auth_type.lower() != "basic":
            raise ValueError(f"Unknown authorization method {auth_type}")
        try:
            decoded = base64.b64decode(encoded.encode("ascii"), validate=True).decode(
                encoding
            )
        except (binascii.Error, UnicodeEncodeError):
            raise ValueError("Invalid base64 encoding.") from None
        # RFC 7617: the colon must be present; login and password may be empty.
        login, sep, password = decoded.partition(":")
        if not sep:
            raise ValueError("Invalid credentials.")
        # Skip __new__'s checks: a decoded login can't contain ":" by construction.
        return tuple.__new__(cls, (login, password, encoding))

    @classmethod
    def from_url(cls, url: URL, *, encoding: str = "latin1") -> BasicAuth | None:
        """Create BasicAuth from a URL's user info, or None when it has none."""
        if not isinstance(url, URL):
            raise TypeError("url should be yarl.URL instance")
        if url.raw_user is None and url.raw_password is None:
            return None
        return tuple.__new__(cls, (url.user or "", url.password or "", encoding))

    def encode(self) -> str:
        """Encode credentials as an ``Authorization`` header value."""
        return encode_basic_auth(self.login, self.password, self.encoding)


def strip_auth_from_url(url: URL) -> tuple[URL, BasicAuth | None]:
    """``url`` without user info, plus the credentials it carried (or None)."""
    if url.raw_user is None and url.raw_password is None:
        return url, None
    auth = tuple.__new__(BasicAuth, (url.user or "", url.password or "", "latin1"))
    return url.with_user(None), auth
