"""TLS: verification, ssl=False, custom contexts, Fingerprint pins, server_hostname,
client certificates — directly and inside a proxy's CONNECT tunnel.

Certificates come from trustme; the peers are aiohttp.web servers on 127.0.0.1.
Failure cases also run through aiohttp, so the exception names are the reference's.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import ssl
import tempfile
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import trustme
from aiohttp import web
from yarl import URL

import cyhttp
from cyhttp import ClientTimeout, Fingerprint, TCPConnector
from cyhttp._client.connector.tcp import SSL_CONTEXT_UNVERIFIED
from cyhttp._client.exceptions import (
    ClientConnectorCertificateError,
    ClientConnectorSSLError,
    ClientSSLError,
    ServerFingerprintMismatch,
)

from ._proxy_peers import RawProxy, client_context, serve, server_context, tunnel_to

TIMEOUT = ClientTimeout(total=20, sock_connect=10)
LIBS = pytest.mark.parametrize("lib", [cyhttp, aiohttp], ids=["cyhttp", "aiohttp"])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _app() -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        subject = dict(x[0] for x in peer["subject"]) if peer else {}
        return web.json_response({"secure": request.secure, "client": subject.get("commonName")})

    app = web.Application()
    app.router.add_get("/", handler)
    return app


async def _serve_cert(cert: Any, *, client_ca: trustme.CA | None = None) -> Any:
    return serve(_app(), server_context(cert, client_ca=client_ca))


def _der_sha256(cert: Any) -> bytes:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())).digest()


async def _get(lib: Any, url: URL | str, **kwargs: Any) -> Any:
    """The JSON body, or the exception the request raised."""
    async with lib.ClientSession(timeout=lib.ClientTimeout(total=20)) as s:
        try:
            async with s.get(url, **kwargs) as r:
                return await r.json()
        except Exception as exc:
            return exc


@pytest.fixture
async def good(ca: trustme.CA) -> AsyncIterator[URL]:
    async with await _serve_cert(ca.issue_cert("127.0.0.1", "localhost")) as url:
        yield url


# -- verification ---------------------------------------------------------------------


async def test_verified_with_custom_context(ca: trustme.CA, good: URL) -> None:
    ctx = client_context(ca)
    assert await _get(cyhttp, good, ssl=ctx) == {"secure": True, "client": None}
    # The same context given to the connector instead of the request.
    async with cyhttp.ClientSession(connector=TCPConnector(ssl=ctx), timeout=TIMEOUT) as s:
        for _ in range(2):
            async with s.get(good) as r:
                assert (await r.json())["secure"] is True


@LIBS
async def test_default_verification_refuses_unknown_issuer(lib: Any, good: URL) -> None:
    # ssl=True (the default) trusts the system store, which does not know the test CA.
    got = await _get(lib, good)
    assert type(got).__name__ == "ClientConnectorCertificateError", repr(got)
    if lib is cyhttp:
        assert isinstance(got, ClientSSLError)
        assert isinstance(got.certificate_error, ssl.SSLCertVerificationError)
        assert got.host == "127.0.0.1" and got.port == good.port


@LIBS
async def test_wrong_host_certificate(lib: Any, ca: trustme.CA) -> None:
    async with await _serve_cert(ca.issue_cert("other.example")) as url:
        got = await _get(lib, url, ssl=client_context(ca))
        assert type(got).__name__ == "ClientConnectorCertificateError", repr(got)
        assert "match" in str(got.certificate_error).lower() or "mismatch" in str(got).lower()
        # ssl=False skips both the chain and the name check.
        assert (await _get(lib, url, ssl=False))["secure"] is True


async def test_server_hostname_overrides_the_name_checked(ca: trustme.CA) -> None:
    async with await _serve_cert(ca.issue_cert("other.example")) as url:
        got = await _get(cyhttp, url, ssl=client_context(ca), server_hostname="other.example")
        assert got["secure"] is True
        got = await _get(cyhttp, url, ssl=client_context(ca), server_hostname="third.example")
        assert isinstance(got, ClientConnectorCertificateError)


@LIBS
async def test_expired_certificate(lib: Any, ca: trustme.CA) -> None:
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=2)
    cert = ca.issue_cert("127.0.0.1", not_before=past - datetime.timedelta(days=30), not_after=past)
    async with await _serve_cert(cert) as url:
        got = await _get(lib, url, ssl=client_context(ca))
        assert type(got).__name__ == "ClientConnectorCertificateError", repr(got)
        assert "expired" in str(got.certificate_error).lower()
        assert (await _get(lib, url, ssl=False))["secure"] is True


@LIBS
async def test_self_signed_certificate(lib: Any) -> None:
    # A CA certificate is self-signed: serve it as the leaf.
    selfsigned = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = f"{tmp}/c.pem", f"{tmp}/k.pem"
        selfsigned.cert_pem.write_to_path(cert_path)
        selfsigned.private_key_pem.write_to_path(key_path)
        ctx.load_cert_chain(cert_path, key_path)
    async with serve(_app(), ctx) as url:
        got = await _get(lib, url)
        assert type(got).__name__ == "ClientConnectorCertificateError", repr(got)
        assert (await _get(lib, url, ssl=False))["secure"] is True


@LIBS
async def test_tls_to_a_plain_server_is_an_ssl_error(lib: Any) -> None:
    async with serve(_app()) as url:
        got = await _get(lib, url.with_scheme("https"), ssl=False)
        assert type(got).__name__ == "ClientConnectorSSLError", repr(got)
        if lib is cyhttp:
            assert isinstance(got, ClientConnectorSSLError)


async def test_ssl_false_uses_the_process_wide_unverified_context(good: URL) -> None:
    contexts = []
    for _ in range(2):
        connector = TCPConnector()
        async with cyhttp.ClientSession(connector=connector, timeout=TIMEOUT) as s:
            async with s.get(good, ssl=False) as r:
                await r.read()
            # The idle connection in the pool: which context did its TLS transport use?
            (idle,) = [proto for conns in connector._conns.values() for proto, _ in conns]
            contexts.append(idle.transport.get_extra_info("sslcontext"))
    assert contexts[0] is SSL_CONTEXT_UNVERIFIED and contexts[1] is SSL_CONTEXT_UNVERIFIED


# -- client certificates ----------------------------------------------------------------


@LIBS
async def test_client_certificate_required(lib: Any, ca: trustme.CA) -> None:
    client_ca = trustme.CA()
    async with await _serve_cert(ca.issue_cert("127.0.0.1"), client_ca=client_ca) as url:
        ctx = client_context(ca)
        client_ca.issue_cert("client@example", common_name="client-1").configure_cert(ctx)
        assert await _get(lib, url, ssl=ctx) == {"secure": True, "client": "client-1"}
        # Without a certificate the server aborts the handshake (TLS 1.3: right after it).
        got = await _get(lib, url, ssl=client_context(ca))
        assert isinstance(got, Exception)
        assert type(got).__name__ in ("ClientConnectorSSLError", "ClientOSError", "ServerDisconnectedError",
                                       "ClientConnectionResetError"), repr(got)


# -- fingerprints -----------------------------------------------------------------------


def test_fingerprint_digest_lengths() -> None:
    Fingerprint(b"\0" * 32)
    for bad in (hashlib.md5(b"").digest(), hashlib.sha1(b"").digest()):
        with pytest.raises(ValueError, match="insecure"):
            Fingerprint(bad)
    with pytest.raises(ValueError, match="invalid length"):
        Fingerprint(b"\0" * 31)


async def test_fingerprint_pin(ca: trustme.CA) -> None:
    cert = ca.issue_cert("127.0.0.1")
    async with await _serve_cert(cert) as url:
        pin = _der_sha256(cert)
        # A pin replaces CA verification: the untrusted test CA is fine when the pin matches.
        assert (await _get(cyhttp, url, ssl=Fingerprint(pin)))["secure"] is True
        async with cyhttp.ClientSession(connector=TCPConnector(ssl=Fingerprint(pin)), timeout=TIMEOUT) as s:
            async with s.get(url) as r:
                assert r.status == 200
        wrong = bytes(32)
        got = await _get(cyhttp, url, ssl=Fingerprint(wrong))
        assert isinstance(got, ServerFingerprintMismatch)
        assert got.expected == wrong and got.got == pin and got.port == url.port


async def test_fingerprint_mismatch_matches_aiohttp(ca: trustme.CA) -> None:
    cert = ca.issue_cert("127.0.0.1")
    async with await _serve_cert(cert) as url:
        ours = await _get(cyhttp, url, ssl=cyhttp.Fingerprint(bytes(32)))
        theirs = await _get(aiohttp, url, ssl=aiohttp.Fingerprint(bytes(32)))
        assert type(ours).__name__ == type(theirs).__name__ == "ServerFingerprintMismatch"
        assert (ours.expected, ours.got) == (theirs.expected, theirs.got)


async def test_deprecated_fingerprint_argument(ca: trustme.CA) -> None:
    cert = ca.issue_cert("127.0.0.1")
    async with await _serve_cert(cert) as url:
        with pytest.warns(DeprecationWarning):
            connector = TCPConnector(fingerprint=_der_sha256(cert))
        async with cyhttp.ClientSession(connector=connector, timeout=TIMEOUT) as s:
            async with s.get(url) as r:
                assert r.status == 200


# -- TLS inside a proxy tunnel ----------------------------------------------------------


async def _tunnel(proxy: RawProxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await tunnel_to(await proxy.read_head(reader), reader, writer)


def _tunnel_proxy() -> RawProxy:
    proxy = RawProxy(None)  # type: ignore[arg-type]
    proxy._handler = lambda r, w: _tunnel(proxy, r, w)
    return proxy


async def test_tls_checks_apply_inside_the_tunnel(ca: trustme.CA) -> None:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    async with await _serve_cert(cert) as url, _tunnel_proxy() as proxy:
        ok = await _get(cyhttp, url, proxy=proxy.url, ssl=client_context(ca))
        assert ok["secure"] is True
        got = await _get(cyhttp, url, proxy=proxy.url)  # default verification: unknown issuer
        assert isinstance(got, ClientConnectorCertificateError)
        assert (got.host, got.port) == ("127.0.0.1", url.port)  # names the origin, not the proxy
        assert (await _get(cyhttp, url, proxy=proxy.url, ssl=False))["secure"] is True
        assert (await _get(cyhttp, url, proxy=proxy.url, ssl=Fingerprint(_der_sha256(cert))))["secure"] is True
        got = await _get(cyhttp, url, proxy=proxy.url, ssl=Fingerprint(bytes(32)))
        assert isinstance(got, ServerFingerprintMismatch)
        # server_hostname is what SNI and the name check use inside the tunnel too.
        got = await _get(cyhttp, url, proxy=proxy.url, ssl=client_context(ca), server_hostname="nope.example")
        assert isinstance(got, ClientConnectorCertificateError)
        assert (await _get(cyhttp, url, proxy=proxy.url, ssl=client_context(ca), server_hostname="localhost"))[
            "secure"] is True


async def test_wrong_host_inside_tunnel_matches_aiohttp(ca: trustme.CA) -> None:
    async with await _serve_cert(ca.issue_cert("other.example")) as url, _tunnel_proxy() as proxy:
        for lib in (cyhttp, aiohttp):
            got = await _get(lib, url, proxy=proxy.url, ssl=client_context(ca))
            assert type(got).__name__ == "ClientConnectorCertificateError", (lib.__name__, repr(got))
