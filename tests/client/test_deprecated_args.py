"""Deprecated arguments aiohttp 3.14 still accepts: they work and warn as aiohttp does.

``verify_ssl`` / ``ssl_context`` / ``fingerprint`` fold into ``ssl=``; ``auth`` and
``proxy_auth`` warn (session, request and ws_connect).  Every case runs through cyhttp and
aiohttp against the same TLS peer (a trustme certificate the default store does not trust).
"""

from __future__ import annotations

import hashlib
import ssl
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import trustme
from aiohttp import web
from yarl import URL

import cyhttp

from ._compat_peers import hello_ws_app
from ._proxy_peers import client_context, serve, server_context

LIBS = pytest.mark.parametrize("lib", [cyhttp, aiohttp], ids=["cyhttp", "aiohttp"])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def cert(ca: trustme.CA) -> Any:
    return ca.issue_cert("127.0.0.1", "localhost")


@pytest.fixture
async def tls(cert: Any) -> AsyncIterator[URL]:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=request.headers.get("Authorization", "-"))

    app = web.Application()
    app.router.add_get("/", hello)
    async with serve(app, server_context(cert)) as url:
        yield url


def digest(cert: Any) -> bytes:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())).digest()


async def fetch(lib: Any, url: URL, **kwargs: Any) -> tuple[Any, list[str]]:
    """(body text or the exception raised, the DeprecationWarning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with lib.ClientSession(timeout=lib.ClientTimeout(total=20)) as s:
            try:
                async with s.get(url, **kwargs) as r:
                    result: Any = await r.text()
            except Exception as exc:
                result = exc
    return result, [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


@LIBS
async def test_verify_ssl_false(lib: Any, tls: URL) -> None:
    result, warned = await fetch(lib, tls, verify_ssl=False)
    assert result == "-"
    assert warned == ["verify_ssl is deprecated, use ssl=False instead"]
    result, warned = await fetch(lib, tls, verify_ssl=True)  # True is the default: silent
    assert isinstance(result, lib.ClientConnectorCertificateError) and warned == []


@LIBS
async def test_ssl_context(lib: Any, tls: URL, ca: trustme.CA) -> None:
    result, warned = await fetch(lib, tls, ssl_context=client_context(ca))
    assert result == "-"
    assert warned == ["ssl_context is deprecated, use ssl=context instead"]


@LIBS
async def test_fingerprint(lib: Any, tls: URL, cert: Any) -> None:
    result, warned = await fetch(lib, tls, fingerprint=digest(cert))
    assert result == "-"
    assert warned == ["fingerprint is deprecated, use ssl=Fingerprint(fingerprint) instead"]
    result, _ = await fetch(lib, tls, fingerprint=b"\x00" * 32)
    assert isinstance(result, lib.ServerFingerprintMismatch)


@LIBS
@pytest.mark.parametrize("kwargs", [
    {"verify_ssl": False, "ssl": False},
    {"ssl_context": ssl.create_default_context(), "ssl": False},
    {"fingerprint": b"\x00" * 32, "verify_ssl": False},
], ids=["verify_ssl+ssl", "ssl_context+ssl", "fingerprint+verify_ssl"])
async def test_mutually_exclusive(lib: Any, tls: URL, kwargs: dict[str, Any]) -> None:
    result, _ = await fetch(lib, tls, **kwargs)
    assert isinstance(result, ValueError)
    assert "mutually exclusive" in str(result)


@LIBS
async def test_wrong_ssl_type(lib: Any, tls: URL) -> None:
    result, _ = await fetch(lib, tls, ssl="yes")
    assert isinstance(result, TypeError)


@LIBS
async def test_auth_and_proxy_auth_warn(lib: Any, tls: URL) -> None:
    auth = lib.BasicAuth("u", "p")
    result, warned = await fetch(lib, tls, ssl=False, auth=auth)
    assert result == auth.encode()
    assert len(warned) == 1 and warned[0].startswith("The 'auth' parameter is deprecated")
    result, warned = await fetch(lib, tls.with_scheme("http").with_port(1), proxy_auth=auth)
    assert len(warned) == 1 and warned[0].startswith("The 'proxy_auth' parameter is deprecated")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        session = lib.ClientSession(auth=auth, proxy_auth=auth)
        await session.close()
    messages = sorted(str(w.message) for w in caught if issubclass(w.category, DeprecationWarning))
    assert [m.split(" parameter")[0] for m in messages] == ["The 'auth'", "The 'proxy_auth'"]


async def test_same_warning_text_as_aiohttp(tls: URL) -> None:
    auth = cyhttp.BasicAuth("u", "p")
    for kwargs in ({"auth": auth, "ssl": False}, {"proxy_auth": auth, "ssl": False}):
        _, ours = await fetch(cyhttp, tls, **kwargs)
        _, theirs = await fetch(aiohttp, tls, **{**kwargs, **{k: aiohttp.BasicAuth("u", "p") for k in kwargs
                                                              if k.endswith("auth")}})
        assert ours == theirs


@LIBS
async def test_ws_connect_takes_the_deprecated_ssl_arguments(lib: Any, cert: Any) -> None:
    async with serve(hello_ws_app(), server_context(cert)) as url:
        for kwargs in ({"verify_ssl": False}, {"fingerprint": digest(cert)}):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                async with lib.ClientSession() as s:
                    async with s.ws_connect(url.with_path("/ws"), **kwargs) as ws:
                        assert (await ws.receive(timeout=10)).data == "hi"
            assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_basic_auth_itself_warns_as_aiohttp() -> None:
    texts = []
    for lib in (cyhttp, aiohttp):
        with pytest.warns(DeprecationWarning) as record:
            lib.BasicAuth("u", "p")
        texts.append([str(w.message) for w in record])
    assert texts[0] == texts[1] and len(texts[0]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # the library's own instances are silent
        assert cyhttp.BasicAuth.from_url(URL("http://u:p@h/")) == ("u", "p", "latin1")
        assert cyhttp.BasicAuth.decode(cyhttp.encode_basic_auth("u", "p")) == ("u", "p", "latin1")


async def test_credentials_in_the_url_do_not_warn(tls: URL) -> None:
    result, warned = await fetch(cyhttp, tls.with_user("u").with_password("p"), ssl=False)
    assert result == cyhttp.encode_basic_auth("u", "p", "latin1") and warned == []
