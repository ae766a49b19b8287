"""Every HTTPException aiohttp.web has: same names, bases, statuses, reasons, bodies,
raise-or-return, redirects' Location, 405's Allow, 451's Link."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
from aiohttp import web as aioweb

from cyhttp import web

from ._serve import serve

NAMES = sorted(n for n in aioweb.__all__ if n.startswith("HTTP"))


def build(cls: Any) -> Any:
    if issubclass(cls, (aioweb.HTTPMove, web.HTTPMove)):
        return cls(location="/there")
    if cls.__name__ == "HTTPMethodNotAllowed":
        return cls("PUT", ["GET", "POST"])
    if cls.__name__ == "HTTPRequestEntityTooLarge":
        return cls(max_size=10, actual_size=20)
    if cls.__name__ == "HTTPUnavailableForLegalReasons":
        return cls(link="http://example.com/why")
    return cls()


@pytest.mark.parametrize("name", NAMES)
def test_same_class_tree_and_defaults(name: str) -> None:
    ours, theirs = getattr(web, name), getattr(aioweb, name)
    assert [c.__name__ for c in ours.__mro__ if c.__name__.startswith("HTTP")] == [
        c.__name__ for c in theirs.__mro__ if c.__name__.startswith("HTTP")]
    assert issubclass(ours, web.Response) and issubclass(ours, Exception)
    assert ours.status_code == theirs.status_code and ours.empty_body == theirs.empty_body
    if theirs.status_code == -1 or inspect.isabstract(theirs) or name in ("HTTPError", "HTTPRedirection",
                                                                            "HTTPSuccessful", "HTTPClientError",
                                                                            "HTTPServerError", "HTTPMove"):
        return
    a, b = build(ours), build(theirs)
    assert (a.status, a.reason, a.text, a.body) == (b.status, b.reason, b.text, b.body)
    assert dict(a.headers) == dict(b.headers)
    assert str(a) == str(b)


async def test_raise_and_return() -> None:
    async def raised(request: web.Request) -> web.Response:
        raise web.HTTPFound(location="/to", headers={"X": "1"}, text="moved")

    async def returned(request: web.Request) -> web.Response:
        return web.HTTPAccepted()

    async def teapot(request: web.Request) -> web.Response:
        raise web.HTTPBadRequest(reason="Nope", text="why not")

    app = web.Application()
    app.router.add_get("/r", raised)
    app.router.add_get("/ret", returned)
    app.router.add_get("/b", teapot)
    async with serve(app) as url, httpx.AsyncClient() as client:
        r = await client.get(str(url / "r"))
        assert (r.status_code, r.headers["location"], r.headers["x"], r.text) == (302, "/to", "1", "moved")
        with pytest.warns(DeprecationWarning, match="returning HTTPException"):
            r = await client.get(str(url / "ret"))
        assert (r.status_code, r.text) == (202, "202: Accepted")
        r = await client.get(str(url / "b"))
        assert (r.status_code, r.reason_phrase, r.text) == (400, "Nope", "why not")


def test_special_arguments() -> None:
    with pytest.raises(ValueError, match="location"):
        web.HTTPFound(location="")
    exc = web.HTTPMethodNotAllowed("put", {"POST", "GET"})
    assert (exc.method, exc.allowed_methods, exc.headers["Allow"]) == ("PUT", {"GET", "POST"}, "GET,POST")
    assert str(web.HTTPUnavailableForLegalReasons("http://x/y").link) == "http://x/y"
    with pytest.warns(DeprecationWarning, match="body argument"):
        web.HTTPOk(body=b"x")
    with pytest.raises(ValueError):
        web.HTTPOk(reason="a\nb")
