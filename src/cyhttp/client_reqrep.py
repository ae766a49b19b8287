"""aiohttp's ``client_reqrep`` import path: ClientRequest, ClientResponse, Fingerprint.

The request and the response live in ``client_request.py`` / ``client_response.py``;
this module re-exports them and holds ``Fingerprint`` (certificate pinning).
"""

from __future__ import annotations

import hashlib
from typing import Any

from .client_exceptions import ServerFingerprintMismatch
from .client_request import ClientRequest
from .client_response import ClientResponse
from .reqinfo import ConnectionKey, RequestInfo

__all__ = ("ClientRequest", "ClientResponse", "ConnectionKey", "Fingerprint", "RequestInfo")

_HASHFUNC_BY_DIGESTLEN = {16: hashlib.md5, 20: hashlib.sha1, 32: hashlib.sha256}


class Fingerprint:
    """Pin the server certificate by its SHA-256 digest (``ssl=Fingerprint(digest)``)."""

    __slots__ = ("_fingerprint", "_hashfunc")

    def __init__(self, fingerprint: bytes) -> None:
        digestlen = len(fingerprint)
        hashfunc = _HASHFUNC_BY_DIGESTLEN.get(digestlen)
        if not hashfunc:
            raise ValueError("fingerprint has invalid length")
        if hashfunc is hashlib.md5 or hashfunc is hashlib.sha1:
            raise ValueError("md5 and sha1 are insecure and not supported. Use sha256.")
        self._hashfunc = hashfunc
        self._fingerprint = fingerprint

    @property
    def fingerprint(self) -> bytes:
        return self._fingerprint

    def check(self, transport: Any) -> None:
        """Raise ServerFingerprintMismatch unless the peer certificate matches."""
        if not transport.get_extra_info("sslcontext"):
            return
        sslobj = transport.get_extra_info("ssl_object")
        cert = sslobj.getpeercert(binary_form=True)
        got = self._hashfunc(cert).digest()
        if got != self._fingerprint:
            host, port, *_ = transport.get_extra_info("peername")
            raise ServerFingerprintMismatch(self._fingerprint, got, host, port)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fingerprint) and other._fingerprint == self._fingerprint

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __repr__(self) -> str:
        return f"<Fingerprint {self._fingerprint.hex()}>"
