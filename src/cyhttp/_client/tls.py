"""TLS settings shared by the connectors: the default SSL contexts, ``ssl=`` folding and
``Fingerprint`` (certificate pinning).

The two default contexts (verified, and unverified for ``ssl=False`` or a
``Fingerprint`` pin) are built once per process, at import: building one reads the
CA store from disk, which must neither happen per connection nor inside the event loop.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any, Final

try:
    import ssl as ssl  # re-exported: the connectors test it for None (Python without ssl)

    SSLContext: Any = ssl.SSLContext
    _CERT_ERRORS: tuple[type[BaseException], ...] = (ssl.SSLCertVerificationError,)
    _SSL_ERRORS: tuple[type[BaseException], ...] = (ssl.SSLError,)
except ImportError:  # pragma: no cover - Python without ssl
    ssl = None  # type: ignore[assignment]
    SSLContext = object
    _CERT_ERRORS = _SSL_ERRORS = ()

from .exceptions import ServerFingerprintMismatch

__all__ = ("Fingerprint", "SSL_CONTEXT_VERIFIED", "SSL_CONTEXT_UNVERIFIED", "SSLContext", "merge_ssl_params")


def _make_ssl_context(verified: bool) -> Any:
    if ssl is None:  # pragma: no cover
        return None
    if verified:
        ctx = ssl.create_default_context()
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.options |= ssl.OP_NO_COMPRESSION
        ctx.set_default_verify_paths()
    ctx.set_alpn_protocols(("http/1.1",))
    return ctx


SSL_CONTEXT_VERIFIED: Final = _make_ssl_context(True)
SSL_CONTEXT_UNVERIFIED: Final = _make_ssl_context(False)


def merge_ssl_params(ssl_arg: Any, verify_ssl: bool | None, ssl_context: Any, fingerprint: bytes | None) -> Any:
    """Fold the deprecated ``verify_ssl`` / ``ssl_context`` / ``fingerprint`` into one ``ssl`` value."""
    if ssl_arg is None:
        ssl_arg = True
    exclusive = "verify_ssl, ssl_context, fingerprint and ssl parameters are mutually exclusive"
    if verify_ssl is not None and not verify_ssl:
        warnings.warn("verify_ssl is deprecated, use ssl=False instead", DeprecationWarning, stacklevel=3)
        if ssl_arg is not True:
            raise ValueError(exclusive)
        ssl_arg = False
    if ssl_context is not None:
        warnings.warn("ssl_context is deprecated, use ssl=context instead", DeprecationWarning, stacklevel=3)
        if ssl_arg is not True:
            raise ValueError(exclusive)
        ssl_arg = ssl_context
    if fingerprint is not None:
        warnings.warn(
            "fingerprint is deprecated, use ssl=Fingerprint(fingerprint) instead", DeprecationWarning, stacklevel=3
        )
        if ssl_arg is not True:
            raise ValueError(exclusive)

        ssl_arg = Fingerprint(fingerprint)
    if ssl_arg is not True and ssl_arg is not False and not isinstance(ssl_arg, SSLContext):
        if not callable(getattr(ssl_arg, "check", None)):
            raise TypeError(f"ssl should be SSLContext, Fingerprint, or bool, got {ssl_arg!r} instead.")
    return ssl_arg


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
