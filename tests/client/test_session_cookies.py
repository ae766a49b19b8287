"""Cookies through the session: the jar across redirect hops and hosts, per-request
``cookies=``, refusal of CR/LF, lenient Set-Cookie parsing, and the no-cookie fast path.

The peer is an aiohttp.web app on 127.0.0.1, reached as 127.0.0.1 and as localhost (two
hosts, one port).  Scenarios run through cyhttp and aiohttp 3.14 and must agree.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from http.cookies import CookieError, Morsel, SimpleCookie
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

import cyhttp
from cyhttp._client.cookiejar import CookieJar

from ._peers import web_server

LIBS = pytest.mark.parametrize("lib", [cyhttp, aiohttp], ids=["cyhttp", "aiohttp"])


class Peer:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []  # (host, path, Cookie header)
        self.port = 0
        app = self.app = web.Application()
        app.router.add_get("/hop1", self.hop1)
        app.router.add_get("/hop2", self.hop2)
        app.router.add_get("/hop3", self.hop3)
        app.router.add_get("/same", self.same)
        app.router.add_get("/set", self.set_raw)
        app.router.add_get("/{tail:.*}", self.echo)

    def _note(self, request: web.Request) -> None:
        self.seen.append((request.url.host or "", request.path, request.headers.get("Cookie", "")))

    def _other(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    async def hop1(self, request: web.Request) -> web.Response:  # on 127.0.0.1
        self._note(request)
        resp = web.Response(status=302, headers={"Location": self._other("localhost", "/hop2")})
        resp.set_cookie("ip", "1")
        return resp

    async def hop2(self, request: web.Request) -> web.Response:  # on localhost
        self._note(request)
        resp = web.Response(status=302, headers={"Location": self._other("127.0.0.1", "/hop3")})
        resp.set_cookie("name", "2")
        return resp

    async def hop3(self, request: web.Request) -> web.Response:  # back on 127.0.0.1
        self._note(request)
        resp = web.Response(text="done")
        resp.set_cookie("ip3", "3", path="/")
        return resp

    async def same(self, request: web.Request) -> web.Response:
        self._note(request)
        resp = web.Response(status=302, headers={"Location": "/echo"})
        resp.set_cookie("same", "s")
        return resp

    async def set_raw(self, request: web.Request) -> web.Response:
        self._note(request)
        resp = web.Response(text="set")
        for value in request.query.getall("c", []):
            resp.headers.add("Set-Cookie", value)
        return resp

    async def echo(self, request: web.Request) -> web.Response:
        self._note(request)
        return web.Response(text=request.headers.get("Cookie", ""))


@pytest.fixture
async def peer() -> AsyncIterator[tuple[Peer, URL]]:
    p = Peer()
    async with web_server(p.app) as base:
        p.port = base.port or 0
        yield p, base


def jar_for(lib: Any) -> Any:
    return lib.CookieJar(unsafe=True)  # 127.0.0.1 is an IP host


def cookie_names(header: str) -> list[str]:
    return sorted(part.split("=", 1)[0].strip() for part in header.split(";") if part.strip())


@LIBS
async def test_three_hop_chain_across_two_hosts(lib: Any, peer: tuple[Peer, URL]) -> None:
    p, base = peer
    async with lib.ClientSession(cookie_jar=jar_for(lib)) as s:
        async with s.get(base / "hop1", cookies={"req": "r"}) as r:
            assert await r.text() == "done"
            assert [h.status for h in r.history] == [302, 302]
        local = URL(f"http://localhost:{p.port}/echo")
        async with s.get(local) as r:
            assert cookie_names(await r.text()) == ["name"]
        async with s.get(base / "echo") as r:
            assert cookie_names(await r.text()) == ["ip", "ip3"]
    hops = [(host, path, cookie_names(header)) for host, path, header in p.seen[:3]]
    assert hops == [
        ("127.0.0.1", "/hop1", ["req"]),  # the per-request cookie goes to the first origin only
        ("localhost", "/hop2", []),  # "ip" is host-only for 127.0.0.1
        ("127.0.0.1", "/hop3", ["ip"]),  # set during the chain, sent on a later hop
    ]


@LIBS
async def test_same_origin_redirect_keeps_request_cookies(lib: Any, peer: tuple[Peer, URL]) -> None:
    p, base = peer
    async with lib.ClientSession(cookie_jar=jar_for(lib)) as s:
        async with s.get(base / "same", cookies={"req": "r"}) as r:
            assert cookie_names(await r.text()) == ["req", "same"]


@LIBS
async def test_request_cookies_filtered_and_merged(lib: Any, peer: tuple[Peer, URL]) -> None:
    p, base = peer
    elsewhere: Morsel[str] = Morsel()
    elsewhere.set("elsewhere", "1", "1")
    elsewhere["domain"] = "example.com"
    deep: Morsel[str] = Morsel()
    deep.set("deep", "1", "1")
    deep["path"] = "/deep"
    secure: Morsel[str] = Morsel()
    secure.set("sec", "1", "1")
    secure["secure"] = True
    async with lib.ClientSession(cookie_jar=jar_for(lib), cookies={"both": "session", "jar": "j"}) as s:
        cookies = {"both": "request", "plain": "p", "elsewhere": elsewhere, "deep": deep, "sec": secure}
        async with s.get(base / "x", cookies=cookies) as r:
            top = SimpleCookie(await r.text())
        async with s.get(base / "deep" / "x", cookies=cookies) as r:
            below = SimpleCookie(await r.text())
    assert {k: m.value for k, m in top.items()} == {"both": "request", "jar": "j", "plain": "p"}
    # As aiohttp 3.14: a per-request Morsel with a Path is stored as a shared cookie under
    # that path, which no request URL's buckets reach, so it is never sent.
    assert {k: m.value for k, m in below.items()} == {"both": "request", "jar": "j", "plain": "p"}


@LIBS
async def test_request_cookies_given_as_pairs_and_simplecookie(lib: Any, peer: tuple[Peer, URL]) -> None:
    p, base = peer
    jar_cookie = SimpleCookie("sc=1")
    async with lib.ClientSession() as s:
        async with s.get(base / "x", cookies=iter([("a", "1"), ("b", "2")])) as r:
            assert cookie_names(await r.text()) == ["a", "b"]
        async with s.get(base / "x", cookies=jar_cookie) as r:
            assert cookie_names(await r.text()) == ["sc"]


@pytest.mark.parametrize("cookies", [
    {"a": "x\r\nInjected: 1"}, {"a": "x\ny"}, {"a\r\nb": "x"}, [("a", "x\x00")],
], ids=["crlf-value", "lf-value", "crlf-name", "nul-value"])
async def test_crlf_cookie_from_the_user_is_refused(cookies: Any, peer: tuple[Peer, URL]) -> None:
    p, base = peer
    async with cyhttp.ClientSession() as s:
        with pytest.raises(CookieError):
            await s.get(base / "x", cookies=cookies)
    with pytest.raises(CookieError):
        cyhttp.ClientSession(cookies=cookies)
    morsel: Morsel[str] = Morsel()
    morsel.set("m", "v", "v")
    morsel._coded_value = "v\r\nX: 1"  # type: ignore[attr-defined]
    async with cyhttp.ClientSession() as s:
        with pytest.raises(CookieError):
            await s.get(base / "x", cookies={"m": morsel})
    assert p.seen == []  # nothing reached the peer


async def test_tab_and_quotes_are_not_control_characters(peer: tuple[Peer, URL]) -> None:
    p, base = peer
    async with cyhttp.ClientSession() as s:
        async with s.get(base / "x", cookies={"a": "x\ty", "b": 'say "hi"'}) as r:
            assert cookie_names(await r.text()) == ["a", "b"]


@LIBS
async def test_lenient_set_cookie_names_round_trip(lib: Any, peer: tuple[Peer, URL]) -> None:
    """Names http.cookies refuses are kept (as aiohttp 3.14), and sent back without a crash."""
    p, base = peer
    url = (base / "set").with_query([("c", "a[0]=1; Path=/"), ("c", "a:b=2; Path=/"), ("c", "ok=3; Path=/")])
    async with lib.ClientSession(cookie_jar=jar_for(lib)) as s:
        async with s.get(url) as r:
            assert sorted(r.cookies) == ["a:b", "a[0]", "ok"]
        async with s.get(base / "echo") as r:
            assert cookie_names(await r.text()) == ["a:b", "a[0]", "ok"]


@LIBS
async def test_duplicate_names_on_different_paths_are_both_stored(lib: Any, peer: tuple[Peer, URL]) -> None:
    p, base = peer
    url = (base / "set").with_query([("c", "k=root; Path=/"), ("c", "k=sub; Path=/sub")])
    async with lib.ClientSession(cookie_jar=jar_for(lib)) as s:
        async with s.get(url) as r:
            await r.read()
        assert sorted(m.value for m in s.cookie_jar if m.key == "k") == ["root", "sub"]
        async with s.get(base / "other") as r:
            assert await r.text() == "k=root"


class CountingJar(CookieJar):
    """A user jar (public API) that counts the session's calls."""

    def __init__(self) -> None:
        super().__init__(unsafe=True)
        self.filtered = 0
        self.updated = 0

    def filter_cookies(self, request_url: URL = URL()) -> Any:
        self.filtered += 1
        return super().filter_cookies(request_url)

    def update_cookies_from_headers(self, headers: Any, response_url: URL) -> None:
        self.updated += 1
        super().update_cookies_from_headers(headers, response_url)


async def test_no_cookie_work_with_an_empty_jar_and_no_set_cookie(peer: tuple[Peer, URL]) -> None:
    p, base = peer
    jar = CountingJar()
    async with cyhttp.ClientSession(cookie_jar=jar) as s:
        for _ in range(3):
            async with s.get(base / "echo") as r:
                assert await r.text() == ""
        assert (jar.filtered, jar.updated) == (0, 0)
        async with s.get((base / "set").with_query(c="a=1")) as r:
            await r.read()
        assert (jar.filtered, jar.updated) == (0, 1)
        async with s.get(base / "echo") as r:
            assert await r.text() == "a=1"
        assert (jar.filtered, jar.updated) == (1, 1)


async def test_custom_jar_without_header_method_gets_update_cookies(peer: tuple[Peer, URL]) -> None:
    """AbstractCookieJar's default update_cookies_from_headers feeds update_cookies."""
    from cyhttp.abc import AbstractCookieJar

    class MinimalJar(AbstractCookieJar):
        def __init__(self) -> None:
            super().__init__()
            self.stored: dict[str, str] = {}

        unsafe = True
        quote_cookie = True
        cookies = property(lambda self: {})  # type: ignore[assignment]
        host_only_cookies = property(lambda self: frozenset())  # type: ignore[assignment]

        def __len__(self) -> int:
            return len(self.stored)

        def __iter__(self) -> Any:
            return iter(())

        def clear(self, predicate: Any = None) -> None:
            self.stored.clear()

        def clear_domain(self, domain: str) -> None:
            pass

        def update_cookies(self, cookies: Any, response_url: URL = URL()) -> None:
            items = cookies.items() if hasattr(cookies, "items") else cookies
            for name, value in items:
                self.stored[name] = value.value if isinstance(value, Morsel) else value

        def filter_cookies(self, request_url: URL) -> Any:
            return SimpleCookie(self.stored)

    p, base = peer
    jar = MinimalJar()
    async with cyhttp.ClientSession(cookie_jar=jar) as s:
        async with s.get((base / "set").with_query(c="m=1; Path=/")) as r:
            await r.read()
        assert jar.stored == {"m": "1"}
        async with s.get(base / "echo") as r:
            assert await r.text() == "m=1"


@LIBS
async def test_dummy_jar_keeps_nothing(lib: Any, peer: tuple[Peer, URL]) -> None:
    p, base = peer
    async with lib.ClientSession(cookie_jar=lib.DummyCookieJar()) as s:
        async with s.get((base / "set").with_query(c="a=1")) as r:
            assert r.cookies["a"].value == "1"
        async with s.get(base / "echo", cookies={"r": "1"}) as r:
            assert await r.text() == "r=1"
        async with s.get(base / "echo") as r:
            assert await r.text() == ""


@LIBS
@pytest.mark.parametrize("quote", [True, False], ids=["quoted", "unquoted"])
async def test_request_cookies_follow_the_jars_quoting(lib: Any, quote: bool, peer: tuple[Peer, URL]) -> None:
    p, base = peer
    async with lib.ClientSession(cookie_jar=lib.CookieJar(quote_cookie=quote)) as s:
        async with s.get(base / "echo", cookies={"a": "x y", "b": "plain"}) as r:
            text = await r.text()
    assert text == ('a="x y"; b=plain' if quote else "a=x y; b=plain")
