"""Redirects: method/body rules, relative Location, history, limits, origin changes."""

from __future__ import annotations

import pytest
from aiohttp import web
from yarl import URL

import cyhttp

from ._peers import canned, raw_server, web_server


def make_app() -> web.Application:
    app = web.Application()

    async def redirect(request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        target = request.query.get("to", "/echo")
        return web.Response(status=code, headers={"Location": target})

    async def chain(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n == 0:
            return web.Response(text="end")
        return web.Response(status=302, headers={"Location": f"/chain/{n - 1}"})

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({
            "method": request.method, "body": body.decode(), "headers": dict(request.headers),
        })

    app.router.add_route("*", "/r/{code}", redirect)
    app.router.add_get("/chain/{n}", chain)
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/sub/echo", echo)
    return app


@pytest.fixture
async def base():
    async with web_server(make_app()) as url:
        yield url


@pytest.mark.parametrize(
    ("code", "method", "expected_method", "body_kept"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (307, "POST", "POST", True),
        (308, "PUT", "PUT", True),
        (301, "PUT", "PUT", True),
    ],
)
async def test_redirect_method_and_body(base: URL, code: int, method: str, expected_method: str,
                                        body_kept: bool) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.request(method, base / f"r/{code}", data=b"payload") as resp:
            data = await resp.json()
            assert resp.status == 200
            assert [r.status for r in resp.history] == [code]
            assert resp.url == base / "echo"
            assert resp.history[0].url == base / f"r/{code}"
    assert data["method"] == expected_method
    assert data["body"] == ("payload" if body_kept else "")


async def test_relative_location(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get((base / "r/302").with_query(to="../sub/echo")) as resp:
            assert resp.url == base / "sub/echo"
        async with session.get((base / "r/302").with_query(to="//127.0.0.1:%d/echo" % base.port)) as resp:
            assert resp.url == base / "echo"


async def test_history_and_too_many(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(base / "chain/3") as resp:
            assert await resp.text() == "end"
            assert len(resp.history) == 3
        with pytest.raises(cyhttp.TooManyRedirects) as info:
            await session.get(base / "chain/5", max_redirects=3)
        assert len(info.value.history) == 3
        async with session.get(base / "chain/2", allow_redirects=False) as resp:
            assert resp.status == 302 and resp.history == ()


async def test_non_http_redirect_refused(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        with pytest.raises(cyhttp.NonHttpUrlRedirectClientError):
            await session.get((base / "r/302").with_query(to="ftp://example.com/"))


async def test_cross_origin_drops_authorization_and_cookies(base: URL) -> None:
    # 127.0.0.1 → localhost: same server, different origin.
    other = base.with_host("localhost")
    async with cyhttp.ClientSession() as session:
        target = str(other / "echo")
        async with session.get((base / "r/302").with_query(to=target),
                               headers={"Authorization": "Bearer x", "Cookie": "a=b"}) as resp:
            h = (await resp.json())["headers"]
        assert "Authorization" not in h and "Cookie" not in h
        async with session.get((base / "r/302").with_query(to="/echo"),
                               headers={"Authorization": "Bearer x"}) as resp:
            h = (await resp.json())["headers"]
        assert h["Authorization"] == "Bearer x"


async def test_redirect_without_location_returns_response() -> None:
    async with raw_server(canned(b"HTTP/1.1 302 Found\r\nContent-Length: 2\r\n\r\nhi")) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "x") as resp:
                assert resp.status == 302
                assert await resp.text() == "hi"


async def test_auth_from_url_and_argument(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        url = base.with_user("user").with_password("pass") / "echo"
        async with session.get(url) as resp:
            h = (await resp.json())["headers"]
        assert h["Authorization"] == cyhttp.BasicAuth("user", "pass").encode()
        async with session.get(base / "echo", auth=cyhttp.BasicAuth("a", "b")) as resp:
            h = (await resp.json())["headers"]
        assert h["Authorization"] == cyhttp.BasicAuth("a", "b").encode()
        with pytest.raises(ValueError):
            await session.get(url, auth=cyhttp.BasicAuth("a", "b"))
