"""Set-Cookie values read as aiohttp's client reads them (issue 12: gap 8): quoted values
holding ';', backslash escapes, names aiohttp refuses (logged, never sent back), attributes
separated by whitespace only."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

import cyhttp

from ._peers import web_server

SET_COOKIES = [
    'q="x;y"', 'k="a\\"b"', "a b=1", "invalid,cookie=2", "p=1; Path=/ Max-Age=100",
    "m=1 Path=/x; Secure", 'n="quoted value"', "c3=1; Max-Age=0", "sp=a b", 'sc="a;b"; Path=/',
    "{curly}=x", "x=1; max-age=abc", "u=\u00e9", 'oct="\\101\\102"',
    "c4=cookie4; HttpOnly; Path=/ Expires=Tue, 1 Jan 1980 12:00:00 GMT; ",
]


def _app(seen: list[str]) -> web.Application:
    async def set_them(request: web.Request) -> web.Response:
        resp = web.Response()
        for value in SET_COOKIES:
            resp.headers.add("Set-Cookie", value)
        return resp

    async def echo(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Cookie", ""))
        return web.Response()

    app = web.Application()
    app.router.add_get("/set", set_them)
    app.router.add_get("/echo", echo)
    return app


async def _run(lib, caplog: pytest.LogCaptureFixture) -> tuple[list, list[str], list[str]]:
    seen: list[str] = []
    async with web_server(_app(seen)) as url:
        async with lib.ClientSession(cookie_jar=lib.CookieJar(unsafe=True)) as session:
            caplog.clear()
            async with session.get(url / "set") as resp:
                assert resp.status == 200
            logged = [r.getMessage() for r in caplog.records if r.name.endswith(".internal")]
            jar = sorted((m.key, m.value, m.coded_value, m["path"], m["max-age"]) for m in session.cookie_jar)
            async with session.get(url / "echo"):
                pass
    return jar, sorted(seen[0].split("; ")), logged


async def test_jar_holds_what_aiohttps_holds(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    ours = await _run(cyhttp, caplog)
    theirs = await _run(aiohttp, caplog)
    assert ours[0] == theirs[0]
    assert ("q", "x;y", '"x;y"', "/", "") in ours[0]
    assert ("k", 'a"b', '"a\\"b"', "/", "") in ours[0]
    assert ("p", "1", "1", "/", "100") in ours[0]
    assert not any(name in ("a b", "invalid,cookie", "c3", "c4") for name, *_ in ours[0])
    # what goes back in the Cookie header
    assert ours[1] == theirs[1]
    assert 'q="x;y"' in ours[1]
    # the refused names are logged, under the aiohttp names' cyhttp twin
    assert ours[2] == theirs[2] == [
        "Can not load cookies: Illegal cookie name 'a b'",
        "Can not load cookies: Illegal cookie name 'invalid,cookie'",
    ]


async def test_filter_cookies_without_url_gives_the_session_cookies() -> None:
    for lib in (cyhttp, aiohttp):
        async with lib.ClientSession(cookies={"c1": "cookie1", "c2": "cookie2"}) as session:
            cookies = session.cookie_jar.filter_cookies()
            assert {k: v.value for k, v in cookies.items()} == {"c1": "cookie1", "c2": "cookie2"}, lib


def test_jar_limits_are_aiohttps() -> None:
    import aiohttp.cookiejar as theirs

    from cyhttp._client.cookiejar import MAX_PER_DOMAIN, MAX_TOTAL

    assert (MAX_PER_DOMAIN, MAX_TOTAL) == (theirs._MAX_COOKIES_PER_DOMAIN, theirs._MAX_COOKIES_TOTAL)
    jar = cyhttp.CookieJar()
    for d in range(20):
        jar.update_cookies({f"c{i}": "v" for i in range(MAX_PER_DOMAIN)}, URL(f"https://d{d}.example/"))
    assert len(jar) == MAX_TOTAL
