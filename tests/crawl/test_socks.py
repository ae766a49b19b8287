"""SocksConnector against real SOCKS servers (pproxy, microsocks) and a real aiohttp.web origin."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trustme
from yarl import URL

import cyhttp
from cyhttp.crawl.socks import SocksAuthError, SocksConnector, SocksConnectRefused, SocksError

from ..client._proxy_peers import Origin, client_context, server_context, serve
from ._socks_peers import free_port, microsocks, pproxy_socks

pytest.importorskip("python_socks", reason="python-socks is the socks extra")


@pytest.fixture(scope="module")
def pproxy_port() -> Iterator[int]:
    with pproxy_socks() as port:
        yield port


@pytest.fixture
async def origin() -> AsyncIterator[tuple[Origin, URL]]:
    o = Origin()
    async with serve(o.app) as base:
        yield o, base


@pytest.mark.parametrize("scheme", ["socks4", "socks4a", "socks5", "socks5h"])
async def test_http_through_each_socks_version(scheme: str, pproxy_port: int,
                                               origin: tuple[Origin, URL]) -> None:
    o, base = origin
    user = "crawler@" if scheme.startswith("socks4") else ""
    connector = SocksConnector(f"{scheme}://{user}127.0.0.1:{pproxy_port}")
    assert connector.remote_dns == (scheme in ("socks4a", "socks5h"))
    async with cyhttp.ClientSession(connector=connector) as s:
        for i in range(3):  # the connection through the proxy is pooled and reused
            async with s.get(base / f"x{i}") as r:
                assert r.status == 200 and (await r.json())["path"] == f"/x{i}"
        async with s.post(base / "up", data=b"z" * 100_000) as r:
            assert (await r.json())["len"] == 100_000
    assert len(o.seen) == 4


async def test_https_through_socks5h(pproxy_port: int) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    o = Origin()
    async with serve(o.app, server_context(cert)) as base:
        connector = SocksConnector(f"socks5h://127.0.0.1:{pproxy_port}", ssl=client_context(ca))
        async with cyhttp.ClientSession(connector=connector) as s:
            async with s.get(base / "secure") as r:
                assert (await r.json()) == {"path": "/secure", "secure": True, "len": 0}
        # an untrusted certificate through the tunnel is still a certificate error
        async with cyhttp.ClientSession(connector=SocksConnector(f"socks5h://127.0.0.1:{pproxy_port}")) as s:
            with pytest.raises(cyhttp.ClientConnectorCertificateError):
                await s.get(base / "secure")


async def test_auth_with_good_and_bad_credentials(origin: tuple[Origin, URL]) -> None:
    o, base = origin
    with microsocks("alice", "s3cret") as port:
        async with cyhttp.ClientSession(connector=SocksConnector(f"socks5h://alice:s3cret@127.0.0.1:{port}")) as s:
            async with s.get(base / "ok") as r:
                assert r.status == 200
        async with cyhttp.ClientSession(connector=SocksConnector(f"socks5://alice:wrong@127.0.0.1:{port}")) as s:
            with pytest.raises(SocksAuthError) as info:
                await s.get(base / "nope")
        assert isinstance(info.value, cyhttp.ClientProxyConnectionError)
    assert len(o.seen) == 1


async def test_refused_connect_is_typed_with_its_reply_code() -> None:
    closed = free_port()  # nothing listens there
    with microsocks("u", "p") as port:
        async with cyhttp.ClientSession(connector=SocksConnector(f"socks5h://u:p@127.0.0.1:{port}")) as s:
            with pytest.raises(SocksConnectRefused) as info:
                await s.get(f"http://127.0.0.1:{closed}/")
    assert info.value.reply_code == 5  # "connection refused" (RFC 1928 §6)
    assert isinstance(info.value, cyhttp.ClientConnectorError)


async def test_unreachable_proxy() -> None:
    async with cyhttp.ClientSession(connector=SocksConnector(f"socks5h://127.0.0.1:{free_port()}")) as s:
        with pytest.raises(SocksError):
            await s.get("http://127.0.0.1:9/")


async def test_from_env_and_bad_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5h://127.0.0.1:1080")
    connector = SocksConnector.from_env()
    assert connector is not None and connector.remote_dns
    await connector.close()
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:3128")
    assert SocksConnector.from_env() is None
    with pytest.raises(ValueError):
        SocksConnector("http://127.0.0.1:1080")


async def test_the_cli_fetches_and_crawls_through_socks(pproxy_port: int, origin: tuple[Origin, URL],
                                                        tmp_path: Path) -> None:
    from .test_cli import run_cli

    o, base = origin
    proxy = f"socks5h://127.0.0.1:{pproxy_port}"
    code, out, err = await run_cli("fetch", "-s", "--proxy", proxy, str(base / "via-fetch"))
    assert code == 0 and b'"/via-fetch"' in out, err
    results = tmp_path / "r.jsonl"
    code, _, err = await run_cli("crawl", "-", "--proxy", proxy, "--out", str(results), "-q",
                                 stdin=f"{base}/via-crawl\n".encode())
    assert code == 0, err
    assert '"status":200' in results.read_text()
    assert [s.get("host") for s in o.seen] == [base.authority] * 2
    # and the proxy is really in the way: a dead one fails the fetch
    code, _, err = await run_cli("fetch", "-s", "--proxy", f"socks5h://127.0.0.1:{free_port()}", str(base / "x"))
    assert code == 1 and b"SocksError" in err
